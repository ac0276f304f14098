package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.control.ControlClient;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.ThreadStatus;
import org.mptcp4j.testing.Transfers;

/**
 * loop-priority and loop-cpu as /proc shows them: the namespace's event loop thread, and the one
 * a reload puts in its place, run under SCHED_FIFO at the priority on the CPU, the daemon's
 * other threads as they were, and connections still get their subflows.
 */
@KernelTest
class LoopSchedulingKernelTest {
    @TempDir
    Path dir;

    @Test
    void theLoopThreadAndTheOneAReloadStartsRunUnderSchedFifoOnTheirCpu() throws Exception {
        Path config = dir.resolve("mptcp4j.conf");
        Path socket = dir.resolve("control.sock");
        String core = "[core]\ncontrol-socket = " + socket + "\nloop-priority = 50\nloop-cpu = 0\n";
        Files.writeString(config, core);
        try (ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--config", config.toString(), "-n",
                        t.clientName(), "--subflows", "1")) {
            String loop = "mptcp4j-" + t.clientName();
            String started = daemon.awaitErr("mptcp4j run: managing", 10);
            assertTrue(started.contains("mptcp4j run: managing " + t.clientName() + " with ndiffports (1 extra subflows per"
                    + " connection), idle blocking, loop-priority 50, loop-cpu 0"), started);
            ThreadStatus first = ThreadStatus.named(daemon.pid(), loop);
            assertEquals(new ThreadStatus(first.tid(), ThreadStatus.SCHED_FIFO, 50, "0"), first);
            assertEquals(List.of(first), ThreadStatus.realtime(daemon.pid()), "the loop's thread alone");
            assertSubflow(t);
            try (ControlClient ctl = ControlClient.connect(socket)) {
                assertEquals(List.of(t.clientName() + ": ndiffports (1 extra subflows per connection), idle blocking,"
                        + " loop-priority 50, loop-cpu 0"),
                        ctl.request("namespaces").lines());
            }

            Files.writeString(config, core + "timeout-interval = 200ms\n");
            daemon.signal("HUP");
            String err = daemon.awaitErr("configuration reloaded", 20);
            assertTrue(err.contains("namespace " + t.clientName() + " reconfigured"), err);
            ThreadStatus.awaitThreads(daemon.pid(), loop, 1); // the loop it replaced ends as the reload finishes
            ThreadStatus second = ThreadStatus.named(daemon.pid(), loop);
            assertNotEquals(first.tid(), second.tid(), "a new loop");
            assertEquals(new ThreadStatus(second.tid(), ThreadStatus.SCHED_FIFO, 50, "0"), second);
            assertEquals(List.of(second), ThreadStatus.realtime(daemon.pid()));
            assertSubflow(t);
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }

    private static void assertSubflow(ServedTopology t) throws Exception {
        try (MptcpSocket connection = t.connect()) {
            assertEquals(1, Transfers.awaitInfo(connection, i -> i.extraSubflows() == 1).extraSubflows());
        }
    }
}
