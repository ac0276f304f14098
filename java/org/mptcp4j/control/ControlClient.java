package org.mptcp4j.control;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A connection to the daemon's control socket: requests, each answered in turn. Not for
 * several threads at once. The protocol is described in the {@linkplain org.mptcp4j.control package}.
 *
 * <p>The daemon closes a connection on which no whole request came within its client timeout
 * ({@link ControlServer#CLIENT_TIMEOUT}) of connecting or of the last answer, so that idle
 * clients cannot keep others out. A client may still hold one for as long as it likes: a
 * request on a connection the daemon closed so connects again, once, and is sent there (it was
 * not sent on the closed one, so nothing is done twice). A request that reaches the daemon just
 * as it closes the connection is not carried out; {@link #request(String)} then throws an
 * {@link IOException} saying so.
 */
public final class ControlClient implements AutoCloseable {
    private final Path socket;
    private SocketChannel channel;
    private BufferedReader in;

    private ControlClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        use(channel);
    }

    private void use(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    }

    /**
     * Connects to the daemon listening on {@code socket}.
     *
     * @param socket the daemon's control socket
     * @return the client; close it
     * @throws IOException "no mptcp4j daemon listens on PATH ..." when the file is missing or
     *     nobody listens on it, "permission denied on PATH: ..." when this user may not
     *     connect to it
     */
    public static ControlClient connect(Path socket) throws IOException {
        return new ControlClient(socket, open(socket));
    }

    private static SocketChannel open(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (IOException e) {
            channel.close();
            // The JDK reports ENOENT and EACCES as SocketExceptions told apart only by their text: ask the file system.
            if (e instanceof ConnectException || Files.notExists(socket)) {
                throw new IOException("no mptcp4j daemon listens on " + socket
                        + " (is it running? is that its control-socket setting?)", e);
            }
            if (!Files.isWritable(socket)) {
                throw new IOException("permission denied on " + socket + ": run as root or as the daemon's user", e);
            }
            throw new IOException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * The request line of these words, joined by spaces.
     *
     * @param words the request's words
     * @return the request line
     * @throws IllegalArgumentException for no words, an empty word or one with a blank or line break in it
     */
    public static String line(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one word");
        }
        for (String word : words) {
            if (word.isEmpty() || word.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
                throw new IllegalArgumentException("'" + word + "' is not one word: words have no blanks");
            }
        }
        return String.join(" ", words);
    }

    /**
     * Sends the request of these words and returns its answer.
     *
     * @param words the request's words
     * @return the answer
     * @throws IOException as {@link #request(String)}
     */
    public ControlResponse request(List<String> words) throws IOException {
        return request(line(words));
    }

    /**
     * Sends one request line (without its newline) and returns its answer; on a connection the
     * daemon closed for idleness, connects again first.
     *
     * @param line the request line
     * @return the answer
     * @throws IllegalArgumentException when {@code line} has a line break
     * @throws IOException when the connection failed or the daemon closed it (the message says
     *     when it did so for idleness as the request came: then the request was not carried out)
     */
    public ControlResponse request(String line) throws IOException {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a request is one line: '" + line + "'");
        }
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        for (boolean again = false; ; again = true) {
            IOException unsent = write(bytes);
            if (unsent == null) {
                break;
            }
            // The daemon closed the connection before reading: what it said then is still queued.
            ControlResponse queued = null;
            try {
                queued = ControlResponse.read(in);
            } catch (IOException unread) {
                unsent.addSuppressed(unread);
            }
            if (queued != null && !ControlServer.idleNotice(queued)) {
                return queued; // this client refused, or the daemon busy
            }
            if (queued == null || again || bytes.position() != 0) {
                throw new IOException("the mptcp4j daemon on " + socket + " closed the connection: " + unsent.getMessage(),
                        unsent);
            }
            // Closed for idleness with not one byte of the request sent: it goes on a new connection.
            channel.close();
            use(open(socket));
        }
        ControlResponse response = answer();
        if (ControlServer.idleNotice(response)) {
            throw new IOException("the mptcp4j daemon on " + socket + " closed the connection for idleness as the"
                    + " request came (" + response.text() + "): it was not carried out");
        }
        return response;
    }

    /** Writes all of {@code bytes}; what failed, or null. */
    private IOException write(ByteBuffer bytes) {
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private ControlResponse answer() throws IOException {
        ControlResponse response;
        try {
            response = ControlResponse.read(in);
        } catch (IOException e) {
            throw new IOException("reading the answer of the mptcp4j daemon on " + socket + ": " + e.getMessage(), e);
        }
        if (response == null) {
            throw new EOFException("the mptcp4j daemon on " + socket + " closed the connection");
        }
        return response;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
