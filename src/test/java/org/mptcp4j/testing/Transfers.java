package org.mptcp4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.netns.NetworkNamespace;
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

    /** Writes without pause on a thread of its own until the socket is closed under it. */
    public static Thread sendUntilClosed(MptcpSocket socket) {
        Thread sender = new Thread(() -> {
            try {
                send(socket, Long.MAX_VALUE);
            } catch (IOException closedAtTheEnd) {
                // the test closes the socket under it
            }
        }, "test-sender");
        sender.setDaemon(true);
        sender.start();
        return sender;
    }

    /** Polls the socket's info until {@code condition} holds; returns that info or the last after 10 s. */
    public static ConnectionInfo awaitInfo(MptcpSocket socket, Predicate<ConnectionInfo> condition) throws Exception {
        return awaitInfo(socket, 10, condition);
    }

    /** As {@link #awaitInfo(MptcpSocket, Predicate)}, waiting up to {@code seconds}. */
    public static ConnectionInfo awaitInfo(MptcpSocket socket, int seconds, Predicate<ConnectionInfo> condition)
            throws Exception {
        return await(socket::info, seconds, condition);
    }

    /**
     * Polls connection {@code token} of {@code namespace} as sock_diag shows it (with the
     * subflows' ids and flags, which the socket's own view lacks) until {@code condition} holds;
     * returns that, the last one after {@code seconds}, or null when it is gone.
     */
    public static ConnectionInfo awaitConnection(NetworkNamespace namespace, int token, int seconds,
            Predicate<ConnectionInfo> condition) throws Exception {
        return await(() -> Connections.list(namespace).stream().filter(c -> c.token() == token).findFirst()
                .orElse(null), seconds, c -> c != null && condition.test(c));
    }

    private interface Source {
        ConnectionInfo get() throws Exception;
    }

    private static ConnectionInfo await(Source source, int seconds, Predicate<ConnectionInfo> condition)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ConnectionInfo info = source.get();
        while (!condition.test(info) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            info = source.get();
        }
        return info;
    }
}
