package org.mptcp4j.standin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.MptcpAddress;

/** What a stand-in kernel's path manager does outside the stand-in: nothing. */
class KernelStandInTest {
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
