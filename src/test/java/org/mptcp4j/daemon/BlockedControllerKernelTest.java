package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.control.ControlClient;
import org.mptcp4j.control.ControlResponse;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.HttpClient;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.MetricsScrape;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;

/**
 * A controller that blocks in a callback for 15 s ({@link BlockingController}, on connections to
 * {@link #BLOCKING_PORT}) while its namespace is reloaded, or removed: the daemon replaces the
 * loop after {@code controller-stall} (2 s here) and goes on managing, the blocked callback
 * finds its own namespace when it returns, never one that reused a descriptor number, and the
 * old loop's thread and descriptors go once it has returned.
 */
@KernelTest
class BlockedControllerKernelTest {
    private static final int BLOCKING_PORT = 5202;
    private static final long BLOCKED_NANOS = TimeUnit.SECONDS.toNanos(15);

    @TempDir
    Path dir;

    private String policy() throws IOException {
        return policy("policy", 1);
    }

    /** A policy file whose connections but the blocking controller's get {@code subflows} extra subflows each. */
    private String policy(String name, int subflows) throws IOException {
        Path policy = dir.resolve(name);
        Files.writeString(policy, "port " + BLOCKING_PORT + " -> block-once dir=" + dir + "\ndefault -> ndiffports subflows="
                + subflows + "\n");
        return policy.toString();
    }

    @Test
    void aReloadReplacesABlockedLoopAndTheDaemonGoesOnManaging() throws Exception {
        Path config = dir.resolve("mptcp4j.conf");
        String core = "[core]\ncontrol-socket = off\ncontroller-stall = 2s\npolicy = " + policy() + "\n";
        Files.writeString(config, core);
        try (ServedTopology t = ServedTopology.create(1); MptcpServerSocket blocking = listen(t)) {
            Transfers.discardServer(blocking, new AtomicLong());
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady(true, "run", "--config", config.toString(),
                    "-n", t.clientName(), "--metrics", "127.0.0.1:0")) {
                InetSocketAddress metrics = daemon.awaitMetricsEndpoint();
                try (MptcpSocket first = t.connect()) {
                    assertEquals(1, Transfers.awaitInfo(first, i -> i.extraSubflows() == 1).extraSubflows());
                }
                // jcmd first: its attach listener is a socket the daemon keeps from then on.
                assertEquals(1, loopThreads(daemon.pid(), t.clientName()));
                List<String> before = descriptors(daemon.pid());
                try (MptcpSocket stuck = connectToBlocking(t)) {
                    long blockedAt = awaitBlocked();

                    Files.writeString(config, core + "timeout-interval = 200ms\n");
                    daemon.signal("HUP");
                    String err = daemon.awaitErr("configuration reloaded", 20);
                    assertTrue(err.contains("namespace " + t.clientName() + " reconfigured"), err);
                    assertTrue(err.contains("a controller has kept the event loop from its events for more than PT2S (at "
                            + BlockingController.class.getName() + "."), err);
                    try (MptcpSocket after = t.connect()) {
                        assertEquals(1, Transfers.awaitInfo(after, i -> i.extraSubflows() == 1).extraSubflows(),
                                "a new connection is managed by the new loop\n" + daemon.err());
                    }
                    assertFalse(Files.exists(dir.resolve("returned")), "while the old one still blocks");
                    Map<String, Long> samples = MetricsScrape.of(metrics).counters();
                    String netns = "{netns=\"" + t.clientName() + "\"}";
                    assertEquals(1, samples.get("mptcp4j_controller_stalls_total" + netns), samples.toString());
                    assertEquals(1, samples.get("mptcp4j_blocked_event_loops" + netns), samples.toString());

                    assertEquals("descriptor=" + inode(t.clientName()) + " entered=" + inode(t.clientName()),
                            release(blockedAt), "the callback, back, looks at its own namespace");
                    err = daemon.awaitErr("replaced while blocked has ended", 10);
                    assertTrue(err.contains("namespace " + t.clientName() + ": the event loop replaced while blocked has"
                            + " ended"), err);
                    assertEquals(1L, settled(() -> loopThreads(daemon.pid(), t.clientName()), 1L), "the old loop's thread ended");
                    assertEquals(before, settled(() -> descriptors(daemon.pid()), before), "the old loop's descriptors are closed");
                    assertEquals(0, MetricsScrape.of(metrics).counters().get("mptcp4j_blocked_event_loops" + netns));
                    Transfers.send(stuck, 1000); // and the connection it blocked on goes on
                }
                assertEquals(0, daemon.terminate(), daemon.err());
            }
        }
    }

    /**
     * The namespace is deleted while its controller blocks, and another is managed in its place
     * (whose descriptors take the lowest free numbers, those a closed descriptor of the first
     * would leave): the callback, back, finds the deleted namespace through its descriptor.
     */
    @Test
    void aNamespaceRemovedWhileItsControllerBlocksIsNeverMistakenForAnother() throws Exception {
        try (ServedTopology a = ServedTopology.create(1); ServedTopology b = ServedTopology.create(1);
                ServedTopology c = ServedTopology.create(1); MptcpServerSocket blocking = listen(a)) {
            Transfers.discardServer(blocking, new AtomicLong());
            long first = inode(a.clientName());
            Path config = dir.resolve("mptcp4j.conf");
            String core = "[core]\ncontrol-socket = off\ncontroller-stall = 2s\npath-manager = ndiffports\n"
                    + "[controller ndiffports]\nsubflows = 1\n[namespace " + b.clientName() + "]\n";
            Files.writeString(config, core + "[namespace " + a.clientName() + "]\npolicy = " + policy() + "\n");
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady(true, "run", "--config", config.toString())) {
                for (ServedTopology t : List.of(a, b)) {
                    try (MptcpSocket s = t.connect()) {
                        assertEquals(1, Transfers.awaitInfo(s, i -> i.extraSubflows() == 1).extraSubflows(), daemon.err());
                    }
                }
                assertEquals(1, loopThreads(daemon.pid(), a.clientName())); // and jcmd's socket is there from now on
                List<String> before = descriptors(daemon.pid());
                try (MptcpSocket stuck = connectToBlocking(a)) {
                    long blockedAt = awaitBlocked();
                    Shell.run("ip", "netns", "del", a.clientName());
                    String err = daemon.awaitErr("namespace " + a.clientName() + ": the event loop did not stop", 20);
                    assertTrue(err.contains("namespace " + a.clientName() + " is gone"), err);
                    assertTrue(err.contains("namespace " + a.clientName() + ": the event loop did not stop within PT2S (at "
                            + BlockingController.class.getName() + "."), err);

                    Files.writeString(config, core + "[namespace " + c.clientName() + "]\n");
                    daemon.signal("HUP");
                    err = daemon.awaitErr("configuration reloaded", 20);
                    assertTrue(err.contains("netns=" + c.clientName()), err);
                    for (ServedTopology t : List.of(b, c)) {
                        try (MptcpSocket s = t.connect()) {
                            assertEquals(1, Transfers.awaitInfo(s, i -> i.extraSubflows() == 1).extraSubflows(),
                                    "managed while the callback blocks\n" + daemon.err());
                        }
                    }
                    assertFalse(Files.exists(dir.resolve("returned")), "while the callback still blocks");

                    assertEquals("descriptor=" + first + " entered=" + first, release(blockedAt),
                            "the deleted namespace, not " + inode(c.clientName()));
                    err = daemon.awaitErr("replaced while blocked has ended", 10);
                    assertTrue(err.contains("namespace " + a.clientName() + ": the event loop replaced while blocked has"
                            + " ended"), err);
                    assertEquals(0L, settled(() -> loopThreads(daemon.pid(), a.clientName()), 0L), "its thread ended");
                    // c's descriptors where a's were: as many, of the same kinds, and none of a's left.
                    before.replaceAll(d -> d.replace(a.clientName(), c.clientName()));
                    Collections.sort(before);
                    assertEquals(before, settled(() -> descriptors(daemon.pid()), before));
                    Transfers.send(stuck, 1000); // and the connection it blocked on goes on, in its namespace
                }
                assertEquals(0, daemon.terminate(), daemon.err());
            }
        }
    }

    /**
     * A reload that waits for a blocked loop (controller-stall 20 s, the callback released before)
     * holds up nothing that only looks: /healthz, /metrics and ctl answer meanwhile, each time
     * asked. A connection handed to a controller with ctl while the old loop is blocked (the
     * request waiting in its queue, carried out when the callback returns, in its last round) is
     * handed to that controller again by the new loop; one whose request was given up after
     * 10 s is not handed over when the loop comes back.
     */
    @Test
    void aReloadWaitingForABlockedLoopHoldsUpNoProbeNorCtlAndLosesNoAssignment() throws Exception {
        Path config = dir.resolve("mptcp4j.conf");
        Path socket = dir.resolve("control.sock");
        String core = "[core]\ncontrol-socket = " + socket + "\ncontroller-stall = 20s\n";
        Files.writeString(config, core + "policy = " + policy() + "\n");
        try (ServedTopology t = ServedTopology.create(1); MptcpServerSocket blocking = listen(t)) {
            Transfers.discardServer(blocking, new AtomicLong());
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady(true, "run", "--config", config.toString(),
                    "-n", t.clientName(), "--metrics", "127.0.0.1:0"); MptcpSocket app = t.connect();
                    MptcpSocket other = t.connect()) {
                InetSocketAddress metrics = daemon.awaitMetricsEndpoint();
                String token = String.format("%08x", Transfers.awaitInfo(app, i -> i.extraSubflows() == 1).token());
                String otherToken = String.format("%08x", Transfers.awaitInfo(other, i -> i.extraSubflows() == 1).token());
                try (MptcpSocket stuck = connectToBlocking(t); ControlClient ctl = ControlClient.connect(socket)) {
                    awaitBlocked();
                    ControlResponse givenUp = ctl.request("policy token " + otherToken + " ndiffports subflows=4");
                    assertTrue(givenUp.text().endsWith(": its event loop did not answer within 10000 ms"), givenUp.toString());
                    CompletableFuture<ControlResponse> handed = CompletableFuture.supplyAsync(
                            () -> request(socket, "policy token " + token + " ndiffports subflows=3"));
                    Thread.sleep(1000); // for the request to reach the blocked loop's queue
                    assertFalse(handed.isDone(), "carried out while the loop was blocked: " + handed);

                    Files.writeString(config, core + "policy = " + policy("policy.new", 2) + "\n");
                    daemon.signal("HUP");
                    String netns = "{netns=\"" + t.clientName() + "\"}";
                    boolean waiting = false;
                    for (int round = 0; round < 100 && !waiting; round++) {
                        assertEquals(new HttpClient.Response(200, "text/plain; charset=utf-8", null, "ok\n"),
                                HttpClient.request(metrics, "GET", "/healthz"));
                        assertEquals(0, MetricsScrape.of(metrics).counters().get("mptcp4j_controller_stalls_total" + netns));
                        ControlResponse namespaces = ctl.request("namespaces");
                        assertTrue(namespaces.ok(), namespaces.toString());
                        // The new run is in place once the reload waits for the old one.
                        waiting = namespaces.lines().get(0).contains("ndiffports (2 extra subflows per connection)");
                        Thread.sleep(100);
                    }
                    assertTrue(waiting, "the reload never put the new run in place");
                    assertFalse(daemon.err().contains("configuration reloaded"), "the reload waits for the old loop");

                    assertTrue(release().startsWith("descriptor="));
                    assertEquals(ControlResponse.ok(List.of("connection " + token + " in " + t.clientName()
                            + " is managed by ndiffports (3 extra subflows per connection)")), handed.get(20, TimeUnit.SECONDS));
                    String err = daemon.awaitErr("configuration reloaded", 20);
                    assertFalse(err.contains("a controller has kept the event loop"), "the old loop ended in time\n" + err);
                    Map<String, String> managedBy = Map.of();
                    for (int i = 0; i < 100 && !"ndiffports (3 extra subflows per connection)".equals(managedBy.get(token)); i++) {
                        Thread.sleep(50);
                        managedBy = managers(ctl);
                    }
                    assertEquals("ndiffports (3 extra subflows per connection)", managedBy.get(token),
                            "the connection handed over in the old loop's last round, after the reload");
                    assertEquals("ndiffports (2 extra subflows per connection)", managedBy.get(otherToken),
                            "the connection whose request was given up: the new policy's");
                    assertEquals(1, MetricsScrape.of(metrics).counters().get("mptcp4j_assigned_connections" + netns));
                    assertEquals(3, Transfers.awaitInfo(app, i -> i.extraSubflows() == 3).extraSubflows());
                    Transfers.send(stuck, 1000);
                }
                assertEquals(0, daemon.terminate(), daemon.err());
            }
        }
    }

    /** The controller managing each connection, by token, as ctl connections says. */
    private static Map<String, String> managers(ControlClient ctl) throws IOException {
        Map<String, String> managers = new java.util.HashMap<>();
        for (String line : ctl.request("connections").lines()) {
            int by = line.indexOf(", managed by ");
            if (line.startsWith("token ") && by > 0) {
                managers.put(line.substring("token ".length(), "token ".length() + 8), line.substring(by + ", managed by ".length()));
            }
        }
        return managers;
    }

    /** One request on a connection of its own. */
    private static ControlResponse request(Path socket, String line) {
        try (ControlClient client = ControlClient.connect(socket)) {
            return client.request(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value}'s value once it is {@code expected}, or the last after 5 s (what is left closing). */
    private static <T> T settled(Callable<T> value, T expected) throws Exception {
        T v = value.call();
        for (int i = 0; i < 100 && !expected.equals(v); i++) {
            Thread.sleep(50);
            v = value.call();
        }
        return v;
    }

    /** A listener on the server's side for the connections the blocking controller gets. */
    private static MptcpServerSocket listen(ServedTopology t) throws IOException {
        return MptcpServerSocket.bind(t.topology().server(), new InetSocketAddress("0.0.0.0", BLOCKING_PORT), 8);
    }

    private static MptcpSocket connectToBlocking(ServedTopology t) throws IOException {
        MptcpSocket s = MptcpSocket.connect(t.topology().client(), Topology.serverEndpoint(1, BLOCKING_PORT));
        Transfers.send(s, 1000);
        return s;
    }

    /** Waits for the controller to say it blocks; when it did. */
    private long awaitBlocked() throws Exception {
        BlockingController.awaitFile(dir.resolve("blocked"));
        return System.nanoTime();
    }

    /** Lets the callback return once it has blocked 15 s; what it then saw. */
    private String release(long blockedAt) throws Exception {
        long left = blockedAt + BLOCKED_NANOS - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        return release();
    }

    /** Lets the callback return now; what it then saw. */
    private String release() throws Exception {
        Files.writeString(dir.resolve("release"), "");
        return Files.readString(BlockingController.awaitFile(dir.resolve("returned")));
    }

    private static long inode(String namespace) throws IOException {
        return ((Number) Files.getAttribute(Path.of("/run/netns", namespace), "unix:ino")).longValue();
    }

    /**
     * The daemon's open descriptors, sorted: sockets and pipes by kind, the rest (namespaces
     * among them) by the file they name.
     */
    private static List<String> descriptors(long pid) throws IOException {
        List<String> kinds = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    kinds.add(Files.readSymbolicLink(fd).toString().replaceAll("^(socket|pipe):\\[\\d+]$", "$1"));
                } catch (NoSuchFileException closedMeanwhile) {
                    // not open any more
                }
            }
        }
        Collections.sort(kinds);
        return kinds;
    }

    /** Threads of the daemon running an event loop of namespace {@code label}, as jcmd lists them. */
    private static long loopThreads(long pid, String label) throws IOException {
        Shell.Result threads = Shell.execute(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "Thread.print"));
        assertEquals(0, threads.exit(), threads.err());
        return threads.out().lines().filter(l -> l.startsWith("\"mptcp4j-" + label + "\"")).count();
    }
}
