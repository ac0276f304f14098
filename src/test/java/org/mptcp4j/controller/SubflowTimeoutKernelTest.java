package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.diag.ConnectionInfo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.MptcpEvent;
import org.mptcp4j.pm.MptcpEventType;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.SeenEvent;
import org.mptcp4j.testing.Transfers;

/**
 * The timeout event: a blackhole on one path (an iptables DROP at the server for that path)
 * makes that subflow's retransmission timer fire, and only that subflow is reported.
 */
@KernelTest
class SubflowTimeoutKernelTest {
    private static final int PORT = 5201;

    /** ndiffports with one subflow per address; watches each connection it serves for timeouts. */
    static final class WatchingTimeouts implements Controller {
        final NDiffPortsController ndiffports = NDiffPortsController.perLocalAddress();
        final List<SeenEvent> timeouts = new CopyOnWriteArrayList<>();
        final List<Long> rtos = new CopyOnWriteArrayList<>();
        ControllerContext context;

        @Override
        public Set<MptcpEventType> eventTypes() {
            return Set.of(MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED);
        }

        @Override
        public void start(ControllerContext ctx) {
            this.context = ctx;
            ndiffports.start(ctx);
        }

        @Override
        public void onEstablished(MptcpEvent event) {
            ndiffports.onEstablished(event);
            if (!event.serverSide()) {
                context.watchTimeouts(event.token());
            }
        }

        @Override
        public void onSubflowTimeout(MptcpEvent event) {
            timeouts.add(SeenEvent.of(event));
            rtos.add(event.timeout());
        }
    }

    @Test
    void aBlackholedPathReportsTimeoutsForItsSubflowOnly() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            t.routeBySource();
            t.allowServerSubflows(8);
            t.limitRate(1, 50);
            t.limitRate(2, 50);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            WatchingTimeouts controller = new WatchingTimeouts();
            try (PathManager pm = PathManager.open(t.client())) {
                ControllerHost host = new ControllerHost(controller, pm).timeoutInterval(Duration.ofMillis(50));
                try (EventLoop loop = EventLoop.builder(host).namespace(t.client()).build();
                        MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                    loop.start();
                    Transfers.sendUntilClosed(socket);
                    ConnectionInfo both = Transfers.awaitInfo(socket,
                            i -> i.subflows().size() == 2 && i.subflows().stream().allMatch(s -> s.bytesAcked() > 0));
                    assertEquals(2, both.subflows().size(), both.toString());
                    Thread.sleep(500);
                    assertEquals(List.of(), controller.timeouts, "no timeout while both paths work");

                    // Path 2 now loses everything the client sends on it.
                    Shell.run("ip", "netns", "exec", t.serverName(), "iptables", "-A", "INPUT", "-i", t.serverDevice(2),
                            "-j", "DROP");
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (controller.timeouts.size() < 2 && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    Thread.sleep(1000);
                    List<SeenEvent> seen = List.copyOf(controller.timeouts);
                    assertTrue(seen.size() >= 2, "repeated timeouts on the blackholed path: " + seen);
                    int token = socket.info().token();
                    for (SeenEvent e : seen) {
                        assertEquals(MptcpEventType.SUBFLOW_TIMEOUT, e.type());
                        assertEquals(token, e.token());
                        assertEquals(Topology.clientAddress(2), e.local(), "only path 2 times out: " + e.line());
                        // ndiffports joins from each address to the initial remote address.
                        assertEquals(Topology.serverAddress(1), e.remote(), e.line());
                    }
                    for (long rto : controller.rtos) {
                        assertTrue(rto >= 200_000, "the RTO in microseconds, at least TCP's 200 ms floor: " + rto);
                    }
                    // Backoff doubles the RTO from one timeout to the next.
                    assertTrue(controller.rtos.get(controller.rtos.size() - 1) > controller.rtos.get(0), controller.rtos.toString());
                    loop.stop();
                    loop.awaitTermination();
                    assertEquals(controller.timeouts.size(), host.subflowTimeouts());
                }
            }
        }
    }
}
