package org.mptcp4j.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;

/** MPTCP sockets between two namespaces: reads, writes and closing under a blocked call. */
@KernelTest
class MptcpSocketKernelTest {
    private static final int PORT = 5201;

    @Test
    void ownInfoTellsTheSideAndTheState() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8);
                MptcpSocket client = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT));
                MptcpSocket accepted = listener.accept()) {
            org.mptcp4j.protocol.ConnectionInfo mine = client.info();
            org.mptcp4j.protocol.ConnectionInfo theirs = accepted.info();
            assertEquals(1, mine.state(), mine.toString());
            assertEquals(1, theirs.state(), theirs.toString());
            assertTrue(theirs.serverSide());
            assertTrue(!mine.serverSide());
        }
    }

    @Test
    void closeWakesACallBlockedInTheSocket() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            Transfers.discardServer(listener, new AtomicLong());
            MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT));
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return socket.read(ByteBuffer.allocateDirect(16)); // the server never writes
                } catch (IOException e) {
                    return -2;
                }
            });
            Thread.sleep(200);
            socket.close();
            int result = read.get(5, TimeUnit.SECONDS);
            assertTrue(result == -1 || result == -2, "the blocked read returned: " + result);
            assertThrows(IOException.class, () -> socket.write(ByteBuffer.allocateDirect(1)));
        }
    }

    @Test
    void acceptReturnsWhenTheListenerCloses() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8);
            CompletableFuture<Object> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (IOException e) {
                    return e;
                }
            });
            Thread.sleep(200);
            listener.close();
            assertInstanceOf(IOException.class, accepted.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void readingIntoAFullBufferIsNotTheEndOfTheStream() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8);
                MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
            ByteBuffer full = ByteBuffer.allocateDirect(4);
            full.position(4);
            assertEquals(0, socket.read(full));
            try (MptcpSocket accepted = listener.accept()) {
                accepted.writeFully(ByteBuffer.allocateDirect(3));
                ByteBuffer in = ByteBuffer.allocateDirect(8);
                while (in.position() < 3) {
                    socket.read(in);
                }
                assertEquals(3, in.position());
            }
        }
    }
}
