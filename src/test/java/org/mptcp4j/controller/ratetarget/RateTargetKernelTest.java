package org.mptcp4j.controller.ratetarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
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

/**
 * rate-target with a 30 Mbit/s target: a 10 Mbit/s primary brings the secondary in; once the
 * primary is raised to 200 Mbit/s it delivers the target alone and the secondary goes away.
 */
@KernelTest
class RateTargetKernelTest {
    private static final int PORT = 5201;

    private static SubflowInfo on(ConnectionInfo info, int path) {
        return info.subflows().stream().filter(s -> s.state() == 1)
                .filter(s -> s.local().getAddress().equals(Topology.clientAddress(path))).findFirst().orElse(null);
    }

    @Test
    void theSecondaryIsUsedOnlyWhileTheConnectionIsBelowItsTarget() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            t.routeBySource();
            t.allowServerSubflows(8);
            t.limitRate(1, 10);
            t.limitRate(2, 40);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            RateTargetController controller = new RateTargetController(new RateTargetController.Settings(30_000_000L,
                    Topology.clientAddress(2), Duration.ofMillis(500), 2));
            try (PathManager pm = PathManager.open(t.client());
                    EventLoop loop = EventLoop.builder(new ControllerHost(controller, pm)).namespace(t.client()).build();
                    MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                loop.start();
                Transfers.sendUntilClosed(socket);

                ConnectionInfo slow = Transfers.awaitInfo(socket, 30, i -> on(i, 2) != null && on(i, 2).bytesAcked() > (4 << 20));
                assertTrue(on(slow, 2) != null && on(slow, 2).bytesAcked() > (4 << 20),
                        "10 Mbit/s is below the target: the secondary carries data: " + slow);
                assertEquals(1, controller.added());

                // The primary now delivers the target alone.
                Shell.run("tc", "-n", t.clientName(), "qdisc", "change", "dev", t.clientDevice(1), "root", "tbf", "rate",
                        "200mbit", "burst", "256kbit", "latency", "20ms");
                ConnectionInfo fast = Transfers.awaitInfo(socket, 30, i -> on(i, 2) == null);
                assertNull(on(fast, 2), "the secondary closed: " + fast);
                assertEquals(1, controller.removed());
                long acked = fast.bytesAcked();
                ConnectionInfo after = Transfers.awaitInfo(socket, 30, i -> i.bytesAcked() > acked + (8 << 20));
                assertTrue(after.bytesAcked() > acked + (8 << 20), "the primary alone carries on: " + after);
            }
        }
    }
}
