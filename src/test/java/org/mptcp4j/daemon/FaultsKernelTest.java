package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.MetricsScrape;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;

/** The daemon under faults: killed under load, links flapping, the kernel refusing its commands. */
@KernelTest
class FaultsKernelTest {
    /**
     * Killed with SIGKILL while connections keep coming, then started again: every connection,
     * those made while no daemon ran included, ends with its two extra subflows, none with more.
     */
    @Test
    void killedUnderLoadAndStartedAgainEveryConnectionGetsItsSubflowsOnce() throws Exception {
        List<MptcpSocket> sockets = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicReference<Exception> loadFailure = new AtomicReference<>();
        try (ServedTopology served = ServedTopology.create(1)) {
            Topology t = served.topology();
            Thread load = new Thread(() -> {
                while (loading.get()) {
                    try {
                        sockets.add(served.connect());
                        Thread.sleep(30);
                    } catch (Exception e) {
                        loadFailure.set(e); // said by the test, not lost with the thread
                        return;
                    }
                }
            }, "load");
            String[] run = {"run", "-n", t.clientName(), "--control-socket", "off", "--print-discovered", "--controller",
                "ndiffports", "subflows=2"};
            try {
                try (CommandProcess first = CommandProcess.startAndAwaitReady(run)) {
                    load.start();
                    Thread.sleep(1500);
                    first.kill();
                }
                Thread.sleep(700); // connections keep coming with no daemon
                try (CommandProcess second = CommandProcess.startAndAwaitReady(run)) {
                    Thread.sleep(1500);
                    loading.set(false);
                    load.join();
                    assertEquals(null, loadFailure.get(), "every connection of the load made");
                    List<MptcpSocket> all = List.copyOf(sockets);
                    for (MptcpSocket s : all) {
                        ConnectionInfo info = Transfers.awaitInfo(s, i -> i.extraSubflows() == 2);
                        assertEquals(2, info.extraSubflows(), info.toString());
                    }
                    // A doubled controller would open more: a second look at every connection.
                    Thread.sleep(300);
                    for (MptcpSocket s : all) {
                        assertEquals(2, s.info().extraSubflows(), "managed once: " + s.info());
                    }
                    assertTrue(all.size() > 40, "connections made during the test: " + all.size());
                    assertTrue(second.awaitOut("discovered token", 10).contains("discovered token"), second.out());
                    assertEquals(0, second.terminate(), second.err());
                }
            } finally {
                loading.set(false);
                load.join();
                for (MptcpSocket s : sockets) {
                    s.close();
                }
            }
        }
    }

    /** A path's link going down and up five times under a transfer: the daemon follows, the connection goes on. */
    @Test
    void linkFlapsAreFollowedAndTheConnectionGoesOn() throws Exception {
        try (ServedTopology served = ServedTopology.create(2)) {
            Topology t = served.topology();
            t.routeBySource();
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", t.clientName(), "--control-socket",
                    "off", "--metrics", "127.0.0.1:0", "--controller", "fullmesh", "backoff=100ms", "max-backoff=500ms");
                    MptcpSocket socket = served.connect()) {
                InetSocketAddress endpoint = daemon.awaitMetricsEndpoint();
                Thread sender = Transfers.sendUntilClosed(socket);
                String second = "/" + Topology.clientAddress(2).getHostAddress() + ":";
                assertTrue(onSecondPath(Transfers.awaitInfo(socket, i -> onSecondPath(i, second)), second),
                        "the second path in use before the flaps");
                String ns = "{netns=\"" + t.clientName() + "\"";
                for (int flap = 1; flap <= 5; flap++) {
                    Shell.run("ip", "-n", t.clientName(), "link", "set", t.clientDevice(2), "down");
                    awaitSample(endpoint, "mptcp4j_events_total" + ns + ",type=\"LINK_DOWN\"}", flap);
                    Shell.run("ip", "-n", t.clientName(), "link", "set", t.clientDevice(2), "up");
                    awaitSample(endpoint, "mptcp4j_events_total" + ns + ",type=\"LINK_UP\"}", flap);
                }
                ConnectionInfo info = Transfers.awaitInfo(socket, 20, i -> onSecondPath(i, second));
                assertTrue(onSecondPath(info, second), "the second path in use again: " + info);
                long acked = info.bytesAcked();
                assertTrue(Transfers.awaitInfo(socket, i -> i.bytesAcked() > acked).bytesAcked() > acked, "still carrying");
                assertFalse(daemon.err().contains("level=error"), daemon.err());
                socket.channel().close(); // ends the sender
                sender.join();
                assertEquals(0, daemon.terminate(), daemon.err());
            }
        }
    }

    private static boolean onSecondPath(ConnectionInfo info, String second) {
        return info.subflows().stream().anyMatch(s -> s.state() == 1 && s.local().toString().startsWith(second));
    }

    /**
     * Subflows from an address the host does not have: the kernel refuses each SUBFLOW_CREATE;
     * the refusals are counted with their errno and logged, the connections go on with what they
     * have, and the daemon goes on serving.
     */
    @Test
    void commandsTheKernelRefusesAreCountedAndLoggedAndNothingElseChanges() throws Exception {
        try (ServedTopology served = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", served.clientName(), "--control-socket",
                        "off", "--metrics", "127.0.0.1:0", "--controller", "ndiffports", "per-address=true",
                        "addresses=10.231.9.9")) {
            InetSocketAddress endpoint = daemon.awaitMetricsEndpoint();
            String refused = "mptcp4j_commands_total{netns=\"" + served.clientName() + "\",command=\"SUBFLOW_CREATE\",result=\"error\"";
            for (int n = 1; n <= 2; n++) {
                try (MptcpSocket socket = served.connect()) {
                    int count = n;
                    Map<String, Long> m = awaitSamples(endpoint, s -> errors(s, refused) >= count);
                    assertEquals(n, errors(m, refused), m.toString());
                    assertEquals(0, socket.info().extraSubflows(), "nothing half made: " + socket.info());
                    Transfers.send(socket, 100_000);
                    assertTrue(Transfers.awaitInfo(socket, i -> i.bytesAcked() >= 101_000).bytesAcked() >= 101_000);
                }
            }
            String err = daemon.err();
            assertTrue(err.lines().filter(l -> l.contains("level=warn") && l.contains("SUBFLOW_CREATE: ")).count() >= 2, err);
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }

    private static long errors(Map<String, Long> samples, String prefix) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).sum();
    }

    private static Map<String, Long> awaitSamples(InetSocketAddress endpoint,
            java.util.function.Predicate<Map<String, Long>> condition) throws Exception {
        return MetricsScrape.until(endpoint, m -> condition.test(m.counters()), 10).counters();
    }

    private static void awaitSample(InetSocketAddress endpoint, String series, long value) throws Exception {
        Map<String, Long> m = awaitSamples(endpoint, s -> s.getOrDefault(series, 0L) >= value);
        assertEquals(value, m.getOrDefault(series, 0L), series + " in " + m);
    }
}
