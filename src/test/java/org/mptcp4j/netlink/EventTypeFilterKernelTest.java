package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.TrafficTap;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;

/**
 * The event socket's kernel filter ({@link EventTypeFilter}): the types not asked for are
 * dropped by the kernel before they are queued, so the decoder never sees them; a tap, which
 * records every datagram, has them all queued again.
 */
@KernelTest
class EventTypeFilterKernelTest {
    private static final int PORT = 5207;

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theKernelDropsTheTypesNotAskedForUntilATapRecordsThemAll() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8);
                EventSocket socket = EventSocket.open(t.client(), EventSocket.DEFAULT_RECEIVE_BUFFER, 64)) {
            Transfers.discardServer(listener, new AtomicLong());
            socket.setTypeMask(MptcpEventType.CLOSED.mask());
            assertTrue(socket.kernelFiltering(), "the filter is attached");

            assertEquals(List.of(MptcpEventType.CLOSED), connectionSeenBy(t, socket));
            assertEquals(0, socket.counter(EventCounter.FILTERED), "CREATED and ESTABLISHED never reached the socket");
            assertEquals(1, socket.counter(EventCounter.DATAGRAMS), "the CLOSED alone was received");

            AtomicInteger tapped = new AtomicInteger();
            socket.tap(new TrafficTap() {
                @Override
                public void events(ByteBuffer datagram, int offset, int length, long receivedNanos) {
                    tapped.incrementAndGet();
                }

                @Override
                public void request(ByteBuffer datagram, int length) {
                }

                @Override
                public void answer(ByteBuffer datagram, int length) {
                }
            });
            assertFalse(socket.kernelFiltering(), "a tap has every datagram queued");
            assertEquals(List.of(MptcpEventType.CLOSED), connectionSeenBy(t, socket), "the decoder still filters");
            assertTrue(socket.counter(EventCounter.FILTERED) >= 2, "CREATED and ESTABLISHED reached the decoder");
            assertTrue(tapped.get() >= 3, "the tap recorded them: " + tapped.get());

            socket.tap(null);
            assertTrue(socket.kernelFiltering(), "without the tap the filter is back");
        }
    }

    /** Opens a connection, sends a little, closes it, and returns the types polled until its CLOSED. */
    private static List<MptcpEventType> connectionSeenBy(Topology t, EventSocket socket) throws Exception {
        int token;
        try (MptcpSocket connection = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
            Transfers.send(connection, 100);
            token = connection.info().token();
        }
        List<MptcpEventType> seen = new ArrayList<>();
        while (!seen.contains(MptcpEventType.CLOSED)) {
            int n = socket.poll(5000);
            assertTrue(n > 0, "no event within 5 s; seen " + seen);
            for (int i = 0; i < n; i++) {
                EventRecord r = socket.record(i);
                assertEquals(token, r.token(), "an event of this connection");
                seen.add(r.type());
            }
        }
        return seen;
    }
}
