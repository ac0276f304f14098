package org.mptcp4j.socket;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.natives.NamespaceEntry;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.netlink.DiagRecord;
import org.mptcp4j.netlink.DiagRecordWriter;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * MPTCP sockets as the JDK's own channels. The JDK cannot open an IPPROTO_MPTCP socket; this
 * class opens a standard {@link SocketChannel} or {@link ServerSocketChannel} and puts an
 * MPTCP socket under it (same descriptor, same options), so the channel works with
 * {@link java.nio.channels.Selector}, blocking I/O, its {@link Socket} adaptor and every NIO
 * framework built on them, and channels accepted from an MPTCP server channel are MPTCP too.
 *
 * <pre>{@code
 * try (SocketChannel channel = MptcpChannels.openSocketChannel()) {
 *     channel.connect(new InetSocketAddress("192.0.2.1", 443));
 *     ConnectionInfo own = MptcpChannels.info(channel);   // token, counters, each subflow's tcp_info
 * }
 * }</pre>
 *
 * <p>A peer that does not speak MPTCP gets plain TCP from the kernel, which
 * {@link #fellBackToTcp} tells. Where the kernel has no MPTCP (or it is disabled) opening fails
 * with an {@link IOException} saying so, unless the caller asked for {@link Fallback#TCP}.
 */
public final class MptcpChannels {
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_MPTCP = 262;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PROTOCOL = 38;
    private static final int SO_REUSEADDR = 2;
    private static final int SOL_MPTCP = 284;
    private static final int MPTCP_INFO = 1;
    private static final int SO_DOMAIN = 39;
    private static final int AF_INET6 = 10;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int SOCK_STREAM = 1;
    private static final int TCP_IS_MPTCP = 43;
    private static final int MAX_SUBFLOWS = 32;
    /** Channels this class connected: their connections are this host's; accepted ones are the peer's. */
    private static final Set<SocketChannel> OPENED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private MptcpChannels() {}

    /** What to do where the kernel cannot open an MPTCP socket. */
    public enum Fallback {
        /** Fail with an {@link IOException} saying why (the default). */
        FAIL,
        /** Open a plain TCP socket instead (in the same namespace). */
        TCP
    }

    /**
     * An unconnected MPTCP socket channel in this namespace, of the JDK's default family (IPv6 dual-stack where it can).
     *
     * @return the channel
     * @throws IOException when the kernel cannot open an MPTCP socket
     */
    public static SocketChannel openSocketChannel() throws IOException {
        return openSocketChannel(NetworkNamespace.current(), null, Fallback.FAIL);
    }

    /**
     * An unconnected MPTCP socket channel.
     *
     * @param namespace where its connection lives (its subflows' routes and addresses)
     * @param family INET or INET6; null for the JDK's default
     * @param fallback what to do where the kernel cannot open an MPTCP socket
     * @return the channel
     * @throws IOException when the socket cannot be opened, MPTCP or (with {@link Fallback#TCP}) TCP
     */
    public static SocketChannel openSocketChannel(NetworkNamespace namespace, ProtocolFamily family, Fallback fallback)
            throws IOException {
        SocketChannel channel = family == null ? SocketChannel.open() : SocketChannel.open(family);
        replace(channel, namespace, fallback);
        OPENED.add(channel);
        return channel;
    }

    /**
     * An unbound MPTCP server socket channel in this namespace, of the JDK's default family.
     *
     * @return the server channel
     * @throws IOException when the kernel cannot open an MPTCP socket
     */
    public static ServerSocketChannel openServerSocketChannel() throws IOException {
        return openServerSocketChannel(NetworkNamespace.current(), null, Fallback.FAIL);
    }

    /**
     * An unbound MPTCP server socket channel: it accepts MPTCP connections (plain TCP ones too,
     * which the kernel falls back for) and their subflows' joins.
     *
     * @param namespace where its connections live
     * @param family INET or INET6; null for the JDK's default
     * @param fallback what to do where the kernel cannot open an MPTCP socket
     * @return the server channel
     * @throws IOException when the socket cannot be opened, MPTCP or (with {@link Fallback#TCP}) TCP
     */
    public static ServerSocketChannel openServerSocketChannel(NetworkNamespace namespace, ProtocolFamily family,
            Fallback fallback) throws IOException {
        ServerSocketChannel channel = family == null ? ServerSocketChannel.open() : ServerSocketChannel.open(family);
        replace(channel, namespace, fallback);
        return channel;
    }

    /**
     * A blocking, unconnected MPTCP {@link Socket}: the socket adaptor of an MPTCP channel.
     *
     * @param namespace where its connection lives
     * @param family INET or INET6; null for the JDK's default
     * @param fallback what to do where the kernel cannot open an MPTCP socket
     * @return the socket
     * @throws IOException when the socket cannot be opened, MPTCP or (with {@link Fallback#TCP}) TCP
     */
    public static Socket openSocket(NetworkNamespace namespace, ProtocolFamily family, Fallback fallback)
            throws IOException {
        return openSocketChannel(namespace, family, fallback).socket();
    }

    /**
     * A blocking, unbound MPTCP {@link ServerSocket}: the socket adaptor of an MPTCP server channel.
     *
     * @param namespace where its connections live
     * @param family INET or INET6; null for the JDK's default
     * @param fallback what to do where the kernel cannot open an MPTCP socket
     * @return the server socket
     * @throws IOException when the socket cannot be opened, MPTCP or (with {@link Fallback#TCP}) TCP
     */
    public static ServerSocket openServerSocket(NetworkNamespace namespace, ProtocolFamily family, Fallback fallback)
            throws IOException {
        return openServerSocketChannel(namespace, family, fallback).socket();
    }

    private static void replace(NetworkChannel channel, NetworkNamespace namespace, Fallback fallback) throws IOException {
        int fd = descriptor(channel);
        try {
            try {
                replaceSocket(fd, namespace.fd(), IPPROTO_MPTCP);
            } catch (IOException e) {
                String message = e.getMessage();
                boolean noMptcp = message.contains("EPROTONOSUPPORT") || message.contains("ENOPROTOOPT");
                if (!noMptcp || fallback == Fallback.FAIL) {
                    throw noMptcp ? noMptcp(namespace, e) : e;
                }
                if (namespace != NetworkNamespace.current()) {
                    replaceSocket(fd, namespace.fd(), IPPROTO_TCP); // the JDK's TCP socket is in this namespace
                }
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static IOException noMptcp(NetworkNamespace namespace, IOException e) {
        String message = e.getMessage();
        return message.contains("EPROTONOSUPPORT")
                ? new IOException("this kernel has no MPTCP (" + message + "): MPTCP sockets need Linux 5.6 or later"
                        + " with CONFIG_MPTCP", e)
                : new IOException("MPTCP is disabled in " + namespace + " (" + message + "): sysctl -w net.mptcp.enabled=1", e);
    }

    /**
     * Whether the channel's socket is an MPTCP one (false for plain TCP, or a fallback socket made with {@link Fallback#TCP}).
     *
     * @param channel an open channel
     * @return whether its socket is MPTCP
     * @throws IOException when the socket cannot be asked
     */
    public static boolean isMptcp(NetworkChannel channel) throws IOException {
        return protocol(open(channel)) == IPPROTO_MPTCP;
    }

    /**
     * The connection's token, counters and subflows now, as the channel's own socket sees them
     * (getsockopt MPTCP_FULL_INFO, Linux 6.5): each subflow's addresses and tcp_info. The
     * socket's own view has no address ids or peer token (sock_diag's
     * {@link org.mptcp4j.diag.Connections} has them). Give the token to a path manager to ask
     * for a policy on this connection.
     *
     * <p>{@link ConnectionInfo#serverSide()} is true for a channel this class did not open (one
     * accepted from a server channel); a client channel made MPTCP by other means reads as a
     * server's.
     *
     * @param channel a connected MPTCP channel
     * @return the connection's token, counters and subflows
     * @throws IOException when the channel is closed, not MPTCP, not connected, or fell back to TCP
     */
    public static ConnectionInfo info(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect((1 + MAX_SUBFLOWS) * DiagRecord.SIZE).order(ByteOrder.nativeOrder());
        int fd = open(channel);
        int count;
        try {
            count = fullInfo(fd, buffer);
        } catch (IOException e) {
            if (channel.isOpen() && protocol(fd) == IPPROTO_MPTCP && fellBack(fd)) {
                throw new IOException("the connection fell back to TCP: it has no MPTCP info (" + e.getMessage() + ")", e);
            }
            throw String.valueOf(e.getMessage()).contains("EOPNOTSUPP")
                    ? new IOException("MPTCP_FULL_INFO needs Linux 6.5 (" + e.getMessage() + ")", e) : e;
        }
        // The descriptor may have been closed, and its number reused, while the kernel answered.
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        DiagRecord record = new DiagRecord(buffer);
        List<SubflowInfo> subflows = new ArrayList<>(count - 1);
        for (int i = 1; i < count; i++) {
            subflows.add(record.wrap(i).subflowInfo());
        }
        int state = subflows.isEmpty() ? 0 : subflows.get(0).state();
        return record.wrap(0).connectionInfo(state, !OPENED.contains(channel), subflows);
    }

    /**
     * The connection's token, as events and {@code ss -M} name it.
     *
     * @param channel a connected MPTCP channel
     * @return the connection's token
     * @throws IOException when the channel is closed, not MPTCP or not connected
     */
    public static int token(SocketChannel channel) throws IOException {
        return info(channel).token();
    }

    /**
     * Whether the connection fell back to plain TCP: the peer did not answer MP_CAPABLE (it does
     * not speak MPTCP, or a middlebox stripped the option), or the socket is a plain TCP one
     * (TCP_IS_MPTCP, Linux 6.10; before it, whether the socket still answers MPTCP_INFO).
     *
     * @param channel a connected channel
     * @return whether the connection is plain TCP
     * @throws IOException when the socket cannot be asked
     */
    public static boolean fellBackToTcp(SocketChannel channel) throws IOException {
        int fd = open(channel);
        boolean fellBack = protocol(fd) != IPPROTO_MPTCP || fellBack(fd);
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        return fellBack;
    }

    private static int open(NetworkChannel channel) throws IOException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        return descriptor(channel);
    }

    // The system calls below go to the transport in use, JNI or FFM.

    /** The descriptor under a JDK channel (see {@link LinuxCalls#channelDescriptor}). */
    private static int descriptor(NetworkChannel channel) {
        return Transport.linux().channelDescriptor(channel);
    }

    /** A socket of {@code protocol} made in the namespace, put under {@code fd} with the old one's options. */
    private static void replaceSocket(int fd, int netnsFd, int protocol) throws IOException {
        LinuxCalls linux = Transport.linux();
        int family = linux.intOption(fd, SOL_SOCKET, SO_DOMAIN);
        int reuse = linux.intOption(fd, SOL_SOCKET, SO_REUSEADDR);
        int v6only = family == AF_INET6 ? linux.intOption(fd, IPPROTO_IPV6, IPV6_V6ONLY) : 0;
        int flags = linux.fileFlags(fd);
        failOn(Math.min(Math.min(family, reuse), Math.min(v6only, flags)), "read the channel's socket options");
        int saved = NamespaceEntry.enter(linux, netnsFd);
        if (saved != NamespaceEntry.STAYED) {
            failOn(saved, "enter network namespace");
        }
        int socket;
        try {
            socket = linux.socket(family, SOCK_STREAM | LinuxCalls.SOCK_CLOEXEC, protocol);
        } finally {
            NamespaceEntry.leave(linux, saved);
        }
        failOn(socket, protocol == IPPROTO_MPTCP ? "socket(IPPROTO_MPTCP)" : "socket(IPPROTO_TCP)");
        int rc = linux.setIntOption(socket, SOL_SOCKET, SO_REUSEADDR, reuse);
        if (rc >= 0 && family == AF_INET6) {
            rc = linux.setIntOption(socket, IPPROTO_IPV6, IPV6_V6ONLY, v6only);
        }
        if (rc >= 0) {
            rc = linux.setFileFlags(socket, flags & LinuxCalls.O_NONBLOCK);
        }
        if (rc >= 0) {
            rc = linux.dup3(socket, fd, LinuxCalls.O_CLOEXEC);
        }
        linux.close(socket);
        failOn(rc, "put the new socket under the channel");
    }

    /** The IOException for a negative errno: "operation: text (NAME)". */
    private static void failOn(int rc, String operation) throws IOException {
        if (rc < 0) {
            throw new IOException(operation + ": " + Errno.text(-rc) + " (" + Errno.name(-rc) + ")");
        }
    }

    private static int intOption(int fd, int level, int name) throws IOException {
        int value = Transport.linux().intOption(fd, level, name);
        failOn(value, "getsockopt");
        return value;
    }

    /** The connection and its subflows (MPTCP_FULL_INFO) as diag records; their count. */
    private static int fullInfo(int fd, ByteBuffer out) throws IOException {
        ByteBuffer info = ByteBuffer.allocateDirect(DiagRecordWriter.fullInfoSize(MAX_SUBFLOWS)).order(ByteOrder.nativeOrder());
        failOn(Transport.linux().mptcpFullInfo(fd, info, MAX_SUBFLOWS, DiagRecordWriter.FULL_INFO_TCP_INFO_SIZE),
                "getsockopt(MPTCP_FULL_INFO)");
        return new DiagRecordWriter().fullInfo(info, MAX_SUBFLOWS, out);
    }

    /** SO_PROTOCOL: IPPROTO_MPTCP or IPPROTO_TCP. */
    private static int protocol(int fd) throws IOException {
        return intOption(fd, SOL_SOCKET, SO_PROTOCOL);
    }

    /** Whether TCP_IS_MPTCP says the connection fell back; false where the kernel cannot say (before 6.10). */
    private static boolean fellBack(int fd) {
        try {
            return tcpIsMptcp(fd) == 0;
        } catch (IOException e) {
            return !answersMptcpInfo(fd);
        }
    }

    /**
     * Before 6.10: a connection that fell back hands every option to its TCP subflow, which
     * refuses SOL_MPTCP ones; MPTCP_INFO (5.16, read here in part) answers otherwise.
     */
    static boolean answersMptcpInfo(int fd) {
        try {
            intOption(fd, SOL_MPTCP, MPTCP_INFO);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /** {@link #answersMptcpInfo} of a channel's socket: how kernels before 6.10 are asked. */
    static boolean answersMptcpInfo(SocketChannel channel) throws IOException {
        return answersMptcpInfo(open(channel));
    }

    /** TCP_IS_MPTCP: 1 while the connection speaks MPTCP, 0 after a fallback (Linux 6.10). */
    private static int tcpIsMptcp(int fd) throws IOException {
        return intOption(fd, IPPROTO_TCP, TCP_IS_MPTCP);
    }
}
