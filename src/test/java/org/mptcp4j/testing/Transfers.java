package org.mptcp4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.mptcp4j.diag.ConnectionInfo;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;

/** Moving bytes over MPTCP sockets in tests. */
public final class Transfers {
    private Transfers() {}

    /** Accepts connections until the server socket closes; reads each to its end on its own thread. */
    public static Thread discardServer(MptcpServerSocket server, AtomicLong received) {
        Thread acceptor = new Thread(() -> {
            while (true) {
                MptcpSocket socket;
                try {
                    socket = server.accept();
                } catch (IOException closed) {
                    return;
                }
                discardOn(socket, received);
            }
        }, "test-discard-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return acceptor;
    }

    /** Reads {@code socket} to its end on a thread of its own, counting the bytes; then closes it. */
    public static void discardOn(MptcpSocket socket, AtomicLong received) {
        Thread reader = new Thread(() -> {
            try (socket) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
                int n;
                while ((n = socket.read(buffer)) > 0) {
                    received.addAndGet(n);
                    buffer.clear();
                }
            } catch (IOException e) {
                // closed or reset; the test sees it on its side
            }
        }, "test-discard-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Writes {@code bytes} bytes. */
    public static void send(MptcpSocket socket, long bytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 16);
        long left = bytes;
        while (left > 0) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), left));
            left -= chunk.remaining();
            socket.writeFully(chunk);
        }
    }

    /** Polls the socket's info until {@code condition} holds; returns that info or the last after 10 s. */
    public static ConnectionInfo awaitInfo(MptcpSocket socket, Predicate<ConnectionInfo> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        ConnectionInfo info = socket.info();
        while (!condition.test(info) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            info = socket.info();
        }
        return info;
    }
}
