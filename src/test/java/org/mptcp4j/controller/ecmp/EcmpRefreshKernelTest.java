package org.mptcp4j.controller.ecmp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;

/**
 * ecmp-refresh behind an ECMP route: the client reaches the server's 10.231.9.2 over two
 * next hops, chosen per flow by a hash of the ports; path 2 is slow. Subflows that hash onto
 * it are moved to other source ports until none is left there.
 */
@KernelTest
class EcmpRefreshKernelTest {
    private static final int PORT = 5201;

    private static long txBytes(Topology t, int path) throws Exception {
        return Long.parseLong(Shell.run("ip", "netns", "exec", t.clientName(), "cat",
                "/sys/class/net/" + t.clientDevice(path) + "/statistics/tx_bytes").trim());
    }

    /** Bytes the client sent on {@code path} during one second. */
    private static long sentInASecond(Topology t, int path) throws Exception {
        long before = txBytes(t, path);
        Thread.sleep(1000);
        return txBytes(t, path) - before;
    }

    @Test
    void subflowsLeaveTheSlowPath() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            t.allowServerSubflows(8);
            Shell.run("ip", "-n", t.serverName(), "link", "set", "lo", "up");
            Shell.run("ip", "-n", t.serverName(), "addr", "add", "10.231.9.2/32", "dev", "lo");
            // Per-flow ECMP over both paths, hashed on addresses and ports (policy 1). The client sends
            // from an address of neither path (on lo), or the kernel prefers the next hop that holds it.
            Shell.run("ip", "netns", "exec", t.clientName(), "sysctl", "-qw", "net.ipv4.fib_multipath_hash_policy=1");
            Shell.run("ip", "-n", t.clientName(), "link", "set", "lo", "up");
            Shell.run("ip", "-n", t.clientName(), "addr", "add", "10.231.8.1/32", "dev", "lo");
            Shell.run("ip", "-n", t.clientName(), "route", "add", "10.231.9.2/32", "src", "10.231.8.1", "nexthop", "via",
                    "10.231.1.2", "dev", t.clientDevice(1), "nexthop", "via", "10.231.2.2", "dev", t.clientDevice(2));
            Shell.run("ip", "-n", t.serverName(), "route", "add", "10.231.8.1/32", "via", "10.231.1.1");
            t.limitRate(1, 50);
            t.limitRate(2, 2);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            EcmpRefreshController controller = new EcmpRefreshController(new EcmpRefreshController.Settings(3,
                    Duration.ofMillis(500), 0.25, 0, 0));
            try (PathManager pm = PathManager.open(t.client());
                    EventLoop loop = EventLoop.builder(new ControllerHost(controller, pm)).namespace(t.client()).build()) {
                loop.start();
                try (MptcpSocket socket = MptcpSocket.connect(t.client(),
                        new InetSocketAddress(InetAddress.getByName("10.231.9.2"), PORT))) {
                    Transfers.sendUntilClosed(socket);
                    Thread.sleep(300);
                    boolean slowPathUsedAtFirst = sentInASecond(t, 2) > 50_000;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                    long onSlowPath;
                    do {
                        onSlowPath = sentInASecond(t, 2);
                    } while (onSlowPath > 20_000 && System.nanoTime() < deadline);
                    assertTrue(onSlowPath <= 20_000, "no subflow left on the slow path: " + onSlowPath + " B/s there, "
                            + controller.replaced() + " moved; " + socket.info());
                    if (slowPathUsedAtFirst) {
                        assertTrue(controller.replaced() >= 1, "subflows were moved off it");
                    }
                    long fast = sentInASecond(t, 1);
                    assertTrue(fast > 2_000_000, "the fast path carries the data: " + fast + " B/s");
                    assertTrue(socket.info().subflows().size() >= 4, "all subflows are still there: " + socket.info());
                }
            }
        }
    }
}
