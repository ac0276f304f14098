package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.IpBatch;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.LogLines;
import org.mptcp4j.testing.MetricsScrape;

/** Links beyond the 4,096 the rtnetlink monitor tracks with their names: counted, and said once. */
@KernelTest
class UntrackedLinksKernelTest {
    private static final String SAID = "links: those beyond are not tracked";

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void linksBeyondTheTrackedAreCountedAndSaidOnce() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); LogLines log = LogLines.capture()) {
            String ns = t.clientName();
            IpBatch.run(ns, IpBatch.vethPairs(2050));
            long links = Shell.run("ip", "-n", ns, "-o", "link", "show").lines().count();
            assertTrue(links > RtnlMonitor.LINKS_MAX, "links: " + links);

            try (RtnlMonitor monitor = RtnlMonitor.open(t.client(), 64)) {
                // The monitor's first dump of the links: a message for each, those past the table's room untracked.
                long seeded = monitor.untrackedLinkMessages();
                assertTrue(seeded >= links - RtnlMonitor.LINKS_MAX, seeded + " untracked of " + links);
                monitor.poll();
                List<String> said = log.containing(SAID);
                assertEquals(1, said.size(), said.toString());
                assertTrue(said.get(0).contains("namespace " + t.client().name() + " has more than 4096 " + SAID),
                        said.get(0));

                // The links made last have the highest indices: beyond the table, each message of theirs counted.
                Shell.run("ip", "-n", ns, "link", "set", "m4jb2049", "up");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (monitor.untrackedLinkMessages() == seeded && System.nanoTime() - deadline < 0) {
                    monitor.poll();
                    Thread.sleep(10);
                }
                assertTrue(monitor.untrackedLinkMessages() > seeded, "no more counted after " + seeded);
                assertEquals(1, log.containing(SAID).size(), "said once");
            }
        }
    }

    /** The daemon serves the count: a namespace with more links than it follows says so in its metrics. */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theDaemonCountsThemInItsMetrics() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            String ns = t.clientName();
            IpBatch.run(ns, IpBatch.vethPairs(2050));
            long links = Shell.run("ip", "-n", ns, "-o", "link", "show").lines().count();
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            // fullmesh follows links: the daemon's loop watches rtnetlink.
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", ns, "--control-socket", "off",
                    "--metrics", "127.0.0.1:0", "--controller", "fullmesh")) {
                String untracked = "mptcp4j_links_untracked_total{netns=\"" + ns + "\"}";
                MetricsScrape scrape = MetricsScrape.until(daemon.awaitMetricsEndpoint(),
                        m -> m.counter(untracked) >= links - RtnlMonitor.LINKS_MAX, 30);
                assertTrue(scrape.counter(untracked) >= links - RtnlMonitor.LINKS_MAX,
                        links + " links: " + scrape.samples() + "\n" + daemon.err());
            }
        }
    }
}
