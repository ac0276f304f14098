package org.mptcp4j.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;

/**
 * A topology whose client namespace uses the userspace path manager, with a server discarding
 * what it gets on {@link #PORT}, accepting up to 8 subflows a connection: what a daemon manages.
 */
public record ServedTopology(Topology topology, MptcpServerSocket listener) implements AutoCloseable {
    public static final int PORT = 5201;

    /** With {@code paths} veth paths. */
    public static ServedTopology create(int paths) throws Exception {
        Topology t = Topology.create("m4j-test", paths);
        try {
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 256);
            Transfers.discardServer(listener, new AtomicLong());
            return new ServedTopology(t, listener);
        } catch (Exception e) {
            t.close();
            throw e;
        }
    }

    public String clientName() {
        return topology.clientName();
    }

    /** A connection from the client over path 1, fully established (the peer acknowledged data). */
    public MptcpSocket connect() throws IOException {
        MptcpSocket s = MptcpSocket.connect(topology.client(), Topology.serverEndpoint(1, PORT));
        Transfers.send(s, 1000);
        return s;
    }

    @Override
    public void close() throws IOException {
        try {
            listener.close();
        } finally {
            topology.close();
        }
    }
}
