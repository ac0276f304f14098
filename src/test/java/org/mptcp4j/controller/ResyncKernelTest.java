package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.HeldLoop;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;

/**
 * Resync: connections the controller never saw created (opened before it started, or whose
 * events the kernel dropped) are discovered with their subflows and ids, and get managed.
 */
@KernelTest
class ResyncKernelTest {
    private static final int PORT = 5201;

    /** ndiffports, with a record of what was discovered and how often events were lost. */
    static final class Recording implements Controller {
        final NDiffPortsController ndiffports;
        final Map<Integer, DiscoveredConnection> discovered = new ConcurrentHashMap<>();
        final AtomicLong discoveries = new AtomicLong();
        final AtomicLong eventsLost = new AtomicLong();

        Recording(NDiffPortsController ndiffports) {
            this.ndiffports = ndiffports;
        }

        /**
         * ndiffports' types and CREATED: the kernel drops the types no one wants before they are
         * queued, and the bursts below overrun the receive buffer with three events per connection.
         */
        @Override
        public Set<MptcpEventType> eventTypes() {
            Set<MptcpEventType> types = EnumSet.of(MptcpEventType.CREATED);
            types.addAll(ndiffports.eventTypes());
            return types;
        }

        @Override
        public void start(ControllerContext context) {
            ndiffports.start(context);
        }

        @Override
        public void onEstablished(MptcpEvent event) {
            ndiffports.onEstablished(event);
        }

        @Override
        public void onClosed(MptcpEvent event) {
            ndiffports.onClosed(event);
        }

        @Override
        public void onEventsLost() {
            eventsLost.incrementAndGet();
        }

        @Override
        public void onConnectionDiscovered(DiscoveredConnection connection) {
            discovered.put(connection.token(), connection);
            discoveries.incrementAndGet();
            ndiffports.onConnectionDiscovered(connection);
        }
    }

    private static MptcpSocket connect(Topology t) throws Exception {
        MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT));
        Transfers.send(socket, 100); // ESTABLISHED waits for the peer's first DATA_ACK
        return socket;
    }

    private static void closeAll(List<MptcpSocket> sockets) throws Exception {
        for (MptcpSocket s : sockets) {
            s.close();
        }
    }

    private static SubflowInfo subflowFrom(ConnectionInfo info, InetAddress local) {
        return info.subflows().stream().filter(s -> s.local().getAddress().equals(local)).findFirst().orElseThrow(
                () -> new AssertionError("no subflow from " + local + ": " + info));
    }

    @Test
    void connectionsFromBeforeTheStartAreDiscoveredWithTheirSubflowsAndIdsAndGetWhatTheyLack() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 16)) {
            t.routeBySource();
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            List<MptcpSocket> sockets = new ArrayList<>();
            try (PathManager pm = PathManager.open(t.client())) {
                // A first daemon gives the first connection its subflow from path 2, then goes away.
                // Its id 1 went to another address first, so its ids for the local addresses in
                // order (path 1, path 2) are 2 and 3, where a fresh allocator would say 1 and 2.
                ControllerHost firstHost = new ControllerHost(NDiffPortsController.perLocalAddress(), pm);
                assertEquals(1, firstHost.localAddressIds().idOf(MptcpAddress.of(InetAddress.getByName("10.9.9.9"), 0)));
                try (EventLoop loop = EventLoop.builder(firstHost).namespace(t.client()).build()) {
                    loop.start();
                    sockets.add(connect(t));
                    ConnectionInfo first = Transfers.awaitInfo(sockets.get(0), i -> i.extraSubflows() == 1);
                    assertEquals(1, first.extraSubflows(), first.toString());
                }
                // The second connection opens while no daemon runs: nobody gives it a subflow.
                sockets.add(connect(t));
                Thread.sleep(200);
                assertEquals(0, sockets.get(1).info().extraSubflows());

                Recording recording = new Recording(NDiffPortsController.perLocalAddress());
                ControllerHost host = new ControllerHost(recording, pm);
                try (EventLoop loop = EventLoop.builder(host).namespace(t.client()).build()) {
                    loop.start();
                    int firstToken = sockets.get(0).info().token();
                    int secondToken = sockets.get(1).info().token();
                    ConnectionInfo second = Transfers.awaitInfo(sockets.get(1), i -> i.extraSubflows() == 1);
                    assertEquals(1, second.extraSubflows(), "the late connection got its subflow: " + second);

                    assertEquals(Set.of(firstToken, secondToken), recording.discovered.keySet());
                    assertEquals(2, host.discoveredConnections());
                    DiscoveredConnection first = recording.discovered.get(firstToken);
                    assertFalse(first.serverSide());
                    assertEquals(2, first.connection().subflows().size(), first.toString());
                    SubflowInfo fromPath2 = subflowFrom(first.connection(), Topology.clientAddress(2));
                    int secondPathId = fromPath2.localId();
                    assertEquals(3, secondPathId, fromPath2.toString());
                    // GET_ADDR by token: the address the first daemon used, under the same id.
                    MptcpAddress expected = MptcpAddress.of(Topology.clientAddress(2), 0).id(secondPathId);
                    assertTrue(first.localAddresses().stream().anyMatch(a -> a.sameAddress(expected)
                            && a.id() == expected.id()), first.localAddresses().toString());
                    // The new host's allocator took the id over.
                    MptcpAddress held = host.localAddressIds().addressOf(secondPathId);
                    assertTrue(held != null && held.sameAddress(expected), String.valueOf(held));

                    DiscoveredConnection late = recording.discovered.get(secondToken);
                    assertEquals(1, late.connection().subflows().size(), late.toString());
                    assertEquals(Topology.clientAddress(1), late.connection().local().getAddress());

                    // The first connection already had its subflow: none added.
                    assertEquals(1, recording.ndiffports.requested());
                    assertEquals(0, recording.ndiffports.failed());
                    assertEquals(1, sockets.get(0).info().extraSubflows());
                    // The late connection's subflow uses the id the address has on the older one.
                    ConnectionInfo lateNow = Connections.list(t.client()).stream()
                            .filter(c -> c.token() == secondToken).findFirst().orElseThrow();
                    assertEquals(secondPathId, subflowFrom(lateNow, Topology.clientAddress(2)).localId(), lateNow.toString());
                } finally {
                    closeAll(sockets);
                }
            }
        }
    }

    @Test
    void lostEventsAreDetectedAndAfterResyncNoConnectionIsUnmanaged() throws Exception {
        withLossyClient((t, loop, host, recording, sockets) -> {
            burst(t, loop, 24, sockets);
            assertEveryConnectionManagedOnce(recording, sockets);
            assertTrue(loop.counter(EventCounter.LOST) > 0, "the kernel dropped events");
            assertTrue(recording.eventsLost.get() > 0);
            assertTrue(host.resyncs() >= 2, "a resync at start and one after the loss: " + host.resyncs());
            Set<Integer> tokens = new HashSet<>();
            for (MptcpSocket s : sockets) {
                tokens.add(s.info().token());
            }
            assertTrue(recording.discovered.keySet().containsAll(tokens));
        });
    }

    /**
     * Events lost again and again (bursts while the loop is held, as a loop busy with a resync
     * would be): the losses are coalesced into a few resyncs, not one each, and in the end
     * every connection is managed, once.
     */
    @Test
    void repeatedLossesAreCoalescedIntoFewResyncsAndEveryConnectionEndsManaged() throws Exception {
        withLossyClient((t, loop, host, recording, sockets) -> {
            for (int round = 0; round < 60; round++) {
                burst(t, loop, 8, sockets);
                // The kernel reports a loss once until its socket has been read empty: each round its own.
                awaitCaughtUp(loop);
            }
            assertEveryConnectionManagedOnce(recording, sockets);
            long lost = loop.counter(EventCounter.LOST);
            assertTrue(lost >= 20, "the kernel dropped events again and again: " + lost + " loss reports");
            // One resync per loss report (each came in its own batch) was the storm.
            assertTrue(host.resyncs() * 2 <= lost, host.resyncs() + " resyncs for " + lost + " loss reports");
        });
    }

    /** A test on a client whose events the kernel drops. */
    private interface LossyClient {
        void run(Topology t, EventLoop loop, ControllerHost host, Recording recording, List<MptcpSocket> sockets)
                throws Exception;
    }

    /**
     * The client's connections get one subflow each (ndiffports) from a loop with the smallest
     * receive buffer the kernel allows, which a burst of events overruns; {@code sockets}, the
     * test's connections, are closed at the end.
     */
    private static void withLossyClient(LossyClient test) throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 64)) {
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            Recording recording = new Recording(NDiffPortsController.sameAddressPair(1));
            List<MptcpSocket> sockets = new ArrayList<>();
            try (PathManager pm = PathManager.open(t.client())) {
                ControllerHost host = new ControllerHost(recording, pm);
                try (EventLoop loop = EventLoop.builder(host).namespace(t.client()).receiveBufferBytes(4096).build()) {
                    loop.start();
                    test.run(t, loop, host, recording, sockets);
                } finally {
                    closeAll(sockets);
                }
            }
        }
    }

    /** {@code count} connections made while the loop is held, as a busy or stalled daemon would be. */
    private static void burst(Topology t, EventLoop loop, int count, List<MptcpSocket> sockets) throws Exception {
        HeldLoop held = HeldLoop.hold(loop);
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(connect(t));
            }
        } finally {
            held.release();
        }
    }

    /** Returns once the loop has read its event socket empty (a look from one of its tasks), or after 10 s. */
    private static void awaitCaughtUp(EventLoop loop) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean pending = true;
        while (pending && System.nanoTime() - deadline < 0) {
            CompletableFuture<Boolean> look = new CompletableFuture<>();
            loop.execute(() -> look.complete(loop.eventsPending()));
            pending = look.get(10, TimeUnit.SECONDS);
            if (pending) {
                Thread.sleep(5);
            }
        }
    }

    /** Whether through an event or a discovery, each connection got exactly one subflow. */
    private static void assertEveryConnectionManagedOnce(Recording recording, List<MptcpSocket> sockets)
            throws Exception {
        for (MptcpSocket s : sockets) {
            ConnectionInfo info = Transfers.awaitInfo(s, i -> i.extraSubflows() == 1);
            assertEquals(1, info.extraSubflows(), "every connection is managed: " + info);
        }
        assertEquals(sockets.size(), recording.ndiffports.requested(), "one subflow asked for each");
        assertEquals(0, recording.ndiffports.failed());
        Thread.sleep(200);
        for (MptcpSocket s : sockets) {
            assertEquals(1, s.info().extraSubflows(), "managed once: " + s.info());
        }
    }

    @Test
    void aDaemonKilledWithLiveConnectionsDiscoversEveryConnectionAndSubflowWhenRestarted() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 16)) {
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            List<MptcpSocket> sockets = new ArrayList<>();
            try {
                try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--netns", t.clientName(),
                        "--subflows", "2", "--print-discovered")) {
                    for (int i = 0; i < 3; i++) {
                        sockets.add(connect(t));
                    }
                    for (MptcpSocket s : sockets) {
                        assertEquals(2, Transfers.awaitInfo(s, i -> i.extraSubflows() == 2).extraSubflows());
                    }
                    daemon.kill();
                }
                // While no daemon runs, two more connections come and get nothing.
                for (int i = 0; i < 2; i++) {
                    sockets.add(connect(t));
                }
                Thread.sleep(200);
                assertEquals(0, sockets.get(4).info().extraSubflows());

                try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--netns", t.clientName(),
                        "--subflows", "2", "--print-discovered")) {
                    for (MptcpSocket s : sockets) {
                        ConnectionInfo info = Transfers.awaitInfo(s, i -> i.extraSubflows() == 2);
                        assertEquals(2, info.extraSubflows(), "managed after the restart: " + info);
                    }
                    String out = awaitLines(daemon, "discovered token", sockets.size());
                    for (MptcpSocket s : sockets) {
                        ConnectionInfo info = s.info();
                        String token = String.format("%08x", info.token());
                        List<String> block = discoveredBlock(out, token);
                        assertFalse(block.isEmpty(), "connection " + token + " discovered: " + out);
                        assertTrue(block.get(0).contains(" client "), block.get(0));
                    }
                    // The three older connections were discovered with all three subflows each.
                    for (MptcpSocket s : sockets.subList(0, 3)) {
                        List<String> block = discoveredBlock(out, String.format("%08x", s.info().token()));
                        assertEquals(3, block.stream().filter(l -> l.startsWith("  subflow ")).count(), block.toString());
                    }
                    Thread.sleep(200);
                    for (MptcpSocket s : sockets) {
                        assertEquals(2, s.info().extraSubflows(), "no subflow added twice: " + s.info());
                    }
                }
            } finally {
                closeAll(sockets);
            }
        }
    }

    /** Waits up to 10 s until the daemon printed {@code count} lines starting with {@code prefix}; its output. */
    private static String awaitLines(CommandProcess daemon, String prefix, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String out = daemon.out();
        while (out.lines().filter(l -> l.startsWith(prefix)).count() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            out = daemon.out();
        }
        return out;
    }

    /** The "discovered token T" line and the subflow lines under it. */
    private static List<String> discoveredBlock(String out, String token) {
        List<String> lines = out.lines().collect(Collectors.toList());
        List<String> block = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("discovered token " + token)) {
                block.add(lines.get(i));
                for (int j = i + 1; j < lines.size() && lines.get(j).startsWith("  subflow "); j++) {
                    block.add(lines.get(j));
                }
                break;
            }
        }
        return block;
    }
}
