package org.mptcp4j.controller.fullmesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.SeenEvent;
import org.mptcp4j.testing.Transfers;

/**
 * fullmesh between two hosts with two paths each, the server announcing its second address:
 * four subflows, kept so through address removal, a cable pulled and put back, random loss,
 * and a pair that keeps failing.
 */
@KernelTest
class FullMeshKernelTest {
    private static final int PORT = 5201;

    /** The two hosts, fullmesh on the client, the server announcing 10.231.2.2. */
    private static final class Mesh implements AutoCloseable {
        final Topology t;
        final MptcpServerSocket listener;
        final PathManager pm;
        final FullMeshController controller;
        final EventLoop loop;
        final List<SeenEvent> closed = new CopyOnWriteArrayList<>();

        Mesh(FullMeshController.Settings settings) throws Exception {
            t = Topology.create("m4j-test", 2);
            try {
                t.routeBySource();
                t.allowServerSubflows(8);
                Shell.run("ip", "-n", t.serverName(), "mptcp", "endpoint", "add", "10.231.2.2", "signal");
                PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
                listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 16);
                Transfers.discardServer(listener, new AtomicLong());
                pm = PathManager.open(t.client());
                controller = new FullMeshController(settings);
                ControllerHost host = new ControllerHost(controller, pm);
                loop = EventLoop.builder(EventHandler.observed(host, new EventHandler() {
                    @Override
                    public void onEvent(org.mptcp4j.protocol.MptcpEvent event) {
                        if (event.type() == MptcpEventType.SUB_CLOSED) {
                            closed.add(SeenEvent.of(event));
                        }
                    }

                    @Override
                    public Set<MptcpEventType> eventTypes() {
                        return Set.of(MptcpEventType.SUB_CLOSED);
                    }
                })).namespace(t.client()).build();
                loop.start();
            } catch (Exception | Error e) {
                t.close();
                throw e;
            }
        }

        MptcpSocket connect() throws Exception {
            MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT));
            Transfers.send(socket, 1000);
            return socket;
        }

        @Override
        public void close() throws java.io.IOException {
            loop.close();
            pm.close();
            listener.close();
            t.close();
        }
    }

    /** The subflows' local and remote addresses, as "10.231.1.1>10.231.2.2". */
    private static Set<String> pairs(ConnectionInfo info) {
        return info.subflows().stream().filter(s -> s.state() == 1)
                .map(s -> s.local().getAddress().getHostAddress() + ">" + s.remote().getAddress().getHostAddress())
                .collect(Collectors.toSet());
    }

    private static final Set<String> FULL = Set.of("10.231.1.1>10.231.1.2", "10.231.1.1>10.231.2.2",
            "10.231.2.1>10.231.1.2", "10.231.2.1>10.231.2.2");
    private static final Set<String> PATH_1_ONLY = Set.of("10.231.1.1>10.231.1.2", "10.231.1.1>10.231.2.2");

    @Test
    void everyLocalAddressToEveryPeerAddressAndBytesOnAllUnderRandomLoss() throws Exception {
        try (Mesh m = new Mesh(FullMeshController.Settings.DEFAULT)) {
            m.t.limitRate(1, 40);
            m.t.limitRate(2, 40);
            // 2 % of what the client sends on path 2 is lost (iptables' statistic match; no netem here).
            Shell.run("ip", "netns", "exec", m.t.clientName(), "iptables", "-A", "OUTPUT", "-o", m.t.clientDevice(2),
                    "-m", "statistic", "--mode", "random", "--probability", "0.02", "-j", "DROP");
            try (MptcpSocket socket = m.connect()) {
                ConnectionInfo info = Transfers.awaitInfo(socket, i -> pairs(i).equals(FULL));
                assertEquals(FULL, pairs(info), info.toString());
                Transfers.send(socket, 16 << 20);
                ConnectionInfo after = Transfers.awaitInfo(socket, i -> i.subflows().stream().allMatch(s -> s.bytesAcked() > 100_000));
                for (SubflowInfo s : after.subflows()) {
                    assertTrue(s.bytesAcked() > 100_000, "every path pair carries bytes: " + s);
                }
                assertEquals(FULL, pairs(after), "no subflow lost to the loss: " + after);
                assertEquals(3, m.controller.created(), "three SUBFLOW_CREATEs, one per missing pair");
                assertEquals(0, m.controller.failed());
                assertTrue(after.subflows().stream().filter(s -> s.local().getAddress().equals(Topology.clientAddress(2)))
                        .mapToLong(SubflowInfo::totalRetransmits).sum() > 0, "path 2 did lose packets: " + after);
            }
        }
    }

    @Test
    void anAddressRemovedTakesItsSubflowsAndComesBackWithThem() throws Exception {
        try (Mesh m = new Mesh(FullMeshController.Settings.DEFAULT); MptcpSocket socket = m.connect()) {
            assertEquals(FULL, pairs(Transfers.awaitInfo(socket, i -> pairs(i).equals(FULL))));
            Shell.run("ip", "-n", m.t.clientName(), "addr", "del", "10.231.2.1/24", "dev", m.t.clientDevice(2));
            assertEquals(PATH_1_ONLY, pairs(Transfers.awaitInfo(socket, i -> pairs(i).equals(PATH_1_ONLY))));
            Transfers.send(socket, 1 << 20); // the connection goes on over path 1
            Shell.run("ip", "-n", m.t.clientName(), "addr", "add", "10.231.2.1/24", "dev", m.t.clientDevice(2));
            // The route by source went with the address; put it back as the topology had it.
            Shell.run("ip", "-n", m.t.clientName(), "route", "add", "10.231.0.0/16", "dev", m.t.clientDevice(2), "table",
                    "102");
            assertEquals(FULL, pairs(Transfers.awaitInfo(socket, i -> pairs(i).equals(FULL))));
        }
    }

    @Test
    void aPulledCableClosesItsSubflowsAndPuttingItBackOpensThemAgain() throws Exception {
        try (Mesh m = new Mesh(FullMeshController.Settings.DEFAULT); MptcpSocket socket = m.connect()) {
            assertEquals(FULL, pairs(Transfers.awaitInfo(socket, i -> pairs(i).equals(FULL))));
            // The server's end of path 2 goes down: the client's c2 loses its carrier.
            Shell.run("ip", "-n", m.t.serverName(), "link", "set", m.t.serverDevice(2), "down");
            assertEquals(PATH_1_ONLY, pairs(Transfers.awaitInfo(socket, i -> pairs(i).equals(PATH_1_ONLY))));
            long acked = socket.info().bytesAcked();
            Transfers.send(socket, 1 << 20);
            assertTrue(Transfers.awaitInfo(socket, i -> i.bytesAcked() >= acked + (1 << 20)).bytesAcked() >= acked + (1 << 20),
                    "the data goes over path 1");
            Shell.run("ip", "-n", m.t.serverName(), "link", "set", m.t.serverDevice(2), "up");
            assertEquals(FULL, pairs(Transfers.awaitInfo(socket, i -> pairs(i).equals(FULL))));
        }
    }

    @Test
    void aPairThatKeepsFailingIsLeftAloneForAWhileOnEveryConnection() throws Exception {
        FullMeshController.Settings settings = new FullMeshController.Settings(true, 8, Duration.ofMillis(50),
                Duration.ofMillis(400), 3, Duration.ofSeconds(6), List.of());
        try (Mesh m = new Mesh(settings)) {
            // The server refuses every join from the client's second address at once.
            Shell.run("ip", "netns", "exec", m.t.serverName(), "iptables", "-A", "INPUT", "-s", "10.231.2.1", "-p", "tcp",
                    "-j", "REJECT", "--reject-with", "tcp-reset");
            InetAddress second = Topology.clientAddress(2);
            Predicate<SeenEvent> fromSecond = e -> second.equals(e.local());
            try (MptcpSocket first = m.connect()) {
                // Two pairs from the second address, three failures each, then no more tries.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (m.closed.stream().filter(fromSecond).count() < 6 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(6, m.closed.stream().filter(fromSecond).count(), m.closed.toString());
                assertEquals(PATH_1_ONLY, pairs(Transfers.awaitInfo(first, i -> pairs(i).equals(PATH_1_ONLY))));
                try (MptcpSocket second2 = m.connect()) {
                    assertEquals(PATH_1_ONLY, pairs(Transfers.awaitInfo(second2, i -> pairs(i).equals(PATH_1_ONLY))));
                    Thread.sleep(500);
                    assertEquals(6, m.closed.stream().filter(fromSecond).count(),
                            "while remembered, no connection tries the failing pairs: " + m.closed);
                    // Once the memory runs out, they are tried again.
                    Shell.run("ip", "netns", "exec", m.t.serverName(), "iptables", "-F", "INPUT");
                    assertEquals(FULL, pairs(Transfers.awaitInfo(second2, i -> pairs(i).equals(FULL))));
                }
            }
        }
    }
}
