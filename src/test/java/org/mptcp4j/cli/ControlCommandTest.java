package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.Commands;
import org.mptcp4j.control.ControlResponse;
import org.mptcp4j.control.ControlServer;

/** {@code mptcp4j ctl} against an in-process control server with a fake handler: output and exit status. */
class ControlCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<List<String>> requests = new CopyOnWriteArrayList<>();

    private ControlServer server;

    @TempDir
    Path dir;

    @AfterEach
    void closeServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private int ctl(String... args) {
        out.reset();
        err.reset();
        return new ControlCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** A daemon that records each request and gives every one the same answer. */
    private void serve(ControlResponse answer) throws IOException {
        server = ControlServer.start(dir.resolve("control.sock"), (words, peer) -> {
            requests.add(words);
            return answer;
        });
    }

    private String socket() {
        return dir.resolve("control.sock").toString();
    }

    @Test
    void okPrintsThePayloadAndSendsTheWordsWithoutTheSocketOption() throws IOException {
        serve(ControlResponse.ok(List.of("subflow 10.0.1.1:40000 -> 10.0.1.2:5201", "subflow 2")));
        assertEquals(Commands.OK, ctl("ctl", "-n", "blue", "--socket", socket(), "--json", "subflows", "token", "1c0ffee5"), err());
        assertEquals("subflow 10.0.1.1:40000 -> 10.0.1.2:5201\nsubflow 2\n", out());
        assertEquals("", err());
        assertEquals(Commands.OK, ctl("ctl", "--socket=" + socket(), "reload"), err());
        assertEquals(List.of(List.of("-n", "blue", "--json", "subflows", "token", "1c0ffee5"), List.of("reload")), requests);
    }

    @Test
    void refusedByTheKernelFailsWithItsText() throws IOException {
        serve(ControlResponse.error(22, "subflow create: Invalid argument (EINVAL)"));
        assertEquals(Commands.FAILED, ctl("ctl", "--socket", socket(), "subflow", "create", "token", "1c0ffee5"));
        assertEquals("", out());
        assertEquals("mptcp4j ctl: subflow create: Invalid argument (EINVAL)\n", err());
    }

    @Test
    void mistakeInTheRequestIsAUsageError() throws IOException {
        serve(ControlResponse.error(0, "unknown command 'frobnicate'"));
        assertEquals(Commands.USAGE, ctl("ctl", "--socket", socket(), "frobnicate"));
        assertEquals("mptcp4j ctl: unknown command 'frobnicate'\n", err());
    }

    @Test
    void failureOfTheDaemonFails() throws IOException {
        server = ControlServer.start(dir.resolve("control.sock"), (words, peer) -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(Commands.FAILED, ctl("ctl", "--socket", socket(), "connections"));
        assertEquals("mptcp4j ctl: internal error: java.lang.IllegalStateException: boom\n", err());
    }

    @Test
    void noDaemonFails() {
        assertEquals(Commands.FAILED, ctl("ctl", "--socket", socket(), "connections"));
        assertEquals("mptcp4j ctl: no mptcp4j daemon listens on " + socket()
                + " (is it running? is that its control-socket setting?)\n", err());
        assertEquals("", out());
    }

    @Test
    void commandLineMistakes() {
        assertEquals("missing the request, e.g. 'connections'",
                assertThrows(UsageException.class, () -> ctl("ctl")).getMessage());
        assertEquals("missing the request, e.g. 'connections'",
                assertThrows(UsageException.class, () -> ctl("ctl", "--socket", socket())).getMessage());
        assertEquals("'socket' needs a value", assertThrows(UsageException.class, () -> ctl("ctl", "connections", "--socket"))
                .getMessage());
        assertEquals("'socket' given twice", assertThrows(UsageException.class,
                () -> ctl("ctl", "--socket", "a", "--socket=b", "connections")).getMessage());
        assertEquals("'a b' is not one word: words have no blanks",
                assertThrows(UsageException.class, () -> ctl("ctl", "policy", "a b")).getMessage());
        assertEquals("ctl", assertThrows(UsageException.class, () -> ctl("ctl")).command);
    }

    @Test
    void manualHasItsSectionsAndAUsageLine() {
        assertEquals("Usage: mptcp4j ctl [--socket PATH] [-n NAME] [--json] COMMAND [WORDS...]\n", Manuals.usage("ctl"));
        List<String> sections = ControlCommand.HELP.lines().filter(line -> line.matches("[A-Z][A-Z ]+")).toList();
        assertEquals(List.of("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS", "EXAMPLES"), sections);
    }
}
