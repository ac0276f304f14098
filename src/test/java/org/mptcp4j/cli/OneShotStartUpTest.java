package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What a one-shot command pays for before its work: no class concatenates strings through
 * invokedynamic, whose first use of each shape spins method-handle classes at run time (a
 * third of {@code limits show}'s time on JDK 17, and a class-data archive cannot keep them).
 */
class OneShotStartUpTest {
    @Test
    void noClassConcatenatesStringsThroughInvokedynamic() throws Exception {
        Path classes = Path.of(System.getProperty("mptcp4j.test.classpath").split(":")[0]);
        byte[] bootstrap = "makeConcatWithConstants".getBytes(StandardCharsets.US_ASCII);
        List<String> concatenating;
        try (Stream<Path> files = Files.walk(classes)) {
            concatenating = files.filter(f -> f.toString().endsWith(".class")).filter(f -> contains(read(f), bootstrap))
                    .map(f -> classes.relativize(f).toString()).sorted().toList();
        }
        assertEquals(List.of(), concatenating);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean contains(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
