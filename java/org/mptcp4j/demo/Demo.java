package org.mptcp4j.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.loop.IdleStrategy;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.KernelSupport;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.text.AddressText;

/**
 * The demo: a client and a server host in their own network namespaces, two veth paths, an
 * MPTCP transfer from client to server, and mptcp4j in the client's namespace opening extra
 * subflows as the connection is established. Prints the live events and what each subflow
 * carried; deletes everything it created.
 */
public final class Demo {
    private static final int PORT = 5201;
    private static final int CHUNK = 1 << 20;

    /**
     * @param subflows extra subflows over path 1 (ndiffports)
     * @param perAddress instead, one subflow from each other local address
     * @param megabytes data to send
     * @param rateMbit tbf rate limit per client path, 0 for none
     * @param busyPoll busy-poll the event loop
     */
    public record Options(int subflows, boolean perAddress, int megabytes, int rateMbit, boolean busyPoll) {}

    private final PrintStream out;

    public Demo(PrintStream out) {
        this.out = out;
    }

    /** Runs the demo; 0 when the extra subflows appeared and carried bytes, 1 otherwise. */
    public int run(Options options) throws Exception {
        requireRoot();
        KernelSupport.requireMptcp(NetworkNamespace.current());
        int expected = options.perAddress() ? 1 : options.subflows();
        say("mptcp4j demo: two hosts, two paths, one MPTCP connection, mptcp4j choosing its subflows");
        try (Topology topology = Topology.create("m4j-demo", 2)) {
            describe(topology, options);
            topology.routeBySource();
            if (options.rateMbit() > 0) {
                topology.limitRate(1, options.rateMbit());
                topology.limitRate(2, options.rateMbit());
            }
            topology.allowServerSubflows(8);
            PathManagerMode.set(topology.client(), PathManagerMode.USERSPACE);
            NDiffPortsController controller = options.perAddress() ? NDiffPortsController.perLocalAddress()
                    : NDiffPortsController.sameAddressPair(options.subflows());
            ConnectionInfo info = transfer(topology, controller, options);
            return report(topology, controller, info, expected);
        } finally {
            say("removed the namespaces and everything in them");
        }
    }

    private void describe(Topology t, Options options) {
        say("  client namespace " + t.clientName() + ": 10.231.1.1 (path 1), 10.231.2.1 (path 2)");
        say("  server namespace " + t.serverName() + ": 10.231.1.2 (path 1), 10.231.2.2 (path 2)");
        say("  client: userspace path manager, mptcp4j running "
                + (options.perAddress() ? "ndiffports with one subflow per local address"
                        : "ndiffports with " + options.subflows() + " extra subflows on path 1"));
        say("  server: in-kernel path manager, accepting up to 8 subflows per connection");
        say("  sending " + options.megabytes() + " MB client -> server"
                + (options.rateMbit() > 0 ? ", each path limited to " + options.rateMbit() + " Mbit/s" : ""));
    }

    private ConnectionInfo transfer(Topology topology, NDiffPortsController controller, Options options) throws Exception {
        try (PathManager pm = PathManager.open(topology.client())) {
            ControllerHost host = new ControllerHost(controller, pm);
            EventLoop loop = EventLoop.builder(EventHandler.observed(host, event -> say("  event " + EventFormat.line(event))))
                    .namespace(topology.client()).dialect(pm.dialect())
                    .idleStrategy(options.busyPoll() ? IdleStrategy.busySpin() : IdleStrategy.blocking())
                    .name("mptcp4j-demo-loop").build();
            try (loop; MptcpServerSocket server = MptcpServerSocket.bind(topology.server(),
                    new InetSocketAddress("0.0.0.0", PORT), 16)) {
                loop.start();
                AtomicLong received = new AtomicLong();
                AtomicReference<Exception> serverError = new AtomicReference<>();
                Thread sink = new Thread(() -> receiveAll(server, received, serverError), "mptcp4j-demo-server");
                sink.start();
                InetSocketAddress target = Topology.serverEndpoint(1, PORT);
                try (MptcpSocket socket = MptcpSocket.connect(topology.client(), target)) {
                    say("client connected " + text(socket.localAddress()) + " -> " + text(target));
                    send(topology, socket, options.megabytes());
                    sink.join();
                    if (serverError.get() != null) {
                        throw serverError.get();
                    }
                    say("server received " + megabytes(received.get()) + " MB");
                    // Read before closing: the subflows are still there.
                    return socket.info();
                }
            }
        }
    }

    private static void receiveAll(MptcpServerSocket server, AtomicLong received, AtomicReference<Exception> error) {
        try (MptcpSocket socket = server.accept()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            while (socket.read(buffer) > 0) {
                received.addAndGet(buffer.position());
                buffer.clear();
            }
        } catch (IOException e) {
            error.set(e);
        }
    }

    /** Sends {@code megabytes}, printing each subflow's bytes once a second, then half-closes. */
    private void send(Topology topology, MptcpSocket socket, int megabytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        chunk.put("mptcp4j demo ".getBytes(StandardCharsets.US_ASCII)).clear();
        long first = System.nanoTime() + 1_000_000_000L;
        long next = first;
        for (int i = 0; i < megabytes; i++) {
            chunk.clear();
            socket.writeFully(chunk);
            if (System.nanoTime() - next >= 0) {
                if (next == first) {
                    showSs(topology);
                }
                next += 1_000_000_000L;
                progress(socket.info());
            }
        }
        socket.shutdownOutput();
    }

    /** What {@code ss -M} says of the connection while it runs. */
    private void showSs(Topology topology) throws IOException {
        List<String> lines = topology.clientSs("-Mni").lines().filter(l -> l.contains("subflows")).toList();
        for (String line : lines) {
            say("ss -M in the client namespace: " + line.trim());
        }
    }

    private void progress(ConnectionInfo info) {
        StringBuilder line = new StringBuilder("sent " + megabytes(info.bytesSent()) + " MB:");
        for (SubflowInfo sf : info.subflows()) {
            line.append("  ").append(sf.local().getPort()).append(' ').append(megabytes(sf.bytesSent())).append(" MB");
        }
        say(line.toString());
    }

    private int report(Topology topology, NDiffPortsController controller, ConnectionInfo info, int expected)
            throws IOException {
        say("");
        say("connection token " + EventFormat.token(info.token()) + ": " + (info.subflows().size())
                + " subflows, MPTCP sent " + megabytes(info.bytesSent()) + " MB");
        say(String.format("  %-22s %-22s %12s", "local", "remote", "bytes sent"));
        int carrying = 0;
        for (SubflowInfo sf : info.subflows()) {
            say(String.format("  %-22s %-22s %12d", text(sf.local()), text(sf.remote()), sf.bytesSent()));
            if (sf.bytesSent() > 0) {
                carrying++;
            }
        }
        say("mptcp4j sent " + controller.requested() + " SUBFLOW_CREATE, the kernel refused " + controller.failed());
        if (info.extraSubflows() < expected || carrying < expected + 1) {
            say("FAILED: expected " + expected + " extra subflows carrying bytes, saw " + info.extraSubflows()
                    + " extra and " + carrying + " carrying bytes");
            return 1;
        }
        say("OK: mptcp4j opened " + info.extraSubflows() + " extra subflow(s); all " + carrying
                + " subflows carried bytes");
        return 0;
    }

    private static String text(InetSocketAddress a) {
        return AddressText.of(a.getAddress()) + ":" + a.getPort();
    }

    private static long megabytes(long bytes) {
        return bytes >> 20;
    }

    private void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static void requireRoot() throws IOException {
        String status = Files.readString(Path.of("/proc/self/status"));
        boolean root = status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
        if (!root) {
            throw new MptcpException("start the demo", 0,
                    "it creates network namespaces and needs root: run it with sudo");
        }
    }
}
