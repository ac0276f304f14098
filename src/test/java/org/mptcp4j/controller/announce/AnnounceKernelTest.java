package org.mptcp4j.controller.announce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ServerPolicy;
import org.mptcp4j.testing.Transfers;

/**
 * announce on the server: a client whose in-kernel path manager accepts announcements opens a
 * subflow to the announced address (and port, where the server then listens).
 */
@KernelTest
class AnnounceKernelTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 6000})
    void theClientJoinsTheAnnouncedAddress(int port) throws Exception {
        AnnounceController controller = new AnnounceController(new AnnounceController.Settings(
                List.of(Topology.serverAddress(2)), port, true));
        try (ServerPolicy s = new ServerPolicy(controller)) {
            Shell.run("ip", "-n", s.topology.clientName(), "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted",
                    "2");
            int token;
            try (MptcpSocket socket = MptcpSocket.connect(s.topology.client(), Topology.serverEndpoint(1, ServerPolicy.PORT))) {
                Transfers.send(socket, 1000);
                token = socket.info().token();
                int expectedPort = port == 0 ? ServerPolicy.PORT : port;
                ConnectionInfo client = Transfers.awaitConnection(s.topology.client(), token, 10, c -> c.subflows().stream()
                        .anyMatch(f -> f.state() == 1 && f.remote().getAddress().equals(Topology.serverAddress(2))));
                assertTrue(client.subflows().stream().anyMatch(f -> f.state() == 1
                        && f.remote().getAddress().equals(Topology.serverAddress(2))
                        && f.remote().getPort() == expectedPort), "a subflow to the announced address: " + client);
                assertEquals(1, controller.announcements());
                assertEquals(0, controller.refused());
                assertEquals(port == 0 ? 0 : 1, s.serverPm.announcedListeners(), "a listener only for a port");
            }
            if (port != 0) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (s.serverPm.announcedListeners() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(0, s.serverPm.announcedListeners(), "the listener closed with its connection");
            }
        }
    }

    /** addr-flags = backup (mptcpd's key): the server answers the join to its announced address as a backup subflow. */
    @Test
    void withAddrFlagsBackupTheJoinToTheAnnouncedAddressIsBackup() throws Exception {
        AnnounceController controller = new AnnounceController(new AnnounceController.Settings(
                List.of(Topology.serverAddress(2)), 0, true));
        try (ServerPolicy s = new ServerPolicy(controller, false)) {
            s.serverHost.addressFlags(MptcpAddress.FLAG_BACKUP | MptcpAddress.FLAG_SUBFLOW);
            s.startServerLoop();
            Shell.run("ip", "-n", s.topology.clientName(), "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted",
                    "2");
            try (MptcpSocket socket = MptcpSocket.connect(s.topology.client(), Topology.serverEndpoint(1, ServerPolicy.PORT))) {
                Transfers.send(socket, 1000);
                ConnectionInfo client = Transfers.awaitConnection(s.topology.client(), socket.info().token(), 10,
                        c -> c.subflows().stream().anyMatch(f -> f.state() == 1
                                && f.remote().getAddress().equals(Topology.serverAddress(2))));
                SubflowInfo joined = client.subflows().stream()
                        .filter(f -> f.remote().getAddress().equals(Topology.serverAddress(2))).findFirst().orElseThrow();
                assertTrue(joined.peerBackup(), "the server marked the join backup: " + client);
                SubflowInfo initial = client.subflows().stream()
                        .filter(f -> f.remote().getAddress().equals(Topology.serverAddress(1))).findFirst().orElseThrow();
                assertFalse(initial.peerBackup(), "not the initial subflow: " + client);
            }
        }
    }
}
