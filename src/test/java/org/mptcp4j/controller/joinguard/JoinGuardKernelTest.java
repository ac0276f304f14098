package org.mptcp4j.controller.joinguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.diag.ConnectionInfo;
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
                    c -> ServerPolicy.established(c) == 2 && guard.refused() == 2);
            assertEquals(3, client.requested());
            assertEquals(2, guard.refused(), info.toString());
            assertEquals(1, guard.admitted());
            assertEquals(2, ServerPolicy.established(info), "the initial subflow and one join: " + info);
            assertEquals(0, loop.handlerErrors());
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
