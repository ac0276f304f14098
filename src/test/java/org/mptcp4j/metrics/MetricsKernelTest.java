package org.mptcp4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerException;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.EventRecorder;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.MetricsScrape;
import org.mptcp4j.testing.SeenEvent;
import org.mptcp4j.testing.Transfers;

/**
 * ndiffports (2 extra subflows) manages real connections in a test namespace; its metrics,
 * scraped over HTTP, agree with what an event recorder on the same loop saw and with what the
 * controller did.
 */
@KernelTest
class MetricsKernelTest {
    private static final int PORT = 5201;
    private static final int CONNECTIONS = 3;
    private static final String LATENCY = "mptcp4j_event_to_command_seconds";

    /** One test's namespace and loop, the metrics' server, and a recorder beside the counting handler. */
    private record Fixture(Topology topology, EventLoop loop, EventRecorder recorder, MetricsServer server) {
        /** {@code name{netns="the client",labels}}, as a scrape's key. */
        String series(String name, String... labels) {
            StringBuilder s = new StringBuilder(name).append("{netns=\"").append(topology.clientName()).append('"');
            for (int i = 0; i < labels.length; i += 2) {
                s.append(',').append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
            }
            return s.append('}').toString();
        }

        /**
         * A scrape taken while the loop handled no event, with the events the recorder had seen by
         * then: the recorder sees each event just before the counting handler, so after the
         * loop finished its round every event seen is counted, and none more if the recorder
         * saw none meanwhile.
         */
        Scrape settledScrape() throws Exception {
            while (true) {
                List<SeenEvent> seen = recorder.seen();
                awaitRound();
                Map<String, String> samples = MetricsScrape.of(server.address()).samples();
                if (recorder.seen().size() == seen.size()) {
                    return new Scrape(samples, seen);
                }
            }
        }

        /** Waits for the loop to end a round: its start (the host's first resync) or the events polled so far. */
        void awaitRound() throws InterruptedException {
            CountDownLatch roundDone = new CountDownLatch(1);
            loop.execute(roundDone::countDown);
            assertTrue(roundDone.await(10, TimeUnit.SECONDS), "the loop ran no task");
        }
    }

    /** A scrape's samples by series, and the events seen when it was taken. */
    private record Scrape(Map<String, String> samples, List<SeenEvent> seen) {
        /** A counter's value; one never counted is not written, and is 0. */
        long counter(String series) {
            return Long.parseLong(samples.getOrDefault(series, "0"));
        }

        /** A value that is always written. */
        String value(String series) {
            String value = samples.get(series);
            assertTrue(value != null, "no " + series + " in " + samples);
            return value;
        }

        long seen(MptcpEventType type) {
            return seen.stream().filter(e -> e.type() == type).count();
        }
    }

    /** Every event type counted as often as the recorder saw it. */
    private static void assertEventsAgree(Fixture f, Scrape scrape) {
        for (MptcpEventType type : MptcpEventType.values()) {
            assertEquals(scrape.seen(type), scrape.counter(f.series("mptcp4j_events_total", "type", type.name())),
                    type + " in " + scrape.samples());
        }
        assertEquals(scrape.seen(MptcpEventType.EVENTS_LOST), Long.parseLong(scrape.value(f.series("mptcp4j_events_lost_total"))));
    }

    /** The histogram is cumulative, its +Inf bucket is its count, and the time is positive when counted. */
    private static long assertHistogramConsistent(Fixture f, Scrape scrape) {
        long previous = 0;
        for (String le : new String[] {"0.00001", "0.0001", "0.001", "0.01", "0.1", "1", "+Inf"}) {
            long cumulative = Long.parseLong(scrape.value(f.series(LATENCY + "_bucket", "le", le)));
            assertTrue(cumulative >= previous, le + ": " + scrape.samples());
            previous = cumulative;
        }
        long count = Long.parseLong(scrape.value(f.series(LATENCY + "_count")));
        assertEquals(previous, count);
        BigDecimal sum = new BigDecimal(scrape.value(f.series(LATENCY + "_sum")));
        assertEquals(count > 0, sum.signum() > 0, "sum " + sum + " of " + count);
        return count;
    }

    private static MptcpSocket connect(Topology t) throws Exception {
        MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT));
        Transfers.send(socket, 100); // ESTABLISHED waits for the peer's first DATA_ACK
        return socket;
    }

    @Test
    void theScrapedMetricsAgreeWithTheEventsSeenAndTheCommandsIssued() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            PathManagerMetrics metrics = new PathManagerMetrics(t.clientName());
            EventRecorder recorder = new EventRecorder();
            NDiffPortsController controller = NDiffPortsController.sameAddressPair(2);
            try (PathManager pm = PathManager.open(t.client());
                    EventLoop loop = EventLoop.builder(EventHandler.observed(
                            metrics.counting(new ControllerHost(controller, pm)), recorder)).namespace(t.client()).build();
                    MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> List.of(metrics))) {
                pm.observe(metrics);
                metrics.counterFunction("mptcp4j_events_malformed_total", "Malformed messages skipped.",
                        () -> loop.counter(EventCounter.MALFORMED));
                Fixture f = new Fixture(t, loop, recorder, server);
                loop.start();
                f.awaitRound(); // connections opened sooner would be discovered at start, not seen established

                List<MptcpSocket> sockets = new ArrayList<>();
                Scrape open;
                try {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        sockets.add(connect(t));
                    }
                    for (int i = 0; i < 2 * CONNECTIONS; i++) {
                        recorder.await(MptcpEventType.SUB_ESTABLISHED);
                    }
                    open = f.settledScrape();
                } finally {
                    for (MptcpSocket socket : sockets) {
                        socket.close();
                    }
                }
                assertEventsAgree(f, open);
                assertEquals(CONNECTIONS, open.seen(MptcpEventType.ESTABLISHED));
                assertEquals(2 * CONNECTIONS, open.seen(MptcpEventType.SUB_ESTABLISHED));
                assertEquals(String.valueOf(CONNECTIONS), open.value(f.series("mptcp4j_connections")));
                assertEquals(String.valueOf(3 * CONNECTIONS), open.value(f.series("mptcp4j_subflows")));

                for (int i = 0; i < CONNECTIONS; i++) {
                    recorder.await(MptcpEventType.CLOSED);
                }
                // No connection is left: any token is unknown to the kernel.
                PathManagerException failure = assertThrows(PathManagerException.class, () -> pm.createSubflow(1,
                        MptcpAddress.of(Topology.clientAddress(1), 0), MptcpAddress.of(Topology.serverAddress(1), PORT)));
                Scrape closed = f.settledScrape();
                assertEventsAgree(f, closed);
                assertEquals(CONNECTIONS, closed.seen(MptcpEventType.CLOSED));
                assertEquals("0", closed.value(f.series("mptcp4j_connections")));
                assertEquals("0", closed.value(f.series("mptcp4j_subflows")));

                long created = closed.counter(f.series("mptcp4j_commands_total", "command", "SUBFLOW_CREATE", "result", "ok"));
                assertEquals(2 * CONNECTIONS, created);
                assertEquals(controller.requested(), created);
                assertEquals(1, closed.counter(f.series("mptcp4j_commands_total", "command", "SUBFLOW_CREATE",
                        "result", "error", "errno", Errno.name(failure.errno()))), closed.samples().toString());
                long commandsInEvents = closed.samples().entrySet().stream()
                        .filter(e -> e.getKey().startsWith("mptcp4j_commands_total{")).mapToLong(e -> Long.parseLong(e.getValue()))
                        .sum() - 1; // all but the failed one, issued here
                // Timed: every command issued in an event (ndiffports' joins), not the one from this thread.
                assertEquals(commandsInEvents, assertHistogramConsistent(f, open), open.samples().toString());
                assertEquals(commandsInEvents, assertHistogramConsistent(f, closed), closed.samples().toString());
                assertEquals(String.valueOf(loop.counter(EventCounter.MALFORMED)),
                        closed.value(f.series("mptcp4j_events_malformed_total")));
            }
        }
    }

    /**
     * A connection opened before the loop started is found by the host's resync and reported to
     * the metrics as discovered; ndiffports' joins for it, issued at the loop's start rather than
     * on an event, are counted but not timed.
     */
    @Test
    void aConnectionFoundAtTheStartIsCountedAsDiscovered() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            PathManagerMetrics metrics = new PathManagerMetrics(t.clientName());
            EventRecorder recorder = new EventRecorder();
            try (PathManager pm = PathManager.open(t.client());
                    MptcpSocket socket = connect(t);
                    MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> List.of(metrics))) {
                // Only sock_diag shows full establishment, which a resync requires.
                int token = Transfers.awaitInfo(socket, i -> i.token() != 0).token();
                ConnectionInfo before = Transfers.awaitConnection(t.client(), token, 10, ConnectionInfo::fullyEstablished);
                assertTrue(before != null && before.fullyEstablished() && before.extraSubflows() == 0, String.valueOf(before));
                pm.observe(metrics);
                ControllerHost host = new ControllerHost(NDiffPortsController.sameAddressPair(2), pm)
                        .onDiscovery(d -> metrics.connectionDiscovered(d.token(), d.connection().subflows().size()));
                try (EventLoop loop = EventLoop.builder(EventHandler.observed(metrics.counting(host), recorder))
                        .namespace(t.client()).build()) {
                    Fixture f = new Fixture(t, loop, recorder, server);
                    loop.start();
                    recorder.await(MptcpEventType.SUB_ESTABLISHED);
                    recorder.await(MptcpEventType.SUB_ESTABLISHED);
                    Scrape scrape = f.settledScrape();
                    assertEquals(1, host.discoveredConnections());
                    assertEventsAgree(f, scrape);
                    assertEquals(0, scrape.seen(MptcpEventType.CREATED) + scrape.seen(MptcpEventType.ESTABLISHED));
                    assertEquals("1", scrape.value(f.series("mptcp4j_connections")));
                    assertEquals("3", scrape.value(f.series("mptcp4j_subflows")));
                    assertEquals(2, scrape.counter(f.series("mptcp4j_commands_total", "command", "SUBFLOW_CREATE", "result", "ok")));
                    assertEquals(0, assertHistogramConsistent(f, scrape));
                }
            }
        }
    }
}
