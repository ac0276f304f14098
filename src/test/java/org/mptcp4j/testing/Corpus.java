package org.mptcp4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The bytes the kernel sent, as captured into fuzz/corpus (fuzz/README.md), which the parsers' tests read. */
public final class Corpus {
    private Corpus() {}

    /**
     * Every file of the corpus folder {@code target} ({@code event_decoder}, {@code sock_diag},
     * ...), in the order of their names.
     *
     * @throws AssertionError when the folder is missing or empty: it is committed with the sources
     */
    public static List<byte[]> files(String target) {
        Path dir = Path.of("fuzz", "corpus", target);
        List<byte[]> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                all.add(Files.readAllBytes(f));
            }
        } catch (IOException | UncheckedIOException e) {
            throw new AssertionError("the corpus " + dir.toAbsolutePath() + " (committed with the sources)", e);
        }
        if (all.isEmpty()) {
            throw new AssertionError(dir + " is empty");
        }
        return all;
    }
}
