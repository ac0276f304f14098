package org.mptcp4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;
import org.mptcp4j.testing.ContextLoader;
import org.mptcp4j.testing.HttpClient.Response;
import org.mptcp4j.testing.HttpClient;
import org.mptcp4j.testing.MetricsScrape;
import org.mptcp4j.testing.Prometheus;

class MetricsServerTest {
    static Response request(InetSocketAddress server, String method, String path) throws IOException {
        return HttpClient.request(server, method, path);
    }

    @Test
    void parseAddressTakesAPortAnAddressAndPortOrABracketedIpv6() throws Exception {
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9464), MetricsServer.parseAddress("9464"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 80), MetricsServer.parseAddress("0.0.0.0:80"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 0), MetricsServer.parseAddress("[::1]:0"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("fd00::1"), 65535),
                MetricsServer.parseAddress("[fd00::1]:65535"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "port", "localhost:9464", "::1:9464", "[::1]", "[::1]:", "[10.0.0.1]:80",
        "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80", ":9464", "9464:", "1.2.3.4:99999999999"})
    void parseAddressRefusesOtherFormsNamingTheAcceptedOnes(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsServer.parseAddress(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected PORT, IPV4:PORT or [IPV6]:PORT"), e.getMessage());
    }

    @Test
    void getAndHeadOfMetricsAnswerTheTextFormat() throws Exception {
        PathManagerMetrics metrics = new PathManagerMetrics("ns1");
        metrics.commandDone(PmCommand.SUBFLOW_CREATE, 0, System.nanoTime());
        metrics.counting(event -> {}).onEvent(PathManagerMetricsTest.event(MptcpEventType.CREATED, 1));
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> List.of(metrics))) {
            assertEquals(InetAddress.getByName("127.0.0.1"), server.address().getAddress());
            assertNotEquals(0, server.address().getPort());
            String body = MetricsScrape.of(server.address()).body();
            String own = TextFormat.write(List.of(metrics));
            assertTrue(body.startsWith(own), body);
            // Then the process's families: this JVM's, so present and positive.
            for (String series : List.of("process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
                    "process_max_fds", "jvm_memory_used_bytes{area=\"heap\"}", "jvm_memory_committed_bytes{area=\"heap\"}",
                    "jvm_threads_current", "jvm_threads_started_total", "jvm_classes_loaded_total")) {
                assertTrue(body.substring(own.length()).lines().anyMatch(l -> l.matches(Pattern.quote(series) + " [1-9][0-9]*")),
                        series + " in " + body);
            }
            assertTrue(body.lines().anyMatch(l -> l.matches("process_cpu_seconds_total [0-9.]+")), body);
            long now = System.currentTimeMillis() / 1000;
            long started = new BigDecimal(body.lines().filter(l -> l.startsWith("process_start_time_seconds "))
                    .findFirst().orElseThrow().split(" ")[1]).longValue();
            assertTrue(started > now - 3600 && started <= now, "started at " + started + ", now " + now);
            // The build's version and commit (unknown only outside a git checkout), and this JVM's transport.
            String transport = Transport.selected().name().toLowerCase(Locale.ROOT);
            assertTrue(body.lines().anyMatch(l -> l.matches("mptcp4j_build_info\\{version=\"[0-9]+\\.[0-9]+\\.[0-9]+[^\"]*\","
                    + "revision=\"([0-9a-f]{12}|unknown)\",transport=\"" + transport + "\"} 1")), body);
            assertTrue(body.contains("jvm_runtime_info{version=\"" + System.getProperty("java.runtime.version") + "\","), body);
            assertTrue(body.contains("mptcp4j_commands_total{netns=\"ns1\",command=\"SUBFLOW_CREATE\",result=\"ok\"} 1\n"), body);
            assertTrue(body.contains("mptcp4j_connections{netns=\"ns1\"} 1\n"), body);
            assertTrue(request(server.address(), "GET", MetricsServer.PATH + "?name=x").body().startsWith(own),
                    "a query changes nothing");
            assertEquals(new Response(200, TextFormat.CONTENT_TYPE, null, ""), request(server.address(), "HEAD", MetricsServer.PATH));
        }
    }

    /** promtool finds no problem, lint included, in an exposition where every family has samples. */
    @Test
    void theExpositionPassesPromtoolCheckMetrics() throws Exception {
        PathManagerMetrics metrics = new PathManagerMetrics("ns1");
        EventHandler counting = metrics.counting(new EventHandler() {
            @Override
            public void onEvent(MptcpEvent event) {
                metrics.commandDone(PmCommand.SUBFLOW_CREATE, 0, System.nanoTime());
            }

            @Override
            public Set<MptcpEventType> eventTypes() {
                return EnumSet.of(MptcpEventType.ESTABLISHED);
            }
        });
        counting.onEvent(PathManagerMetricsTest.event(MptcpEventType.ESTABLISHED, 1));
        counting.onEvent(PathManagerMetricsTest.event(MptcpEventType.SUB_ESTABLISHED, 1));
        metrics.commandDone(PmCommand.ANNOUNCE, Errno.EINVAL, System.nanoTime());
        metrics.resync();
        metrics.counterFunction("mptcp4j_netlink_messages_malformed_total", "Malformed messages skipped.", () -> 2);
        metrics.gaugeFunction("mptcp4j_assigned_connections", "Connections handed over by name.", () -> 1);
        PathManagerMetrics other = new PathManagerMetrics("ns2");
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> List.of(metrics, other))) {
            String body = MetricsScrape.of(server.address()).body();
            assertTrue(body.contains("mptcp4j_event_to_command_seconds_count{netns=\"ns1\"} 1\n"), body);
            assertTrue(body.contains("errno=\"EINVAL\"} 1\n"), body);
            assertEquals("", Prometheus.checkMetrics(body), body);
        }
    }

    @Test
    void otherPathsAreNotFoundAndOtherMethodsNotAllowed() throws Exception {
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), List::of)) {
            for (String path : List.of("/", "/metrics/", "/metricsx", "/other")) {
                Response response = request(server.address(), "GET", path);
                assertEquals(404, response.status(), path);
                assertTrue(response.body().contains("/metrics"), response.body());
            }
            for (String method : List.of("POST", "PUT", "DELETE")) {
                Response response = request(server.address(), method, MetricsServer.PATH);
                assertEquals(405, response.status(), method);
                assertEquals("GET, HEAD", response.allow());
            }
        }
    }

    @Test
    void aFailingFunctionAnswers500WithTheReason() throws Exception {
        PathManagerMetrics metrics = new PathManagerMetrics("ns1");
        metrics.gaugeFunction("mptcp4j_broken", "Fails.", () -> {
            throw new IllegalStateException("socket closed");
        });
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> List.of(metrics))) {
            Response response = request(server.address(), "GET", MetricsServer.PATH);
            assertEquals(500, response.status());
            assertTrue(response.body().contains("socket closed"), response.body());
        }
    }

    @Test
    void itRunsOnDaemonThreadsAndCloseStopsIt() throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        List<Thread> scrapers = new CopyOnWriteArrayList<>();
        InetSocketAddress address;
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> {
            scrapers.add(Thread.currentThread());
            return List.of();
        })) {
            address = server.address();
            MetricsScrape.of(address);
            Set<Thread> started = new HashSet<>(Thread.getAllStackTraces().keySet());
            started.removeAll(before);
            assertTrue(started.stream().filter(Thread::isAlive).allMatch(Thread::isDaemon), "non-daemon: " + started);
            assertEquals(1, scrapers.size());
            assertTrue(scrapers.get(0).isDaemon(), scrapers.get(0).getName());
        }
        assertThrows(ConnectException.class, () -> request(address, "GET", MetricsServer.PATH));
    }

    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 0);

    /**
     * The endpoint's threads (its selector's, the workers') have mptcp4j's class loader for their
     * context loader, not the one current when it started: the daemon's, once it has read a
     * plugin directory, whose loader a reload replaces and must then let go.
     */
    @Test
    void itsThreadsKeepNoContextLoaderOfTheThreadThatStartedIt() throws Exception {
        MetricsServer[] server = new MetricsServer[1];
        WeakReference<ClassLoader> plugins = ContextLoader.whileStarting(() -> server[0] = MetricsServer.start(LOCAL,
                List::of));
        try (MetricsServer started = server[0]) {
            MetricsScrape.of(started.address()); // a worker made the answer
            assertTrue(ContextLoader.collected(plugins), "the loader current when the endpoint started is still reachable");
        }
    }

    /** A connection that sent {@code sent} and then nothing, held open. */
    private static Socket silent(InetSocketAddress server, String sent) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(server, 10_000);
            socket.getOutputStream().write(sent.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /** Sends {@code request} as it is, ends the sending side, and reads the answer to its end (10 s at most). */
    private static String raw(InetSocketAddress server, String request) throws IOException {
        try (Socket socket = silent(server, request)) {
            socket.shutdownOutput();
            socket.setSoTimeout(10_000);
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aSilentClientBesideAHundredScrapes() throws Exception {
        PathManagerMetrics metrics = new PathManagerMetrics("ns1");
        try (MetricsServer server = MetricsServer.start(LOCAL, () -> List.of(metrics));
                Socket silent = silent(server.address(), "G")) {
            for (int i = 0; i < 100; i++) {
                assertTrue(MetricsScrape.of(server.address()).body().contains("mptcp4j_connections{netns=\"ns1\"} 0\n"));
            }
            // It is dropped in the end: the server closes its side.
            silent.setSoTimeout(30_000);
            assertEquals(-1, silent.getInputStream().read());
        }
    }

    /** More connections that say nothing (or half a request) than the server keeps open. */
    @Test
    void connectionsThatSayNothingCannotKeepScrapesOut() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try (MetricsServer server = MetricsServer.start(LOCAL, List::of)) {
            for (int i = 0; i < 3 * MetricsServer.MAX_CONNECTIONS; i++) {
                idle.add(silent(server.address(), i % 2 == 0 ? "" : "GET /metrics HTTP/1.1\r\nHost: x\r\n"));
            }
            for (int i = 0; i < 100; i++) {
                MetricsScrape.of(server.address());
            }
            assertEquals(200, request(server.address(), "GET", MetricsServer.HEALTH_PATH).status());
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void aSlowAnswerDoesNotHoldUpTheOthers() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        PathManagerMetrics metrics = new PathManagerMetrics("ns1");
        try (MetricsServer server = MetricsServer.start(LOCAL, () -> {
            if (first.getAndSet(false)) {
                entered.countDown();
                awaitQuietly(release);
            }
            return List.of(metrics);
        })) {
            Thread slow = scrapeAside(server.address());
            try {
                assertTrue(entered.await(10, TimeUnit.SECONDS), "the slow scrape never started");
                for (int i = 0; i < 10; i++) {
                    assertTrue(MetricsScrape.of(server.address()).body().contains("mptcp4j_connections{netns=\"ns1\"} 0\n"));
                }
                assertEquals(200, request(server.address(), "GET", MetricsServer.HEALTH_PATH).status());
            } finally {
                release.countDown();
                slow.join();
            }
        }
    }

    /** A scrape on a thread of its own, whatever it gets. */
    private static Thread scrapeAside(InetSocketAddress server) {
        Thread scrape = new Thread(() -> {
            try {
                request(server, "GET", MetricsServer.PATH);
            } catch (IOException e) {
                // what it gets is not the point
            }
        });
        scrape.setDaemon(true);
        scrape.start();
        return scrape;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Scrapes that take every worker (metrics a namespace's lock keeps waiting, say) leave the
     * liveness check answering: the probe must not fail because the metrics are slow.
     */
    @Test
    void healthzAnswersWhileEveryWorkerIsBusy() throws Exception {
        CountDownLatch entered = new CountDownLatch(MetricsServer.WORKERS);
        CountDownLatch release = new CountDownLatch(1);
        try (MetricsServer server = MetricsServer.start(LOCAL, () -> {
            entered.countDown();
            awaitQuietly(release);
            return List.of();
        })) {
            List<Thread> slow = new ArrayList<>();
            for (int i = 0; i < MetricsServer.WORKERS; i++) {
                slow.add(scrapeAside(server.address()));
            }
            try {
                assertTrue(entered.await(10, TimeUnit.SECONDS), "the slow scrapes never started");
                for (int i = 0; i < 10; i++) {
                    assertEquals(new Response(200, "text/plain; charset=utf-8", null, "ok\n"),
                            request(server.address(), "GET", MetricsServer.HEALTH_PATH));
                }
            } finally {
                release.countDown();
                for (Thread scrape : slow) {
                    scrape.join();
                }
            }
        }
    }

    @Test
    void healthzAnswersWhetherAnythingIsWrong() throws Exception {
        String text = "text/plain; charset=utf-8";
        AtomicReference<List<String>> faults = new AtomicReference<>(List.of());
        try (MetricsServer server = MetricsServer.start(LOCAL, List::of, faults::get)) {
            InetSocketAddress a = server.address();
            assertEquals(new Response(200, text, null, "ok\n"), request(a, "GET", MetricsServer.HEALTH_PATH));
            assertEquals(new Response(200, text, null, ""), request(a, "HEAD", MetricsServer.HEALTH_PATH));
            faults.set(List.of("namespace blue: its event loop is not running", "namespace red: its event loop is not running"));
            assertEquals(new Response(503, text, null,
                    "namespace blue: its event loop is not running\nnamespace red: its event loop is not running\n"),
                    request(a, "GET", MetricsServer.HEALTH_PATH));
            assertEquals(405, request(a, "POST", MetricsServer.HEALTH_PATH).status());
            faults.set(List.of());
            assertEquals(200, request(a, "GET", MetricsServer.HEALTH_PATH + "?verbose").status());
        }
        try (MetricsServer server = MetricsServer.start(LOCAL, List::of)) {
            assertEquals(new Response(200, text, null, "ok\n"), request(server.address(), "GET", MetricsServer.HEALTH_PATH));
        }
    }

    @Test
    void malformedAndOversizedRequestsAreAnsweredAndClosed() throws Exception {
        try (MetricsServer server = MetricsServer.start(LOCAL, List::of)) {
            InetSocketAddress a = server.address();
            for (String request : List.of("GARBAGE\r\n\r\n", "GET metrics HTTP/1.1\r\n\r\n", "GET /metrics\r\n\r\n",
                    "GET /metrics SPDY/3\r\n\r\n", "GET  /metrics HTTP/1.1\r\n\r\n")) {
                assertTrue(raw(a, request).startsWith("HTTP/1.1 400 Bad Request\r\n"), request);
            }
            // Longer than the server reads: answered, and the rest read away so that the answer arrives.
            String huge = "GET /metrics HTTP/1.1\r\nX: " + "y".repeat(2 * MetricsServer.MAX_REQUEST_BYTES) + "\r\n\r\n";
            assertTrue(raw(a, huge).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
            // A bare LF ends a line too; HTTP/1.0 is understood.
            String answer = raw(a, "GET /healthz HTTP/1.0\nHost: x\n\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n") && answer.endsWith("\r\nConnection: close\r\n\r\nok\n"), answer);
        }
    }
}
