package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.protocol.TcpState;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.SeenEvent;
import org.mptcp4j.testing.Transfers;
import org.mptcp4j.testing.TwoHosts.Family;
import org.mptcp4j.testing.TwoHosts;

/**
 * Each userspace-PM command on a live connection, client and server side, in IPv4, IPv6 and
 * v4-mapped addresses, judged by what the peer sees: its events, its counters, the kernel's lists.
 */
@KernelTest
class UserspaceCommandsKernelTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void announceReachesThePeerWithAndWithoutAPort(Family family) throws Exception {
        try (TwoHosts h = TwoHosts.connect(family)) {
            h.client.announce(h.clientToken, h.client(2, 0).id(2));
            SeenEvent plain = h.serverEvents.await(MptcpEventType.ANNOUNCED, e -> e.remoteId() == 2);
            assertEquals(h.serverToken, plain.token());
            assertEquals(h.clientAddress(2), plain.remote());
            assertEquals(h.clientPort(), plain.remotePort(), "no port announced: the initial subflow's is reported");

            h.client.announce(h.clientToken, h.client(1, 7000).id(0x30));
            SeenEvent withPort = h.serverEvents.await(MptcpEventType.ANNOUNCED, e -> e.remoteId() == 0x30);
            assertEquals(h.clientAddress(1), withPort.remote());
            assertEquals(7000, withPort.remotePort());

            h.client.remove(h.clientToken, 2);
            SeenEvent removed = h.serverEvents.await(MptcpEventType.REMOVED, e -> e.remoteId() == 2);
            assertEquals(h.serverToken, removed.token());
        }
    }

    /**
     * The server announces its second address with a listener; the client joins it; MP_PRIO,
     * the local address list, destroy and remove follow, each seen by the other side.
     */
    @ParameterizedTest
    @EnumSource(Family.class)
    void aSubflowToAnAnnouncedAddressThroughItsLife(Family family) throws Exception {
        try (TwoHosts h = TwoHosts.connect(family)) {
            h.server.announce(h.serverToken, h.server(2, 5202).id(5), true);
            SeenEvent listening = h.serverEvents.await(MptcpEventType.LISTENER_CREATED, e -> e.localPort() == 5202);
            assertEquals(h.serverAddress(2), listening.local());
            SeenEvent announced = h.clientEvents.await(MptcpEventType.ANNOUNCED, e -> e.remoteId() == 5);
            assertEquals(h.serverAddress(2), announced.remote());
            assertEquals(5202, announced.remotePort());
            assertEquals(1, h.server.announcedListeners());

            h.client.createSubflow(h.clientToken, h.client(2, 0).id(2), h.server(2, 5202));
            SeenEvent opened = h.clientEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.localId() == 2);
            assertEquals(5, opened.remoteId());
            assertEquals(h.clientAddress(2), opened.local());
            assertEquals(5202, opened.remotePort());
            SeenEvent joined = h.serverEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.remotePort() == opened.localPort());
            assertEquals(5, joined.localId());
            assertEquals(2, joined.remoteId());
            assertEquals(5202, joined.localPort());

            MptcpAddress local = h.client(2, opened.localPort());
            MptcpAddress remote = h.server(2, 5202);
            long sentBefore = h.counter(true, "MPTcpExtMPPrioTx");
            long receivedBefore = h.counter(false, "MPTcpExtMPPrioRx");
            h.client.setBackup(h.clientToken, local, remote, true);
            SeenEvent priority = h.serverEvents.await(MptcpEventType.SUB_PRIORITY, e -> e.remotePort() == opened.localPort());
            assertTrue(priority.backup(), priority.line());
            assertEquals(sentBefore + 1, h.counter(true, "MPTcpExtMPPrioTx"));
            assertEquals(receivedBefore + 1, h.counter(false, "MPTcpExtMPPrioRx"));

            List<MptcpAddress> addresses = h.client.localAddresses(h.clientToken);
            assertTrue(addresses.stream().anyMatch(a -> a.id() == 2 && a.sameAddress(h.client(2, 0))), addresses.toString());
            MptcpAddress two = h.client.localAddress(h.clientToken, 2);
            assertTrue(two.sameAddress(h.client(2, 0)), two.toString());
            assertEquals(List.of(5), h.server.localAddresses(h.serverToken).stream().map(MptcpAddress::id).toList());

            h.client.destroySubflow(h.clientToken, local, remote);
            h.clientEvents.await(MptcpEventType.SUB_CLOSED, e -> e.localPort() == opened.localPort());
            h.serverEvents.await(MptcpEventType.SUB_CLOSED, e -> e.remotePort() == opened.localPort());

            h.server.remove(h.serverToken, 5);
            assertEquals(h.clientToken, h.clientEvents.await(MptcpEventType.REMOVED, e -> e.remoteId() == 5).token());
            h.serverEvents.await(MptcpEventType.LISTENER_CLOSED, e -> e.localPort() == 5202);
            assertEquals(0, h.server.announcedListeners());
        }
    }

    /** Subflows the other way: the client announces a port with a listener, the server joins it. */
    @ParameterizedTest
    @EnumSource(Family.class)
    void theServerOpensASubflowTowardsTheClient(Family family) throws Exception {
        try (TwoHosts h = TwoHosts.connect(family)) {
            h.client.announce(h.clientToken, h.client(2, 6000).id(2), true);
            h.clientEvents.await(MptcpEventType.LISTENER_CREATED, e -> e.localPort() == 6000);
            h.serverEvents.await(MptcpEventType.ANNOUNCED, e -> e.remoteId() == 2 && e.remotePort() == 6000);

            h.server.createSubflow(h.serverToken, h.server(2, 0).id(7), h.client(2, 6000));
            SeenEvent opened = h.serverEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.localId() == 7);
            assertEquals(6000, opened.remotePort());
            SeenEvent accepted = h.clientEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.localPort() == 6000);
            assertEquals(7, accepted.remoteId());
            assertEquals(opened.localPort(), accepted.remotePort());

            h.server.destroySubflow(h.serverToken, h.server(2, opened.localPort()), h.client(2, 6000));
            h.clientEvents.await(MptcpEventType.SUB_CLOSED, e -> e.localPort() == 6000);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void removingId0ClosesTheInitialSubflowAndTheConnectionGoesOn(Family family) throws Exception {
        try (TwoHosts h = TwoHosts.connect(family)) {
            h.client.createSubflow(h.clientToken, h.client(2, 0).id(2), h.server(2, TwoHosts.PORT));
            h.clientEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.localId() == 2);
            int initialPort = h.clientPort();

            h.client.remove(h.clientToken, 0);
            assertEquals(h.serverToken, h.serverEvents.await(MptcpEventType.REMOVED, e -> e.remoteId() == 0).token());
            h.clientEvents.await(MptcpEventType.SUB_CLOSED, e -> e.localPort() == initialPort);

            Transfers.send(h.clientSocket, 1 << 20);
            ConnectionInfo info = Transfers.awaitInfo(h.clientSocket, i -> i.bytesAcked() > 1 << 20);
            assertTrue(info.bytesAcked() > 1 << 20, "data still flows on the second subflow: " + info);
            for (SubflowInfo sf : info.subflows()) {
                // The kernel keeps the first subflow in the list, closed.
                assertEquals(sf.local().getPort() == initialPort ? TcpState.CLOSE : TcpState.ESTABLISHED, sf.state(), info.toString());
            }
        }
    }

    /** What the kernel says, word for word, when a command on a live connection is wrong. */
    @ParameterizedTest
    @EnumSource(Family.class)
    void refusalsCarryTheKernelsWords(Family family) throws Exception {
        try (TwoHosts h = TwoHosts.connect(family)) {
            assertRefused("ANNOUNCE: Invalid argument (EINVAL): invalid addr id",
                    () -> h.client.announce(h.clientToken, h.client(2, 0).id(0)));
            assertRefused("ANNOUNCE: Invalid argument (EINVAL): invalid addr id",
                    () -> h.client.announce(h.clientToken, h.client(2, 0)));
            h.client.announce(h.clientToken, h.client(2, 0).id(2));
            assertRefused("ANNOUNCE: Invalid argument (EINVAL): did not match address and id",
                    () -> h.client.announce(h.clientToken, h.client(2, 0).id(3)));
            assertRefused("REMOVE: Invalid argument (EINVAL): address with id 77 not found",
                    () -> h.client.remove(h.clientToken, 77));
            assertRefused("SUBFLOW_DESTROY: No such process (ESRCH): subflow not found",
                    () -> h.client.destroySubflow(h.clientToken, h.client(2, 1), h.server(2, TwoHosts.PORT)));
            int wrong = h.clientToken ^ 0x5a5a5a5a;
            for (Runnable command : List.<Runnable>of(
                    () -> h.client.announce(wrong, h.client(2, 0).id(2)),
                    () -> h.client.remove(wrong, 2),
                    () -> h.client.createSubflow(wrong, h.client(2, 0).id(2), h.server(2, TwoHosts.PORT)),
                    () -> h.client.destroySubflow(wrong, h.client(2, 1), h.server(2, TwoHosts.PORT)),
                    () -> h.client.setBackup(wrong, h.client(2, 1), h.server(2, TwoHosts.PORT), true),
                    () -> h.client.localAddresses(wrong))) {
                PathManagerException e = assertThrows(PathManagerException.class, command::run);
                assertEquals(Errno.EINVAL, e.errno());
                assertEquals("invalid token", e.extack(), e.getMessage());
            }
        }
    }

    /** A refused announcement leaves the listeners of the accepted ones as they were. */
    @org.junit.jupiter.api.Test
    void aRefusedAnnouncementKeepsTheListenersOfTheOthers() throws Exception {
        try (TwoHosts h = TwoHosts.connect(Family.IPV4)) {
            h.server.announce(h.serverToken, h.server(2, 7001).id(5), true);
            h.serverEvents.await(MptcpEventType.LISTENER_CREATED, e -> e.localPort() == 7001);
            assertRefused("ANNOUNCE: Invalid argument (EINVAL): did not match address and id",
                    () -> h.server.announce(h.serverToken, h.server(1, 7002).id(5), true));
            assertEquals(1, h.server.announcedListeners(), "only the listener of the accepted announcement");
            h.serverEvents.await(MptcpEventType.LISTENER_CLOSED, e -> e.localPort() == 7002);

            h.server.announce(h.serverToken, h.server(2, 7001).id(5), true);
            assertEquals(1, h.server.announcedListeners(), "announcing again shares the listener");
            h.server.remove(h.serverToken, 5);
            h.serverEvents.await(MptcpEventType.LISTENER_CLOSED, e -> e.localPort() == 7001);
            assertEquals(0, h.server.announcedListeners());
        }
    }

    /** On a v4-mapped connection the kernel names subflows in the mapped form, and matches only that. */
    @org.junit.jupiter.api.Test
    void aV4MappedSubflowIsNamedInItsMappedForm() throws Exception {
        try (TwoHosts h = TwoHosts.connect(Family.V4_MAPPED)) {
            h.client.createSubflow(h.clientToken, h.client(2, 0).id(2), h.server(2, TwoHosts.PORT));
            SeenEvent opened = h.clientEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.localId() == 2);
            assertEquals(MptcpAddress.AF_INET6, opened.family());
            assertTrue(opened.line().contains("saddr6=::ffff:10.231.2.1"), opened.line());
            assertRefused("SUBFLOW_DESTROY: No such process (ESRCH): subflow not found",
                    () -> h.client.destroySubflow(h.clientToken, MptcpAddress.of(org.mptcp4j.demo.Topology.clientAddress(2),
                            opened.localPort()), MptcpAddress.of(org.mptcp4j.demo.Topology.serverAddress(2), TwoHosts.PORT)));
            h.client.destroySubflow(h.clientToken, h.client(2, opened.localPort()), h.server(2, TwoHosts.PORT));
            h.serverEvents.await(MptcpEventType.SUB_CLOSED, e -> e.remotePort() == opened.localPort());
        }
    }

    private static void assertRefused(String message, Runnable command) {
        PathManagerException e = assertThrows(PathManagerException.class, command::run);
        assertEquals(message, e.getMessage());
    }
}
