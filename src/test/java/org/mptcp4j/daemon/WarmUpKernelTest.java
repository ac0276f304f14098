package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.MetricsScrape;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;

/**
 * The daemon's start-up warm-up: made-up connections through a stand-in kernel before the
 * namespace's loop starts. The namespace's events wait meanwhile, none is lost; the made-up
 * traffic reaches neither the kernel nor the namespace's counters.
 */
@KernelTest
class WarmUpKernelTest {
    /** Enough made-up connections to take seconds: a real one comes in the middle. */
    private static final int LONG_WARM_UP = 100_000;

    @Test
    void aConnectionMadeWhileTheDaemonWarmsUpGetsItsSubflowOnceItIsDone() throws Exception {
        try (ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.start("run", "-n", t.clientName(), "--subflows", "1",
                        "--control-socket", "off", "--metrics", "127.0.0.1:0", "--warm-up", Integer.toString(LONG_WARM_UP))) {
            awaitEventSubscription(t.clientName());
            try (MptcpSocket during = t.connect()) {
                assertFalse(daemon.err().contains("warm-up:"), "the warm-up ended before the connection: " + daemon.err());
                String err = daemon.awaitErr("managing namespace", 120);
                // All of them, or as many as 10 s allowed on a slow machine.
                assertTrue(err.contains(" made-up connections of " + LONG_WARM_UP + " handled in "), err);
                ConnectionInfo info = Transfers.awaitInfo(during, 30, i -> i.extraSubflows() == 1);
                assertEquals(1, info.extraSubflows(), info.toString());
            }
            // Counted: the one real connection; the 100,000 made-up ones are not.
            String ns = "{netns=\"" + t.clientName() + "\"";
            MetricsScrape metrics = MetricsScrape.until(daemon.awaitMetricsEndpoint(),
                    s -> s.counter("mptcp4j_events_total" + ns + ",type=\"CLOSED\"}") >= 1, 30);
            for (String line : List.of("mptcp4j_events_total" + ns + ",type=\"ESTABLISHED\"} 1",
                    "mptcp4j_commands_total" + ns + ",command=\"SUBFLOW_CREATE\",result=\"ok\"} 1")) {
                assertTrue(metrics.hasLine(line), line + " in:\n" + metrics.body());
            }
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }

    /** SIGTERM while the daemon warms up: the warm-up ends there, not after its 10 s, and the daemon exits cleanly. */
    @Test
    void sigtermEndsTheWarmUp() throws Exception {
        try (ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.start("run", "-n", t.clientName(), "--control-socket", "off",
                        "--warm-up", "1000000")) {
            awaitEventSubscription(t.clientName());
            daemon.signal("TERM");
            // Bounded wait for the exit: the warm-up alone would take its whole 10 s.
            assertEquals(0, daemon.awaitExit(), daemon.err());
            Matcher m = Pattern.compile("warm-up: (\\d+) made-up connections of 1000000").matcher(daemon.err());
            assertTrue(m.find(), daemon.err());
            assertTrue(Integer.parseInt(m.group(1)) < 1_000_000, daemon.err());
            assertTrue(daemon.err().contains("msg=stopping"), daemon.err());
        }
    }

    /**
     * Without warm-up the loop starts at once; either way the daemon says it manages the
     * namespace once the loop has started its controller (which logs its local addresses) and
     * waits for events, not before.
     */
    @Test
    void noWarmUpWhenItIsTurnedOffAndManagingMeansTheLoopIsWaitingForEvents() throws Exception {
        try (ServedTopology t = ServedTopology.create(2);
                CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", t.clientName(), "--per-address",
                        "--control-socket", "off", "--warm-up", "0");
                MptcpSocket s = t.connect()) {
            assertEquals(1, Transfers.awaitInfo(s, i -> i.extraSubflows() == 1).extraSubflows());
            String err = daemon.awaitErr("managing namespace", 10);
            assertFalse(err.contains("warm-up"), err);
            int controllerStarted = err.indexOf("ndiffports: one subflow per local address");
            assertTrue(controllerStarted >= 0 && controllerStarted < err.indexOf("managing namespace"), err);
        }
    }

    /**
     * Waits until a generic netlink socket of {@code namespace} has joined a multicast group: the
     * daemon's event socket, subscribed before the warm-up begins.
     */
    private static void awaitEventSubscription(String namespace) throws Exception {
        for (int i = 0; i < 3000; i++) {
            // sk Eth Pid Groups ...: Eth 16 is NETLINK_GENERIC, Groups the first 32 groups joined.
            String table = Shell.run("ip", "netns", "exec", namespace, "cat", "/proc/net/netlink");
            if (table.lines().skip(1).map(l -> l.trim().split("\\s+"))
                    .anyMatch(f -> f.length > 3 && f[1].equals("16") && !f[3].matches("0+"))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the daemon never subscribed to the namespace's events");
    }
}
