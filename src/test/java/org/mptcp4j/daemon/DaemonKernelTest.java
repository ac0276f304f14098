package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.HttpClient;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.MetricsScrape;
import org.mptcp4j.testing.Processes;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;

/** The daemon as operators run it: a configuration file, signals, several namespaces. */
@KernelTest
class DaemonKernelTest {
    private static final int PORT = 5201;

    @TempDir
    Path dir;

    private static String ndiffports(int subflows) {
        return "[core]\npath-manager = ndiffports\ncontrol-socket = off\n[controller ndiffports]\nsubflows = " + subflows + "\n";
    }

    @Test
    void aReloadKeepsEveryConnectionAWrongFileChangesNothingAndSigtermStopsCleanly() throws Exception {
        Path config = dir.resolve("mptcp4j.conf");
        Files.writeString(config, ndiffports(1));
        try (ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--config", config.toString(),
                        "-n", t.clientName(), "--print-discovered");
                MptcpSocket first = t.connect()) {
            ConnectionInfo before = Transfers.awaitInfo(first, i -> i.extraSubflows() == 1);
            SubflowInfo initial = before.subflows().get(0);

            Files.writeString(config, ndiffports(3));
            daemon.signal("HUP");
            String err = daemon.awaitErr("configuration reloaded", 10);
            assertTrue(err.contains("namespace " + t.clientName() + " reconfigured"), err);
            // The connection goes on: the same first subflow, data still acknowledged, and the new
            // run found it and gave it what the new settings ask for.
            ConnectionInfo after = Transfers.awaitInfo(first, i -> i.extraSubflows() == 3);
            assertTrue(after.subflows().stream().anyMatch(s -> s.local().equals(initial.local()) && s.state() == 1), after.toString());
            long acked = after.bytesAcked();
            Transfers.send(first, 100_000);
            assertTrue(Transfers.awaitInfo(first, i -> i.bytesAcked() >= acked + 100_000).bytesAcked() >= acked + 100_000);
            String discovered = "discovered token " + String.format("%08x", before.token());
            assertTrue(daemon.awaitOut(discovered, 10).contains(discovered), daemon.out());
            try (MptcpSocket second = t.connect()) {
                assertEquals(3, Transfers.awaitInfo(second, i -> i.extraSubflows() == 3).extraSubflows());
            }

            Files.writeString(config, "[core]\ncontrol-socket = off\nidle = lazy\n");
            daemon.signal("HUP");
            err = daemon.awaitErr("reload failed", 10);
            assertTrue(err.contains("reload failed, the running configuration is kept: " + config
                    + ":3: [core] idle: unknown idle strategy 'lazy'"), err);
            try (MptcpSocket third = t.connect()) {
                assertEquals(3, Transfers.awaitInfo(third, i -> i.extraSubflows() == 3).extraSubflows());
            }

            assertEquals(0, daemon.terminate(), daemon.err());
            assertTrue(daemon.err().contains("msg=stopping"), daemon.err());
            assertEquals(1, first.info().subflows().stream().filter(s -> s.local().equals(initial.local())).count());
        }
    }

    @Test
    void twoNamespacesAreManagedWithIndependentPoliciesAndOneThatDisappearsIsDropped() throws Exception {
        try (ServedTopology a = ServedTopology.create(1); ServedTopology b = ServedTopology.create(1)) {
            // b named as a process's namespace: it disappears when the process ends and the name goes.
            Process holder = new ProcessBuilder("ip", "netns", "exec", b.clientName(), "sleep", "120").start();
            try {
                String bPath = "/proc/" + holder.pid() + "/ns/net";
                Path rules = dir.resolve("b.policy");
                Files.writeString(rules, "port " + PORT + " -> ndiffports subflows=3\ndefault -> none\n");
                Path config = dir.resolve("mptcp4j.conf");
                Files.writeString(config, ndiffports(1) + "[namespace " + a.clientName() + "]\n[namespace " + bPath
                        + "]\npolicy = b.policy\n");
                try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--config", config.toString())) {
                    try (MptcpSocket inA = a.connect(); MptcpSocket inB = b.connect()) {
                        assertEquals(1, Transfers.awaitInfo(inA, i -> i.extraSubflows() == 1).extraSubflows());
                        assertEquals(3, Transfers.awaitInfo(inB, i -> i.extraSubflows() == 3).extraSubflows());
                    }
                    String err = daemon.awaitErr("mptcp4j run: managing", 10);
                    assertTrue(err.contains("netns=" + a.clientName()) && err.contains("netns=" + bPath), err);

                    holder.destroy();
                    holder.waitFor();
                    Shell.run("ip", "netns", "del", b.clientName());
                    err = daemon.awaitErr("namespace " + bPath + " is gone", 10);
                    assertTrue(err.contains("namespace " + bPath + " is gone (deleted, or its process ended): no longer managed"),
                            err);
                    try (MptcpSocket again = a.connect()) {
                        assertEquals(1, Transfers.awaitInfo(again, i -> i.extraSubflows() == 1).extraSubflows(),
                                "the other namespace is still managed");
                    }
                    assertEquals(0, daemon.terminate(), daemon.err());
                }
            } finally {
                holder.destroyForcibly();
            }
        }
    }

    /**
     * Started under nohup, SIGHUP is ignored and the JVM keeps it so: the daemon says that it
     * will not reload on it and what does, and ctl reload does.
     */
    @Test
    void underNohupTheDaemonSaysSighupDoesNotReloadItAndCtlReloadDoes() throws Exception {
        Path config = dir.resolve("mptcp4j.conf");
        Path socket = dir.resolve("control.sock");
        Files.writeString(config, ndiffports(1).replace("control-socket = off", "control-socket = " + socket));
        try (ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady(Processes.command(List.of("nohup"),
                        List.of(Processes.nativeLibraryPath()), false,
                        "run", "--config", config.toString(), "-n", t.clientName()))) {
            String err = daemon.awaitErr("mptcp4j run: managing", 10);
            assertTrue(err.contains("SIGHUP is ignored in this process (started under nohup?), so it does not reload the"
                    + " configuration: 'mptcp4j ctl reload' does"), err);
            Files.writeString(config, ndiffports(2).replace("control-socket = off", "control-socket = " + socket));
            Shell.Result reload = Processes.mptcp4j(List.of(), List.of(), false, "ctl", "--socket", socket.toString(), "reload");
            assertTrue(reload.out().startsWith("reloaded:"), reload.out() + reload.err());
            assertTrue(daemon.awaitErr("configuration reloaded", 10).contains("reconfigured"), daemon.err());
        }
    }

    @Test
    void manyReloadsInARowKeepTheNamespaceManaged() throws Exception {
        Path config = dir.resolve("mptcp4j.conf");
        Files.writeString(config, ndiffports(1));
        try (ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--config", config.toString(),
                        "-n", t.clientName())) {
            daemon.awaitErr("mptcp4j run: managing", 10);
            for (int i = 0; i < 20; i++) {
                Files.writeString(config, ndiffports(1).replace("[core]\n", "[core]\nidle = " + (i % 2 == 0 ? "yielding" : "blocking")
                        + "\n"));
                daemon.signal("HUP");
                int reloaded = 0;
                for (int wait = 0; wait < 500 && reloaded < i + 1; wait++) { // each HUP's reload done before the next
                    Thread.sleep(20);
                    reloaded = (int) daemon.err().lines().filter(l -> l.contains("msg=\"configuration reloaded\"")).count();
                }
                assertEquals(i + 1, reloaded, daemon.err());
            }
            String err = daemon.err();
            assertEquals(20, err.lines().filter(l -> l.contains("reconfigured")).count(), err);
            assertTrue(!err.contains("event loop ended") && !err.contains("no longer managed"), err);
            try (MptcpSocket s = t.connect()) {
                assertEquals(1, Transfers.awaitInfo(s, i -> i.extraSubflows() == 1).extraSubflows(), "still managed");
            }
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }

    @Test
    void oneNamespaceNamedTwiceIsRefused() throws Exception {
        try (ServedTopology t = ServedTopology.create(1)) {
            Shell.Result r = Processes.mptcp4j(List.of(), List.of(Processes.nativeLibraryPath()),
                    false, "run", "--control-socket", "off",
                    "-n", t.clientName() + ",/run/netns/" + t.clientName());
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().lines().anyMatch(l -> l.equals("mptcp4j run: '/run/netns/" + t.clientName() + "' and '"
                    + t.clientName() + "' are the same network namespace: name it once")), r.err());
        }
    }

    @Test
    void addressesOnAnExcludedInterfaceAreNotUsedEvenWhenThereAtStart() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2)) {
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Path config = dir.resolve("mptcp4j.conf");
            Files.writeString(config, "[core]\npath-manager = fullmesh\ncontrol-socket = off\nexclude-interfaces = "
                    + t.clientDevice(2) + "\n");
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--config", config.toString(),
                    "-n", t.clientName())) {
                String err = daemon.awaitErr("fullmesh: local addresses", 10);
                assertTrue(err.contains("msg=\"fullmesh: local addresses [10.231.1.1 id 1"), err);
                assertTrue(err.lines().filter(l -> l.contains("fullmesh: local addresses")).noneMatch(l -> l.contains("10.231.2.1")),
                        err);
                assertEquals(0, daemon.terminate(), daemon.err());
            }
        }
    }

    /** The daemon managing {@code t}'s client with ndiffports (2 extra subflows), serving metrics on a free port. */
    private static CommandProcess withMetrics(ServedTopology t) throws Exception {
        return CommandProcess.startAndAwaitReady("run", "-n", t.clientName(), "--control-socket", "off", "--metrics",
                "127.0.0.1:0", "--controller", "ndiffports", "subflows=2");
    }

    @Test
    void theMetricsEndpointCountsWhatTheDaemonSawAndDid() throws Exception {
        try (ServedTopology t = ServedTopology.create(1); CommandProcess daemon = withMetrics(t)) {
            InetSocketAddress endpoint = daemon.awaitMetricsEndpoint();
            String ns = "{netns=\"" + t.clientName() + "\"";
            try (MptcpSocket a = t.connect(); MptcpSocket b = t.connect()) {
                Transfers.awaitInfo(a, i -> i.extraSubflows() == 2);
                Transfers.awaitInfo(b, i -> i.extraSubflows() == 2);
                MetricsScrape open = MetricsScrape.until(endpoint,
                        s -> s.counter("mptcp4j_events_total" + ns + ",type=\"SUB_ESTABLISHED\"}") >= 4, 30);
                assertTrue(open.hasLine("mptcp4j_connections" + ns + "} 2"), open.body());
                assertTrue(open.hasLine("mptcp4j_subflows" + ns + "} 6"), open.body());
            }
            // Both closed: every event the two connections made, each command the daemon sent.
            MetricsScrape closed = MetricsScrape.until(endpoint,
                    s -> s.counter("mptcp4j_events_total" + ns + ",type=\"CLOSED\"}") >= 2, 30);
            for (String line : List.of("mptcp4j_events_total" + ns + ",type=\"CREATED\"} 2",
                    "mptcp4j_events_total" + ns + ",type=\"ESTABLISHED\"} 2",
                    "mptcp4j_events_total" + ns + ",type=\"SUB_ESTABLISHED\"} 4",
                    "mptcp4j_commands_total" + ns + ",command=\"SUBFLOW_CREATE\",result=\"ok\"} 4",
                    "mptcp4j_event_to_command_seconds_count" + ns + "} 4",
                    "mptcp4j_resyncs_total" + ns + "} 1",
                    "mptcp4j_events_lost_total" + ns + "} 0",
                    "mptcp4j_connections" + ns + "} 0",
                    "mptcp4j_subflows" + ns + "} 0")) {
                assertTrue(closed.hasLine(line), line + " in:\n" + closed.body());
            }
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }

    /**
     * The liveness endpoint says ok while the namespace's event loop runs, and neither it nor the
     * metrics wait for a client that connected, sent a byte and hangs.
     */
    @Test
    void theLivenessEndpointAnswersBesideAClientThatHangs() throws Exception {
        try (ServedTopology t = ServedTopology.create(1); CommandProcess daemon = withMetrics(t)) {
            InetSocketAddress endpoint = daemon.awaitMetricsEndpoint();
            try (Socket hanging = new Socket()) {
                hanging.connect(endpoint, 10_000);
                hanging.getOutputStream().write('G');
                for (int i = 0; i < 100; i++) {
                    assertEquals(new HttpClient.Response(200, "text/plain; charset=utf-8", null, "ok\n"),
                            HttpClient.request(endpoint, "GET", "/healthz"));
                    MetricsScrape.of(endpoint);
                }
            }
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }
}
