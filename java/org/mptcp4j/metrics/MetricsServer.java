package org.mptcp4j.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.mptcp4j.pm.MptcpAddress;
import org.mptcp4j.pm.ValueRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} (and HEAD) in the Prometheus text format, on the JDK's HTTP
 * server, from daemon threads: it never keeps the JVM alive. Other paths answer 404, other
 * methods 405.
 *
 * <pre>{@code
 * try (MetricsServer server = MetricsServer.start(MetricsServer.parseAddress("9464"), () -> List.of(metrics))) {
 *     ...
 * }
 * }</pre>
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    /** The path Prometheus scrapes by default. */
    public static final String PATH = "/metrics";
    private static final String DEFAULT_HOST = "127.0.0.1";
    /** 0: a port the kernel picks. */
    private static final ValueRange PORT = ValueRange.count(0, 65535);
    private static final String FORMS = "expected PORT, IPV4:PORT or [IPV6]:PORT (e.g. 9464, 0.0.0.0:9464, [::1]:9464)";

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<? extends Collection<? extends PathManagerMetrics>> sources;

    private MetricsServer(HttpServer server, ExecutorService executor,
            Supplier<? extends Collection<? extends PathManagerMetrics>> sources) {
        this.server = server;
        this.executor = executor;
        this.sources = sources;
    }

    /**
     * Binds {@code address} (port 0: any free port, see {@link #address()}) and serves the
     * metrics of the sources {@code sources} gives at each scrape (namespaces may come and go).
     *
     * @throws IOException when the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address,
            Supplier<? extends Collection<? extends PathManagerMetrics>> sources) throws IOException {
        Objects.requireNonNull(sources, "sources");
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "mptcp4j-metrics");
            thread.setDaemon(true);
            return thread;
        });
        MetricsServer metrics = new MetricsServer(server, executor, sources);
        server.createContext("/", metrics::handle);
        server.setExecutor(executor);
        // The server's dispatcher thread takes the daemon status of the thread that starts it.
        try {
            executor.submit(server::start).get();
        } catch (InterruptedException | ExecutionException e) {
            metrics.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("starting the metrics server on " + address + " failed", e);
        }
        return metrics;
    }

    /** The address bound, with the port chosen when 0 was asked for. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops serving at once and ends the threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
    }

    /**
     * {@code PORT}, {@code IPV4:PORT} or {@code [IPV6]:PORT}; the address defaults to 127.0.0.1,
     * so that the metrics stay on the host unless an address is given. Host names are refused.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static InetSocketAddress parseAddress(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int end = text.indexOf("]:");
            if (end < 0) {
                throw invalid(text, null);
            }
            host = text.substring(1, end);
            port = text.substring(end + 2);
            if (host.indexOf(':') < 0) {
                throw invalid(text, null); // brackets are for IPv6 only
            }
        } else {
            int colon = text.lastIndexOf(':');
            host = colon < 0 ? DEFAULT_HOST : text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw invalid(text, null); // IPv6 without brackets: where the port starts is a guess
            }
        }
        int number;
        try {
            number = PORT.parseInt("the port", port);
        } catch (IllegalArgumentException e) {
            throw invalid(text, e);
        }
        InetAddress address;
        try {
            address = MptcpAddress.literal(host);
        } catch (IllegalArgumentException e) {
            throw invalid(text, e);
        }
        return new InetSocketAddress(address, number);
    }

    private static IllegalArgumentException invalid(String text, Exception cause) {
        return new IllegalArgumentException("metrics address '" + text + "': " + FORMS, cause);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                reply(exchange, head, 404, "no such path; the metrics are at " + PATH);
                return;
            }
            if (!head && !"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, false, 405, method + " not allowed; use GET or HEAD");
                return;
            }
            byte[] body;
            try {
                body = TextFormat.write(sources.get(), true).getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                // A function registered by the daemon failed: the scraper sees why, the log too.
                LOG.warn("metrics: writing the exposition failed: " + e, e);
                reply(exchange, head, 500, "writing the metrics failed: " + e);
                return;
            }
            send(exchange, head, 200, TextFormat.CONTENT_TYPE, body);
        }
    }

    private static void reply(HttpExchange exchange, boolean head, int status, String text) throws IOException {
        send(exchange, head, status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A HEAD answer has the GET answer's headers, without the body or its length. */
    private static void send(HttpExchange exchange, boolean head, int status, String contentType, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
