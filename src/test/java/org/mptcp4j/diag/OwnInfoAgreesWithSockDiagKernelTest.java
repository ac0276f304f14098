package org.mptcp4j.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;

/**
 * The two sources of diag records tell the same about one connection on the transport in use:
 * the socket's own MPTCP_FULL_INFO ({@link MptcpSocket#info()}) and the namespace's sock_diag
 * ({@link Connections#list}), on both sides of a connection of two subflows (the second made
 * by the client's in-kernel path manager), every field both carry, read while the connection
 * is quiet.
 */
@KernelTest
class OwnInfoAgreesWithSockDiagKernelTest {
    private static final int PORT = 5201;
    private static final int BYTES = 1 << 20;

    @Test
    void ownInfoAndSockDiagTellTheSameOfEachSide() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            t.allowServerSubflows(4);
            Shell.run("ip", "-n", t.clientName(), "mptcp", "limits", "set", "subflows", "4");
            Shell.run("ip", "-n", t.clientName(), "mptcp", "endpoint", "add", Topology.clientAddress(2).getHostAddress(),
                    "dev", t.clientDevice(2), "subflow");
            try (MptcpSocket client = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT));
                    MptcpSocket accepted = listener.accept()) {
                AtomicLong received = new AtomicLong();
                Transfers.discardOn(accepted, received);
                Transfers.awaitInfo(client, i -> i.subflows().size() == 2);
                Transfers.send(client, BYTES);
                ConnectionInfo acked = Transfers.awaitInfo(client, i -> i.bytesAcked() >= BYTES);
                assertTrue(acked.bytesAcked() >= BYTES, acked.toString());

                agree(client, t.client(), false);
                agree(accepted, t.server(), true);
            }
        }
    }

    /** The socket's own view against sock_diag's, read between two own views that agree (a quiet connection). */
    private static void agree(MptcpSocket socket, NetworkNamespace namespace, boolean serverSide) throws Exception {
        for (int attempt = 0;; attempt++) {
            ConnectionInfo own = socket.info();
            List<ConnectionInfo> listed = Connections.list(namespace);
            if (!own.equals(socket.info()) && attempt < 50) {
                Thread.sleep(100); // the counters moved while they were read: not yet quiet
                continue;
            }
            assertEquals(1, listed.size(), listed.toString());
            ConnectionInfo diag = listed.get(0);
            String both = "own " + own + "\nsock_diag " + diag;
            assertEquals(serverSide, own.serverSide(), both);
            assertEquals(serverSide, diag.serverSide(), both);
            assertEquals(own.token(), diag.token(), both);
            assertEquals(socket.localAddress(), own.local(), both);
            assertEquals(own.local(), diag.local(), both);
            assertEquals(own.remote(), diag.remote(), both);
            assertEquals(1, own.state(), both);
            assertEquals(own.state(), diag.state(), both);
            assertEquals(own.flags(), diag.flags(), both);
            assertEquals(1, own.extraSubflows(), both);
            assertEquals(own.extraSubflows(), diag.extraSubflows(), both);
            assertEquals(own.addAddrSignal(), diag.addAddrSignal(), both);
            assertEquals(own.addAddrAccepted(), diag.addAddrAccepted(), both);
            assertEquals(own.localAddressesUsed(), diag.localAddressesUsed(), both);
            assertEquals(own.retransmits(), diag.retransmits(), both);
            assertTrue(serverSide ? own.bytesReceived() >= BYTES : own.bytesSent() >= BYTES, both);
            assertEquals(own.bytesSent(), diag.bytesSent(), both);
            assertEquals(own.bytesReceived(), diag.bytesReceived(), both);
            assertEquals(own.bytesAcked(), diag.bytesAcked(), both);
            assertEquals(own.bytesRetransmitted(), diag.bytesRetransmitted(), both);
            assertEquals(2, own.subflows().size(), both);
            assertEquals(2, diag.subflows().size(), both);
            for (SubflowInfo mine : own.subflows()) {
                // Both ends of the pair: a server's subflows may share their local address and port.
                SubflowInfo theirs = diag.subflows().stream()
                        .filter(s -> s.local().equals(mine.local()) && s.remote().equals(mine.remote())).findFirst()
                        .orElseThrow(() -> new AssertionError("no subflow " + mine.local() + " " + mine.remote() + ": " + both));
                String pair = "own " + mine + "\nsock_diag " + theirs;
                assertEquals(1, mine.state(), pair);
                assertEquals(mine.state(), theirs.state(), pair);
                assertEquals(own.token(), mine.token(), pair);
                assertEquals(mine.token(), theirs.token(), pair);
                assertFalse(mine.rttMicros() == 0, pair);
                assertEquals(mine.rttMicros(), theirs.rttMicros(), pair);
                assertEquals(mine.rtoMicros(), theirs.rtoMicros(), pair);
                assertEquals(mine.backoff(), theirs.backoff(), pair);
                assertEquals(mine.retransmits(), theirs.retransmits(), pair);
                assertEquals(mine.totalRetransmits(), theirs.totalRetransmits(), pair);
                assertEquals(mine.bytesSent(), theirs.bytesSent(), pair);
                assertEquals(mine.bytesAcked(), theirs.bytesAcked(), pair);
                assertEquals(mine.bytesReceived(), theirs.bytesReceived(), pair);
                assertEquals(mine.deliveryRate(), theirs.deliveryRate(), pair);
            }
            return;
        }
    }
}
