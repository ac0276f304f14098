package org.mptcp4j.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.socket.MptcpChannels.Fallback;
import org.mptcp4j.socket.MptcpChannels;

/**
 * Both ends of many MPTCP connections, held open by a JVM of their own: a process has only so
 * many descriptors (ulimit -n, 20,000 on some machines, and its hard limit raised by no one
 * without CAP_SYS_RESOURCE), so a test holding more starts several. The process listens on a
 * port of the server's path address, opens its connections from the client at a set rate, each
 * sending one byte (fully established: path managers give it subflows), and on
 * {@link #closeConnections} closes both ends of each at the same rate. A connection that fell
 * back to TCP (on a busy machine its MP_CAPABLE SYN may be dropped often enough) is closed and
 * another opened in its place, counted.
 */
public final class ConnectionHolder implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Path err;

    private ConnectionHolder(Process process, Path err) {
        this.process = process;
        this.err = err;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /**
     * Starts a holder of {@code count} connections over path {@code path} of {@code t} to a
     * listener it opens on {@code port}, {@code rate} new connections a second.
     */
    public static ConnectionHolder start(Topology t, int path, int port, int count, int rate) throws IOException {
        Path err = Files.createTempFile("mptcp4j-holder-", ".err");
        List<String> command = Processes.withTestClasses(Processes.java(List.of(),
                List.of(Processes.nativeLibraryPath()), false,
                ConnectionHolder.class.getName(), t.clientName(), t.serverName(),
                Topology.serverAddress(path).getHostAddress(), Integer.toString(port), Integer.toString(count),
                Integer.toString(rate)));
        return new ConnectionHolder(new ProcessBuilder(command).redirectError(err.toFile()).start(), err);
    }

    /**
     * Waits until every connection is open; the connections that fell back to TCP on the way.
     * Throws with the holder's stderr if it failed.
     */
    public int awaitHeld() throws IOException {
        return Integer.parseInt(expect("held").split(" ")[3]);
    }

    /** Has each holder close its connections, at its rate, all at once; waits until they have. */
    public static void closeConnections(List<ConnectionHolder> holders) throws IOException {
        for (ConnectionHolder h : holders) {
            h.in.write("close\n");
            h.in.flush();
        }
        for (ConnectionHolder h : holders) {
            h.expect("closed");
        }
    }

    private String expect(String word) throws IOException {
        String line = out.readLine();
        if (line == null || !line.startsWith(word)) {
            throw new IOException("connection holder: expected '" + word + "', got " + line + ": "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return line;
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(err);
    }

    /** The holder: CLIENT_NS SERVER_NS SERVER_ADDRESS PORT COUNT RATE; "held N fallbacks F", then on a line "closed". */
    public static void main(String[] args) throws Exception {
        NetworkNamespace client = NetworkNamespace.named(args[0]);
        NetworkNamespace server = NetworkNamespace.named(args[1]);
        InetSocketAddress address = new InetSocketAddress(args[2], Integer.parseInt(args[3]));
        int count = Integer.parseInt(args[4]);
        long interval = TimeUnit.SECONDS.toNanos(1) / Integer.parseInt(args[5]);
        List<SocketChannel> held = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        try (ServerSocketChannel listener = MptcpChannels.openServerSocketChannel(server, StandardProtocolFamily.INET,
                Fallback.FAIL)) {
            listener.bind(address, 4096);
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        SocketChannel c = listener.accept();
                        synchronized (accepted) {
                            accepted.add(c);
                        }
                    }
                } catch (IOException e) {
                    // the listener closed: done
                }
            }, "holder-accept");
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            int fallbacks = 0;
            for (int i = 0; held.size() < count; i++) {
                pace(start, i, interval);
                SocketChannel c = MptcpChannels.openSocketChannel(client, StandardProtocolFamily.INET, Fallback.FAIL);
                c.connect(address);
                if (MptcpChannels.fellBackToTcp(c)) {
                    c.close();
                    fallbacks++;
                    continue;
                }
                c.write(ByteBuffer.wrap(new byte[] {1}));
                held.add(c);
            }
            System.out.println("held " + held.size() + " fallbacks " + fallbacks);
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            // Both ends a connection at a time: a burst of closes would be a burst of events.
            start = System.nanoTime();
            synchronized (accepted) {
                for (int i = 0; i < Math.max(held.size(), accepted.size()); i++) {
                    pace(start, i, interval);
                    if (i < held.size()) {
                        held.get(i).close();
                    }
                    if (i < accepted.size()) {
                        accepted.get(i).close();
                    }
                }
            }
            System.out.println("closed");
            System.out.flush();
        }
    }

    /** Sleeps until the {@code i}th step of {@code interval} after {@code start}. */
    private static void pace(long start, int i, long interval) throws InterruptedException {
        long wait = start + i * interval - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
