package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.SeenEvent;
import org.mptcp4j.testing.Transfers;

/**
 * The timeout event: a blackhole on one path (an iptables DROP at the server for that path)
 * makes that subflow's retransmission timer fire again and again, and it is reported each time;
 * the working path's subflow is reported only for timeouts the kernel counted on it.
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

    /** The timeouts reported from path {@code path}'s address. */
    private static List<SeenEvent> from(List<SeenEvent> timeouts, int path) {
        return timeouts.stream().filter(e -> e.local().equals(Topology.clientAddress(path))).toList();
    }

    /**
     * Path 1 works, but its rate limit drops packets, and once path 2 is blackholed its data is
     * sent again on path 1: path 1's subflow may really time out. Each report of it must be one
     * the kernel counted (tcpi_total_rto, Linux 6.7, as sock_diag tells it; on older kernels, then, none).
     */
    private static void assertOnlyCountedTimeouts(List<SeenEvent> timeouts, Topology t, MptcpSocket socket, String when)
            throws Exception {
        int token = socket.info().token();
        ConnectionInfo info = Connections.list(t.client()).stream().filter(c -> c.token() == token).findFirst().orElseThrow();
        int counted = info.subflows().stream().filter(s -> s.local().getAddress().equals(Topology.clientAddress(1)))
                .mapToInt(SubflowInfo::rtoTimeouts).sum();
        assertTrue(from(timeouts, 1).size() <= counted, "path 1 reported only for timeouts of its own " + when + ": "
                + counted + " counted by the kernel, reports " + timeouts);
    }

    @Test
    void aBlackholedPathsSubflowIsReportedAtEachTimeout() throws Exception {
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
                    assertOnlyCountedTimeouts(controller.timeouts, t, socket, "while both paths work");

                    // Path 2 now loses everything the client sends on it.
                    Shell.run("ip", "netns", "exec", t.serverName(), "iptables", "-A", "INPUT", "-i", t.serverDevice(2),
                            "-j", "DROP");
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (from(controller.timeouts, 2).size() < 2 && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    Thread.sleep(1000);
                    List<SeenEvent> seen = List.copyOf(controller.timeouts);
                    List<SeenEvent> blackholed = from(seen, 2);
                    assertTrue(blackholed.size() >= 2, "repeated timeouts on the blackholed path: " + seen);
                    // The socket's own view (MPTCP_FULL_INFO) counts them too (tcpi_total_rto, 6.7).
                    ConnectionInfo own = socket.info();
                    assertTrue(own.subflows().stream().filter(s -> s.local().getAddress().equals(Topology.clientAddress(2)))
                            .mapToInt(SubflowInfo::rtoTimeouts).sum() >= 2, "timeouts in MPTCP_FULL_INFO: " + own);
                    int token = socket.info().token();
                    for (SeenEvent e : seen) {
                        assertEquals(MptcpEventType.SUBFLOW_TIMEOUT, e.type());
                        assertEquals(token, e.token());
                        // ndiffports joins from each address to the initial remote address.
                        assertEquals(Topology.serverAddress(1), e.remote(), e.line());
                    }
                    loop.stop();
                    loop.awaitTermination();
                    for (long rto : controller.rtos) {
                        assertTrue(rto >= 200_000, "the RTO in microseconds, at least TCP's 200 ms floor: " + rto);
                    }
                    // Backoff doubles the blackholed subflow's RTO from one timeout to the next.
                    List<Long> rtos = IntStream.range(0, seen.size()).filter(i -> blackholed.contains(seen.get(i)))
                            .mapToObj(controller.rtos::get).toList();
                    assertTrue(rtos.get(rtos.size() - 1) > rtos.get(0), rtos.toString());
                    assertOnlyCountedTimeouts(seen, t, socket, "after path 2 was blackholed");
                    assertEquals(controller.timeouts.size(), host.subflowTimeouts());
                }
            }
        }
    }
}
