package org.mptcp4j.controller.ndiffports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;

/** ndiffports on a real connection: the subflows exist in the kernel and carry bytes. */
@KernelTest
class NDiffPortsKernelTest {
    private static final int PORT = 5201;

    private static ConnectionInfo transferWith(Topology t, NDiffPortsController controller, int expectedExtra)
            throws Exception {
        t.allowServerSubflows(8);
        PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
        AtomicLong received = new AtomicLong();
        ConnectionInfo result;
        try (PathManager pm = PathManager.open(t.client());
                EventLoop loop = EventLoop.builder(new ControllerHost(controller, pm)).namespace(t.client()).build();
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            loop.start();
            Transfers.discardServer(listener, received);
            try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                Transfers.send(socket, 1 << 16);
                ConnectionInfo info = Transfers.awaitInfo(socket, i -> i.extraSubflows() == expectedExtra);
                assertEquals(expectedExtra, info.extraSubflows(), "subflows after ESTABLISHED: " + info);
                String ss = t.clientSs("-Mni");
                assertTrue(ss.contains("subflows:" + expectedExtra), ss);
                Transfers.send(socket, 24 << 20);
                result = Transfers.awaitInfo(socket, i -> i.subflows().stream().allMatch(s -> s.bytesAcked() > 0));
            }
        }
        assertEquals(expectedExtra, controller.requested());
        assertEquals(0, controller.failed());
        return result;
    }

    @Test
    void threeExtraSubflowsOverTheSameAddressPairFromDifferentPorts() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            t.limitRate(1, 200); // a full pipe makes the scheduler use every subflow
            ConnectionInfo info = transferWith(t, NDiffPortsController.sameAddressPair(3), 3);
            assertEquals(4, info.subflows().size());
            assertEquals(4, info.subflows().stream().mapToInt(s -> s.local().getPort()).distinct().count());
            for (SubflowInfo sf : info.subflows()) {
                assertEquals(Topology.clientAddress(1), sf.local().getAddress());
                assertEquals(Topology.serverAddress(1), sf.remote().getAddress());
                assertTrue(sf.bytesAcked() > 0, "bytes flow on every subflow: " + sf);
            }
        }
    }

    @Test
    void oneSubflowPerLocalAddress() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2)) {
            t.routeBySource();
            t.limitRate(1, 200);
            t.limitRate(2, 200);
            ConnectionInfo info = transferWith(t, NDiffPortsController.perLocalAddress(), 1);
            assertEquals(2, info.subflows().size());
            SubflowInfo second = info.subflows().stream()
                    .filter(s -> s.local().getAddress().equals(Topology.clientAddress(2))).findFirst().orElseThrow();
            assertTrue(second.bytesAcked() > 0, second.toString());
        }
    }

    /**
     * The client's ports are two (ip_local_port_range), the initial subflow holds one and a
     * listener the other: the kernel refuses the extra subflow for want of a source port
     * (EADDRINUSE). Once the port is free again, the subflow asked for anew comes up.
     */
    @Test
    void aSubflowRefusedForWantOfASourcePortIsAskedForAgain() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            Transfers.discardServer(listener, new AtomicLong());
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Shell.run("ip", "netns", "exec", t.clientName(), "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40001");
            NDiffPortsController controller = NDiffPortsController.sameAddressPair(1);
            try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                Transfers.send(socket, 1000);
                int free = socket.info().subflows().get(0).local().getPort() == 40000 ? 40001 : 40000;
                MptcpServerSocket holder = MptcpServerSocket.bind(t.client(),
                        new InetSocketAddress(Topology.clientAddress(1), free), 1);
                try (PathManager pm = PathManager.open(t.client());
                        EventLoop loop = EventLoop.builder(new ControllerHost(controller, pm)).namespace(t.client()).build()) {
                    loop.start(); // its first resync finds the connection, which lacks its subflow
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (controller.requested() == 0 && System.nanoTime() - deadline < 0) {
                        Thread.sleep(10);
                    }
                    assertEquals(1, controller.requested(), "asked for the subflow");
                    assertEquals(0, socket.info().extraSubflows(), "no port for it yet");
                    holder.close();
                    ConnectionInfo info = Transfers.awaitInfo(socket, 20, i -> i.extraSubflows() == 1);
                    assertEquals(1, info.extraSubflows(), "asked for again once a port was free: " + info);
                    assertEquals(0, controller.failed());
                    assertEquals(0, loop.handlerErrors());
                } finally {
                    holder.close();
                }
            }
        }
    }

    @Test
    void sourcePortsComeFromTheChosenRange() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            NDiffPortsController controller = NDiffPortsController.sameAddressPair(3).withSourcePorts(40100, 40109);
            ConnectionInfo info = transferWith(t, controller, 3);
            List<Integer> ports = info.subflows().stream().map(s -> s.local().getPort()).sorted().toList();
            // The initial subflow's port is the kernel's; the three joins take 40100, 40101, 40102.
            assertTrue(ports.containsAll(List.of(40100, 40101, 40102)), ports.toString());
        }
    }
}
