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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.EventRecorder;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ServerPolicy;
import org.mptcp4j.testing.Transfers;

/**
 * The listener opened for an announced port: peers' joins there keep being accepted whatever
 * plain connections arrive on that port, and after the daemon was killed and started again.
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

    /**
     * The daemon announces an address with a port, is killed (its listener dies with it) and
     * started again: it finds the announcement in the kernel and listens there again, so the
     * peer's next join to that port succeeds with no new announcement.
     */
    @Test
    void afterTheDaemonIsKilledAndStartedAgainThePeerJoinsTheAnnouncedPortWithoutANewAnnouncement() throws Exception {
        InetSocketAddress announced = new InetSocketAddress(Topology.serverAddress(2), ANNOUNCED_PORT);
        EventRecorder clientEvents = new EventRecorder();
        try (Topology t = Topology.create("m4j-test", 2)) {
            t.routeBySource();
            PathManagerMode.set(t.server(), PathManagerMode.USERSPACE);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            String[] run = {"run", "-n", t.serverName(), "--control-socket", "off", "--print-discovered", "--controller", "announce",
                    "addresses=" + announced.getAddress().getHostAddress(), "port=" + ANNOUNCED_PORT};
            try (MptcpServerSocket app = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0",
                    ServerPolicy.PORT), 16);
                    PathManager client = PathManager.open(t.client());
                    EventLoop clientLoop = EventLoop.builder(clientEvents).namespace(t.client()).build()) {
                Transfers.discardServer(app, new AtomicLong());
                clientLoop.start();
                MptcpSocket socket = null;
                try {
                    try (CommandProcess first = CommandProcess.startAndAwaitReady(run)) {
                        socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, ServerPolicy.PORT));
                        Transfers.send(socket, 1000);
                        int token = Transfers.awaitInfo(socket, i -> i.token() != 0).token();
                        clientEvents.await(MptcpEventType.ANNOUNCED, e -> e.token() == token);
                        assertEquals(1, join(client, socket, announced), "joined while the first daemon ran");
                        first.kill();
                    }
                    try (CommandProcess second = CommandProcess.startAndAwaitReady(run)) {
                        assertTrue(second.awaitOut("discovered token", 10).contains("discovered token"), second.out());
                        assertEquals(2, join(client, socket, announced), "joined again after the restart");
                        int token = socket.info().token();
                        assertEquals(1, clientEvents.seen().stream()
                                .filter(e -> e.type() == MptcpEventType.ANNOUNCED && e.token() == token).count(),
                                "announced once: " + clientEvents.seen());
                        assertEquals(0, second.terminate(), second.err());
                    }
                } finally {
                    if (socket != null) {
                        socket.close();
                    }
                }
            }
        }
    }

    /** The client opens a subflow from its second address to {@code to}; its established subflows there then. */
    private static long join(PathManager client, MptcpSocket socket, InetSocketAddress to) throws Exception {
        int token = socket.info().token();
        long before = joins(socket.info(), to);
        client.createSubflow(token, MptcpAddress.of(Topology.clientAddress(2), 0).id(1), MptcpAddress.of(to.getAddress(),
                to.getPort()));
        return joins(Transfers.awaitInfo(socket, i -> joins(i, to) > before), to);
    }

    private static long joins(ConnectionInfo info, InetSocketAddress to) {
        return info.subflows().stream().filter(f -> f.state() == 1 && f.remote().equals(to)).count();
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
