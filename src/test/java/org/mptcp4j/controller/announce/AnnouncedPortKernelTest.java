package org.mptcp4j.controller.announce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.diag.ConnectionInfo;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ServerPolicy;
import org.mptcp4j.testing.Transfers;

/**
 * The listener opened for an announced port: peers' joins there keep being accepted whatever
 * plain connections arrive on that port.
 */
@KernelTest
class AnnouncedPortKernelTest {
    private static final int ANNOUNCED_PORT = 6000;
    /** More than any listen backlog the listener could have been given. */
    private static final int PLAIN_CONNECTIONS = 100;

    @Test
    void aJoinToTheAnnouncedPortSucceedsWithPlainConnectionsThereHeldOpen() throws Exception {
        InetSocketAddress announced = new InetSocketAddress(Topology.serverAddress(2), ANNOUNCED_PORT);
        AnnounceController controller = new AnnounceController(new AnnounceController.Settings(
                List.of(announced.getAddress()), ANNOUNCED_PORT, true));
        List<SocketChannel> plain = new ArrayList<>();
        try (ServerPolicy s = new ServerPolicy(controller)) {
            Shell.run("ip", "-n", s.topology.clientName(), "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted",
                    "2");
            // The first connection has the listener opened and keeps it open.
            try (MptcpSocket first = connect(s)) {
                assertTrue(joined(awaitJoin(s, first, announced), announced), "the first connection joined the announced port");
                int completed = openPlainConnections(s.topology, announced, plain);
                try (MptcpSocket second = connect(s)) {
                    ConnectionInfo info = awaitJoin(s, second, announced);
                    assertTrue(joined(info, announced), "a join to the announced port beside " + completed
                            + " plain connections held open there: " + info);
                }
                assertEquals(PLAIN_CONNECTIONS, completed, "every plain connection's handshake completed");
                // Joins never reach the accept queue: the listener, which takes and closes what
                // does, left the first join alone.
                assertTrue(joined(first.info(), announced), "the first join still up: " + first.info());
            }
        } finally {
            for (SocketChannel c : plain) {
                c.close();
            }
        }
    }

    private static MptcpSocket connect(ServerPolicy s) throws Exception {
        MptcpSocket socket = MptcpSocket.connect(s.topology.client(), Topology.serverEndpoint(1, ServerPolicy.PORT));
        Transfers.send(socket, 1000);
        return socket;
    }

    private static ConnectionInfo awaitJoin(ServerPolicy s, MptcpSocket socket, InetSocketAddress announced)
            throws Exception {
        int token = Transfers.awaitInfo(socket, i -> i.token() != 0).token();
        return Transfers.awaitConnection(s.topology.client(), token, 10, c -> joined(c, announced));
    }

    private static boolean joined(ConnectionInfo info, InetSocketAddress announced) {
        return info != null && info.subflows().stream().anyMatch(f -> f.state() == 1 && f.remote().equals(announced));
    }

    /** Whether the connection's handshake completed, the server's reset after it included. */
    private static boolean handshakeCompleted(SocketChannel c) throws IOException {
        try {
            return c.finishConnect();
        } catch (ConnectException refused) {
            throw refused;
        } catch (SocketException reset) {
            return true;
        }
    }

    /**
     * Plain TCP connections from the client to {@code to}, never closed by the client; the
     * number whose handshake completed within 10 s (a connection still in the listener's full
     * accept queue has completed it too; those beyond it have not).
     */
    private static int openPlainConnections(Topology t, InetSocketAddress to, List<SocketChannel> opened)
            throws Exception {
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < PLAIN_CONNECTIONS; i++) {
                SocketChannel c = t.client().call(SocketChannel::open);
                opened.add(c);
                c.configureBlocking(false);
                if (!c.connect(to)) {
                    c.register(selector, SelectionKey.OP_CONNECT);
                }
            }
            int completed = PLAIN_CONNECTIONS - selector.keys().size();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (completed < PLAIN_CONNECTIONS && System.nanoTime() < deadline) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (handshakeCompleted((SocketChannel) key.channel())) {
                        key.cancel();
                        completed++;
                    }
                }
                selector.selectedKeys().clear();
            }
            return completed;
        }
    }
}
