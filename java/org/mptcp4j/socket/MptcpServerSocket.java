package org.mptcp4j.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * A listening, blocking MPTCP socket over an {@link MptcpChannels MPTCP server channel}:
 * accepts MPTCP connections (and plain TCP ones, which the kernel falls back for) and the
 * MP_JOIN subflows of its connections.
 */
public final class MptcpServerSocket implements AutoCloseable {
    private final ServerSocketChannel channel;
    private final InetSocketAddress bound;

    private MptcpServerSocket(ServerSocketChannel channel, InetSocketAddress bound) {
        this.channel = channel;
        this.bound = bound;
    }

    /**
     * Listens on {@code address} (0.0.0.0 or :: for every address) in {@code namespace}.
     *
     * @param namespace where its connections live
     * @param address the address and port to listen on
     * @param backlog the most connections waiting to be accepted
     * @return the server socket; close it
     * @throws IOException when the socket cannot be opened or bound
     */
    public static MptcpServerSocket bind(NetworkNamespace namespace, InetSocketAddress address, int backlog)
            throws IOException {
        ServerSocketChannel channel = MptcpChannels.openServerSocketChannel(namespace, MptcpSocket.family(address),
                MptcpChannels.Fallback.FAIL);
        try {
            channel.bind(address, backlog);
        } catch (IOException e) {
            channel.close();
            throw new IOException("listen on " + address + " over MPTCP: " + e.getMessage(), e);
        }
        return new MptcpServerSocket(channel, address);
    }

    /**
     * Waits for the next connection.
     *
     * @return the connected socket
     * @throws IOException when accepting fails
     */
    public MptcpSocket accept() throws IOException {
        return new MptcpSocket(channel.accept());
    }

    /**
     * The address it is bound to.
     *
     * @return the bound address
     */
    public InetSocketAddress boundAddress() {
        return bound;
    }

    /**
     * The JDK channel under it.
     *
     * @return the channel
     */
    public ServerSocketChannel channel() {
        return channel;
    }

    /** Closes the socket; a thread blocked in {@link #accept()} gets an IOException. */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
