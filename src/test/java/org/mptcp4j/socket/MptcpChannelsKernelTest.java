package org.mptcp4j.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ConnectionPolicy;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpChannels.Fallback;
import org.mptcp4j.testing.KernelTest;

/** MPTCP sockets as the JDK's own channels, between two namespaces. */
@KernelTest
class MptcpChannelsKernelTest {
    private static final int PORT = 5201;
    private static final InetSocketAddress SERVER = Topology.serverEndpoint(1, PORT);

    @Test
    void aSelectorLoopEchoesOverMptcpBetweenNamespaces() throws Exception {
        byte[] sent = new byte[1 << 20];
        new Random(7).nextBytes(sent);
        ByteBuffer received = ByteBuffer.allocate(sent.length);
        try (Topology t = Topology.create("m4j-test", 1);
                Selector selector = Selector.open();
                ServerSocketChannel server = MptcpChannels.openServerSocketChannel(t.server(), StandardProtocolFamily.INET,
                        Fallback.FAIL);
                SocketChannel client = MptcpChannels.openSocketChannel(t.client(), StandardProtocolFamily.INET,
                        Fallback.FAIL)) {
            server.bind(new InetSocketAddress("0.0.0.0", PORT));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            client.configureBlocking(false);
            client.connect(SERVER);
            client.register(selector, SelectionKey.OP_CONNECT);
            ByteBuffer toSend = ByteBuffer.wrap(sent);
            SocketChannel accepted = null;
            try {
                ByteBuffer echo = ByteBuffer.allocate(64 * 1024);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                // One thread, one selector: accept, connect, send, echo back, receive.
                while (received.hasRemaining() && System.nanoTime() < deadline) {
                    selector.select(100);
                    for (SelectionKey key : selector.selectedKeys()) {
                        if (key.isAcceptable()) {
                            accepted = server.accept();
                            accepted.configureBlocking(false);
                            accepted.register(selector, SelectionKey.OP_READ);
                        } else if (key.channel() == client) {
                            if (key.isConnectable() && client.finishConnect()) {
                                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                            }
                            if (key.isValid() && key.isWritable()) {
                                client.write(toSend);
                                if (!toSend.hasRemaining()) {
                                    key.interestOps(SelectionKey.OP_READ);
                                }
                            }
                            if (key.isValid() && key.isReadable()) {
                                client.read(received);
                            }
                        } else {
                            // The echo side: reads while it has room, writes back what it holds, never spins.
                            SocketChannel peer = (SocketChannel) key.channel();
                            if (key.isReadable() && echo.hasRemaining()) {
                                peer.read(echo);
                            }
                            echo.flip();
                            peer.write(echo);
                            echo.compact();
                            key.interestOps(echo.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                        }
                    }
                    selector.selectedKeys().clear();
                }
                assertArrayEquals(sent, received.array(), "echoed over MPTCP");
                assertTrue(MptcpChannels.isMptcp(server));
                assertTrue(MptcpChannels.isMptcp(client));
                assertTrue(accepted != null && MptcpChannels.isMptcp(accepted), "accepted from an MPTCP listener: MPTCP");
                assertFalse(MptcpChannels.fellBackToTcp(client));
                assertTrue(MptcpChannels.answersMptcpInfo(client), "how a kernel before 6.10 is asked");
                ConnectionInfo own = MptcpChannels.info(client);
                ConnectionInfo peer = MptcpChannels.info(accepted);
                assertFalse(own.serverSide());
                assertTrue(peer.serverSide());
                assertTrue(own.token() != 0 && peer.token() != 0 && own.token() != peer.token(), own + "\n" + peer);
                assertEquals(sent.length, own.bytesAcked(), own.toString());
                assertEquals(sent.length, peer.bytesReceived(), peer.toString());
                assertEquals(client.getLocalAddress(), own.local());
            } finally {
                if (accepted != null) {
                    accepted.close();
                }
            }
        }
    }

    /**
     * The paper's smart application: it names its own connection to an in-process path manager
     * and asks for a policy on it, then sees the subflows it got through its own socket while
     * bytes flow on each.
     */
    @Test
    void anApplicationAsksForSubflowsOnItsOwnConnectionAndSeesThemCarryBytes() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                ServerSocket server = MptcpChannels.openServerSocket(t.server(), StandardProtocolFamily.INET, Fallback.FAIL)) {
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            server.bind(new InetSocketAddress("0.0.0.0", PORT));
            CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> drain(server));
            try (PathManager pm = PathManager.open(t.client())) {
                ControllerHost host = new ControllerHost(ConnectionPolicy.parse("default -> none").assignable(), pm);
                talk(t, host);
            }
            assertTrue(drained.get(20, TimeUnit.SECONDS) > 0);
        }
    }

    /** Connects from the client, asks the in-process path manager for 2 more subflows, watches them carry bytes. */
    private static void talk(Topology t, ControllerHost host) throws Exception {
        try (EventLoop loop = EventLoop.builder(host).namespace(t.client()).build();
                Socket socket = MptcpChannels.openSocket(t.client(), StandardProtocolFamily.INET, Fallback.FAIL)) {
            loop.start();
            socket.connect(SERVER);
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            out.write(chunk);
            SocketChannel channel = socket.getChannel();
            int token = MptcpChannels.token(channel);
            CompletableFuture<String> asked = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    asked.complete(host.assign(token, "ndiffports", Map.of("subflows", "2")).toString());
                } catch (RuntimeException e) {
                    asked.completeExceptionally(e);
                }
            });
            assertTrue(asked.get(10, TimeUnit.SECONDS).startsWith("ndiffports (2 extra"));
            ConnectionInfo info = MptcpChannels.info(channel);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(info.subflows().size() == 3 && info.subflows().stream().allMatch(s -> s.bytesSent() > 0))
                    && System.nanoTime() < deadline) {
                out.write(chunk);
                info = MptcpChannels.info(channel);
            }
            assertEquals(3, info.subflows().size(), info.toString());
            for (SubflowInfo s : info.subflows()) {
                assertTrue(s.bytesSent() > 0 && s.state() == 1, "every subflow carries bytes: " + info);
            }
            assertEquals(2, info.extraSubflows(), info.toString());
            socket.shutdownOutput();
        }
    }

    @Test
    void againstATcpOnlyPeerTheConnectionFallsBackAndTheApplicationCanTell() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            // MPTCP disabled on the server: opening MPTCP there fails and says why, or gives plain TCP when asked.
            Shell.run("ip", "netns", "exec", t.serverName(), "sysctl", "-qw", "net.mptcp.enabled=0");
            IOException refused = assertThrows(IOException.class,
                    () -> MptcpChannels.openServerSocketChannel(t.server(), StandardProtocolFamily.INET, Fallback.FAIL));
            assertTrue(refused.getMessage().startsWith("MPTCP is disabled in network namespace " + t.serverName()
                    + " (socket(IPPROTO_MPTCP): "), refused.getMessage());
            try (ServerSocketChannel tcp = MptcpChannels.openServerSocketChannel(t.server(), StandardProtocolFamily.INET,
                    Fallback.TCP)) {
                assertFalse(MptcpChannels.isMptcp(tcp), "plain TCP, as asked");
                tcp.bind(new InetSocketAddress("0.0.0.0", PORT));
                // An IPv4 socket, and the JDK's default: dual-stack IPv6 reaching the peer v4-mapped.
                for (StandardProtocolFamily family : new StandardProtocolFamily[] {StandardProtocolFamily.INET, null}) {
                    try (SocketChannel client = MptcpChannels.openSocketChannel(t.client(), family, Fallback.FAIL)) {
                        client.connect(SERVER);
                        try (SocketChannel accepted = tcp.accept()) {
                            client.write(ByteBuffer.wrap(new byte[1000]));
                            ByteBuffer in = ByteBuffer.allocate(1000);
                            while (in.hasRemaining() && accepted.read(in) > 0) {
                                // until all arrived
                            }
                            assertFalse(in.hasRemaining());
                            assertTrue(MptcpChannels.isMptcp(client), family + ": an MPTCP socket still");
                            assertTrue(MptcpChannels.fellBackToTcp(client), family + ": whose connection fell back to TCP");
                            assertFalse(MptcpChannels.answersMptcpInfo(client), family + ": as a kernel before 6.10 tells");
                            IOException noInfo = assertThrows(IOException.class, () -> MptcpChannels.info(client));
                            assertTrue(noInfo.getMessage().startsWith("the connection fell back to TCP"), noInfo.getMessage());
                            assertTrue(MptcpChannels.fellBackToTcp(accepted), "the TCP side is TCP");
                        }
                    }
                }
            }
        }
    }

    private static long drain(ServerSocket server) {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
