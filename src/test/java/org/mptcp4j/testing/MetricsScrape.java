package org.mptcp4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.mptcp4j.metrics.TextFormat;

/**
 * One GET of a Prometheus endpoint's /metrics, as a Prometheus server takes it: the text, and
 * each sample's value by its series (name and labels, as written).
 */
public record MetricsScrape(String body, Map<String, String> samples) {
    /** A scrape of {@code endpoint}, which must answer 200 with the text format. */
    public static MetricsScrape of(InetSocketAddress endpoint) throws IOException {
        HttpClient.Response r = HttpClient.request(endpoint, "GET", "/metrics");
        assertEquals(200, r.status(), r.body());
        assertEquals(TextFormat.CONTENT_TYPE, r.contentType());
        Map<String, String> samples = new TreeMap<>();
        r.body().lines().filter(l -> !l.startsWith("#") && l.lastIndexOf(' ') > 0).forEach(l -> {
            int space = l.lastIndexOf(' ');
            samples.put(l.substring(0, space), l.substring(space + 1));
        });
        return new MetricsScrape(r.body(), samples);
    }

    /**
     * Scrapes every 100 ms until {@code done} holds, {@code seconds} at most (what is counted
     * reaches the endpoint a little after the sockets close); the last scrape, whose values the
     * caller asserts.
     */
    public static MetricsScrape until(InetSocketAddress endpoint, Predicate<MetricsScrape> done, int seconds)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        MetricsScrape scrape = of(endpoint);
        while (!done.test(scrape) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            scrape = of(endpoint);
        }
        return scrape;
    }

    /** A counter's value: 0 when the series is not written (a counter never counted is not). */
    public long counter(String series) {
        return Long.parseLong(samples.getOrDefault(series, "0"));
    }

    /** The samples whose values are whole numbers (counters, gauges of counts, buckets). */
    public Map<String, Long> counters() {
        Map<String, Long> counters = new TreeMap<>();
        samples.forEach((series, value) -> {
            if (value.matches("-?\\d+")) {
                counters.put(series, Long.parseLong(value));
            }
        });
        return counters;
    }

    /** Whether {@code line} is one of the text's lines, whole. */
    public boolean hasLine(String line) {
        return body.lines().anyMatch(line::equals);
    }
}
