package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Command-line mistakes: one line naming the problem, exit status 2. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private void assertUsageError(String expected, String... args) {
        assertEquals(Main.USAGE, run(args), err());
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().contains(expected), err());
    }

    @Test
    void unknownCommand() {
        assertUsageError("mptcp4j: unknown command 'frobnicate' (see 'mptcp4j help')", "frobnicate");
    }

    @Test
    void unknownOption() {
        assertUsageError("mptcp4j monitor: unknown option '--colour' (see 'mptcp4j help monitor')", "monitor", "--colour");
    }

    @Test
    void optionWithoutItsValue() {
        assertUsageError("option --netns needs a value", "monitor", "--netns");
    }

    @Test
    void numberOutOfRange() {
        assertUsageError("option --subflows must be 1..8, not 9", "run", "--subflows", "9");
    }

    @Test
    void notANumber() {
        assertUsageError("option --count needs a whole number, not 'many'", "monitor", "--count", "many");
    }

    @Test
    void unknownEventType() {
        assertUsageError("unknown event type 'OPENED'", "monitor", "--types", "CREATED,OPENED");
    }

    @Test
    void conflictingOptions() {
        assertUsageError("--subflows and --per-address exclude each other", "demo", "--subflows", "2", "--per-address");
    }

    @Test
    void unknownIdleStrategy() {
        assertUsageError("unknown idle strategy 'lazy'", "run", "--idle", "lazy");
    }

    @Test
    void unknownPathManager() {
        assertUsageError("unknown path manager 'smart': expected kernel or userspace", "path-manager", "smart");
    }

    @Test
    void noCommandPrintsUsage() {
        assertEquals(Main.USAGE, run());
        assertTrue(err().startsWith("Usage: mptcp4j COMMAND"), err());
    }

    @Test
    void everyCommandHasAManual() {
        for (String command : new String[] {"monitor", "run", "path-manager", "demo", "version"}) {
            out.reset();
            assertEquals(Main.OK, run(command, "--help"));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: mptcp4j " + command), command);
        }
        assertUsageError("no command 'nothing'", "help", "nothing");
    }
}
