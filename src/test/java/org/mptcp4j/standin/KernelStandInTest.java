package org.mptcp4j.standin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.netlink.EventRecord;
import org.mptcp4j.netlink.EventSocket;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.MptcpException;

/** The stand-in's socket pairs, and what a stand-in kernel's path manager does outside the stand-in: nothing. */
class KernelStandInTest {
    /**
     * A recorded event (an ESTABLISHED captured on Linux 6.18 from family 0x1c, token
     * 0x66ea0628) crosses the stand-in's socket pair to the event socket that adopted the other
     * end, and decodes there as the kernel's would.
     */
    @ParameterizedTest(name = "java decoding {0}")
    @ValueSource(booleans = {false, true})
    void eventsReachTheAdoptedEventSocket(boolean javaDecoding) throws Exception {
        byte[] established = Files.readAllBytes(Path.of("fuzz", "corpus", "event_decoder", "established-8e2f14ecfe1eadb5"));
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c);
                EventSocket events = kernel.eventSocket(16, javaDecoding)) {
            kernel.sendEvents(established);
            assertEquals(1, events.poll(10_000));
            EventRecord record = events.record(0);
            assertEquals(MptcpEventType.ESTABLISHED, record.type());
            assertEquals(0x66ea0628, record.token());
        }
    }

    /** Once the event socket is closed, sending to it fails with the errno of a pair whose other end is gone. */
    @Test
    void sendingToAClosedEventSocketSaysWhy() {
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c)) {
            kernel.eventSocket(16, true).close();
            MptcpException e = assertThrows(MptcpException.class, () -> kernel.sendEvents(new byte[16]));
            assertEquals("send events: Broken pipe (EPIPE)", e.getMessage());
        }
    }

    /** A wait for a request that nothing sends ends with none. */
    @Test
    void noRequestIsNullAfterTheTimeout() {
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c)) {
            assertNull(kernel.receiveRequest(20));
        }
    }

    /**
     * An announcement with a listener, made to a stand-in (the daemon's warm-up makes such
     * announcements up), takes no port of the caller's namespace: the listener is only counted.
     */
    @Test
    void anAnnouncementWithAListenerOpensNoSocket() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, loopback)) {
            port = probe.getLocalPort();
        }
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c); PathManager pm = kernel.pathManager()) {
            CompletableFuture<Void> acknowledged = CompletableFuture.runAsync(() -> acknowledgeOne(kernel));
            pm.announce(0x1c0ffee5, MptcpAddress.of(loopback, port).id(2), true);
            acknowledged.get(10, TimeUnit.SECONDS);
            assertEquals(1, pm.announcedListeners());
            try (ServerSocket mine = new ServerSocket(port, 1, loopback)) {
                assertEquals(port, mine.getLocalPort(), "the port is still free");
            }
        }
    }

    /** Answers the next request with the kernel's acknowledgement (NLMSG_ERROR, error 0). */
    private static void acknowledgeOne(KernelStandIn kernel) {
        byte[] request = kernel.receiveRequest(10_000);
        assertNotNull(request, "no request came");
        ByteBuffer r = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        ByteBuffer ack = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        ack.putInt(36).putShort((short) 2).putShort((short) 0x100).putInt(r.getInt(8)).putInt(r.getInt(12)).putInt(0)
                .put(request, 0, 16);
        kernel.sendAnswer(ack.array());
    }
}
