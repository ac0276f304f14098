package org.mptcp4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.PathManager;

/**
 * What the library's subflow timeout watcher costs: a controller host in the namespace (beside
 * whatever manages it) watches the first WATCHED connections its start-up resync finds, and
 * the loop thread's CPU time (kernel time included: sock_diag answers in the asking thread)
 * over SECONDS of looks every 100 ms is divided by the looks. One JSON line.
 *
 *   java -cp benchmarks.jar org.mptcp4j.benchmarks.TimeoutWatchCost NETNS WATCHED SECONDS
 */
public final class TimeoutWatchCost {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final int SETTLE_SECONDS = 5;

    private TimeoutWatchCost() {}

    /** Watches the first connections it is told of. */
    private static final class Watching implements Controller {
        private final int wanted;
        private ControllerContext context;
        private volatile int connections;
        private volatile int subflows;

        Watching(int wanted) {
            this.wanted = wanted;
        }

        @Override
        public void start(ControllerContext ctx) {
            this.context = ctx;
        }

        @Override
        public void onConnectionDiscovered(DiscoveredConnection discovered) {
            if (connections < wanted) {
                context.watchTimeouts(discovered.token());
                connections++;
                subflows += discovered.connection().subflows().size();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        NetworkNamespace ns = NetworkNamespace.named(args[0]);
        Watching watching = new Watching(Integer.parseInt(args[1]));
        int seconds = Integer.parseInt(args[2]);
        var threads = ManagementFactory.getThreadMXBean();
        try (PathManager pm = PathManager.open(ns);
                EventLoop loop = EventLoop.builder(new ControllerHost(watching, pm).timeoutInterval(INTERVAL))
                        .namespace(ns).build()) {
            long startedAt = System.nanoTime();
            Thread thread = loop.start();
            // The start-up resync, then the first look: a full one (the connections were discovered),
            // which takes a second beside 100,000 connections; the looks timed come after it.
            while (watching.connections == 0 && System.nanoTime() - startedAt < 600_000_000_000L) {
                Thread.sleep(100);
            }
            Thread.sleep(SETTLE_SECONDS * 1000L);
            long cpu = threads.getThreadCpuTime(thread.getId());
            long from = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long looks = (System.nanoTime() - from) / INTERVAL.toNanos();
            long used = threads.getThreadCpuTime(thread.getId()) - cpu;
            System.out.printf("{\"watched_connections\":%d,\"watched_subflows\":%d,\"looks\":%d,\"cpu_us_per_look\":%.1f}%n",
                    watching.connections, watching.subflows, looks, used / 1000.0 / looks);
        }
    }
}
