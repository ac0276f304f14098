package org.mptcp4j.controller.backup;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
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
 * backup-on-demand over two paths with data flowing: the secondary path stays out while the
 * primary works, comes in when the primary is blackholed, and goes out again once the
 * primary works again.
 */
@KernelTest
class BackupOnDemandKernelTest {
    private static final int PORT = 5201;
    /** Well below the 100 kB each tbf queue of 40 Mbit/s and 20 ms holds (the kernel doubles it). */
    private static final int SEND_BUFFER = 24 << 10;

    private static SubflowInfo on(ConnectionInfo info, int path) {
        return info.subflows().stream().filter(s -> s.state() == 1)
                .filter(s -> s.local().getAddress().equals(Topology.clientAddress(path))).findFirst().orElse(null);
    }

    private static long acked(ConnectionInfo info, int path) {
        SubflowInfo s = on(info, path);
        return s == null ? 0 : s.bytesAcked();
    }

    @ParameterizedTest
    @EnumSource(BackupOnDemandController.Mode.class)
    void theSecondaryComesInWhileThePrimaryIsBlackholedAndGoesOutWhenItRecovers(BackupOnDemandController.Mode mode)
            throws Exception {
        try (Topology t = Topology.create("m4j-test", 2);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            t.routeBySource();
            t.allowServerSubflows(8);
            t.limitRate(1, 40);
            t.limitRate(2, 40);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            BackupOnDemandController controller = new BackupOnDemandController(new BackupOnDemandController.Settings(
                    Topology.clientAddress(2), mode, Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMillis(100)));
            try (PathManager pm = PathManager.open(t.client());
                    EventLoop loop = EventLoop.builder(new ControllerHost(controller, pm).timeoutInterval(Duration.ofMillis(50)))
                            .namespace(t.client()).build();
                    MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                loop.start();
                int token = socket.info().token();
                // A send buffer the shaped path's queue can always hold: a bulk sender would fill
                // the queue until it drops, and a burst of drops can end in a real retransmission
                // timeout on the working primary, which rightly brings the secondary in early.
                socket.channel().setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
                Transfers.sendUntilClosed(socket);

                // While the primary works, the secondary carries nothing.
                ConnectionInfo calm = Transfers.awaitConnection(t.client(), token, 30, i -> acked(i, 1) > (4 << 20)
                        && (mode == BackupOnDemandController.Mode.OPEN || on(i, 2) != null));
                assertTrue(acked(calm, 1) > (4 << 20), calm.toString());
                if (mode == BackupOnDemandController.Mode.OPEN) {
                    assertNull(on(calm, 2), "no secondary subflow yet: " + calm);
                } else {
                    assertTrue(on(calm, 2).backup(), "the secondary waits as a backup: " + calm);
                    assertTrue(acked(calm, 2) < (256 << 10), "and carries next to nothing: " + calm);
                }

                // Blackhole the primary path: its timeouts bring the secondary in.
                Shell.run("ip", "netns", "exec", t.serverName(), "iptables", "-A", "INPUT", "-i", t.serverDevice(1), "-j",
                        "DROP");
                ConnectionInfo trouble = Transfers.awaitConnection(t.client(), token, 30, i -> on(i, 2) != null && !on(i, 2).backup());
                long acked2 = acked(trouble, 2);
                ConnectionInfo over = Transfers.awaitConnection(t.client(), token, 30, i -> acked(i, 2) > acked2 + (4 << 20));
                assertTrue(acked(over, 2) > acked2 + (4 << 20), "the secondary carries the data: " + over);
                assertFalse(on(over, 2).backup(), over.toString());
                assertTrue(controller.failovers() >= 1);

                // The primary works again: after a quiet second the secondary goes back to waiting.
                Shell.run("ip", "netns", "exec", t.serverName(), "iptables", "-F", "INPUT");
                ConnectionInfo back = Transfers.awaitConnection(t.client(), token, 30, i -> mode == BackupOnDemandController.Mode.OPEN ? on(i, 2) == null
                        : on(i, 2) != null && on(i, 2).backup());
                if (mode == BackupOnDemandController.Mode.OPEN) {
                    assertNull(on(back, 2), "the secondary closed: " + back);
                } else {
                    assertTrue(on(back, 2).backup(), "the secondary is a backup again: " + back);
                }
                assertTrue(controller.recoveries() >= 1);
                long acked1 = acked(back, 1);
                ConnectionInfo primary = Transfers.awaitConnection(t.client(), token, 30, i -> acked(i, 1) > acked1 + (4 << 20));
                assertTrue(acked(primary, 1) > acked1 + (4 << 20), "the primary carries the data again: " + primary);
            }
        }
    }
}
