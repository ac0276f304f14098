package org.mptcp4j.socket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.diag.ConnectionInfo;
import org.mptcp4j.diag.SubflowInfo;
import org.mptcp4j.netlink.DiagRecord;
import org.mptcp4j.netlink.NativeLibrary;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * A connected MPTCP socket (IPPROTO_MPTCP), blocking, with its own connection and subflow
 * information. The JDK cannot open MPTCP sockets; this class can, in any network namespace.
 * Reads and writes take direct buffers.
 */
public final class MptcpSocket implements AutoCloseable {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    private static final int SHUT_WR = 1;
    private static final int MAX_SUBFLOWS = 32;

    private final ByteBuffer info = ByteBuffer.allocateDirect((1 + MAX_SUBFLOWS) * DiagRecord.SIZE)
            .order(ByteOrder.nativeOrder());
    private final DiagRecord record = new DiagRecord(info);
    private final SocketDescriptor fd;
    private final boolean accepted;

    MptcpSocket(int fd, boolean accepted) {
        this.fd = new SocketDescriptor(fd);
        this.accepted = accepted;
    }

    /** Connects to {@code remote} over MPTCP from the caller's namespace. */
    public static MptcpSocket connect(InetSocketAddress remote) throws IOException {
        return connect(NetworkNamespace.current(), remote);
    }

    /**
     * Connects to {@code remote} over MPTCP from {@code namespace}. If the peer does not
     * speak MPTCP the kernel falls back to TCP; {@link ConnectionInfo#fallback()} tells.
     */
    public static MptcpSocket connect(NetworkNamespace namespace, InetSocketAddress remote) throws IOException {
        InetAddress address = resolved(remote);
        int fd = open(namespace, address);
        try {
            connect(fd, address.getAddress(), remote.getPort());
        } catch (IOException e) {
            close(fd);
            throw new IOException("connect to " + remote + " over MPTCP: " + e.getMessage(), e);
        }
        return new MptcpSocket(fd, false);
    }

    static InetAddress resolved(InetSocketAddress address) throws IOException {
        if (address.isUnresolved()) {
            throw new UnknownHostException(address.getHostString());
        }
        return address.getAddress();
    }

    /** Creates an MPTCP socket, with the kernel's reason as one line when it cannot. */
    static int open(NetworkNamespace namespace, InetAddress address) throws IOException {
        NativeLibrary.ensureLoaded();
        try {
            return open(namespace.fd(), address.getAddress().length == 16 ? AF_INET6 : AF_INET);
        } catch (IOException e) {
            String message = e.getMessage();
            if (message.contains("EPROTONOSUPPORT")) {
                throw new IOException("this kernel has no MPTCP (" + message
                        + "): MPTCP sockets need Linux 5.6 or later with CONFIG_MPTCP", e);
            }
            if (message.contains("ENOPROTOOPT")) {
                throw new IOException("MPTCP is disabled in " + namespace + " (" + message
                        + "): sysctl -w net.mptcp.enabled=1", e);
            }
            throw e;
        }
    }

    /** Reads into {@code dst} (direct) from its position; -1 at end of stream, 0 if {@code dst} is full. */
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int f = fd.acquire();
        try {
            int n = read(f, dst, dst.position(), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        } finally {
            fd.release();
        }
    }

    /** Writes from {@code src} (direct) at its position; returns the bytes written. */
    public int write(ByteBuffer src) throws IOException {
        int f = fd.acquire();
        try {
            int n = write(f, src, src.position(), src.remaining());
            src.position(src.position() + n);
            return n;
        } finally {
            fd.release();
        }
    }

    /** Writes all remaining bytes of {@code src}. */
    public void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            write(src);
        }
    }

    /** Half-closes: the peer reads end of stream. */
    public void shutdownOutput() throws IOException {
        int f = fd.acquire();
        try {
            shutdown(f, SHUT_WR);
        } finally {
            fd.release();
        }
    }

    public InetSocketAddress localAddress() throws IOException {
        return address(false);
    }

    public InetSocketAddress remoteAddress() throws IOException {
        return address(true);
    }

    private InetSocketAddress address(boolean peer) throws IOException {
        byte[] raw = new byte[16];
        int familyPort;
        int f = fd.acquire();
        try {
            familyPort = address(f, peer, raw);
        } finally {
            fd.release();
        }
        int family = familyPort >>> 16;
        byte[] exact = family == AF_INET6 ? raw : java.util.Arrays.copyOf(raw, 4);
        return new InetSocketAddress(InetAddress.getByAddress(exact), familyPort & 0xffff);
    }

    /**
     * The connection's token, counters and subflows now (getsockopt MPTCP_FULL_INFO, Linux 6.5).
     * The socket's own view has no address ids or peer token ({@code Connections} has them);
     * the connection's state is its first subflow's.
     */
    public ConnectionInfo info() throws IOException {
        synchronized (info) {
            int count;
            int f = fd.acquire();
            try {
                count = info(f, info);
            } finally {
                fd.release();
            }
            List<SubflowInfo> subflows = new ArrayList<>(count - 1);
            for (int i = 1; i < count; i++) {
                subflows.add(record.wrap(i).subflowInfo());
            }
            int state = subflows.isEmpty() ? 0 : subflows.get(0).state();
            return record.wrap(0).connectionInfo(state, accepted, subflows);
        }
    }

    /** Closes the socket; calls blocked in it on other threads return with an IOException. */
    @Override
    public void close() throws IOException {
        fd.close();
    }

    static native int open(int netnsFd, int family) throws IOException;

    static native void connect(int fd, byte[] address, int port) throws IOException;

    static native void bind(int fd, byte[] address, int port) throws IOException;

    static native void listen(int fd, int backlog) throws IOException;

    static native int accept(int fd) throws IOException;

    static native int read(int fd, ByteBuffer buffer, int position, int length) throws IOException;

    static native int write(int fd, ByteBuffer buffer, int position, int length) throws IOException;

    static native void shutdown(int fd, int how) throws IOException;

    static native void close(int fd) throws IOException;

    static native int address(int fd, boolean peer, byte[] out) throws IOException;

    static native int info(int fd, ByteBuffer out) throws IOException;
}
