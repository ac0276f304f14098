package org.mptcp4j.socket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * A listening MPTCP socket: accepts MPTCP connections (and plain TCP ones, which the kernel
 * falls back for) and the MP_JOIN subflows of its connections.
 */
public final class MptcpServerSocket implements AutoCloseable {
    private final SocketDescriptor fd;
    private final InetSocketAddress bound;

    private MptcpServerSocket(int fd, InetSocketAddress bound) {
        this.fd = new SocketDescriptor(fd);
        this.bound = bound;
    }

    /** Listens on {@code address} (0.0.0.0 or :: for every address) in {@code namespace}. */
    public static MptcpServerSocket bind(NetworkNamespace namespace, InetSocketAddress address, int backlog)
            throws IOException {
        InetAddress ip = MptcpSocket.resolved(address);
        int fd = MptcpSocket.open(namespace, ip);
        try {
            MptcpSocket.bind(fd, ip.getAddress(), address.getPort());
            MptcpSocket.listen(fd, backlog);
        } catch (IOException e) {
            MptcpSocket.close(fd);
            throw new IOException("listen on " + address + " over MPTCP: " + e.getMessage(), e);
        }
        return new MptcpServerSocket(fd, address);
    }

    /** Waits for the next connection. */
    public MptcpSocket accept() throws IOException {
        int f = fd.acquire();
        try {
            return new MptcpSocket(MptcpSocket.accept(f), true);
        } finally {
            fd.release();
        }
    }

    public InetSocketAddress boundAddress() {
        return bound;
    }

    /** Closes the socket; a thread blocked in {@link #accept()} gets an IOException. */
    @Override
    public void close() throws IOException {
        fd.close();
    }
}
