package org.mptcp4j.control;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the control socket and answers each request with a {@link ControlHandler}: one
 * acceptor thread, one thread per client, at most {@link #MAX_CLIENTS} clients at once (all
 * daemon threads). A client that takes longer than its timeout ({@link #CLIENT_TIMEOUT} unless
 * told otherwise) to send a whole request, or to take in an answer, is disconnected, so that
 * clients that hang cannot keep the others out. Peers are told apart by uid. The protocol is
 * described in the {@linkplain org.mptcp4j.control package}.
 */
public final class ControlServer implements AutoCloseable {
    /** Clients served at once; the next one gets {@code error 16} and is closed. */
    public static final int MAX_CLIENTS = 16;
    /** The longest request line, in bytes without its newline. */
    public static final int MAX_REQUEST_BYTES = 4096;
    /**
     * How long a client may take to send a whole request line (from connecting, or from the end
     * of its last answer), and to take in an answer once it is being written.
     */
    public static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final int EPERM = 1;
    private static final int EBUSY = 16;
    private static final int ETIMEDOUT = 110;
    /** How the last word to a client dropped for saying nothing begins, after {@code error 110}. */
    private static final String IDLE = "no whole request within ";

    private final Path socket;
    /** The directory made for the socket, removed again at close when empty; null if it existed. */
    private final Path createdDirectory;
    private final ServerSocketChannel server;
    private final ControlHandler handler;
    private final IntPredicate allowedUids;
    private final long timeoutNanos;
    /** The clients being served; guards {@link #closed} too. */
    private final Set<Client> clients = new HashSet<>();
    private boolean closed;

    private ControlServer(Path socket, SocketFile.Bound bound, ControlHandler handler, IntPredicate allowedUids,
            Duration clientTimeout) {
        this.socket = socket;
        this.server = bound.channel();
        this.createdDirectory = bound.createdDirectory();
        this.handler = handler;
        this.allowedUids = allowedUids;
        this.timeoutNanos = clientTimeout.toNanos();
    }

    /**
     * Listens on {@code socket}, serving root and this process's (effective) user only, with
     * the {@link #CLIENT_TIMEOUT}.
     *
     * @param socket the socket's path
     * @param handler answers the requests
     * @return the server; close it
     * @throws IOException as {@link #start(Path, ControlHandler, IntPredicate, Duration)}
     * @see #start(Path, ControlHandler, IntPredicate, Duration)
     */
    public static ControlServer start(Path socket, ControlHandler handler) throws IOException {
        int self = PeerCredentials.ownUid();
        return start(socket, handler, uid -> uid == 0 || uid == self, CLIENT_TIMEOUT);
    }

    /**
     * Listens on {@code socket}. Its directory and every directory above it must be owned by
     * root or by this process's user and be writable by no one else (one above may be, if it is
     * sticky, as /tmp is), and none may be a symbolic link; a missing directory is made, with mode
     * 0700. {@code socket} may not be a symbolic link either. The socket file gets mode 0600. A
     * socket file nobody listens on any more (a killed daemon's) is replaced.
     *
     * @param socket the socket's path
     * @param handler answers the requests
     * @param allowedUids the uids served; the others get {@code error 1 permission denied}
     * @param clientTimeout how long a client may take to send a whole request or to take in an answer
     * @return the server; close it
     * @throws IOException naming the directory, its owner and mode and what to do when it is not
     *     safe; when another process listens on {@code socket} already, when {@code socket} is
     *     a link or something other than a socket, or when it cannot be bound
     */
    public static ControlServer start(Path socket, ControlHandler handler, IntPredicate allowedUids,
            Duration clientTimeout) throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(allowedUids, "allowedUids");
        if (clientTimeout.isNegative() || clientTimeout.isZero()) {
            throw new IllegalArgumentException("a client timeout must be positive: " + clientTimeout);
        }
        ControlServer control = new ControlServer(socket, SocketFile.bind(socket, PeerCredentials.ownUid()), handler,
                allowedUids, clientTimeout);
        thread(control::acceptLoop, "mptcp4j-control").start();
        return control;
    }

    /**
     * A daemon thread with mptcp4j's own class loader as its context loader, not its starter's: a
     * thread that lives as long as the server must not keep a class loader of replaced plugins.
     */
    private static Thread thread(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.setContextClassLoader(ControlServer.class.getClassLoader());
        return thread;
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return; // close()
            } catch (IOException e) {
                LOG.warn("control socket " + socket + ": accept failed: " + e.getMessage());
                if (!pause()) {
                    return;
                }
                continue;
            }
            admit(channel);
        }
    }

    /** After a failed accept (out of file descriptors, say), so that the loop does not spin; false if interrupted. */
    private static boolean pause() {
        try {
            Thread.sleep(100);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private void admit(SocketChannel channel) {
        try {
            int uid = PeerCredentials.uid(channel);
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!allowedUids.test(uid)) {
                String user = "user " + peer.user().getName() + " (uid " + PeerCredentials.text(uid) + ")";
                LOG.warn("control socket " + socket + ": refused " + user);
                refuse(channel, ControlResponse.error(EPERM, "permission denied: " + user + " may not use this mptcp4j daemon"));
                return;
            }
            Client client;
            synchronized (clients) {
                if (closed) {
                    channel.close();
                    return;
                }
                if (clients.size() >= MAX_CLIENTS) {
                    client = null;
                } else {
                    client = new Client(channel);
                    clients.add(client);
                }
            }
            if (client == null) {
                refuse(channel, ControlResponse.error(EBUSY, "busy: " + MAX_CLIENTS + " clients are connected already"));
                return;
            }
            thread(() -> serve(client, peer), "mptcp4j-control-client").start();
        } catch (IOException e) {
            closeQuietly(channel);
        }
    }

    /** Answers a client it will not serve, before reading anything, and closes it. */
    private static void refuse(SocketChannel channel, ControlResponse response) {
        try {
            ByteBuffer bytes = encode(response);
            // A fresh connection's buffer takes these few bytes at once.
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            // it went away already
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    private void serve(Client client, UnixDomainPrincipal peer) {
        try (client) {
            RequestReader reader = new RequestReader(client);
            while (true) {
                String line;
                try {
                    line = reader.next(deadline());
                } catch (RequestTooLongException e) {
                    client.write(encode(ControlResponse.error(0, "request longer than " + MAX_REQUEST_BYTES + " bytes")),
                            deadline());
                    return;
                } catch (TimedOutException e) {
                    String idle = IDLE + timeoutText() + ": disconnected";
                    LOG.info("control socket " + socket + ": a client sent " + idle);
                    client.offer(encode(ControlResponse.error(ETIMEDOUT, idle)));
                    return;
                }
                if (line == null) {
                    return;
                }
                client.write(encode(answer(line, peer)), deadline());
            }
        } catch (TimedOutException e) {
            LOG.info("control socket " + socket + ": a client took in no answer within " + timeoutText() + ": disconnected");
        } catch (IOException e) {
            // The client went away, or close() closed its channel: nobody is left to answer.
        } finally {
            synchronized (clients) {
                clients.remove(client);
            }
        }
    }

    private long deadline() {
        return System.nanoTime() + timeoutNanos;
    }

    private String timeoutText() {
        long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private ControlResponse answer(String line, UnixDomainPrincipal peer) {
        String request = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        List<String> words = Arrays.stream(request.split("[ \t]+")).filter(word -> !word.isEmpty()).toList();
        if (words.isEmpty()) {
            return ControlResponse.error(0, "empty request");
        }
        try {
            return Objects.requireNonNull(handler.handle(words, peer), "the control handler answered null");
        } catch (RuntimeException e) {
            LOG.warn("control socket " + socket + ": request '" + request + "' failed", e);
            return ControlResponse.error(0, ControlResponse.INTERNAL_ERROR + e);
        }
    }

    /** Whether {@code response} is the last word to a client dropped for sending no whole request in time. */
    static boolean idleNotice(ControlResponse response) {
        return !response.ok() && response.errno() == ETIMEDOUT && response.text().startsWith(IDLE);
    }

    private static ByteBuffer encode(ControlResponse response) {
        return ByteBuffer.wrap(response.encode().getBytes(StandardCharsets.UTF_8));
    }

    /** Stops accepting, closes the clients' connections, deletes the socket file (and the directory made for it). */
    @Override
    public void close() throws IOException {
        List<Client> open;
        synchronized (clients) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(clients);
        }
        try {
            server.close();
            open.forEach(Client::disconnect);
        } finally {
            Files.deleteIfExists(socket);
            if (createdDirectory != null) {
                try {
                    Files.deleteIfExists(createdDirectory);
                } catch (DirectoryNotEmptyException e) {
                    // something else was put there: it stays
                }
            }
        }
    }

    /** A client's connection: reads and writes that wait until a deadline at most. */
    private static final class Client implements Closeable {
        private final SocketChannel channel;
        private final Selector selector;
        private final SelectionKey key;

        Client(SocketChannel channel) throws IOException {
            this.channel = channel;
            channel.configureBlocking(false);
            selector = Selector.open();
            try {
                key = channel.register(selector, 0);
            } catch (IOException e) {
                selector.close();
                throw e;
            }
        }

        /** Reads what has come, waiting for something until {@code deadline} (System.nanoTime()); -1 at end of stream. */
        int read(ByteBuffer buffer, long deadline) throws IOException {
            int read;
            while ((read = channel.read(buffer)) == 0) {
                await(SelectionKey.OP_READ, deadline);
            }
            return read;
        }

        /** Writes all of {@code bytes} by {@code deadline}. */
        void write(ByteBuffer bytes, long deadline) throws IOException {
            while (bytes.hasRemaining()) {
                if (channel.write(bytes) == 0) {
                    await(SelectionKey.OP_WRITE, deadline);
                }
            }
        }

        /** Writes what the connection takes now, without waiting: a last word to a client being dropped. */
        void offer(ByteBuffer bytes) {
            try {
                channel.write(bytes);
            } catch (IOException e) {
                // it is being dropped anyway
            }
        }

        private void await(int operation, long deadline) throws IOException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimedOutException();
            }
            try {
                key.interestOps(operation);
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (CancelledKeyException closedMeanwhile) {
                throw new AsynchronousCloseException();
            }
            selector.selectedKeys().clear();
            if (!channel.isOpen()) {
                throw new AsynchronousCloseException();
            }
        }

        /** From another thread: closes the connection and wakes the client's thread. */
        void disconnect() {
            closeQuietly(channel);
            selector.wakeup();
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } finally {
                selector.close();
            }
        }
    }

    /** The request lines of one client, each at most {@link #MAX_REQUEST_BYTES} long. */
    private static final class RequestReader {
        private final Client client;
        private final ByteBuffer buffer = ByteBuffer.allocate(8192).flip();
        private final byte[] line = new byte[MAX_REQUEST_BYTES];

        RequestReader(Client client) {
            this.client = client;
        }

        /** The next line without its newline, whole by {@code deadline}; null at end of stream. */
        String next(long deadline) throws IOException {
            int length = 0;
            while (true) {
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        return new String(line, 0, length, StandardCharsets.UTF_8);
                    }
                    if (length == line.length) {
                        throw new RequestTooLongException();
                    }
                    line[length++] = b;
                }
                buffer.clear();
                int read = client.read(buffer, deadline);
                buffer.flip();
                if (read < 0) {
                    // A last request without its newline is a request too.
                    return length > 0 ? new String(line, 0, length, StandardCharsets.UTF_8) : null;
                }
            }
        }
    }

    private static final class RequestTooLongException extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** A client kept the server waiting past its deadline. */
    private static final class TimedOutException extends IOException {
        private static final long serialVersionUID = 1L;
    }
}
