package org.mptcp4j.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the control socket and answers each request with a {@link ControlHandler}: one
 * acceptor thread, one thread per client, at most {@link #MAX_CLIENTS} clients at once (all
 * daemon threads). The protocol is described in the {@linkplain org.mptcp4j.control package}.
 */
public final class ControlServer implements AutoCloseable {
    /** Clients served at once; the next one gets {@code error 16} and is closed. */
    public static final int MAX_CLIENTS = 16;
    /** The longest request line, in bytes without its newline. */
    public static final int MAX_REQUEST_BYTES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final int EPERM = 1;
    private static final int EBUSY = 16;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final Set<PosixFilePermission> SOCKET_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path socket;
    /** The directory made for the socket, removed again at close when empty; null if it existed. */
    private Path createdDirectory;
    private final ServerSocketChannel server;
    private final ControlHandler handler;
    private final Predicate<UnixDomainPrincipal> allowedPeers;
    /** The clients being served; guards {@link #closed} too. */
    private final Set<SocketChannel> clients = new HashSet<>();
    private boolean closed;

    private ControlServer(Path socket, ServerSocketChannel server, ControlHandler handler,
            Predicate<UnixDomainPrincipal> allowedPeers) {
        this.socket = socket;
        this.server = server;
        this.handler = handler;
        this.allowedPeers = allowedPeers;
    }

    /**
     * Listens on {@code socket}, serving root and this process's user only.
     *
     * @see #start(Path, ControlHandler, Predicate)
     */
    public static ControlServer start(Path socket, ControlHandler handler) throws IOException {
        String self = System.getProperty("user.name");
        String uid = ownUid();
        // A user with no name in the passwd database (a container's arbitrary uid) is named by its number.
        return start(socket, handler, peer -> {
            String user = peer.user().getName();
            return user.equals("root") || user.equals("0") || user.equals(self) || user.equals(uid);
        });
    }

    /** This process's real uid as text (the first field of Uid: in /proc/self/status); null if unknown. */
    private static String ownUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).trim().split("\\s+")[0];
                }
            }
        } catch (IOException e) {
            // not Linux: the name alone is compared
        }
        return null;
    }

    /**
     * Listens on {@code socket}. Its parent directory is created with mode 0700 if missing (an
     * existing one is left as it is); the socket file gets mode 0600. A socket file nobody
     * listens on any more (a killed daemon's) is replaced.
     *
     * @param allowedPeers the users served; the others get {@code error 1 permission denied}
     * @throws IOException when another process listens on {@code socket} already, when
     *     {@code socket} exists and is not a socket, or when it cannot be bound
     */
    public static ControlServer start(Path socket, ControlHandler handler, Predicate<UnixDomainPrincipal> allowedPeers)
            throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(allowedPeers, "allowedPeers");
        Path parent = socket.toAbsolutePath().getParent();
        Path created = null;
        if (Files.notExists(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
            created = parent;
        }
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        removeStale(socket, address);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(address);
            // Until now the file had the umask's mode; a peer that connected meanwhile is still checked.
            Files.setPosixFilePermissions(socket, SOCKET_MODE);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
        }
        ControlServer control = new ControlServer(socket, server, handler, allowedPeers);
        control.createdDirectory = created;
        Thread acceptor = new Thread(control::acceptLoop, "mptcp4j-control");
        acceptor.setDaemon(true);
        acceptor.start();
        return control;
    }

    /** Deletes a socket file that nobody answers on; refuses a live one and anything else. */
    private static void removeStale(Path socket, UnixDomainSocketAddress address) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(socket + " exists and is not a socket");
        }
        boolean live;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(address);
            live = true;
        } catch (ConnectException refused) {
            live = false;
        }
        if (live) {
            throw new IOException("another mptcp4j daemon listens on " + socket + " already");
        }
        Files.delete(socket);
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
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!allowedPeers.test(peer)) {
                String user = peer.user().getName();
                LOG.warn("control socket " + socket + ": refused user " + user);
                refuse(channel, ControlResponse.error(EPERM, "permission denied: user " + user
                        + " may not use this mptcp4j daemon"));
                return;
            }
            boolean busy;
            synchronized (clients) {
                if (closed) {
                    channel.close();
                    return;
                }
                busy = clients.size() >= MAX_CLIENTS;
                if (!busy) {
                    clients.add(channel);
                }
            }
            if (busy) {
                refuse(channel, ControlResponse.error(EBUSY, "busy: " + MAX_CLIENTS + " clients are connected already"));
                return;
            }
            Thread client = new Thread(() -> serve(channel, peer), "mptcp4j-control-client");
            client.setDaemon(true);
            client.start();
        } catch (IOException e) {
            closeQuietly(channel);
        }
    }

    /** Answers a client it will not serve, before reading anything, and closes it. */
    private static void refuse(SocketChannel channel, ControlResponse response) {
        try {
            send(channel, response);
        } catch (IOException e) {
            // it went away already
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    private void serve(SocketChannel channel, UnixDomainPrincipal peer) {
        try (channel) {
            RequestReader reader = new RequestReader(channel);
            try {
                for (String line = reader.next(); line != null; line = reader.next()) {
                    send(channel, answer(line, peer));
                }
            } catch (RequestTooLongException e) {
                send(channel, ControlResponse.error(0, "request longer than " + MAX_REQUEST_BYTES + " bytes"));
            }
        } catch (IOException e) {
            // The client went away, or close() closed its channel: nobody is left to answer.
        } finally {
            synchronized (clients) {
                clients.remove(channel);
            }
        }
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

    private static void send(SocketChannel channel, ControlResponse response) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(response.encode().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Stops accepting, closes the clients' connections, deletes the socket file (and the directory made for it). */
    @Override
    public void close() throws IOException {
        List<SocketChannel> open;
        synchronized (clients) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(clients);
        }
        try {
            server.close();
            open.forEach(ControlServer::closeQuietly);
        } finally {
            Files.deleteIfExists(socket);
            if (createdDirectory != null) {
                try {
                    Files.deleteIfExists(createdDirectory);
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    // something else was put there: it stays
                }
            }
        }
    }

    /** The request lines of one client, each at most {@link #MAX_REQUEST_BYTES} long. */
    private static final class RequestReader {
        private final SocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(8192).flip();
        private final byte[] line = new byte[MAX_REQUEST_BYTES];

        RequestReader(SocketChannel channel) {
            this.channel = channel;
        }

        /** The next line without its newline; null at end of stream. */
        String next() throws IOException {
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
                int read = channel.read(buffer);
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
}
