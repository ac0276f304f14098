package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The man pages made from the manuals: one per command and group, valid troff, every word of the manual kept. */
class ManPagesTest {
    private static final Map<String, String> PAGES = new ManPages("1.0", "2026-01-01").pages();

    @TempDir
    Path dir;

    @Test
    void everyCommandAndGroupHasItsPage() {
        for (String command : Manuals.commands()) {
            String page = PAGES.get(ManPages.fileName(command));
            assertTrue(page != null, command);
            String name = "mptcp4j-" + command.replace(' ', '-');
            assertTrue(page.startsWith(".TH " + name.toUpperCase(Locale.ROOT) + " 1 2026-01-01 \"mptcp4j 1.0\""), page);
            assertTrue(page.contains("\n.SH NAME\n" + ManPages.escape(name) + " \\- "), page);
        }
        for (String group : List.of("endpoint", "limits", "subflow")) {
            assertTrue(PAGES.get("mptcp4j-" + group + ".1").contains(".SH \"" + group.toUpperCase(Locale.ROOT) + " "), group);
        }
        assertTrue(PAGES.get("mptcp4j.1").contains("\n.SH NAME\nmptcp4j \\- a userspace path manager"));
        assertEquals(Manuals.commands().size() + 4, PAGES.size(), PAGES.keySet().toString());
    }

    @Test
    void escapesWhatTroffWouldRead() {
        assertEquals("\\-\\-netns", ManPages.escape("--netns"));
        assertEquals("\\&.config", ManPages.escape(".config"));
        assertEquals("\\&'ip mptcp'", ManPages.escape("'ip mptcp'"));
        assertEquals("a\\en", ManPages.escape("a\\n"));
    }

    /** groff reads every page without a warning, and its rendering has every word of the manual. */
    @Test
    void pagesRenderWithoutWarningsAndKeepEveryWord() throws Exception {
        assumeTrue(groff() || "true".equals(System.getenv("CI")), "groff is not installed (bin/setup installs it)");
        for (Map.Entry<String, String> page : PAGES.entrySet()) {
            Path file = Files.writeString(dir.resolve(page.getKey()), page.getValue());
            String warnings = run("groff", "-man", "-Tutf8", "-ww", "-z", file.toString());
            assertEquals("", warnings, page.getKey());
        }
        for (String command : Manuals.commands()) {
            Path file = dir.resolve(ManPages.fileName(command));
            // Wide lines, no bold or underlining: the words as they were.
            Set<String> rendered = words(run("groff", "-man", "-Tutf8", "-rLL=300n", "-P-cbou", file.toString()));
            List<String> missing = new ArrayList<>(words(Manuals.page(command)));
            missing.removeAll(rendered);
            assertEquals(List.of(), missing, command);
        }
    }

    private static Set<String> words(String text) {
        return Arrays.stream(text.split("\\s+")).filter(word -> !word.isEmpty()).collect(Collectors.toSet());
    }

    private static boolean groff() {
        try {
            return new ProcessBuilder("groff", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The command's standard output and error together; fails unless it exits 0. */
    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
        return output;
    }
}
