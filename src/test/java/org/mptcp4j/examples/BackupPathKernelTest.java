package org.mptcp4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.EventRecorder;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.SeenEvent;
import org.mptcp4j.testing.Transfers;

/**
 * The README's controller does what the README says: the peer sees a backup subflow from the
 * second address (the kernel reports the backup bit in the events of the side that received it).
 */
@KernelTest
class BackupPathKernelTest {
    @Test
    void opensABackupSubflowFromTheSecondAddress() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2)) {
            t.routeBySource();
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            EventRecorder client = new EventRecorder();
            EventRecorder server = new EventRecorder();
            try (PathManager pm = PathManager.open(t.client())) {
                ControllerHost host = new ControllerHost(new BackupPath("10.231.2.1"), pm);
                EventHandler both = event -> {
                    client.onEvent(event);
                    host.onEvent(event);
                };
                try (EventLoop loop = EventLoop.builder(both).namespace(t.client()).build();
                        EventLoop peer = EventLoop.builder(server).namespace(t.server()).build();
                        MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", 5201), 8)) {
                    loop.start();
                    peer.start();
                    Transfers.discardServer(listener, new AtomicLong());
                    try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, 5201))) {
                        Transfers.send(socket, 100);
                        int token = socket.info().token();
                        SeenEvent opened = client.await(MptcpEventType.SUB_ESTABLISHED, e -> e.token() == token);
                        assertEquals(Topology.clientAddress(2), opened.local());
                        assertEquals(1, opened.localId());
                        SeenEvent joined = server.await(MptcpEventType.SUB_ESTABLISHED,
                                e -> e.remotePort() == opened.localPort());
                        assertTrue(joined.backup(), "the MP_JOIN carried the backup bit: " + joined.line());
                        assertEquals(Topology.clientAddress(2), joined.remote());
                        assertEquals(1, joined.remoteId());
                    }
                }
            }
        }
    }
}
