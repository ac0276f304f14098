package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mptcp4j.command.Commands;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.EventRecorder;
import org.mptcp4j.testing.Json;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Processes;
import org.mptcp4j.testing.SeenEvent;
import org.mptcp4j.testing.TwoHosts;

/** Each path-manager command typed as a user would, against namespaces; output and errors checked word for word. */
@KernelTest
class PathManagerCommandsKernelTest {
    private record Run(int exit, String out, String err) {}

    private static Run mptcp4j(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String ok(String... args) {
        Run r = mptcp4j(args);
        assertEquals(Commands.OK, r.exit(), String.join(" ", args) + ": " + r.err());
        assertEquals("", r.err());
        return r.out();
    }

    @Test
    void endpointsAndLimits() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2)) {
            String ns = t.clientName();
            ok("endpoint", "add", "10.231.2.1", "id", "2", "signal", "dev", "c2", "-n", ns);
            ok("endpoint", "add", "fd00:231:2::1", "port", "8080", "signal", "backup", "--netns", ns);
            assertEquals("10.231.2.1 id 2 signal dev c2\nfd00:231:2::1 port 8080 id 3 signal backup\n",
                    ok("endpoint", "show", "-n", ns));
            ok("endpoint", "change", "id", "2", "backup", "-n", ns);
            ok("endpoint", "set", "fd00:231:2::1", "port", "8080", "nobackup", "-n", ns);
            assertEquals("[{\"address\":\"10.231.2.1\",\"id\":2,\"flags\":[\"signal\",\"backup\"],\"dev\":\"c2\"}]\n",
                    ok("endpoint", "show", "id", "2", "--json", "-n", ns));
            assertEquals("fd00:231:2::1 port 8080 id 3 signal\n", ok("endpoint", "show", "id", "3", "-n", ns));
            ok("endpoint", "delete", "id", "2", "-n", ns);
            assertEquals("fd00:231:2::1 port 8080 id 3 signal\n", ok("endpoint", "show", "-n", ns));
            ok("endpoint", "flush", "-n", ns);
            assertEquals("", ok("endpoint", "show", "-n", ns));

            ok("limits", "set", "subflows", "5", "-n", ns);
            assertEquals("add_addr_accepted 0 subflows 5\n", ok("limits", "show", "-n", ns), "the other limit kept");
            ok("limits", "set", "add_addr_accepted", "2", "subflow", "3", "-n", ns);
            assertEquals("{\"add_addr_accepted\":2,\"subflows\":3}\n", ok("limits", "show", "--json", "-n", ns));

            Run tooMany = mptcp4j("limits", "set", "subflows", "9", "-n", ns);
            assertEquals(Commands.FAILED, tooMany.exit());
            assertEquals("mptcp4j limits set: SET_LIMITS: Invalid argument (EINVAL): limit greater than maximum (8)\n",
                    tooMany.err());
            Run noDevice = mptcp4j("endpoint", "add", "10.231.1.1", "dev", "eth9", "signal", "-n", ns);
            assertEquals(Commands.USAGE, noDevice.exit());
            assertTrue(noDevice.err().startsWith("mptcp4j endpoint add: no interface 'eth9' in network namespace " + ns),
                    noDevice.err());
        }
    }

    /** ip's 'endpoint change': by id, by address, by both; a named flag changes, the other stays. */
    @Test
    void endpointChangeAsIpHasIt() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2)) {
            String ns = t.clientName();
            ok("-n", ns, "endpoint", "add", "10.231.2.1", "id", "2", "subflow", "fullmesh");
            ok("-n", ns, "endpoint", "change", "10.231.2.1", "id", "2", "backup");
            assertEquals("10.231.2.1 id 2 subflow backup fullmesh\n", ok("-n", ns, "endpoint", "show"));
            assertEquals("10.231.2.1 id 2 subflow backup fullmesh",
                    Shell.run("ip", "-n", ns, "mptcp", "endpoint", "show").strip(), "what the kernel holds");
            ok("-n", ns, "endpoint", "change", "10.231.2.1", "nofullmesh");
            assertEquals("10.231.2.1 id 2 subflow backup\n", ok("-n", ns, "endpoint", "show"));
            Run wrongId = mptcp4j("-n", ns, "endpoint", "change", "10.231.2.1", "id", "3", "nobackup");
            assertEquals(Commands.USAGE, wrongId.exit());
            assertTrue(wrongId.err().startsWith("mptcp4j endpoint change: endpoint 10.231.2.1 has id 2, not 3\n"),
                    wrongId.err());
            Run none = mptcp4j("-n", ns, "endpoint", "change", "10.231.9.9", "nobackup");
            assertTrue(none.err().startsWith("mptcp4j endpoint change: no endpoint 10.231.9.9\n"), none.err());
            assertEquals("10.231.2.1 id 2 subflow backup\n", ok("-n", ns, "endpoint", "show"), "refusals changed nothing");
        }
    }

    /**
     * An interface name may hold '"', '\\' and control characters (Linux refuses only '/', ':'
     * and white space): JSON output escapes them, and reads back as the name.
     */
    @Test
    void hostileInterfaceNamesAreEscapedInJson() throws Exception {
        String name = "m4j\"q\\\u0001";
        try (Topology t = Topology.create("m4j-test", 1);
                CommandProcess monitor = CommandProcess.startAndAwaitReady("-n", t.clientName(), "-j", "monitor",
                        "--count", "1", "--types", "LOCAL_ADDRESS_ADDED", "--dev", name)) {
            String ns = t.clientName();
            Shell.run("ip", "-n", ns, "link", "add", name, "type", "veth", "peer", "name", "m4j-peer");
            Shell.run("ip", "-n", ns, "link", "set", name, "up");
            Shell.run("ip", "-n", ns, "link", "set", "m4j-peer", "up");
            Shell.run("ip", "-n", ns, "addr", "add", "10.98.0.1/24", "dev", name);
            ok("-n", ns, "endpoint", "add", "10.98.0.1", "id", "5", "subflow", "dev", name);
            String endpoints = ok("-j", "-n", ns, "endpoint", "show");
            assertEquals("[{\"address\":\"10.98.0.1\",\"id\":5,\"flags\":[\"subflow\"],\"dev\":\"m4j\\\"q\\\\\\u0001\"}]\n",
                    endpoints);
            assertEquals(name, ((Map<?, ?>) ((List<?>) Json.parse(endpoints)).get(0)).get("dev"));
            assertEquals(Commands.OK, monitor.awaitExit(), monitor.err());
            assertEquals(name, ((Map<?, ?>) Json.parse(monitor.out())).get("dev"), monitor.out());
        }
    }

    @Test
    void userspaceCommandsOnALiveConnection() throws Exception {
        try (TwoHosts h = TwoHosts.connect(TwoHosts.Family.IPV4)) {
            String client = h.topology.clientName();
            String token = String.format("%08x", h.clientToken);
            ok("announce", "10.231.2.1", "id", "2", "token", token, "-n", client);
            assertEquals(h.serverToken, h.serverEvents.await(MptcpEventType.ANNOUNCED, e -> e.remoteId() == 2).token());

            ok("subflow", "create", "token", token, "local", "10.231.2.1", "id", "2", "remote", "10.231.2.2", "rport",
                    "5201", "-n", client);
            SeenEvent opened = h.clientEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.localId() == 2);
            String lport = Integer.toString(opened.localPort());
            assertEquals("10.231.2.1 id 2 signal\n", ok("addrs", "token", token, "-n", client));
            assertEquals(token + " exists\n", ok("exists", "token", token, "-n", client));
            Run noSuch = mptcp4j("exists", "token", "00000001", "-n", client);
            assertEquals(Commands.ABSENT, noSuch.exit());
            assertEquals("no connection 00000001\n", noSuch.out());
            Run noFilter = mptcp4j("event-filter", "established,sub_closed", "-n", client);
            assertEquals(Commands.FAILED, noFilter.exit());
            assertEquals("mptcp4j event-filter: SET_FILTER: Operation not supported (EOPNOTSUPP): the upstream mptcp_pm"
                    + " family has no command for filtering events in the kernel: only the multipath-tcp.org v0.95 mptcp"
                    + " family has\n", noFilter.err());
            assertEquals("[{\"address\":\"10.231.2.1\",\"id\":2,\"flags\":[\"signal\"]}]\n",
                    ok("addrs", "--token", "0x" + token, "--json", "-n", client));

            ok("set-backup", "token", token, "local", "10.231.2.1", "lport", lport, "remote", "10.231.2.2", "rport", "5201",
                    "backup", "-n", client);
            assertTrue(h.serverEvents.await(MptcpEventType.SUB_PRIORITY, e -> e.remotePort() == opened.localPort()).backup());

            ok("subflow", "destroy", "token", token, "local", "10.231.2.1", "lport", lport, "remote", "10.231.2.2",
                    "rport", "5201", "-n", client);
            h.serverEvents.await(MptcpEventType.SUB_CLOSED, e -> e.remotePort() == opened.localPort());

            Run gone = mptcp4j("subflow", "destroy", "token", token, "local", "10.231.2.1", "lport", lport, "remote",
                    "10.231.2.2", "rport", "5201", "-n", client);
            assertEquals(Commands.FAILED, gone.exit());
            assertEquals("mptcp4j subflow destroy: SUBFLOW_DESTROY: No such process (ESRCH): subflow not found\n", gone.err());
            Run wrongToken = mptcp4j("remove", "id", "2", "token", "00000001", "-n", client);
            assertEquals("mptcp4j remove: REMOVE: Invalid argument (EINVAL): invalid token\n", wrongToken.err());

            // Destroying the last subflow on id 2 took the address off the connection's list: announce it again.
            ok("announce", "10.231.2.1", "id", "2", "token", token, "-n", client);
            ok("remove", "id", "2", "token", token, "-n", client);
            h.serverEvents.await(MptcpEventType.REMOVED, e -> e.remoteId() == 2);
        }
    }

    @Test
    void anUnprivilegedCallerIsToldWhatItLacks() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            List<String> asNobody = List.of("ip", "netns", "exec", t.clientName(), "setpriv", "--reuid=65534",
                    "--regid=65534", "--clear-groups");
            List<String> jvm = List.of(Processes.nativeLibraryPath());
            Shell.Result set = Processes.mptcp4j(asNobody, jvm, false, "limits", "set", "subflows", "4", "add_addr_accepted", "1");
            assertEquals(Commands.FAILED, set.exit(), set.err());
            assertEquals("mptcp4j limits set: SET_LIMITS: Operation not permitted (EPERM) - path-manager commands need"
                    + " CAP_NET_ADMIN: run as root or grant CAP_NET_ADMIN\n", set.err());
            Shell.Result show = Processes.mptcp4j(asNobody, jvm, false, "limits", "show");
            assertEquals(Commands.OK, show.exit(), show.err());
            assertEquals("add_addr_accepted 0 subflows 2\n", show.out(), "reading needs no privilege, and nothing changed");
        }
    }

    @Test
    void listenHoldsAnMptcpListenerUntilStopped() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            EventRecorder events = new EventRecorder();
            try (EventLoop loop = EventLoop.builder(events).namespace(t.server()).build()) {
                loop.start();
                Process listen = new ProcessBuilder(Processes.command(List.of(),
                        List.of(Processes.nativeLibraryPath()), false,
                        "listen", "10.231.1.2", "6000", "-n", t.serverName())).redirectErrorStream(true).start();
                try {
                    SeenEvent created = events.await(MptcpEventType.LISTENER_CREATED, e -> e.localPort() == 6000);
                    assertEquals(Topology.serverAddress(1), created.local());
                    listen.destroy();
                    assertTrue(listen.waitFor(10, TimeUnit.SECONDS));
                    events.await(MptcpEventType.LISTENER_CLOSED, e -> e.localPort() == 6000);
                } finally {
                    listen.destroyForcibly();
                }
            }
        }
    }

    @Test
    void monitorInJsonWithTimestamps() throws Exception {
        try (TwoHosts h = TwoHosts.connect(TwoHosts.Family.IPV4);
                CommandProcess monitor = CommandProcess.startAndAwaitReady("monitor", "-n", h.topology.serverName(),
                        "--json", "--timestamp", "--count", "1", "--types", "ANNOUNCED")) {
            h.client.announce(h.clientToken, h.client(2, 0).id(2));
            assertEquals(Commands.OK, monitor.awaitExit(), monitor.err());
            String line = monitor.out().trim();
            assertTrue(line.matches("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\",\"type\":\"ANNOUNCED\","
                    + "\"token\":\"" + String.format("%08x", h.serverToken) + "\",\"rem_id\":2,\"daddr4\":\"10.231.2.1\","
                    + "\"dport\":\\d+}"), line);
        }
    }
}
