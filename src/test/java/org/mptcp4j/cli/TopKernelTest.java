package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.command.Commands;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Processes;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;
import org.mptcp4j.testing.TwoHosts;

/**
 * {@code mptcp4j top} against real connections: in a real terminal (tmux), where it is read off
 * the screen, steered with keys and quit; and in batch mode.
 */
@KernelTest
class TopKernelTest {
    private static final int PORT = ServedTopology.PORT;

    @TempDir
    Path dir;

    @Test
    void theViewShowsTheSubflowsRatesBackupAndControllerSortsOnKeysAndGivesTheTerminalBackOnQ() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ServedTopology served = ServedTopology.create(1)) {
            Topology t = served.topology();
            t.limitRate(1, 50); // a queue: RTTs of milliseconds, not the microseconds of a bare veth
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", t.clientName(),
                    "--control-socket", socket.toString(), "--controller", "ndiffports", "subflows=1");
                    MptcpSocket app = served.connect()) {
                daemon.awaitErr("mptcp4j run: managing", 10);
                ConnectionInfo info = Transfers.awaitInfo(app, i -> i.extraSubflows() == 1);
                String token = String.format("%08x", info.token());
                Transfers.sendUntilClosed(app);
                // top twice (quit with q, then Ctrl-C), each followed by the terminal's modes once it
                // exited; the pane kept. The script outlives Ctrl-C (trapped); top does not (exec resets it).
                // The second top waits for Enter, or it could cover the first one's exit line before a look.
                String top = shell(Processes.command(List.of(), List.of(Processes.nativeLibraryPath()), false, "top", "-n", t.clientName(),
                        "--socket", socket.toString())) + "\nstatus=$?\necho MODES $(stty -a | tr ' ;' '\\n\\n'"
                        + " | grep -x -e -icanon -e icanon -e -echo -e echo) EXITED $status\n";
                Path script = dir.resolve("top.sh");
                Files.writeString(script, "trap true INT\necho BEFORE TOP\n" + top + "read go\n" + top + "sleep 600\n");
                try (Tmux tmux = Tmux.start(dir.resolve("tmux.sock"), "sh " + script)) {
                    // Both subflows carry data, under the daemon's controller.
                    String screen = tmux.await(s -> rows(s, token).size() == 2
                            && rows(s, token).stream().allMatch(r -> busy(r[6])));
                    List<String[]> rows = rows(screen, token);
                    assertEquals(2, rows.size(), screen);
                    assertTrue(screen.contains("controllers: the daemon on " + socket), screen);
                    for (String[] row : rows) {
                        assertEquals("established", row[3], screen);
                        assertEquals("-", row[4], screen);
                        assertTrue(Double.parseDouble(row[5]) > 0, "RTT: " + screen);
                        assertEquals("ndiffports (1 extra subflows per connection)", controller(row), screen);
                    }

                    // One made backup: it shows so, and stops carrying data; busiest first, then reversed.
                    SubflowInfo extra = info.subflows().stream().filter(s -> !s.local().equals(info.local())).findFirst()
                            .orElseThrow();
                    String extraLocal = "10.231.1.1:" + extra.local().getPort();
                    Shell.Result backup = Processes.mptcp4j(List.of(), List.of(), false, "ctl", "--socket", socket.toString(),
                            "set-backup", "token", token, "local", "10.231.1.1", "lport",
                            Integer.toString(extra.local().getPort()), "remote", "10.231.1.2", "rport", Integer.toString(PORT),
                            "backup");
                    assertEquals(Commands.OK, backup.exit(), backup.err());
                    screen = tmux.await(s -> rows(s, token).size() == 2 && rows(s, token).get(1)[1].equals(extraLocal)
                            && rows(s, token).get(1)[4].equals("local") && rows(s, token).get(1)[6].equals("0")
                            && busy(rows(s, token).get(0)[6]));
                    assertEquals("local", rows(screen, token).get(1)[4], screen);
                    assertTrue(screen.contains("sort: SEND/s descending; keys: q quit"), screen);
                    assertEquals("0", rows(screen, token).get(1)[6], screen);

                    tmux.keys("r");
                    screen = tmux.await(s -> s.contains("sort: SEND/s ascending"));
                    assertTrue(screen.contains("sort: SEND/s ascending"), screen);
                    assertEquals(extraLocal, rows(screen, token).get(0)[1], "the idle backup first: " + screen);

                    tmux.keys("<");
                    screen = tmux.await(s -> s.contains("sort: RTT ms ascending"));
                    assertTrue(screen.lines().anyMatch(l -> l.startsWith("TOKEN ") && l.contains(" RTT ms* ")), screen);
                    tmux.keys("s");
                    screen = tmux.await(s -> s.contains("sort: SEND/s ascending"));
                    assertTrue(screen.lines().anyMatch(l -> l.startsWith("TOKEN ") && l.contains(" SEND/s* ")), screen);

                    tmux.keys("q");
                    screen = tmux.await(s -> s.contains("EXITED"));
                    assertEquals("BEFORE TOP\nMODES icanon echo EXITED 0", screen,
                            "exit 0, the screen from before, the terminal's modes back");

                    tmux.enter();
                    screen = tmux.await(s -> rows(s, token).size() == 2);
                    assertEquals(2, rows(screen, token).size(), screen);
                    tmux.interrupt();
                    screen = tmux.await(s -> s.contains("EXITED 130"));
                    assertEquals("BEFORE TOP\nMODES icanon echo EXITED 0\n\nMODES icanon echo EXITED 130", screen,
                            "SIGINT's status, and all given back as with q");
                }
            }
        }
    }

    @Test
    void batchModePrintsFramesWithRatesAsPlainText() throws Exception {
        try (TwoHosts h = TwoHosts.connect(TwoHosts.Family.IPV4)) {
            Transfers.sendUntilClosed(h.clientSocket);
            Path socket = dir.resolve("nobody.sock");
            Shell.Result r = Processes.mptcp4j(List.of(), List.of(Processes.nativeLibraryPath()), false, "top", "-n", h.topology.clientName(), "-b",
                    "--count", "2", "-d", "0.5", "--socket", socket.toString(), "--sort", "rtt");
            assertEquals(Commands.OK, r.exit(), r.err());
            assertFalse(r.out().contains("\033"), "no escapes: " + r.out());
            String[] frames = r.out().split("\n\n(?=mptcp4j top:)");
            assertEquals(2, frames.length, r.out());
            String token = String.format("%08x", h.clientToken);
            for (String frame : frames) {
                assertTrue(frame.startsWith("mptcp4j top: network namespace " + h.topology.clientName()
                        + ", every 0.5 s; controllers: unknown (no daemon on " + socket + " manages "
                        + h.topology.clientName() + ")\n1 connection, 1 subflow; sending "), frame);
                assertTrue(frame.contains("\nsort: RTT ms descending; "), frame);
                List<String[]> rows = rows(frame, token);
                assertEquals(1, rows.size(), frame);
                assertTrue(busy(rows.get(0)[6]), "a rate in every frame, the first too: " + frame);
                assertEquals("-", controller(rows.get(0)), frame);
            }
        }
    }

    @Test
    void withoutADaemonTheInKernelPathManagerIsNamed() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8);
                MptcpSocket app = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
            Transfers.discardServer(listener, new AtomicLong());
            Transfers.send(app, 1000);
            Path socket = dir.resolve("nobody.sock");
            Shell.Result r = Processes.mptcp4j(List.of(), List.of(Processes.nativeLibraryPath()), false, "top", "-n", t.clientName(), "--batch",
                    "--count", "1", "--delay", "0.2", "--socket", socket.toString());
            assertEquals(Commands.OK, r.exit(), r.err());
            assertTrue(r.out().startsWith("mptcp4j top: network namespace " + t.clientName() + ", every 0.2 s; controllers:"
                    + " the in-kernel path manager (no daemon on " + socket + ")\n"), r.out());
            List<String[]> rows = rows(r.out(), String.format("%08x", app.info().token()));
            assertEquals(1, rows.size(), r.out());
            assertEquals("kernel", controller(rows.get(0)), r.out());
        }
    }

    /** The rows of connection {@code token} on the screen, split at blanks (the controller's words last). */
    private static List<String[]> rows(String screen, String token) {
        return screen.lines().filter(l -> l.startsWith(token + " ")).map(l -> l.trim().split(" +")).toList();
    }

    private static String controller(String[] row) {
        return String.join(" ", Arrays.asList(row).subList(8, row.length));
    }

    /** A rate above 0. */
    private static boolean busy(String rate) {
        return !rate.equals("-") && !rate.equals("0");
    }

    /** Words for sh, each in single quotes. */
    private static String shell(List<String> words) {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    /**
     * A command in a detached tmux session of 160 by 40, on a tmux server of its own (on a socket
     * of the test's directory), killed with its session on close whatever happened.
     */
    private static final class Tmux implements AutoCloseable {
        private final String server;

        private Tmux(Path socket) {
            server = socket.toString();
        }

        static Tmux start(Path socket, String command) throws IOException {
            Tmux tmux = new Tmux(socket);
            try {
                tmux.run("new-session", "-d", "-s", "top", "-x", "160", "-y", "40", command);
            } catch (IOException | RuntimeException e) {
                tmux.close();
                throw e;
            }
            return tmux;
        }

        private String run(String... words) throws IOException {
            List<String> command = new ArrayList<>(List.of("tmux", "-S", server));
            command.addAll(List.of(words));
            return Shell.run(command.toArray(String[]::new));
        }

        /** The pane's text now, trailing blank lines aside. */
        String capture() throws IOException {
            return run("capture-pane", "-p", "-t", "top").stripTrailing();
        }

        /** Types {@code text}, each character a key. */
        void keys(String text) throws IOException {
            run("send-keys", "-t", "top", "-l", text);
        }

        /** The Enter key. */
        void enter() throws IOException {
            run("send-keys", "-t", "top", "Enter");
        }

        /** Ctrl-C: SIGINT to the pane's foreground processes. */
        void interrupt() throws IOException {
            run("send-keys", "-t", "top", "C-c");
        }

        /** The pane once {@code condition} holds of it, or as it is after 30 s (the caller asserts). */
        String await(Predicate<String> condition) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String screen = capture();
            while (!condition.test(screen) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                screen = capture();
            }
            return screen;
        }

        @Override
        public void close() {
            Shell.runQuietly("tmux", "-S", server, "kill-session", "-t", "top");
            Shell.runQuietly("tmux", "-S", server, "kill-server");
        }
    }
}
