package org.mptcp4j.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;

/**
 * The path manager side of the resync-storm benchmark: ndiffports (one extra subflow per
 * connection) through ControllerHost, on an event loop with a small receive buffer, in a
 * namespace under churn. Prints a JSON line a second: events handled, loss reports, resyncs
 * run, the loop thread's CPU time. After a line "quiet" on stdin it looks at the namespace's
 * connections every 100 ms until every live one (established, MPTCP) is managed, known to the
 * controller (its ESTABLISHED handled, or found by a resync), and has its extra subflow (which
 * ndiffports asks for once: the kernel may refuse it), then prints how long each took and
 * exits. Uses only what ControllerHost had before resyncs were coalesced, so that one build of
 * this class measures both.
 *
 *   java -cp mptcp4j-daemon.jar:CLASSES org.mptcp4j.benchmarks.ResyncStorm NETNS RECEIVE_BUFFER_BYTES
 */
public final class ResyncStorm {
    private static final long MANAGED_WAIT_MILLIS = 300_000;

    private ResyncStorm() {}

    public static void main(String[] args) throws Exception {
        NetworkNamespace ns = NetworkNamespace.named(args[0]);
        int receiveBuffer = Integer.parseInt(args[1]);
        try (PathManager pm = PathManager.open(ns)) {
            NDiffPortsController ndiffports = NDiffPortsController.sameAddressPair(1);
            // The connections the controller was told of (established or discovered), until they close.
            Set<Integer> known = ConcurrentHashMap.newKeySet();
            Map<String, Long> refusals = new ConcurrentSkipListMap<>();
            pm.observe((command, errno, start) -> {
                if (command == PmCommand.SUBFLOW_CREATE && errno != 0) {
                    refusals.merge(Errno.name(errno), 1L, Long::sum);
                }
            });
            ControllerHost host = new ControllerHost(ndiffports, pm).onDiscovery(d -> known.add(d.token()))
                    .onResyncDone(open -> known.removeIf(token -> !open.test(token)));
            EventHandler seen = event -> {
                if (event.type() == MptcpEventType.ESTABLISHED) {
                    known.add(event.token());
                } else if (event.type() == MptcpEventType.CLOSED) {
                    known.remove(event.token());
                }
            };
            EventLoop loop = EventLoop.builder(EventHandler.observed(host, seen)).namespace(ns)
                    .receiveBufferBytes(receiveBuffer).build();
            Thread thread = loop.start();
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            System.out.println("{\"ready\":true,\"receive_buffer\":" + loop.receiveBufferSize() + "}");
            Thread reporter = new Thread(() -> {
                try {
                    for (long t = 1; ; t++) {
                        Thread.sleep(1000);
                        // Read from another thread without a lock: a report, not a decision.
                        System.out.printf("{\"t\":%d,\"events\":%d,\"lost\":%d,\"resyncs\":%d,\"loop_cpu_ns\":%d}%n", t,
                                loop.counter(EventCounter.RECORDS), loop.counter(EventCounter.LOST), host.resyncs(),
                                threads.getThreadCpuTime(thread.getId()));
                    }
                } catch (InterruptedException e) {
                    // the end
                }
            }, "report");
            reporter.setDaemon(true);
            reporter.start();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            String line;
            while ((line = in.readLine()) != null && !line.equals("quiet")) {
                // wait for the load to end
            }
            long quiet = System.nanoTime();
            long resyncsAtQuiet = host.resyncs();
            // Each look is timed from its start: a dump of thousands of connections takes a while.
            int[] first = liveKnownAndJoined(ns, known);
            int[] now = first;
            long look = quiet;
            long knownMillis = -1;
            long millis = -1;
            while (true) {
                if (knownMillis < 0 && now[1] == now[0]) {
                    knownMillis = (look - quiet) / 1_000_000;
                }
                if (now[2] == now[0]) {
                    millis = (look - quiet) / 1_000_000;
                    break;
                }
                if (System.nanoTime() - quiet > MANAGED_WAIT_MILLIS * 1_000_000) {
                    break;
                }
                Thread.sleep(100);
                look = System.nanoTime();
                now = liveKnownAndJoined(ns, known);
            }
            reporter.interrupt();
            long cpu = threads.getThreadCpuTime(thread.getId());
            long events = loop.counter(EventCounter.RECORDS);
            long lost = loop.counter(EventCounter.LOST);
            long resyncs = host.resyncs();
            double resyncMillis = resyncMillis(loop, host);
            String getAddr = getAddrReport(ns, pm);
            loop.close();
            System.out.printf("{\"quiet\":true,\"live\":%d,\"unknown_at_quiet\":%d,\"known_after_ms\":%d,"
                    + "\"without_subflow_at_quiet\":%d,\"without_subflow_at_end\":%d,\"subflows_after_ms\":%d,"
                    + "\"subflows_refused\":%d,\"events\":%d,\"lost\":%d,\"resyncs\":%d,\"resyncs_at_quiet\":%d,"
                    + "\"loop_cpu_ns\":%d,\"resync_ms\":%.1f,%s,\"refused_by_errno\":\"%s\"}%n", now[0],
                    first[0] - first[1], knownMillis, first[0] - first[2], now[0] - now[2], millis,
                    ndiffports.failed(), events, lost, resyncs, resyncsAtQuiet, cpu, resyncMillis, getAddr, refusals);
        }
    }

    /** The median time of three resyncs run on the loop's thread, now that nothing happens. */
    private static double resyncMillis(EventLoop loop, ControllerHost host) throws Exception {
        long[] nanos = new long[3];
        for (int i = 0; i < nanos.length; i++) {
            CompletableFuture<Long> took = new CompletableFuture<>();
            loop.execute(() -> {
                long start = System.nanoTime();
                host.resync();
                took.complete(System.nanoTime() - start);
            });
            nanos[i] = took.get();
        }
        Arrays.sort(nanos);
        return nanos[1] / 1e6;
    }

    /**
     * What the GET_ADDR by token of every live connection costs, as JSON fields; and how often
     * mptcpi_local_addr_used (sock_diag) disagrees with it on whether the answer is empty.
     */
    private static String getAddrReport(NetworkNamespace ns, PathManager pm) {
        int asked = 0;
        int nonEmpty = 0;
        int disagree = 0;
        long start = System.nanoTime();
        for (ConnectionInfo c : Connections.list(ns)) {
            if (c.state() == 1 && !c.fallback()) {
                asked++;
                boolean empty = pm.localAddresses(c.token()).isEmpty();
                nonEmpty += empty ? 0 : 1;
                disagree += empty == (c.localAddressesUsed() == 0) ? 0 : 1;
            }
        }
        return String.format("\"get_addr_ms\":%.1f,\"get_addr_asked\":%d,\"get_addr_non_empty\":%d,"
                + "\"local_addr_used_disagrees\":%d", (System.nanoTime() - start) / 1e6, asked, nonEmpty, disagree);
    }

    /**
     * Live MPTCP connections (established, fully, not fallen back to TCP); those among them the
     * controller knows; those with a second subflow.
     */
    private static int[] liveKnownAndJoined(NetworkNamespace ns, Set<Integer> known) {
        int[] counts = new int[3];
        for (ConnectionInfo c : Connections.list(ns)) {
            if (c.state() == 1 && !c.fallback() && c.fullyEstablished()) {
                counts[0]++;
                counts[1] += known.contains(c.token()) ? 1 : 0;
                counts[2] += c.subflows().size() >= 2 ? 1 : 0;
            }
        }
        return counts;
    }
}
