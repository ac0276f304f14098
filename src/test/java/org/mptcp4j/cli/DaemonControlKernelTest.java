package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.command.Commands;
import org.mptcp4j.control.ControlClient;
import org.mptcp4j.control.ControlResponse;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.MetricsScrape;
import org.mptcp4j.testing.Processes;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;
import org.mptcp4j.text.AddressText;

/** {@code mptcp4j ctl} against a daemon managing a namespace: queries, commands, a connection handed to another controller. */
@KernelTest
class DaemonControlKernelTest {
    private static final int PORT = ServedTopology.PORT;

    @TempDir
    Path dir;

    private Shell.Result ctl(Path socket, String... words) throws Exception {
        List<String> args = new ArrayList<>(List.of("ctl", "--socket", socket.toString()));
        args.addAll(List.of(words));
        return Processes.mptcp4j(List.of(), List.of(), false, args.toArray(String[]::new));
    }

    @Test
    void ctlQueriesAndCommandsTheRunningDaemon() throws Exception {
        Path socket = dir.resolve("run/control.sock");
        try (ServedTopology served = ServedTopology.create(1)) {
            Topology t = served.topology();
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", t.clientName(),
                    "--control-socket", socket.toString(), "--controller", "ndiffports", "subflows=1");
                    MptcpSocket socketA = served.connect()) {
                daemon.awaitErr("mptcp4j run: managing", 10); // said once the control socket listens
                ConnectionInfo info = Transfers.awaitInfo(socketA, i -> i.extraSubflows() == 1);
                String token = String.format("%08x", info.token());
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

                Shell.Result namespaces = ctl(socket, "namespaces");
                assertEquals(0, namespaces.exit(), namespaces.err());
                assertEquals(t.clientName() + ": ndiffports (1 extra subflows per connection), idle blocking\n", namespaces.out());

                Shell.Result connections = ctl(socket, "connections");
                assertEquals(0, connections.exit(), connections.err());
                assertTrue(connections.out().startsWith("token " + token + " client 10.231.1.1:"), connections.out());
                assertTrue(connections.out().lines().findFirst().orElseThrow()
                        .endsWith(", managed by ndiffports (1 extra subflows per connection)"), connections.out());
                assertEquals(2, connections.out().lines().filter(l -> l.startsWith("  subflow ")).count(), connections.out());

                Shell.Result json = ctl(socket, "-n", t.clientName(), "--json", "connections");
                assertTrue(json.out().startsWith("[{\"netns\":\"" + t.clientName() + "\",\"controller\":\"ndiffports"),
                        json.out());

                // The smart application's request: its connection gets another controller at once.
                Shell.Result policy = ctl(socket, "policy", "token", token, "ndiffports", "subflows=3");
                assertEquals(0, policy.exit(), policy.err());
                assertEquals("connection " + token + " in " + t.clientName()
                        + " is managed by ndiffports (3 extra subflows per connection)\n", policy.out());
                ConnectionInfo four = Transfers.awaitInfo(socketA, i -> i.extraSubflows() == 3);
                assertEquals(3, four.extraSubflows(), four.toString());
                Shell.Result subflows = ctl(socket, "subflows", "token", token);
                assertEquals(4, subflows.out().lines().filter(l -> l.startsWith("token " + token + " subflow ")).count(),
                        subflows.out());
                assertTrue(ctl(socket, "connections").out().contains("managed by ndiffports (3 extra subflows per connection)"));

                // A parameter out of its range is refused naming it, and the connection keeps its controller.
                for (String parameter : new String[] {"remember-failing=1e300h", "backoff=Infinityms", "backoff=Infinity"}) {
                    Shell.Result refused = ctl(socket, "policy", "token", token, "fullmesh", parameter);
                    assertEquals(Commands.USAGE, refused.exit(), refused.out());
                    String name = parameter.substring(0, parameter.indexOf('='));
                    assertTrue(refused.err().startsWith("mptcp4j ctl: fullmesh: parameter '" + name + "' must be a duration in "),
                            refused.err());
                    assertTrue(refused.err().endsWith(", not '" + parameter.substring(name.length() + 1) + "'\n"), refused.err());
                }
                assertTrue(ctl(socket, "connections").out().contains("managed by ndiffports (3 extra subflows per connection)"));

                // A command to the kernel through the daemon's path manager: one extra subflow closed.
                SubflowInfo extra = four.subflows().stream().filter(s -> s.state() == 1 && !s.local().equals(four.local()))
                        .findFirst().orElseThrow();
                Shell.Result destroy = ctl(socket, "subflow", "destroy", "token", token,
                        "local", AddressText.of(extra.local().getAddress()), "lport", Integer.toString(extra.local().getPort()),
                        "remote", AddressText.of(extra.remote().getAddress()), "rport", Integer.toString(PORT));
                assertEquals(0, destroy.exit(), destroy.err());
                assertEquals("done\n", destroy.out());
                Transfers.awaitInfo(socketA, i -> i.subflows().stream().noneMatch(s -> s.local().equals(extra.local())));

                // The kernel's refusal reaches the caller with its errno and words.
                Shell.Result refused = ctl(socket, "subflow", "create", "token", "00000001", "local", "10.231.1.1",
                        "remote", "10.231.1.2", "rport", Integer.toString(PORT));
                assertEquals(Commands.FAILED, refused.exit(), refused.out());
                assertTrue(refused.err().startsWith("mptcp4j ctl: SUBFLOW_CREATE: Invalid argument (EINVAL)"), refused.err());

                Shell.Result unknown = ctl(socket, "frobnicate");
                assertEquals(Commands.USAGE, unknown.exit());
                assertTrue(unknown.err().startsWith("mptcp4j ctl: unknown command 'frobnicate' (commands: namespaces,"),
                        unknown.err());
                Shell.Result gone = ctl(socket, "policy", "token", "0000beef", "fullmesh");
                assertEquals(Commands.USAGE, gone.exit());
                assertTrue(gone.err().contains("no established MPTCP connection with token 0000beef"), gone.err());
                Shell.Result reload = ctl(socket, "reload");
                assertEquals("reloaded: nothing changed\n", reload.out(), reload.err());

                assertEquals(0, daemon.terminate(), daemon.err());
                assertTrue(Files.notExists(socket), "the socket file is removed at exit");
            }
        }
    }

    @Test
    void aConnectionHandedToAControllerKeepsItAcrossAReload() throws Exception {
        Path socket = dir.resolve("control.sock");
        Path config = dir.resolve("mptcp4j.conf");
        String common = "control-socket = " + socket + "\npath-manager = ndiffports\n[controller ndiffports]\nsubflows = 1\n";
        Files.writeString(config, "[core]\n" + common);
        try (ServedTopology served = ServedTopology.create(1)) {
            Topology t = served.topology();
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--config", config.toString(), "-n",
                    t.clientName());
                    MptcpSocket app = served.connect()) {
                daemon.awaitErr("mptcp4j run: managing", 10);
                String token = String.format("%08x", Transfers.awaitInfo(app, i -> i.extraSubflows() == 1).token());
                // Its own parameters over the [controller ndiffports] section's.
                assertEquals(0, ctl(socket, "policy", "token", token, "ndiffports", "subflows=3").exit());
                Transfers.awaitInfo(app, i -> i.extraSubflows() == 3);

                Files.writeString(config, "[core]\nidle = yielding\n" + common);
                Shell.Result reload = ctl(socket, "reload");
                assertEquals("reloaded:\n  " + t.clientName() + ": now managed with ndiffports {subflows=1}\n", reload.out(),
                        reload.err());
                Shell.Result after = ctl(socket, "connections");
                for (int i = 0; i < 100 && !after.out().contains("managed by ndiffports (3 extra"); i++) {
                    Thread.sleep(50);
                    after = ctl(socket, "connections");
                }
                assertTrue(after.out().lines().findFirst().orElseThrow()
                        .endsWith(", managed by ndiffports (3 extra subflows per connection)"), after.out());
                assertEquals(3, app.info().extraSubflows(), "no subflow lost or doubled");

                Files.writeString(config, "[core]\nidle = lazy\n" + common);
                Shell.Result wrong = ctl(socket, "reload");
                assertEquals(Commands.FAILED, wrong.exit(), wrong.err());
                assertTrue(wrong.err().startsWith("mptcp4j ctl: reload: " + config + ":2: [core] idle: unknown idle strategy"),
                        wrong.err());
                assertEquals(0, daemon.terminate(), daemon.err());
            }
        }
    }

    /** A socket directory others may write to stops the start, with one line saying what to do. */
    @Test
    void aSocketDirectoryOthersMayWriteToStopsTheStart() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = shared.resolve("control.sock");
        try (ServedTopology served = ServedTopology.create(1)) {
            Shell.Result run = Processes.mptcp4j(List.of(),
                    List.of(Processes.nativeLibraryPath()), false,
                    "run", "-n", served.clientName(), "--control-socket", socket.toString(), "--controller", "ndiffports");
            assertEquals(Commands.FAILED, run.exit(), run.err());
            List<String> said = run.err().lines().filter(l -> l.startsWith("mptcp4j run: ")).toList();
            assertEquals(List.of("mptcp4j run: control socket " + socket + ": " + shared
                    + " is owned by root (uid 0) with mode 0777: it must belong to root or to the daemon's user (uid 0) and be "
                    + "writable by no one else; run 'chmod go-w " + shared + "'"), said, run.err());
            assertTrue(Files.notExists(socket));
        }
    }

    /**
     * Connections handed to controllers with parameters of their own (an ecmp-refresh each, with
     * a timer of its own) take what was made for them along when they close: the daemon's counts
     * of handed-over connections and of the controllers made for them fall back to 0, and the
     * namespace's own controller goes on.
     */
    @Test
    void controllersMadeForHandedOverConnectionsGoWhenTheyClose() throws Exception {
        int handedOver = 50;
        Path socket = dir.resolve("control.sock");
        try (ServedTopology served = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", served.clientName(),
                        "--control-socket", socket.toString(), "--metrics", "127.0.0.1:0", "--controller", "ndiffports",
                        "subflows=1")) {
            InetSocketAddress metrics = daemon.awaitMetricsEndpoint();
            String assignedConnections = "mptcp4j_assigned_connections{netns=\"" + served.clientName() + "\"}";
            String assignedControllers = "mptcp4j_assigned_controllers{netns=\"" + served.clientName() + "\"}";
            List<MptcpSocket> connections = new ArrayList<>();
            try (ControlClient control = ControlClient.connect(socket)) {
                for (int i = 0; i < handedOver; i++) {
                    MptcpSocket s = served.connect();
                    connections.add(s);
                    ControlResponse r = control.request("policy token " + String.format("%08x", s.info().token())
                            + " ecmp-refresh subflows=1 interval=1m ports=" + (20_000 + 2 * i) + "-" + (20_001 + 2 * i));
                    assertTrue(r.ok(), r + "\n" + daemon.err());
                }
                Map<String, Long> samples = MetricsScrape.of(metrics).counters();
                assertEquals(handedOver, samples.get(assignedConnections), samples.toString());
                assertEquals(handedOver, samples.get(assignedControllers), samples.toString());
            } finally {
                for (MptcpSocket s : connections) {
                    s.close();
                }
            }
            Map<String, Long> samples = MetricsScrape.until(metrics,
                    m -> m.counter(assignedConnections) == 0 && m.counter(assignedControllers) == 0, 10).counters();
            assertEquals(0, samples.get(assignedConnections), samples.toString());
            assertEquals(0, samples.get(assignedControllers), samples.toString());
            try (MptcpSocket again = served.connect()) {
                assertEquals(1, Transfers.awaitInfo(again, i -> i.extraSubflows() == 1).extraSubflows(), daemon.err());
            }
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }
}
