package org.mptcp4j.metrics;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.MptcpAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} (and HEAD) in the Prometheus text format, and {@code GET /healthz}
 * for liveness probes: {@code 200 ok} when nothing is wrong, {@code 503} with one line per fault
 * otherwise. Other paths answer 404, other methods 405; every answer closes its connection. All
 * its threads are daemon threads: it never keeps the JVM alive.
 *
 * <p>No client can hold it up. One thread reads and writes every connection without blocking,
 * and answers {@link #HEALTH_PATH} itself, so that a liveness probe never waits behind scrapes;
 * {@link #WORKERS} others make the metrics, so that a slow scrape does not delay the rest. A
 * connection has {@link #REQUEST_TIMEOUT} to send its request line and headers (at most
 * {@link #MAX_REQUEST_BYTES}), then {@link #ANSWER_TIMEOUT} for its answer to be made and taken
 * in; past either it is closed. At most {@link #MAX_CONNECTIONS} are open at once: one more
 * takes the place of the oldest that is still sending its request (or done), so connections
 * that say nothing cannot keep scrapes out. (The JDK's HTTP server reads requests on its
 * executor's threads with no time limit but process-wide system properties, and cannot drop
 * one connection for another.)
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
    /** The liveness endpoint: whether the daemon works, cheaply. */
    public static final String HEALTH_PATH = "/healthz";
    /** Connections open at once. */
    public static final int MAX_CONNECTIONS = 32;
    /** Threads making the metrics' answers. */
    public static final int WORKERS = 2;
    /** The longest request line and headers, in bytes; longer ones are answered 431. */
    public static final int MAX_REQUEST_BYTES = 8192;
    /** From accepting a connection to the end of its request's headers. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** From the end of the request's headers to the last byte of the answer written. */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    private static final String DEFAULT_HOST = "127.0.0.1";
    /** 0: a port the kernel picks. */
    private static final ValueRange PORT = ValueRange.count(0, 65535);
    private static final String FORMS = "expected PORT, IPV4:PORT or [IPV6]:PORT (e.g. 9464, 0.0.0.0:9464, [::1]:9464)";
    private static final String TEXT = "text/plain; charset=utf-8";
    /** After a failed accept (out of descriptors, say), so that the thread does not spin. */
    private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ServerSocketChannel listener;
    private final InetSocketAddress address;
    private final Selector selector;
    private final SelectionKey accepting;
    private final ThreadPoolExecutor workers;
    private final Supplier<? extends Collection<? extends PathManagerMetrics>> sources;
    private final Supplier<? extends Collection<String>> faults;
    /** Answers the workers made, for the selector's thread to write. */
    private final Queue<Exchange> answered = new ConcurrentLinkedQueue<>();
    /** The open connections, oldest first; the selector thread's alone. */
    private final Set<Exchange> open = new LinkedHashSet<>();
    private final Thread thread;
    /** When accepting starts again after a failure; 0 when it is on. The selector thread's alone. */
    private long acceptAgainAt;
    private volatile boolean closing;

    private enum State { READING, ANSWERING, WRITING, DRAINING }

    /** One connection and its one request. */
    private static final class Exchange {
        final SocketChannel channel;
        final SelectionKey key;
        final ByteBuffer request = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        /** Where to look for the end of the headers next. */
        int scanned;
        State state = State.READING;
        long deadline;
        /** Written by a worker, read by the selector thread after taking it from {@link #answered}. */
        ByteBuffer answer;

        Exchange(SocketChannel channel, SelectionKey key, long deadline) {
            this.channel = channel;
            this.key = key;
            this.deadline = deadline;
        }
    }

    private MetricsServer(ServerSocketChannel listener, Selector selector,
            Supplier<? extends Collection<? extends PathManagerMetrics>> sources,
            Supplier<? extends Collection<String>> faults) throws IOException {
        this.listener = listener;
        this.address = (InetSocketAddress) listener.getLocalAddress();
        this.selector = selector;
        this.accepting = listener.register(selector, SelectionKey.OP_ACCEPT);
        this.sources = sources;
        this.faults = faults;
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_CONNECTIONS), r -> daemonThread(r, "mptcp4j-metrics-worker"));
        this.thread = daemonThread(this::run, "mptcp4j-metrics");
    }

    /**
     * A daemon thread with mptcp4j's own class loader as its context loader, not its starter's: a
     * thread that lives as long as the endpoint must not keep a class loader of replaced plugins.
     */
    private static Thread daemonThread(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        thread.setContextClassLoader(MetricsServer.class.getClassLoader());
        return thread;
    }

    /**
     * Binds {@code address} (port 0: any free port, see {@link #address()}) and serves the
     * metrics of the sources {@code sources} gives at each scrape (namespaces may come and go);
     * {@link #HEALTH_PATH} always answers ok.
     *
     * @param address the address and port to bind
     * @param sources gives the metrics' sources
     * @return the server; close it
     * @throws IOException when the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address,
            Supplier<? extends Collection<? extends PathManagerMetrics>> sources) throws IOException {
        return start(address, sources, List::of);
    }

    /**
     * As {@link #start(InetSocketAddress, Supplier)}, with {@link #HEALTH_PATH} answering 503
     * and the lines {@code faults} gives, when it gives any.
     *
     * @param address the address and port to bind
     * @param sources gives the metrics' sources
     * @param faults what keeps the service from working, one line each, asked at each probe on
     *     the thread that serves every connection: it must answer at once, never wait
     * @return the server; close it
     * @throws IOException when the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address,
            Supplier<? extends Collection<? extends PathManagerMetrics>> sources,
            Supplier<? extends Collection<String>> faults) throws IOException {
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(faults, "faults");
        ServerSocketChannel listener = ServerSocketChannel.open();
        Selector selector = null;
        MetricsServer server;
        try {
            // This side closes first, so its TIME_WAITs must not keep a restarted daemon from binding.
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(address);
            listener.configureBlocking(false);
            selector = Selector.open();
            server = new MetricsServer(listener, selector, sources, faults);
        } catch (IOException | RuntimeException e) {
            listener.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        server.thread.start();
        return server;
    }

    /**
     * The address bound, with the port chosen when 0 was asked for.
     *
     * @return the bound address
     */
    public InetSocketAddress address() {
        return address;
    }

    /** Stops serving at once and ends the threads; the port is free when it returns. */
    @Override
    public void close() {
        closing = true;
        selector.wakeup();
        workers.shutdownNow();
        boolean interrupted = false;
        while (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!closing) {
                selector.select(this::ready, waitMillis());
                for (Exchange e = answered.poll(); e != null; e = answered.poll()) {
                    write(e, e.answer);
                }
                expire(System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("metrics: the endpoint stopped: " + e, e);
        } finally {
            new ArrayList<>(open).forEach(this::close);
            try {
                listener.close();
                selector.close();
            } catch (IOException e) {
                LOG.warn("metrics: closing the endpoint: " + e.getMessage());
            }
        }
    }

    /** Until the nearest deadline; 0 (no limit) when nothing waits. */
    private long waitMillis() {
        long now = System.nanoTime();
        long nearest = acceptAgainAt != 0 ? acceptAgainAt - now : Long.MAX_VALUE;
        for (Exchange e : open) {
            nearest = Math.min(nearest, e.deadline - now);
        }
        return nearest == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nearest) + 1);
    }

    private void expire(long now) {
        if (acceptAgainAt != 0 && now - acceptAgainAt >= 0) {
            acceptAgainAt = 0;
            accepting.interestOps(SelectionKey.OP_ACCEPT);
        }
        List<Exchange> late = new ArrayList<>();
        for (Exchange e : open) {
            if (now - e.deadline >= 0) {
                late.add(e);
            }
        }
        late.forEach(this::close);
    }

    private void ready(SelectionKey key) {
        if (!key.isValid()) {
            return; // closed earlier in this round
        }
        if (key == accepting) {
            accept();
        } else if (key.isReadable()) {
            read((Exchange) key.attachment());
        } else if (key.isWritable()) {
            Exchange e = (Exchange) key.attachment();
            write(e, e.answer);
        }
    }

    private void accept() {
        while (true) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                LOG.warn("metrics: accept failed: " + e.getMessage());
                accepting.interestOps(0);
                acceptAgainAt = System.nanoTime() + ACCEPT_PAUSE_NANOS;
                return;
            }
            if (channel == null) {
                return;
            }
            if (open.size() >= MAX_CONNECTIONS && !dropOneWaiting()) {
                closeQuietly(channel); // every place is being answered: this one comes back later
                continue;
            }
            try {
                channel.configureBlocking(false);
                Exchange e = new Exchange(channel, channel.register(selector, SelectionKey.OP_READ),
                        System.nanoTime() + REQUEST_TIMEOUT.toNanos());
                e.key.attach(e);
                open.add(e);
                // The request is often there already: past reading, it is not the one dropped for the next.
                read(e);
            } catch (IOException e) {
                closeQuietly(channel);
            }
        }
    }

    /** Closes the oldest connection that is still sending its request or is done; false if none is. */
    private boolean dropOneWaiting() {
        for (Exchange e : open) {
            if (e.state == State.READING || e.state == State.DRAINING) {
                close(e);
                return true;
            }
        }
        return false;
    }

    private void read(Exchange e) {
        if (e.state == State.DRAINING) {
            drain(e);
            return;
        }
        int read;
        try {
            read = e.channel.read(e.request);
        } catch (IOException x) {
            close(e);
            return;
        }
        if (read < 0) {
            close(e); // gone before asking
            return;
        }
        int end = headersEnd(e);
        if (end >= 0) {
            e.state = State.ANSWERING;
            e.deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
            e.key.interestOps(0);
            route(e);
        } else if (!e.request.hasRemaining()) {
            write(e, text(431, "request line and headers longer than " + MAX_REQUEST_BYTES + " bytes", false));
        }
    }

    /** Where the blank line ending the headers ends (a bare LF is taken for CRLF); -1 before it came. */
    private static int headersEnd(Exchange e) {
        ByteBuffer r = e.request;
        for (int i = Math.max(e.scanned, 1); i < r.position(); i++) {
            if (r.get(i) == '\n' && (r.get(i - 1) == '\n' || (i >= 2 && r.get(i - 1) == '\r' && r.get(i - 2) == '\n'))) {
                return i + 1;
            }
        }
        e.scanned = Math.max(1, r.position());
        return -1;
    }

    private void route(Exchange e) {
        String line = requestLine(e.request);
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !parts[1].startsWith("/") || !parts[2].startsWith("HTTP/1.")) {
            write(e, text(400, "expected a request line 'METHOD /PATH HTTP/1.1'", false));
            return;
        }
        String method = parts[0];
        int query = parts[1].indexOf('?');
        String path = query < 0 ? parts[1] : parts[1].substring(0, query);
        boolean head = method.equals("HEAD");
        if (!path.equals(PATH) && !path.equals(HEALTH_PATH)) {
            write(e, text(404, "no such path; the metrics are at " + PATH + ", liveness at " + HEALTH_PATH, head));
        } else if (!head && !method.equals("GET")) {
            write(e, text(405, method + " not allowed; use GET or HEAD", false));
        } else if (path.equals(HEALTH_PATH)) {
            write(e, health(head));
        } else {
            try {
                workers.execute(() -> answer(e, head));
            } catch (RejectedExecutionException full) {
                write(e, text(503, "busy: " + MAX_CONNECTIONS + " answers are waiting already", head));
            }
        }
    }

    private static String requestLine(ByteBuffer request) {
        int end = 0;
        while (request.get(end) != '\n') {
            end++;
        }
        if (end > 0 && request.get(end - 1) == '\r') {
            end--;
        }
        return new String(request.array(), 0, end, StandardCharsets.ISO_8859_1);
    }

    /** On a worker: makes the metrics' answer and hands it to the selector thread. */
    private void answer(Exchange e, boolean head) {
        if (!e.channel.isOpen()) {
            return; // closed at its deadline while it waited
        }
        e.answer = metrics(head);
        answered.add(e);
        selector.wakeup();
    }

    private ByteBuffer metrics(boolean head) {
        byte[] body;
        try {
            body = TextFormat.write(sources.get(), true).getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            // A function registered by the daemon failed: the scraper sees why, the log too.
            LOG.warn("metrics: writing the exposition failed: " + e, e);
            return text(500, "writing the metrics failed: " + e, head);
        }
        return response(200, TextFormat.CONTENT_TYPE, body, head);
    }

    private ByteBuffer health(boolean head) {
        Collection<String> wrong;
        try {
            wrong = faults.get();
        } catch (RuntimeException e) {
            LOG.warn("metrics: the health check failed: " + e, e);
            return text(500, "the health check failed: " + e, head);
        }
        return wrong.isEmpty() ? text(200, "ok", head) : text(503, String.join("\n", wrong), head);
    }

    private static ByteBuffer text(int status, String text, boolean head) {
        return response(status, TEXT, (text + "\n").getBytes(StandardCharsets.UTF_8), head);
    }

    /** A HEAD answer has the GET answer's headers, without the body. */
    private static ByteBuffer response(int status, String contentType, byte[] body, boolean head) {
        String headers = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + "\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + (status == 405 ? "Allow: GET, HEAD\r\n" : "")
                + "Connection: close\r\n\r\n";
        byte[] bytes = headers.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer answer = ByteBuffer.allocate(bytes.length + (head ? 0 : body.length)).put(bytes);
        if (!head) {
            answer.put(body);
        }
        return answer.flip();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> throw new IllegalArgumentException("no reason phrase for " + status);
        };
    }

    /** Writes what the connection takes now; once all is written, ends this side and drains the other. */
    private void write(Exchange e, ByteBuffer answer) {
        if (!e.key.isValid()) {
            return; // closed meanwhile
        }
        e.answer = answer;
        e.state = State.WRITING;
        try {
            e.channel.write(answer);
            if (answer.hasRemaining()) {
                e.key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            // Closing with unread bytes (a body, a second request) would reset the connection and
            // could cost the client its answer: read to the client's end first, within the deadline.
            e.channel.shutdownOutput();
            e.state = State.DRAINING;
            e.key.interestOps(SelectionKey.OP_READ);
            drain(e);
        } catch (IOException x) {
            close(e);
        }
    }

    private void drain(Exchange e) {
        try {
            while (true) {
                int read = e.channel.read(e.request.clear());
                if (read < 0) {
                    close(e);
                    return;
                }
                if (read == 0) {
                    return;
                }
            }
        } catch (IOException x) {
            close(e);
        }
    }

    private void close(Exchange e) {
        open.remove(e);
        e.key.cancel();
        closeQuietly(e.channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    /**
     * {@code PORT}, {@code IPV4:PORT} or {@code [IPV6]:PORT}; the address defaults to 127.0.0.1,
     * so that the metrics stay on the host unless an address is given. Host names are refused.
     *
     * @param text the address's text
     * @return the address
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
}
