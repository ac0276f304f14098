package org.mptcp4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code prometheus} package (bin/setup installs it): {@code promtool check metrics},
 * and a real Prometheus server scraping one target on loopback, its data in a test's folder,
 * read back through its query API.
 */
public final class Prometheus implements AutoCloseable {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private final Process process;
    private final InetSocketAddress web;
    private final Path log;

    private Prometheus(Process process, InetSocketAddress web, Path log) {
        this.process = process;
        this.web = web;
        this.log = log;
    }

    private static void assertInstalled(Path tool) {
        assertTrue(Files.isExecutable(tool), tool + " is missing: install Debian's prometheus package (bin/setup does)");
    }

    /** What {@code promtool check metrics} says of {@code exposition}: nothing when it finds no problem. */
    public static String checkMetrics(String exposition) throws IOException, InterruptedException {
        assertInstalled(PROMTOOL);
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not end");
        return p.exitValue() == 0 ? said : "exit " + p.exitValue() + ": " + said;
    }

    /**
     * Starts Prometheus scraping {@code target}'s /metrics every second as job {@code job}, its
     * web interface on a free loopback port, its storage and log in {@code dir}; returns once it
     * is ready. Close it in every outcome.
     */
    public static Prometheus scraping(InetSocketAddress target, String job, Path dir) throws Exception {
        assertInstalled(PROMETHEUS);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                + "scrape_configs:\n  - job_name: " + job + "\n    static_configs:\n      - targets: ['"
                + target.getAddress().getHostAddress() + ":" + target.getPort() + "']\n");
        InetSocketAddress web = new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=" + web.getAddress().getHostAddress() + ":" + web.getPort())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Prometheus prometheus = new Prometheus(process, web, log);
        try {
            prometheus.awaitReady();
            return prometheus;
        } catch (Exception | AssertionError e) {
            prometheus.close();
            throw e;
        }
    }

    /** A port nobody listens on now; Prometheus binds it a moment later. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), "prometheus exited: " + log());
            try {
                if (HttpClient.request(web, "GET", "/-/ready").status() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("prometheus not ready within 60 s: " + log());
    }

    /** What Prometheus logged. */
    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** The {@code data} of an instant query of {@code promql}, which must succeed. */
    public Map<String, Object> query(String promql) throws IOException {
        HttpClient.Response r = HttpClient.request(web, "GET",
                "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        Map<String, Object> answer = Json.object(Json.parse(r.body()));
        assertEquals(200, r.status(), promql + ": " + r.body());
        assertEquals("success", answer.get("status"), promql + ": " + r.body());
        return Json.object(answer.get("data"));
    }

    /** The value of a query whose result is one sample, or null while it has none. */
    public BigDecimal value(String promql) throws IOException {
        List<Object> result = Json.array(query(promql).get("result"));
        if (result.isEmpty()) {
            return null;
        }
        assertEquals(1, result.size(), promql + ": " + result);
        List<Object> sample = Json.array(Json.object(result.get(0)).get("value"));
        return new BigDecimal((String) sample.get(1));
    }

    /** Polls an instant query of {@code promql} until its result holds a series, 30 s at most; whether it did. */
    public boolean awaitData(String promql) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Json.array(query(promql).get("result")).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

    /** Polls {@link #value} until it equals {@code expected}, 30 s at most; the last value, for the caller to assert. */
    public BigDecimal awaitValue(String promql, long expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        BigDecimal value = value(promql);
        while ((value == null || value.compareTo(BigDecimal.valueOf(expected)) != 0) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            value = value(promql);
        }
        return value;
    }

    /** Stops Prometheus (SIGTERM, then SIGKILL; at once when interrupted) and waits until it is gone. */
    @Override
    public void close() {
        process.destroy();
        boolean interrupted = false;
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            interrupted = true;
            process.destroyForcibly();
        }
        while (process.isAlive()) {
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
