package org.mptcp4j.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;
import org.mptcp4j.testing.TwoHosts;

/** Connection and subflow info from sock_diag, checked against ss for the same sockets. */
@KernelTest
class ConnectionsKernelTest {
    /** ss -tni's detail line of an MPTCP subflow: bytes and "token:REMOTE(id:R)/LOCAL(id:L)". */
    private static final Pattern SUBFLOW = Pattern.compile(
            "(?m)^ESTAB\\s+\\d+\\s+\\d+\\s+(\\S+):(\\d+)\\s+(\\S+):(\\d+).*\\n\\s.*?bytes_sent:(\\d+).*?bytes_acked:(\\d+).*?"
                    + "tcp-ulp-mptcp .*?token:([0-9a-f]+)\\(id:(\\d+)\\)/([0-9a-f]+)\\(id:(\\d+)\\)");

    @Test
    void infoEqualsWhatSsShowsForTheSameSockets() throws Exception {
        try (TwoHosts h = TwoHosts.connect(TwoHosts.Family.IPV4)) {
            h.client.createSubflow(h.clientToken, h.client(2, 0).id(2), h.server(2, TwoHosts.PORT));
            h.clientEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.localId() == 2);
            Transfers.send(h.clientSocket, 1 << 20);
            Transfers.awaitInfo(h.clientSocket, i -> i.bytesAcked() >= (1 << 20) + 100);
            Thread.sleep(200); // quiet: the counters hold still while both tools read them

            List<ConnectionInfo> connections = Connections.list(h.topology.client());
            String ssM = h.topology.clientSs("-Mni");
            String ssT = h.topology.clientSs("-tni");
            assertEquals(1, connections.size(), connections.toString());
            ConnectionInfo c = connections.get(0);
            assertEquals(h.clientToken, c.token());
            assertTrue(ssM.contains("token:" + Integer.toHexString(c.token())), ssM);
            assertTrue(ssM.contains("subflows:" + c.extraSubflows()), ssM);
            assertEquals(1, c.extraSubflows());
            assertFalse(c.serverSide());
            assertEquals(h.clientSocket.localAddress(), c.local());

            Matcher m = SUBFLOW.matcher(ssT);
            int matched = 0;
            while (m.find()) {
                String localPort = m.group(2);
                SubflowInfo f = c.subflows().stream().filter(s -> Integer.toString(s.local().getPort()).equals(localPort))
                        .findFirst().orElseThrow(() -> new AssertionError("no subflow from port " + localPort + " in " + c));
                assertEquals(m.group(1), f.local().getAddress().getHostAddress());
                assertEquals(m.group(3), f.remote().getAddress().getHostAddress());
                assertEquals(Integer.parseInt(m.group(4)), f.remote().getPort());
                assertEquals(Long.parseLong(m.group(5)), f.bytesSent(), "bytes_sent of " + f);
                assertEquals(Long.parseLong(m.group(6)), f.bytesAcked(), "bytes_acked of " + f);
                assertEquals(Long.parseLong(m.group(7), 16), f.remoteToken() & 0xffffffffL);
                assertEquals(Integer.parseInt(m.group(8)), f.remoteId());
                assertEquals(Long.parseLong(m.group(9), 16), f.token() & 0xffffffffL);
                assertEquals(Integer.parseInt(m.group(10)), f.localId());
                matched++;
            }
            assertEquals(2, matched, ssT);
            assertEquals(2, c.subflows().size());
            assertTrue(c.subflows().stream().anyMatch(f -> f.localId() == 2), "the second subflow's address id");

            List<ConnectionInfo> server = Connections.list(h.topology.server());
            assertEquals(1, server.size());
            assertTrue(server.get(0).serverSide(), "an MPTCP socket listens on its local port");
            assertEquals(h.serverToken, server.get(0).token());
        }
    }

    @Test
    void theServerSideIsKnownAfterItsListenerClosed() throws Exception {
        try (org.mptcp4j.demo.Topology t = org.mptcp4j.demo.Topology.create("m4j-test", 1)) {
            org.mptcp4j.socket.MptcpServerSocket listener = org.mptcp4j.socket.MptcpServerSocket.bind(t.server(),
                    new java.net.InetSocketAddress("0.0.0.0", 5201), 8);
            try (org.mptcp4j.socket.MptcpSocket client = org.mptcp4j.socket.MptcpSocket.connect(t.client(),
                    org.mptcp4j.demo.Topology.serverEndpoint(1, 5201));
                    org.mptcp4j.socket.MptcpSocket accepted = listener.accept()) {
                listener.close();
                Transfers.send(client, 100);
                List<ConnectionInfo> server = Connections.list(t.server());
                assertEquals(1, server.size(), server.toString());
                assertEquals(accepted.info().token(), server.get(0).token());
                assertTrue(server.get(0).serverSide(), "accepted here, though nothing listens any more: " + server);
                List<ConnectionInfo> clients = Connections.list(t.client());
                assertEquals(1, clients.size(), clients.toString());
                assertFalse(clients.get(0).serverSide());
            }
        }
    }

    @Test
    void moreConnectionsThanTheFirstBufferHoldsAreAllListed() throws Exception {
        int connections = 150; // with their subflows, more records than the first buffer's 256
        try (org.mptcp4j.demo.Topology t = org.mptcp4j.demo.Topology.create("m4j-test", 1);
                org.mptcp4j.socket.MptcpServerSocket listener = org.mptcp4j.socket.MptcpServerSocket.bind(t.server(),
                        new java.net.InetSocketAddress("0.0.0.0", 5201), 256)) {
            Transfers.discardServer(listener, new java.util.concurrent.atomic.AtomicLong());
            List<org.mptcp4j.socket.MptcpSocket> sockets = new java.util.ArrayList<>();
            try {
                java.util.Set<Integer> tokens = new java.util.HashSet<>();
                for (int i = 0; i < connections; i++) {
                    org.mptcp4j.socket.MptcpSocket s = org.mptcp4j.socket.MptcpSocket.connect(t.client(),
                            org.mptcp4j.demo.Topology.serverEndpoint(1, 5201));
                    sockets.add(s);
                    tokens.add(s.info().token());
                }
                List<ConnectionInfo> listed = Connections.list(t.client());
                assertEquals(tokens, listed.stream().map(ConnectionInfo::token).collect(java.util.stream.Collectors.toSet()));
                assertTrue(listed.stream().allMatch(c -> c.subflows().size() == 1), "each with its subflow");
            } finally {
                for (org.mptcp4j.socket.MptcpSocket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
