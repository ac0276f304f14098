package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.MetricsScrape;
import org.mptcp4j.testing.ServedTopology;

/**
 * The daemon under connection churn: its memory and descriptors stay flat and it loses no event.
 * 60 seconds in the suite; {@code benchmarks/soak/run-soak} runs it for 30 minutes
 * ({@code -Dmptcp4j.soak.seconds=1800}) and records what it printed.
 */
@KernelTest
class SoakKernelTest {
    private static final int SECONDS = Integer.getInteger("mptcp4j.soak.seconds", 60);
    /** New connections per second, each sending 16 KiB and closing. */
    private static final int RATE = Integer.getInteger("mptcp4j.soak.rate", 40);
    private static final int SAMPLES = 12;

    /** One look at the daemon: after a full GC, so that the heap is what it keeps. */
    private record Sample(long seconds, long rss, long fds, long heap, long created) {}

    @Test
    void underConnectionChurnTheDaemonStaysFlatAndLosesNoEvent() throws Exception {
        try (ServedTopology served = ServedTopology.create(1)) {
            Topology t = served.topology();
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", t.clientName(), "--control-socket",
                    "off", "--metrics", "127.0.0.1:0", "--log-level", "warn", "--controller", "ndiffports", "subflows=2")) {
                soak(t, daemon);
            }
        }
    }

    private static void soak(Topology t, CommandProcess daemon) throws Exception {
        {
            InetSocketAddress endpoint = daemon.awaitMetricsEndpoint();
            long pid = daemon.pid();

            AtomicBoolean churning = new AtomicBoolean(true);
            AtomicLong opened = new AtomicLong();
            AtomicReference<Exception> churnFailure = new AtomicReference<>();
            Thread churn = new Thread(() -> churn(t, churning, opened, churnFailure), "soak-churn");
            churn.start();
            List<Sample> samples = new ArrayList<>();
            long start = System.nanoTime();
            try {
                for (int i = 1; i <= SAMPLES; i++) {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(SECONDS) / SAMPLES);
                    Shell.run(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "GC.run");
                    Map<String, Long> m = scrape(endpoint);
                    Sample s = new Sample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
                            m.get("process_resident_memory_bytes"), m.get("process_open_fds"), m.get("jvm_memory_used_bytes{area=\"heap\"}"),
                            m.getOrDefault(events(t, "CREATED"), 0L));
                    samples.add(s);
                    System.out.printf("soak t=%ds rss=%d KiB fds=%d heap-after-gc=%d KiB connections=%d%n", s.seconds(),
                            s.rss() / 1024, s.fds(), s.heap() / 1024, s.created());
                }
            } finally {
                churning.set(false);
                churn.join();
            }
            assertEquals(null, churnFailure.get(), "the churn made every connection");
            assertTrue(opened.get() >= 0.8 * SECONDS * RATE, "connections made: " + opened.get());

            // Every connection's events arrived and each got its two SUBFLOW_CREATEs tried.
            long n = opened.get();
            Map<String, Long> end = scrapeUntil(endpoint, events(t, "CLOSED"), n);
            System.out.printf("soak: %d connections in %d s (%.1f/s), events %d, lost %d%n", n, SECONDS,
                    n / (double) SECONDS, end.entrySet().stream().filter(e -> e.getKey().startsWith("mptcp4j_events_total"))
                            .mapToLong(Map.Entry::getValue).sum(), end.get(series(t, "mptcp4j_events_lost_total")));
            assertEquals(0, end.get(series(t, "mptcp4j_events_lost_total")), "no event lost");
            assertEquals(n, end.get(events(t, "CREATED")));
            assertEquals(n, end.get(events(t, "CLOSED")));
            long creates = end.entrySet().stream().filter(e -> e.getKey().startsWith(
                    "mptcp4j_commands_total{netns=\"" + t.clientName() + "\",command=\"SUBFLOW_CREATE\""))
                    .mapToLong(Map.Entry::getValue).sum();
            assertEquals(2 * n, creates, "two SUBFLOW_CREATEs per connection, refused ones included: " + end);

            // Flat once warm: the samples after the first quarter against the one ending it.
            Sample warm = samples.get(SAMPLES / 4 - 1);
            for (Sample s : samples.subList(SAMPLES / 4, SAMPLES)) {
                assertTrue(Math.abs(s.fds() - warm.fds()) <= 2, "descriptors flat: " + samples);
                assertTrue(s.heap() - warm.heap() < 8L << 20, "heap after GC flat: " + samples);
                assertTrue(s.rss() - warm.rss() < 48L << 20, "resident memory flat: " + samples);
            }
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }

    /** Opens RATE connections a second, each sending 16 KiB then closing, until told to stop. */
    private static void churn(Topology t, AtomicBoolean churning, AtomicLong opened, AtomicReference<Exception> failure) {
        ByteBuffer data = ByteBuffer.allocate(16 * 1024);
        long next = System.nanoTime();
        while (churning.get()) {
            try (MptcpSocket s = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, ServedTopology.PORT))) {
                opened.incrementAndGet();
                s.writeFully(data.clear());
            } catch (java.io.IOException e) {
                failure.set(e); // said by the test, not lost with the thread
                return;
            }
            next += TimeUnit.SECONDS.toNanos(1) / RATE;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static String series(Topology t, String name) {
        return name + "{netns=\"" + t.clientName() + "\"}";
    }

    private static String events(Topology t, String type) {
        return "mptcp4j_events_total{netns=\"" + t.clientName() + "\",type=\"" + type + "\"}";
    }

    private static Map<String, Long> scrape(InetSocketAddress endpoint) throws Exception {
        return MetricsScrape.of(endpoint).counters();
    }

    /** Scrapes until {@code series} reaches {@code value} (events arrive a little after the sockets close), 30 s at most. */
    private static Map<String, Long> scrapeUntil(InetSocketAddress endpoint, String series, long value) throws Exception {
        return MetricsScrape.until(endpoint, m -> m.counter(series) >= value, 30).counters();
    }
}
