package org.mptcp4j.controller.joinguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.AddressPrefix;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ServerPolicy;
import org.mptcp4j.testing.Transfers;

/** join-guard on the server against a client that opens more subflows than it may. */
@KernelTest
class JoinGuardKernelTest {
    private static PathManager clientPathManager(ServerPolicy s) throws Exception {
        PathManagerMode.set(s.topology.client(), PathManagerMode.USERSPACE);
        return PathManager.open(s.topology.client());
    }

    /** The client's own path manager, running {@code client}. */
    private static EventLoop clientLoop(ServerPolicy s, NDiffPortsController client, PathManager pm) {
        EventLoop loop = EventLoop.builder(new ControllerHost(client, pm)).namespace(s.topology.client()).build();
        loop.start();
        return loop;
    }

    private static MptcpSocket connect(ServerPolicy s) throws Exception {
        MptcpSocket socket = MptcpSocket.connect(s.topology.client(), Topology.serverEndpoint(1, ServerPolicy.PORT));
        Transfers.send(socket, 1000);
        return socket;
    }

    @Test
    void joinsBeyondTheLimitAreClosed() throws Exception {
        JoinGuardController guard = new JoinGuardController(new JoinGuardController.Settings(2, 8, List.of(), List.of()));
        NDiffPortsController client = NDiffPortsController.sameAddressPair(3);
        try (ServerPolicy s = new ServerPolicy(guard);
                PathManager pm = clientPathManager(s);
                EventLoop loop = clientLoop(s, client, pm);
                MptcpSocket socket = connect(s)) {
            int token = socket.info().token();
            // Three joins: one is let stay, two are closed.
            ConnectionInfo info = Transfers.awaitConnection(s.topology.client(), token, 10,
                    c -> ServerPolicy.established(c) == 2 && guard.refused() == 2 && guard.admitted() == 1);
            assertEquals(3, client.requested());
            assertEquals(2, guard.refused(), info.toString());
            assertEquals(1, guard.admitted());
            assertEquals(2, ServerPolicy.established(info), "the initial subflow and one join: " + info);
            assertEquals(0, loop.handlerErrors());
        }
    }

    /**
     * The server's loop starts after the connection is established: its first resync counts the
     * initial subflow, then the ESTABLISHED event that waited in the socket arrives. Counted
     * twice, the initial subflow alone would fill a limit of two and every join be closed.
     */
    @Test
    void aConnectionFoundByResyncBeforeItsEventsIsCountedOnce() throws Exception {
        JoinGuardController guard = new JoinGuardController(new JoinGuardController.Settings(2, 8, List.of(), List.of()));
        NDiffPortsController client = NDiffPortsController.sameAddressPair(3);
        try (ServerPolicy s = new ServerPolicy(guard, false);
                PathManager pm = clientPathManager(s);
                MptcpSocket socket = connect(s)) {
            int token = socket.info().token();
            ConnectionInfo atServer = awaitServerConnection(s);
            assertTrue(atServer.fullyEstablished(), "established at the server before its loop starts: " + atServer);
            s.startServerLoop();
            try (EventLoop loop = clientLoop(s, client, pm)) {
                ConnectionInfo info = Transfers.awaitConnection(s.topology.client(), token, 10,
                        c -> ServerPolicy.established(c) == 2 && guard.refused() == 2 && guard.admitted() == 1);
                assertEquals(1, s.serverHost.discoveredConnections(), "found by the server loop's first resync ("
                        + s.serverHost.resyncs() + " resyncs): " + Connections.list(s.topology.server()));
                assertEquals(3, client.requested());
                assertEquals(1, guard.admitted(), info.toString());
                assertEquals(2, guard.refused(), info.toString());
                assertEquals(2, ServerPolicy.established(info), "the initial subflow and one join: " + info);
                assertEquals(0, loop.handlerErrors());
                assertEquals(0, s.serverLoop.handlerErrors());
            }
        }
    }

    /** The server's one connection, once sock_diag shows it fully established (or what it shows after 10 s). */
    private static ConnectionInfo awaitServerConnection(ServerPolicy s) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<ConnectionInfo> all = Connections.list(s.topology.server()).stream().filter(c -> c.state() == 1).toList();
            if ((all.size() == 1 && all.get(0).fullyEstablished()) || System.nanoTime() > deadline) {
                assertEquals(1, all.size(), "the server's established connections: " + all);
                return all.get(0);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void joinsFromADeniedPrefixAreClosed() throws Exception {
        JoinGuardController guard = new JoinGuardController(new JoinGuardController.Settings(8, 8, List.of(),
                List.of(AddressPrefix.parse("10.231.2.0/24"))));
        NDiffPortsController client = NDiffPortsController.perLocalAddress(
                List.of(Topology.clientAddress(1), Topology.clientAddress(2)));
        try (ServerPolicy s = new ServerPolicy(guard);
                PathManager pm = clientPathManager(s);
                EventLoop loop = clientLoop(s, client, pm);
                MptcpSocket socket = connect(s)) {
            int token = socket.info().token();
            ConnectionInfo info = Transfers.awaitConnection(s.topology.client(), token, 10, c -> guard.refused() == 1
                    && c.subflows().stream().noneMatch(f -> f.state() == 1
                            && f.local().getAddress().equals(Topology.clientAddress(2))));
            assertEquals(1, guard.refused(), info.toString());
            assertTrue(info.subflows().stream().noneMatch(f -> f.state() == 1
                    && f.local().getAddress().equals(Topology.clientAddress(2))), "no subflow from 10.231.2.1: " + info);
            assertEquals(1, ServerPolicy.established(info));
            assertEquals(0, loop.handlerErrors());
        }
    }

    @Test
    void joinsFromOutsideTheAllowedPrefixesOrBeyondThePerAddressLimitAreClosed() throws Exception {
        JoinGuardController guard = new JoinGuardController(new JoinGuardController.Settings(8, 2,
                List.of(AddressPrefix.parse("10.231.1.0/24")), List.of()));
        NDiffPortsController client = NDiffPortsController.perLocalAddress(
                List.of(Topology.clientAddress(1), Topology.clientAddress(2)));
        NDiffPortsController more = NDiffPortsController.sameAddressPair(2);
        try (ServerPolicy s = new ServerPolicy(guard);
                PathManager pm = clientPathManager(s);
                EventLoop loop = clientLoop(s, client, pm);
                MptcpSocket socket = connect(s)) {
            int token = socket.info().token();
            // The join from 10.231.2.1 is outside 10.231.1.0/24.
            ConnectionInfo info = Transfers.awaitConnection(s.topology.client(), token, 10,
                    c -> guard.refused() == 1 && ServerPolicy.established(c) == 1);
            assertEquals(1, guard.refused(), info.toString());
            assertEquals(1, ServerPolicy.established(info), info.toString());
            loop.stop();
            loop.awaitTermination();
            // Two more from 10.231.1.1: the first makes two from that address, the limit; the second is closed.
            try (EventLoop again = clientLoop(s, more, pm)) {
                ConnectionInfo after = Transfers.awaitConnection(s.topology.client(), token, 10,
                        c -> guard.refused() == 2 && ServerPolicy.established(c) == 2);
                assertEquals(2, guard.refused(), after.toString());
                assertEquals(2, ServerPolicy.established(after), after.toString());
                assertEquals(0, again.handlerErrors());
            }
        }
    }
}
