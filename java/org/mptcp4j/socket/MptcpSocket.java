package org.mptcp4j.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * A connected, blocking MPTCP socket over an {@link MptcpChannels MPTCP channel}, with its own
 * connection and subflow information: the short way to connect from any network namespace.
 */
public final class MptcpSocket implements AutoCloseable {
    private final SocketChannel channel;

    MptcpSocket(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Connects to {@code remote} over MPTCP from the caller's namespace.
     *
     * @param remote the peer's address and port
     * @return the connected socket
     * @throws IOException when the socket cannot be opened or the connection fails
     */
    public static MptcpSocket connect(InetSocketAddress remote) throws IOException {
        return connect(NetworkNamespace.current(), remote);
    }

    /**
     * Connects to {@code remote} over MPTCP from {@code namespace}. If the peer does not
     * speak MPTCP the kernel falls back to TCP; {@link MptcpChannels#fellBackToTcp} tells.
     *
     * @param namespace where the connection lives
     * @param remote the peer's address and port
     * @return the connected socket
     * @throws IOException when the socket cannot be opened or the connection fails
     */
    public static MptcpSocket connect(NetworkNamespace namespace, InetSocketAddress remote) throws IOException {
        SocketChannel channel = MptcpChannels.openSocketChannel(namespace, family(remote), MptcpChannels.Fallback.FAIL);
        try {
            channel.connect(remote);
        } catch (IOException e) {
            channel.close();
            throw new IOException("connect to " + remote + " over MPTCP: " + e.getMessage(), e);
        }
        return new MptcpSocket(channel);
    }

    /** The family of a resolved address. */
    static ProtocolFamily family(InetSocketAddress address) throws IOException {
        if (address.isUnresolved()) {
            throw new UnknownHostException(address.getHostString());
        }
        return address.getAddress().getAddress().length == 16 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /**
     * Reads into {@code dst} from its position; -1 at end of stream, 0 if {@code dst} is full.
     *
     * @param dst where to read to
     * @return the bytes read, or -1
     * @throws IOException when reading fails
     */
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    /**
     * Writes from {@code src} at its position; returns the bytes written.
     *
     * @param src what to write
     * @return the bytes written
     * @throws IOException when writing fails
     */
    public int write(ByteBuffer src) throws IOException {
        return channel.write(src);
    }

    /**
     * Writes all remaining bytes of {@code src}.
     *
     * @param src what to write
     * @throws IOException when writing fails
     */
    public void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            channel.write(src);
        }
    }

    /**
     * Half-closes: the peer reads end of stream.
     *
     * @throws IOException when the socket is closed or the shutdown fails
     */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /**
     * The local end's address.
     *
     * @return the local address and port
     * @throws IOException when the socket is closed
     */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * The peer's address.
     *
     * @return the peer's address and port
     * @throws IOException when the socket is closed
     */
    public InetSocketAddress remoteAddress() throws IOException {
        return (InetSocketAddress) channel.getRemoteAddress();
    }

    /**
     * The connection's token, counters and subflows now ({@link MptcpChannels#info}).
     *
     * @return the connection's state
     * @throws IOException as {@link MptcpChannels#info}
     */
    public ConnectionInfo info() throws IOException {
        return MptcpChannels.info(channel);
    }

    /**
     * The JDK channel under it.
     *
     * @return the channel
     */
    public SocketChannel channel() {
        return channel;
    }

    /** Closes the socket; calls blocked in it on other threads return with an IOException. */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
