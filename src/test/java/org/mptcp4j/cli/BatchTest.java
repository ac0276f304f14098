package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.command.Commands;

/** -batch as ip has it: the words of a line, its number in what is reported, stopping or going on. */
class BatchTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** mptcp4j ARGS with {@code input} as standard input. */
    private int run(String input, String... args) {
        return new Main(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void wordsAreSplitAtBlanksExceptBetweenDoubleQuotes() {
        assertEquals(List.of("endpoint", "add", "10.0.2.1", "id", "2"), Batch.words("endpoint add 10.0.2.1 id 2"));
        assertEquals(List.of("limits", "show"), Batch.words(" \tlimits   show\t\r"));
        assertEquals(List.of("a b", "c"), Batch.words("\"a b\" c"));
        assertEquals(List.of("xy zw"), Batch.words("x\"y z\"w"));
        assertEquals(List.of("", "x"), Batch.words("\"\" x"));
        assertEquals(List.of("#not a comment", "x"), Batch.words("\"#not a comment\" x"));
    }

    @Test
    void aHashStartsACommentAndBlankLinesHaveNoWords() {
        assertEquals(List.of(), Batch.words("# endpoints of the second path"));
        assertEquals(List.of(), Batch.words(""));
        assertEquals(List.of(), Batch.words("   \t "));
        assertEquals(List.of("limits", "show"), Batch.words("limits show # what the kernel allows"));
        assertEquals(List.of("limits", "show"), Batch.words("limits show#no blank needed"));
    }

    @Test
    void aQuoteLeftOpenIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Batch.words("endpoint add \"10.0.2.1"));
        assertEquals("a double quote is not closed", e.getMessage());
    }

    @Test
    void theFirstFailingLineIsReportedByItsNumberAndEndsTheBatch() {
        String batch = """
                # comments and blank lines count as lines

                help limits show
                frobnicate now
                help limits set
                """;
        assertEquals(Commands.USAGE, run(batch, "-batch", "-"));
        assertEquals(List.of("mptcp4j: -:4: unknown command 'frobnicate'", "See 'mptcp4j help'."), errLines());
        assertEquals(Manuals.page("limits show"), out(), "the lines before ran, the one after did not");
    }

    @Test
    void withForceTheBatchGoesOnAndExitsWithTheFirstFailure() {
        String batch = """
                limits set subflows many
                help limits show
                "unclosed
                help limits set
                """;
        assertEquals(Commands.USAGE, run(batch, "-force", "-batch", "-"));
        assertEquals(List.of("mptcp4j: -:1: limits set: 'subflows' must be a whole number in 0..2147483647, not 'many'",
                "Usage: mptcp4j limits set [subflows N] [add_addr_accepted N]",
                "mptcp4j: -:3: a double quote is not closed", "See 'mptcp4j help'."), errLines());
        assertEquals(Manuals.page("limits show") + Manuals.page("limits set"), out());
    }

    @Test
    void commandsThatLastUntilInterruptedAreRefused() {
        String batch = """
                monitor
                listen 10.0.0.1 8080
                announce 10.0.0.1 id 2 token 1c0ffee5 port 8080 listen
                run --per-address
                """;
        assertEquals(Commands.USAGE, run(batch, "-force", "-batch", "-"));
        assertEquals(List.of("mptcp4j: -:1: 'monitor' runs until interrupted: not in a batch", "See 'mptcp4j help'.",
                "mptcp4j: -:2: 'listen' runs until interrupted: not in a batch", "See 'mptcp4j help'.",
                "mptcp4j: -:3: announce: 'listen' keeps the listener until interrupted: not in a batch",
                "Usage: mptcp4j announce ADDR id ID token TOKEN [port PORT] [dev IFNAME] [backup] [listen]",
                "mptcp4j: -:4: 'run' runs until interrupted: not in a batch", "See 'mptcp4j help'."), errLines());
    }

    @Test
    void optionsBeforeTheBatchAreCheckedAndNotRepeatedInIt() {
        assertEquals(Commands.USAGE, run("", "-force", "limits", "show"));
        assertEquals("mptcp4j: -force goes with -batch FILE", errLines().get(0));
        err.reset();
        assertEquals(Commands.USAGE, run("", "-batch", "-", "limits", "show"));
        assertEquals("mptcp4j: the commands of -batch come from its file: nothing may follow it, not 'limits'",
                errLines().get(0));
        err.reset();
        assertEquals(Commands.USAGE, run("", "-batch"));
        assertEquals("mptcp4j: '-batch' needs a value", errLines().get(0));
        err.reset();
        assertEquals(Commands.USAGE, run("-batch other\n", "-batch", "-"));
        assertEquals("mptcp4j: -:1: -batch within a batch", errLines().get(0));
        err.reset();
        assertEquals(Commands.USAGE, run("-n blue\n", "-batch", "-"));
        assertEquals("mptcp4j: -:1: options and no command", errLines().get(0));
    }

    @Test
    void aFileThatCannotBeReadIsAFailure() {
        assertEquals(Commands.FAILED, run("", "-batch", "/nonexistent/mptcp4j.batch"));
        assertEquals(List.of("mptcp4j: -batch /nonexistent/mptcp4j.batch: no such file"), errLines());
    }

    @Test
    void anEmptyBatchSucceeds() {
        assertEquals(Commands.OK, run("# nothing to do\n\n", "-batch", "-"));
        assertEquals("", out());
        assertEquals(List.of(), errLines());
    }
}
