package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bash completion made from the manuals, run in bash as bash-completion runs it. */
class BashCompletionTest {
    @TempDir
    Path dir;
    private Path script;

    @BeforeEach
    void write() throws Exception {
        script = Files.writeString(dir.resolve("mptcp4j"), BashCompletion.script());
    }

    /** What bash offers for the last word of {@code line} (the words, the last one being completed). */
    private List<String> complete(String... line) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "--norc", "--noprofile", "-c",
                "source \"$1\" && shift && COMP_WORDS=(\"$@\") && COMP_CWORD=$(($# - 1)) && _mptcp4j;"
                        + " printf '%s\\n' \"${COMPREPLY[@]}\"; complete -p mptcp4j >&2",
                "bash", script.toString()));
        command.addAll(List.of(line));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), err);
        assertEquals("complete -F _mptcp4j mptcp4j\n", err);
        return out.lines().filter(word -> !word.isEmpty()).toList();
    }

    @Test
    void commandsThenSubcommands() throws Exception {
        List<String> commands = complete("mptcp4j", "");
        for (String command : Manuals.commands()) {
            assertTrue(commands.contains(command.split(" ")[0]), command + " in " + commands);
        }
        assertTrue(commands.containsAll(List.of("-n", "-batch", "-force")), commands.toString());
        assertEquals(List.of("endpoint"), complete("mptcp4j", "endp"));
        assertEquals(List.of("add", "change", "delete", "flush", "show"), complete("mptcp4j", "endpoint", ""));
        assertEquals(List.of("create", "destroy"), complete("mptcp4j", "-n", "blue", "subflow", ""));
        assertEquals(List.of("set", "show"), complete("mptcp4j", "help", "limits", ""));
    }

    @Test
    void optionsAndKeywordsOfTheCommand() throws Exception {
        assertEquals(List.of("--config", "--control-socket", "--controller"), complete("mptcp4j", "run", "--con"));
        assertEquals(List.of("--netns", "-n", "dev", "id", "port"), complete("mptcp4j", "endpoint", "add", "10.0.0.1", ""));
        assertEquals(List.of("--netns", "-n", "kernel", "userspace"), complete("mptcp4j", "path-manager", ""));
        assertEquals(List.of("nobackup", "nofullmesh"), complete("mptcp4j", "endpoint", "change", "id", "2", "no"));
    }

    @Test
    void valuesOfOptions() throws Exception {
        assertEquals(List.of("logfmt", "json"), complete("mptcp4j", "run", "--log-format", ""));
        Files.createFile(dir.resolve("blue.conf"));
        assertEquals(List.of("blue.conf"), complete("mptcp4j", "run", "--config", "blu"));
        assertEquals(List.of("blue.conf"), complete("mptcp4j", "-batch", "blu"));
        // A token is no keyword: nothing is offered for it.
        assertEquals(List.of(), complete("mptcp4j", "exists", "token", ""));
        assertTrue(Arrays.asList(BashCompletion.script().split("\n")).contains("complete -F _mptcp4j mptcp4j"));
    }
}
