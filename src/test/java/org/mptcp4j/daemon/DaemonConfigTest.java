package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;
import org.mptcp4j.natives.Transport;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.logging.LogSettings;
import org.mptcp4j.loop.CpuSet;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.testing.GeneratedText;
import org.mptcp4j.testing.ThreadStatus;
import org.slf4j.event.Level;

/**
 * Every kind of configuration mistake is reported with the file, the line, the key and what is
 * accepted; numbers within their documented ranges ({@code mptcp4j help run}, VALUES), also over
 * generated text.
 */
class DaemonConfigTest {
    /** Fixed: a failure of the generated values is the same on every run. */
    private static final long SEED = 0x636f6e666967L;
    private static final int CASES = 80;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private DaemonConfig load(String text) throws Exception {
        return DaemonConfig.load(write("mptcp4j.conf", text), new DaemonConfig.Overrides());
    }

    private String error(String text) throws IOException {
        Path file = write("mptcp4j.conf", text);
        ConfigException e = assertThrows(ConfigException.class, () -> DaemonConfig.load(file, new DaemonConfig.Overrides()));
        return e.getMessage().replace(file.toString(), "F");
    }

    /** libnl's decoding where it exists (JNI), else the other name (FFM refuses 'native'). */
    private static final String DECODING = Transport.foreign() ? "java" : "native";

    @Test
    void aFullConfigurationIsRead() throws Exception {
        Path policy = write("policy", "remote 10.1.0.0/16 -> fullmesh\ndefault -> none\n");
        DaemonConfig c = load("""
                # the daemon
                [core]
                log = stderr            # mptcpd's key
                log-level = debug
                log-format = json
                path-manager = ndiffports
                notify-flags = skip_loopback,existing
                interfaces = eth0, eth1
                idle = busy-spin
                receive-buffer = 512K
                decoding = DECODING
                timeout-interval = 250ms
                family-wait = 30s
                controller-stall = 5s
                loop-priority = 50
                loop-cpu = 0
                control-socket = /run/m4j/ctl.sock
                metrics = 127.0.0.1:9464

                [controller ndiffports]
                subflows = 3

                [namespace blue]
                path-manager = fullmesh
                exclude-interfaces = docker0
                loop-priority = 10

                [namespace /proc/1/ns/net]
                policy = policy
                idle = blocking
                family-wait = 0s
                controller-stall = 2m
                loop-cpu = off
                """.replace("DECODING", DECODING));
        assertTrue(c.logEnabled());
        assertEquals(Level.DEBUG, c.logLevel());
        assertEquals(LogSettings.Format.JSON, c.logFormat());
        assertEquals(Path.of("/run/m4j/ctl.sock"), c.controlSocket());
        assertEquals("127.0.0.1:9464", c.metrics());
        assertEquals(2, c.namespaces().size());
        NamespaceConfig blue = c.namespaces().get(0);
        assertEquals("blue", blue.target());
        assertEquals("fullmesh", blue.pathManager());
        assertEquals(Map.of(), blue.parameters());
        assertFalse(blue.loopback());
        assertTrue(blue.linkLocal()); // notify-flags lists what to skip: link-local was not listed
        assertEquals(List.of("eth0", "eth1"), blue.interfaces());
        assertEquals(List.of("docker0"), blue.excludeInterfaces());
        assertEquals("busy-spin", blue.idle());
        assertEquals(512 * 1024, blue.receiveBuffer());
        assertEquals(Transport.foreign() ? EventDecoding.JAVA : EventDecoding.NATIVE, blue.decoding());
        assertEquals(Duration.ofMillis(250), blue.timeoutInterval());
        assertEquals(Duration.ofSeconds(30), blue.familyWait());
        assertEquals(Duration.ofSeconds(5), blue.controllerStall());
        assertEquals(10, blue.loopPriority(), "the namespace's own value wins");
        assertEquals(CpuSet.of(0), blue.loopCpus());
        NamespaceConfig proc = c.namespaces().get(1);
        assertEquals("/proc/1/ns/net", proc.target());
        assertEquals(policy, proc.policyFile());
        assertEquals(Files.readString(policy), proc.policyText());
        assertEquals("blocking", proc.idle());
        assertEquals(Duration.ZERO, proc.familyWait(), "the namespace's own value wins");
        assertEquals(Duration.ofMinutes(2), proc.controllerStall());
        assertEquals(50, proc.loopPriority());
        assertNull(proc.loopCpus(), "off: the daemon's own CPUs");
        assertTrue(proc.newController().toString().startsWith("policy [remote 10.1.0.0/16 -> fullmesh"),
                proc.newController().toString());
    }

    @Test
    void withoutNamespaceSectionsTheDaemonsOwnIsManagedWithDefaults() throws Exception {
        DaemonConfig c = load("[controller ndiffports]\nsubflows = 4\n");
        assertEquals(1, c.namespaces().size());
        NamespaceConfig own = c.namespaces().get(0);
        assertEquals("", own.target());
        assertEquals("self", own.label());
        assertEquals("ndiffports", own.pathManager());
        assertEquals(Map.of("subflows", "4"), own.parameters());
        assertEquals("blocking", own.idle());
        assertEquals(2 << 20, own.receiveBuffer());
        assertEquals(Duration.ofSeconds(10), own.familyWait());
        assertEquals(Duration.ofSeconds(30), own.controllerStall());
        assertEquals(0, own.loopPriority());
        assertNull(own.loopCpus());
        assertEquals("", own.loopSchedulingText());
        assertFalse(own.loopback());
        assertFalse(own.linkLocal());
        assertEquals(DaemonConfig.DEFAULT_CONTROL_SOCKET, c.controlSocket());
        assertEquals("off", c.metrics());
        assertEquals(Level.INFO, c.logLevel());
    }

    @Test
    void flagsOverrideTheFileEverywhere() throws Exception {
        Path file = write("mptcp4j.conf", """
                [core]
                idle = busy-spin
                policy = /nonexistent/policy
                [namespace blue]
                idle = yielding
                [namespace red]
                """);
        DaemonConfig c = DaemonConfig.load(file, new DaemonConfig.Overrides().set("--idle", "idle", "blocking")
                .controller("--controller", "ndiffports", Map.of("subflows", "5")).namespaces(List.of("blue", "green")));
        assertEquals(List.of("blue", "green"), c.namespaces().stream().map(NamespaceConfig::target).toList());
        for (NamespaceConfig n : c.namespaces()) {
            assertEquals("blocking", n.idle());
            assertNull(n.policyFile()); // --controller replaces the file's policy (never read)
            assertEquals(Map.of("subflows", "5"), n.parameters());
        }
    }

    @Test
    void theShippedConfigurationLoads() throws Exception {
        DaemonConfig c = DaemonConfig.load(Path.of("packaging/mptcp4j.conf"), new DaemonConfig.Overrides());
        assertEquals("127.0.0.1:9464", c.metrics());
        assertEquals(DaemonConfig.DEFAULT_CONTROL_SOCKET, c.controlSocket());
        assertEquals("ndiffports", c.namespaces().get(0).pathManager());
    }

    @Test
    void anUnknownKeyNamesTheAcceptedOnes() throws IOException {
        String e = error("[core]\nidel = blocking\n");
        assertTrue(e.startsWith("F:2: unknown key 'idel' in [core]; accepted: control-socket, controller-stall, decoding,"), e);
    }

    @Test
    void aCoreKeyInANamespaceSectionSaysWhereItBelongs() throws IOException {
        assertTrue(error("[namespace blue]\nmetrics = 9464\n").startsWith(
                "F:2: unknown key 'metrics' in [namespace blue] (it belongs in [core]); accepted: "), error("[namespace blue]\nmetrics = 9464\n"));
    }

    @Test
    void aWrongValueNamesTheKeyAndTheAcceptedValues() throws IOException {
        assertEquals("F:3: [core] idle: unknown idle strategy 'lazy': expected blocking, busy-spin or yielding",
                error("[core]\n\nidle = lazy\n"));
        assertEquals("F:2: [namespace blue] decoding: 'c' is not accepted (java, native)",
                error("[namespace blue]\ndecoding = c\n"));
        assertEquals("F:2: [core] log: 'syslog' is not accepted (stderr, null)", error("[core]\nlog = syslog\n"));
        assertEquals("F:2: [core] log-level: 'loud' is not a log level (error, warn, info, debug, trace)",
                error("[core]\nlog-level = loud\n"));
        assertEquals("F:2: [core] receive-buffer must be a size in 4K..1G (bytes, or a number and K, M or G: 512K, 2M),"
                + " not '1K'",
                error("[core]\nreceive-buffer = 1K\n"));
        assertEquals("F:2: [core] notify-flags: 'check_route' is not accepted (skip_loopback, skip_link_local, existing)",
                error("[core]\nnotify-flags = skip_loopback,check_route\n"));
        assertEquals("F:2: [core] timeout-interval must be a duration in 1ms..1m (a number and ms, s, m, h or d: 500ms,"
                + " 1.5s, 5m), not 'soon'",
                error("[core]\ntimeout-interval = soon\n"));
        assertEquals("F:2: [namespace blue] family-wait must be a duration in 0s..1h (a number and ms, s, m, h or d:"
                + " 500ms, 1.5s, 5m), not '10'",
                error("[namespace blue]\nfamily-wait = 10\n"));
        assertEquals("F:2: [core] controller-stall must be a duration in 1s..1h (a number and ms, s, m, h or d: 500ms, 1.5s, 5m), not '500ms'",
                error("[core]\ncontroller-stall = 500ms\n"));
        assertEquals("F:2: [namespace blue] controller-stall must be a duration in 1s..1h (a number and ms, s, m, h or d: 500ms, 1.5s, 5m), not '2h'",
                error("[namespace blue]\ncontroller-stall = 2h\n"));
        assertEquals("F:2: [core] control-socket: 'ctl.sock' is not accepted (an absolute path, or off)",
                error("[core]\ncontrol-socket = ctl.sock\n"));
        assertEquals("F:2: [core] warm-up must be a whole number in 0..1000000, not '-1'",
                error("[core]\nwarm-up = -1\n"));
        assertEquals("F:3: [core] warm-up must be a whole number in 0..1000000, not 'on'",
                error("[core]\n\nwarm-up = on\n"));
    }

    @Test
    void aWrongLoopPriorityOrCpuNamesTheLineAndWhatIsAccepted() throws IOException {
        assertEquals("F:2: [core] loop-priority must be a whole number in 1..99, not '100'",
                error("[core]\nloop-priority = 100\n"));
        assertEquals("F:3: [namespace blue] loop-priority must be a whole number in 1..99, not '0'",
                error("[namespace blue]\n\nloop-priority = 0\n"));
        String list = ": a list of CPUs and ranges such as 1 or 0,2-3";
        assertEquals("F:2: [core] loop-cpu must be a whole number in 0..8191, not '9999'" + list,
                error("[core]\nloop-cpu = 9999\n"));
        assertEquals("F:2: [namespace blue] loop-cpu must be a whole number in 0..8191, not 'x'" + list,
                error("[namespace blue]\nloop-cpu = x\n"));
        assertEquals("F:2: [core] loop-cpu: 3-1 is not a range FIRST-LAST of CPUs" + list, error("[core]\nloop-cpu = 3-1\n"));
        int absent = ThreadStatus.cpuNotAllowed();
        assertEquals("F:2: [core] loop-cpu: no CPU " + absent + " to run on here (this process may run on CPUs "
                + CpuSet.allowed() + ")", error("[core]\nloop-cpu = 0," + absent + "\n"));
        ConfigException e = assertThrows(ConfigException.class, () -> DaemonConfig.load(null,
                new DaemonConfig.Overrides().set("--loop-cpu", "loop-cpu", "9999")));
        assertEquals("command line: --loop-cpu must be a whole number in 0..8191, not '9999'" + list, e.getMessage());
    }

    @Test
    void flagsSetTheLoopsPriorityAndCpus() throws Exception {
        NamespaceConfig n = DaemonConfig.load(write("mptcp4j.conf", "[core]\nloop-priority = 10\n"),
                new DaemonConfig.Overrides().set("--loop-priority", "loop-priority", "60").set("--loop-cpu", "loop-cpu", "0"))
                .namespaces().get(0);
        assertEquals(60, n.loopPriority());
        assertEquals(CpuSet.of(0), n.loopCpus());
        assertEquals(", loop-priority 60, loop-cpu 0", n.loopSchedulingText());
    }

    @Test
    void syntaxMistakesNameTheLine() throws IOException {
        assertEquals("F:1: 'idle = blocking' before any section (start with [core])", error("idle = blocking\n"));
        assertEquals("F:2: expected 'key = value' or '[section]', not 'blocking'", error("[core]\nblocking\n"));
        assertEquals("F:2: a section header ends with ']': [core", error("# x\n[core\n"));
        assertEquals("F:3: key 'idle' again in [core] (first at line 2)", error("[core]\nidle = blocking\nidle = yielding\n"));
        assertEquals("F:2: section [core] again (first at line 1)", error("[core]\n[core]\n"));
        assertEquals("F:1: unknown section [daemon] (there are [core], [controller NAME] and [namespace NAME-OR-PATH])",
                error("[daemon]\n"));
        assertEquals("F:1: [namespace] needs a name: [namespace blue] or [namespace /proc/PID/ns/net]", error("[namespace]\n"));
        assertEquals("F:1: 'a/b' is neither a namespace name (ip netns) nor an absolute path", error("[namespace a/b]\n"));
    }

    @Test
    void controllerMistakesNameTheParametersLine() throws IOException {
        assertTrue(error("[core]\npath-manager = meshy\n").startsWith(
                "F:2: [core] path-manager: no controller named 'meshy' (there are: "), error("[core]\npath-manager = meshy\n"));
        assertTrue(error("[controller meshy]\n").startsWith("F:1: no controller named 'meshy' (there are: "));
        assertEquals("F:3: [controller ndiffports] subflows: ndiffports: parameter 'subflows' must be a whole number in 1..8,"
                + " not '99'",
                error("[controller ndiffports]\n# two paths\nsubflows = 99\n"));
        String unknown = error("[controller ndiffports]\nsubflow = 2\n");
        assertTrue(unknown.startsWith("F:2: [controller ndiffports] subflow: ndiffports: unknown parameter 'subflow'"), unknown);
        assertEquals("F:3: [core] policy: path-manager (line 2) and policy exclude each other",
                error("[core]\npath-manager = fullmesh\npolicy = p\n"));
    }

    @Test
    void aPolicyMistakeNamesThePolicyFileAndItsLine() throws IOException {
        Path policy = write("rules", "remote 10.0.0.0/8 -> fullmesh\nport 99999 -> ndiffports\n");
        String e = error("[core]\npolicy = rules\n");
        assertEquals(policy + ":2: port must be a whole number in 1..65535, not '99999'", e);
        String missing = error("[core]\npolicy = /nonexistent/rules\n");
        assertTrue(missing.startsWith("F:2: [core] policy: cannot read the policy file /nonexistent/rules: "), missing);
    }

    /** A key, its range as documented, and where the loaded value is read, in the range's unit. */
    private record Key(String name, String range, long min, long max, ToLongFunction<NamespaceConfig> value) {}

    @Test
    void anyTextLoadsWithinTheRangeOrNamesFileLineKeyAndRange() throws Exception {
        Key[] keys = {
            new Key("receive-buffer", "4K..1G", 4096, 1 << 30, NamespaceConfig::receiveBuffer),
            new Key("timeout-interval", "1ms..1m", 1_000_000, 60_000_000_000L, n -> n.timeoutInterval().toNanos()),
            new Key("family-wait", "0s..1h", 0, 3_600_000_000_000L, n -> n.familyWait().toNanos()),
            new Key("loop-priority", "1..99", 1, 99, NamespaceConfig::loopPriority)};
        Random random = new Random(SEED);
        for (Key key : keys) {
            for (int i = 0; i < CASES; i++) {
                String text = GeneratedText.any(random).replaceAll("[\\r\\n#;]", "").strip(); // one value of one line
                int line = 2 + random.nextInt(3);
                String file = "[core]\n" + "\n".repeat(line - 2) + key.name() + " = " + text + "\n";
                try {
                    NamespaceConfig n = DaemonConfig.load(write("mptcp4j.conf", file), new DaemonConfig.Overrides())
                            .namespaces().get(0);
                    long value = key.value().applyAsLong(n);
                    assertTrue(value >= key.min() && value <= key.max(), key.name() + " = " + text + " gave " + value);
                } catch (ConfigException e) {
                    String m = e.getMessage().replace(dir.resolve("mptcp4j.conf").toString(), "F");
                    assertTrue(m.startsWith("F:" + line + ": [core] " + key.name() + " must be "), m);
                    // The range, then its kind's hint or (whole numbers) the value.
                    assertTrue(m.contains(" in " + key.range() + " (") || m.contains(" in " + key.range() + ", not "), m);
                } catch (RuntimeException e) {
                    fail(key.name() + " = '" + text + "' threw " + e, e);
                }
            }
        }
    }

    @Test
    void overflowingValuesAreRefusedWithTheFileAndLine() throws Exception {
        String hint = " (a number and ms, s, m, h or d: 500ms, 1.5s, 5m)";
        assertEquals("F:3: [core] timeout-interval must be a duration in 1ms..1m" + hint + ", not '1e300h'",
                error("[core]\n# how often\ntimeout-interval = 1e300h\n"));
        assertEquals("F:2: [namespace blue] family-wait must be a duration in 0s..1h" + hint + ", not 'Infinity'",
                error("[namespace blue]\nfamily-wait = Infinity\n"));
        // 17179869185 * 2^30 is 2^64 + 2^30, which a multiplication in a long wraps to 1G.
        assertEquals("F:2: [core] receive-buffer must be a size in 4K..1G (bytes, or a number and K, M or G: 512K, 2M),"
                + " not '17179869185G'", error("[core]\nreceive-buffer = 17179869185G\n"));
        assertEquals("F:3: [controller fullmesh] remember-failing: fullmesh: parameter 'remember-failing' must be a"
                + " duration in 0s..1d" + hint + ", not '1e300h'",
                error("[controller fullmesh]\nbackoff = 1s\nremember-failing = 1e300h\n"));
    }

    @Test
    void aPolicyFilesOverflowNamesItsLine() throws Exception {
        Path policy = write("rules", "remote 10.0.0.0/8 -> ndiffports\nport 443 -> fullmesh backoff=99999999999999999999ms\n");
        String e = error("[core]\npolicy = rules\n");
        assertEquals(policy + ":2: fullmesh: parameter 'backoff' must be a duration in 10ms..1h (a number and ms, s, m,"
                + " h or d: 500ms, 1.5s, 5m), not '99999999999999999999ms'", e);
    }

    @Test
    void aFlagsOverflowNamesTheFlag() {
        ConfigException e = assertThrows(ConfigException.class, () -> DaemonConfig.load(null,
                new DaemonConfig.Overrides().set("--receive-buffer", "receive-buffer", "17179869185G")));
        assertEquals("command line: --receive-buffer must be a size in 4K..1G (bytes, or a number and K, M or G: 512K,"
                + " 2M), not '17179869185G'", e.getMessage());
        e = assertThrows(ConfigException.class, () -> DaemonConfig.load(null, new DaemonConfig.Overrides()
                .controller("--controller", "fullmesh", Map.of("max-backoff", "Infinity"))));
        assertTrue(e.getMessage().startsWith("command line: --controller: fullmesh: parameter 'max-backoff' must be a"
                + " duration in 10ms..1h"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DaemonConfig.load(dir.resolve("none.conf"), new DaemonConfig.Overrides()));
        assertTrue(e.getMessage().startsWith(dir.resolve("none.conf") + ": cannot read the configuration file: "),
                e.getMessage());
    }

    @Test
    void aNamespaceNamedTwiceOnTheCommandLineIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> DaemonConfig.load(null,
                new DaemonConfig.Overrides().namespaces(List.of("blue", "blue"))));
        assertEquals("command line: -n: namespace 'blue' named twice", e.getMessage());
    }
}
