package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.command.Commands;
import org.mptcp4j.command.PathManagerCommands;
import org.mptcp4j.natives.Transport;

/** Command-line mistakes: a line naming the problem, then the command's usage line; exit status 2. */
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
        err.reset();
        assertEquals(Commands.USAGE, run(args), err());
        List<String> lines = err().lines().toList();
        assertEquals(expected, lines.get(0));
        assertTrue(lines.size() >= 2 && (lines.get(1).startsWith("Usage: mptcp4j ") || lines.get(1).equals("See 'mptcp4j help'.")),
                err());
    }

    /**
     * 'version' names the transport that runs; JNI then says which libnl its library was built
     * on and where it came from, and FFM has no library: none is mapped into the process.
     */
    @Test
    void versionSaysWhichTransportRuns() throws Exception {
        assertEquals(Commands.OK, run("version"), err());
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("mptcp4j "), lines.get(0));
        boolean mapped = Files.readString(Path.of("/proc/self/maps")).contains("libmptcp4j");
        if (Transport.selected() == Transport.FFM) {
            assertEquals("transport FFM (java.lang.foreign, no native library)", lines.get(1));
            assertFalse(mapped, "libmptcp4j.so is mapped into the process");
        } else {
            assertTrue(lines.get(1).matches("transport JNI \\(libmptcp4j\\.so\\), built on libnl 3\\.[0-9.]+"
                    + ", native library from java\\.library\\.path"), lines.get(1));
            assertTrue(mapped, "libmptcp4j.so is not mapped into the process");
        }
    }

    @Test
    void unknownCommand() {
        assertUsageError("mptcp4j: unknown command 'frobnicate'", "frobnicate");
    }

    @Test
    void unknownOption() {
        assertUsageError("mptcp4j monitor: unknown option '--colour'", "monitor", "--colour");
        assertEquals(List.of("Usage: mptcp4j monitor [--netns NAME] [--json | --ip-format] [--timestamp] [--count N] [--types T,...] [--busy-poll]",
                "                       [--decoding WHERE] [--dev IF,...] [--not-dev IF,...] [--loopback] [--link-local]"),
                err().lines().skip(1).toList());
    }

    @Test
    void interfaceNameThatCannotBeOne() {
        assertUsageError("mptcp4j monitor: 'eth0/1' is not an interface name", "monitor", "--dev", "eth0/1");
        assertUsageError("mptcp4j monitor: 'averyveryverylongname' is not an interface name", "monitor", "--not-dev",
                "lo,averyveryverylongname");
    }

    @Test
    void optionWithoutItsValue() {
        assertUsageError("mptcp4j monitor: 'netns' needs a value", "monitor", "--netns");
    }

    @Test
    void numberOutOfRange() {
        assertUsageError("mptcp4j run: 'subflows' must be a whole number in 1..8, not '9'", "run", "--subflows", "9");
    }

    @Test
    void notANumber() {
        assertUsageError("mptcp4j monitor: 'count' must be a whole number in 0..2147483647, not 'many'", "monitor", "--count", "many");
    }

    @Test
    void unknownEventType() {
        assertTrue(run("monitor", "--types", "CREATED,OPENED") == Commands.USAGE
                && err().startsWith("mptcp4j monitor: unknown event type 'OPENED'"), err());
    }

    @Test
    void conflictingOptions() {
        assertUsageError("mptcp4j demo: --subflows and --per-address exclude each other", "demo", "--subflows", "2",
                "--per-address");
    }

    @Test
    void unknownIdleStrategy() {
        assertUsageError("mptcp4j run: --idle: unknown idle strategy 'lazy': expected blocking, busy-spin or yielding", "run",
                "--idle", "lazy");
    }

    @Test
    void unknownDecodingIsOneMistakeForMonitorAndRun() {
        assertUsageError("mptcp4j monitor: --decoding: 'c' is not accepted (java, native)", "monitor", "--decoding", "c");
        assertUsageError("mptcp4j run: --decoding: 'c' is not accepted (java, native)", "run", "--decoding", "c");
    }

    @Test
    void recordingTakesOneNamespace() {
        assertUsageError("mptcp4j run: --record records one namespace; the configuration names 2 (choose one with --netns)",
                "run", "-n", "m4j-no-a,m4j-no-b", "--record", "/tmp/m4j-never-written.mptcp4j");
        if (Transport.foreign()) {
            assertUsageError("mptcp4j run: --decoding: 'native' decoding is libnl's, in libmptcp4j.so, and this process"
                    + " runs on the FFM transport without it: use 'java' (the same records)",
                    "run", "--decoding", "native", "--record", "/tmp/m4j-never-written.mptcp4j");
        }
        assertFalse(Files.exists(Path.of("/tmp/m4j-never-written.mptcp4j")));
    }

    @Test
    void unknownPathManager() {
        assertUsageError("mptcp4j path-manager: unknown path manager 'smart': expected kernel or userspace", "path-manager",
                "smart");
    }

    @Test
    void noCommandPrintsUsage() {
        assertEquals(Commands.USAGE, run());
        assertTrue(err().startsWith("NAME\n    mptcp4j - a userspace path manager for Multipath TCP\n"), err());
    }

    @Test
    void badTokenAddressAndMissingWords() {
        assertUsageError("mptcp4j announce: 'token' needs 8 hex digits as ss -M and monitor print it, not 'xyz'",
                "announce", "10.0.0.1", "id", "2", "token", "xyz");
        assertUsageError("mptcp4j announce: address: not an IP address: 'example.org'", "announce", "example.org", "id",
                "2", "token", "1c0ffee5");
        assertUsageError("mptcp4j announce: 'listen' needs 'port PORT': peers join the announced port", "announce",
                "10.0.0.1", "id", "2", "token", "1c0ffee5", "listen");
        assertUsageError("mptcp4j subflow destroy: missing 'lport'", "subflow", "destroy", "token", "1", "local",
                "10.0.0.1", "remote", "10.0.0.2", "rport", "80");
        assertUsageError("mptcp4j set-backup: say 'backup' or 'nobackup'", "set-backup", "token", "1", "local", "10.0.0.1",
                "remote", "10.0.0.2");
        assertUsageError("mptcp4j endpoint change: say what to change: backup, nobackup, fullmesh or nofullmesh",
                "endpoint", "change", "id", "1");
        assertUsageError("mptcp4j endpoint change: say what to change: backup, nobackup, fullmesh or nofullmesh",
                "endpoint", "set", "id", "1");
        assertUsageError("mptcp4j endpoint change: 'port' goes with the address, not with 'id'", "endpoint", "change",
                "id", "1", "port", "80", "backup");
        assertUsageError("mptcp4j endpoint change: a flag both set and cleared", "endpoint", "change", "id", "1",
                "backup", "nobackup");
        assertUsageError("mptcp4j endpoint change: name the endpoint by 'id ID' or by its address", "endpoint",
                "change", "backup");
        assertUsageError("mptcp4j limits set: give 'subflows N', 'add_addr_accepted N' or both", "limits", "set");
        assertUsageError("mptcp4j: 'endpoint' needs a subcommand: add, delete, change, show or flush", "endpoint");
        assertUsageError("mptcp4j listen: missing ADDR PORT", "listen", "10.0.0.1");
        assertUsageError("mptcp4j listen: PORT must be a whole number in 1..65535, not '0'", "listen", "10.0.0.1", "0");
        assertUsageError("mptcp4j exists: missing 'token'", "exists");
        assertUsageError("mptcp4j event-filter: 'sub_opened' is not an event type the kernel sends (created, established,"
                + " closed, announced, removed, sub_established, sub_closed, sub_priority)", "event-filter", "created,sub_opened");
    }

    @Test
    void everyCommandHasAManual() {
        for (String command : new String[] {"help", "monitor", "run", "controllers", "path-manager", "connections", "demo",
            "version", "announce", "remove", "subflow create", "subflow destroy", "set-backup", "addrs", "listen", "exists",
            "event-filter",
            "endpoint add", "endpoint delete", "endpoint show", "endpoint flush", "endpoint change", "limits show",
            "limits set"}) {
            out.reset();
            assertEquals(Commands.OK, run((command + " --help").split(" ")));
            String page = out.toString(StandardCharsets.UTF_8);
            assertTrue(page.startsWith("NAME\n    mptcp4j " + command + " - "), page);
            out.reset();
            assertEquals(Commands.OK, run(("help " + command).split(" ")));
            assertEquals(page, out.toString(StandardCharsets.UTF_8));
        }
        assertUsageError("mptcp4j: no command 'nothing'", "help", "nothing");
        out.reset();
        assertEquals(Commands.OK, run("help", "endpoint", "set"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("NAME\n    mptcp4j endpoint change - "), "an older name's manual");
        out.reset();
        assertEquals(Commands.OK, run("help", "subflow"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("NAME\n    mptcp4j subflow create - "), out.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\nNAME\n    mptcp4j subflow destroy - "));
    }

    @Test
    void everyPathManagerCommandHasAManualAndEveryManualACommand() {
        assertEquals(PathManagerCommands.COMMANDS, Manuals.PATH_MANAGER.keySet());
    }

    @Test
    void aNamespaceBeforeTheCommandIsTheCommands() {
        assertUsageError("mptcp4j monitor: 'netns' given twice", "-n", "blue", "monitor", "--netns", "red");
        assertUsageError("mptcp4j: '-n' needs a value", "-n");
        assertUsageError("mptcp4j: '--netns' given twice", "--netns", "blue", "--netns", "red", "monitor");
    }

    /** ip's options before the command: its spellings, one dash or two, prefixes, and '--' ending them. */
    @Test
    void globalOptionsAsIpTakesThem() throws Exception {
        assertEquals(Commands.OK, run("version"), err());
        String version = out.toString(StandardCharsets.UTF_8);
        for (String option : new String[] {"-V", "-Version", "--version", "-Ver", "-v"}) {
            out.reset();
            assertEquals(Commands.OK, run(option), option + ": " + err());
            assertEquals(version, out.toString(StandardCharsets.UTF_8), option);
        }
        for (String[] json : new String[][] {{"-j", "-V"}, {"--json", "version"}, {"-json", "--", "version"},
            {"-js", "version", "--json"}, {"version", "json"}}) {
            out.reset();
            assertEquals(Commands.OK, run(json), String.join(" ", json) + ": " + err());
            String text = out.toString(StandardCharsets.UTF_8);
            assertTrue(text.startsWith("{\"version\":") && text.endsWith("}\n") && text.contains("\"transport\":\""
                    + Transport.selected().name().toLowerCase(java.util.Locale.ROOT) + "\""), text);
        }
        out.reset();
        assertEquals(Commands.OK, run("-h"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("NAME\n    mptcp4j - "));
        assertTrue(Manuals.MPTCP4J.contains("-n, -netns NAME") && Manuals.MPTCP4J.contains("-j, -json")
                && Manuals.MPTCP4J.contains("-V, -Version"), "the options are in the overview");
        out.reset();
        assertEquals(Commands.OK, run("--help", "endpoint", "change"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("NAME\n    mptcp4j endpoint change - "));
        assertUsageError("mptcp4j: unknown option '-x' before the command (options: -n NAME, -j, -V, -batch FILE, -force, -h)",
                "-x", "version");
        assertUsageError("mptcp4j: unknown option '--colour' before the command (options: -n NAME, -j, -V, -batch FILE,"
                + " -force, -h)", "--colour", "version");
        assertUsageError("mptcp4j version: unexpected argument 'endpoint'", "-V", "endpoint");
        assertUsageError("mptcp4j: '-netns' needs a value", "-netns");
        // -j is ignored by a command without JSON output, as ip ignores it; --json after it is a mistake.
        assertUsageError("mptcp4j limits set: give 'subflows N', 'add_addr_accepted N' or both", "-j", "limits", "set");
        assertUsageError("mptcp4j limits set: 'limits set' has no JSON output", "limits", "set", "--json");
        assertUsageError("mptcp4j: -force goes with -batch FILE", "-f", "version");
    }

    @Test
    void monitorsFormatsExcludeEachOther() {
        assertUsageError("mptcp4j monitor: --json and --ip-format exclude each other: mptcp4j's objects or ip's lines",
                "-j", "monitor", "--ip-format");
    }

    @Test
    void everyManualIsAManPageListedInTheOverview() {
        for (String command : Manuals.commands()) {
            String page = Manuals.page(command);
            for (String section : new String[] {"NAME\n", "\nSYNOPSIS\n    mptcp4j " + command, "\nDESCRIPTION\n"}) {
                assertTrue(page.contains(section), command + " lacks " + section.trim());
            }
            assertTrue(Manuals.usage(command).startsWith("Usage: mptcp4j " + command), command);
            assertTrue(Manuals.MPTCP4J.contains("\n    " + command + " "), command + " is not in the overview");
        }
    }

    @Test
    void runsManualHasTheDaemonsOptionsSignalsAndFiles() {
        String page = Manuals.page("run");
        for (String text : new String[] {"--config FILE", "-n, --netns NAME[,NAME|PATH...]", "--log-level LEVEL",
            "--log-format FORMAT", "--metrics [HOST:]PORT|off", "--control-socket PATH|off", "\nSIGNALS\n", "SIGHUP",
            "SIGTERM", "\nFILES\n", "/etc/mptcp4j/mptcp4j.conf", "CAP_SYS_ADMIN", "--loop-priority N|off",
            "--loop-cpu LIST|off", "CAP_SYS_NICE", "loop-priority       1..99", "loop-cpu            0..8191", "--record FILE"}) {
            assertTrue(page.contains(text), text);
        }
    }
}
