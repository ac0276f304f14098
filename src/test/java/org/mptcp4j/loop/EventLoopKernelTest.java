package org.mptcp4j.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.EventRecorder;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.SeenEvent;
import org.mptcp4j.testing.Transfers;

/** The events of a real MPTCP connection between two namespaces, as both sides' loops see them. */
@KernelTest
class EventLoopKernelTest {
    private static final int PORT = 5201;

    @ParameterizedTest
    @MethodSource("org.mptcp4j.testing.Decodings#available")
    void eventsOfARealConnectionCarryItsTokenAddressesPortsAndIds(EventDecoding decoding) throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            EventRecorder client = new EventRecorder();
            EventRecorder server = new EventRecorder();
            try (EventLoop clientLoop = EventLoop.builder(client).namespace(t.client()).decoding(decoding).build();
                    EventLoop serverLoop = EventLoop.builder(server).namespace(t.server()).decoding(decoding).build();
                    PathManager pm = PathManager.open(t.client())) {
                clientLoop.start();
                serverLoop.start();
                try (MptcpServerSocket listener = MptcpServerSocket.bind(t.server(),
                        new InetSocketAddress("0.0.0.0", PORT), 8)) {
                    SeenEvent listening = server.await(MptcpEventType.LISTENER_CREATED);
                    assertEquals(PORT, listening.localPort());
                    assertEquals(MptcpAddress.AF_INET, listening.family());
                    Transfers.discardServer(listener, new AtomicLong());

                    int token;
                    try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                        Transfers.send(socket, 1000); // ESTABLISHED waits for the peer's first DATA_ACK
                        InetSocketAddress local = socket.localAddress();
                        token = socket.info().token();

                        SeenEvent created = client.await(MptcpEventType.CREATED, e -> e.token() == token);
                        assertEquals(local.getAddress(), created.local());
                        assertEquals(local.getPort(), created.localPort());
                        assertEquals(Topology.serverAddress(1), created.remote());
                        assertEquals(PORT, created.remotePort());
                        assertEquals(0, created.localId());
                        assertEquals(0, created.remoteId());
                        assertFalse(created.serverSide());

                        SeenEvent established = client.await(MptcpEventType.ESTABLISHED, e -> e.token() == token);
                        assertEquals(local.getPort(), established.localPort());

                        SeenEvent accepted = server.await(MptcpEventType.CREATED, e -> e.remotePort() == local.getPort());
                        assertTrue(accepted.serverSide(), accepted.line());
                        assertEquals(Topology.serverAddress(1), accepted.local());
                        assertEquals(PORT, accepted.localPort());

                        MptcpAddress from = MptcpAddress.of(local.getAddress(), 0).id(0);
                        pm.createSubflow(token, from, MptcpAddress.of(Topology.serverAddress(1), PORT));
                        SeenEvent joined = client.await(MptcpEventType.SUB_ESTABLISHED, e -> e.token() == token);
                        assertEquals(local.getAddress(), joined.local());
                        assertNotEquals(local.getPort(), joined.localPort(), "the kernel picked a new source port");
                        assertEquals(PORT, joined.remotePort());
                        assertEquals(0, joined.localId());
                        assertFalse(joined.backup());

                        ConnectionInfo info = Transfers.awaitInfo(socket, i -> i.subflows().size() == 2);
                        assertEquals(1, info.extraSubflows());
                        assertTrue(info.subflows().stream().anyMatch(s -> s.local().getPort() == joined.localPort()),
                                "the subflow of the event is the socket's second subflow: " + info);
                    }
                    client.await(MptcpEventType.CLOSED, e -> e.token() == token);
                }
                assertTrue(clientLoop.counter(EventCounter.RECORDS) >= 4);
                assertEquals(0, clientLoop.counter(EventCounter.MALFORMED));
                assertEquals(0, clientLoop.counter(EventCounter.LOST));
            }
        }
    }

    @Test
    void filteredTypesNeverReachTheHandler() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            EventRecorder client = new EventRecorder();
            try (EventLoop loop = EventLoop.builder(client).namespace(t.client())
                    .eventTypes(MptcpEventType.CLOSED).build();
                    MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
                loop.start();
                Transfers.discardServer(listener, new AtomicLong());
                int token;
                try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                    Transfers.send(socket, 100);
                    token = socket.info().token();
                }
                client.await(MptcpEventType.CLOSED, e -> e.token() == token);
                assertTrue(client.seen().stream().allMatch(e -> e.type() == MptcpEventType.CLOSED), client.seen().toString());
                assertEquals(0, loop.counter(EventCounter.FILTERED), "CREATED and ESTABLISHED dropped by the kernel");
                assertEquals(loop.counter(EventCounter.RECORDS), loop.counter(EventCounter.DATAGRAMS),
                        "no datagram received but the CLOSED ones");
            }
        }
    }

    @Test
    void closingFromAHandlerStopsTheLoopWithoutDeadlock() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            Transfers.discardServer(listener, new AtomicLong());
            EventLoop[] self = new EventLoop[1];
            EventLoop loop = EventLoop.builder(event -> self[0].close()).namespace(t.client()).build();
            self[0] = loop;
            loop.start();
            assertThrows(IllegalStateException.class, loop::run, "one thread runs a loop");
            try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                Transfers.send(socket, 10);
            }
            assertTrue(loop.finishedWithin(10), "the loop stopped after the handler closed it");
            assertThrows(IllegalStateException.class, () -> loop.execute(() -> { }), "no task is queued after the end");
            loop.close();
        }
    }

    @Test
    void scheduledWorkRunsOnTheLoopsThreadUntilCancelled() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            AtomicLong runs = new AtomicLong();
            AtomicLong elsewhere = new AtomicLong();
            EventLoop.Scheduled[] scheduled = new EventLoop.Scheduled[1];
            java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
            try (EventLoop loop = EventLoop.builder(event -> {}).namespace(t.client())
                    .eventTypes(MptcpEventType.CREATED).build()) {
                scheduled[0] = loop.schedule(java.time.Duration.ofMillis(5), () -> {
                    if (Thread.currentThread() != loop.thread()) {
                        elsewhere.incrementAndGet();
                    }
                    if (runs.incrementAndGet() == 3) {
                        scheduled[0].cancel();
                        cancelled.countDown();
                    }
                });
                loop.start();
                assertTrue(cancelled.await(10, java.util.concurrent.TimeUnit.SECONDS), "ran three times: " + runs);
                assertThrows(IllegalStateException.class,
                        () -> loop.schedule(java.time.Duration.ofMillis(5), () -> { }), "only from the loop's thread");
                // A task on the loop runs after any round in which the cancelled work could have run again.
                for (int i = 0; i < 3; i++) {
                    java.util.concurrent.CountDownLatch round = new java.util.concurrent.CountDownLatch(1);
                    Thread.sleep(20);
                    loop.execute(round::countDown);
                    assertTrue(round.await(10, java.util.concurrent.TimeUnit.SECONDS));
                }
                assertEquals(3, runs.get(), "cancelled work does not run again");
                assertEquals(0, elsewhere.get());
                assertThrows(IllegalArgumentException.class, () -> loop.schedule(java.time.Duration.ZERO, () -> { }));
            }
        }
    }
}
