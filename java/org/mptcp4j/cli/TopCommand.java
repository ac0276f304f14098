package org.mptcp4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.Commands;
import org.mptcp4j.control.ControlClient;
import org.mptcp4j.control.ControlResponse;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.KernelSupport;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.ConnectionInfo;

/**
 * {@code mptcp4j top}: a namespace's subflows with their rates, refreshed, full screen until
 * 'q'; or, in batch mode, as text frames. The rates are the differences of the subflows'
 * tcp_info counters between two sock_diag samples, divided by the time between them.
 */
final class TopCommand {
    static final String HELP = """
            NAME
                mptcp4j top - a live view of a namespace's MPTCP subflows, their rates and controllers

            SYNOPSIS
                mptcp4j top [-n NAME] [-d SECONDS] [--sort COLUMN] [--socket PATH] [-b] [--count N]

            DESCRIPTION
                Shows every subflow of the namespace's MPTCP connections, one a row, refreshed every
                -d SECONDS on the whole terminal, as top(1) does, until 'q'. The view is read from
                the kernel (sock_diag, as 'mptcp4j connections' and 'ss -Mti'), so it shows every
                connection, whoever manages it.

            COLUMNS
                TOKEN       the connection's local token, as 'ss -M' and 'mptcp4j monitor' print it
                LOCAL       the subflow's local address and port
                REMOTE      the peer's address and port
                STATE       the subflow's TCP state
                BACKUP      local: this host marked the subflow backup; peer: the peer did; both; -
                RTT ms      the smoothed round-trip time (tcp_info)
                SEND/s      bytes the peer acknowledged per second on the subflow (tcpi_bytes_acked)
                RECV/s      bytes received per second on the subflow (tcpi_bytes_received)
                CONTROLLER  what manages the connection: the controller named by the mptcp4j daemon
                            managing the namespace (asked every refresh over its control socket,
                            as 'mptcp4j ctl connections' does; 'none' when it manages no such
                            connection); 'kernel' when no daemon answers and the namespace's path
                            manager is the in-kernel one; '-' when neither tells
                Rates are in bytes per second, k, M, G being powers of 1000, and '-' until a
                subflow was seen twice. The title line says where the controllers came from.

            KEYS
                q           quit (Ctrl-C too)
                < >         sort on the column to the left or right
                s           sort on the next column (as >)
                r           reverse the order
                Numbers sort the largest first, text in alphabetical order, until reversed. The
                sort column's title is marked with '*'.

            OPTIONS
                -d, --delay SECONDS  the time between refreshes, 0.1 to 3600; default 1
                --sort COLUMN        the column sorted on first: token, local, remote, state, backup,
                                     rtt, send, recv or controller; default send
                --socket PATH        the daemon's control socket (default /run/mptcp4j/control.sock);
                                     the daemon is asked about the namespace of -n NAME, or 'self'
                -b, --batch          print the view as plain text, one frame every -d SECONDS, the
                                     first after one interval so that it has rates; no keys. Without
                                     -b, standard input and output must be a terminal.
                --count N            stop after N frames; default: never
                -n, --netns NAME     the network namespace (ip netns add NAME); default: this one

            EXIT STATUS
                0   quit with 'q', or N frames printed
                1   failed: no MPTCP, no such namespace, or the terminal refused
                2   a mistake on the command line, or no terminal without -b

            EXAMPLES
                mptcp4j top -n blue
                mptcp4j top -d 0.5 --sort rtt
                mptcp4j top -n blue -b --count 3
            """;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    /** Set on the asking thread, closed on top's own when the daemon does not answer in time. */
    private volatile ControlClient daemon;
    private static final long DAEMON_ANSWER_MILLIS = 1000;
    private final ExecutorService asker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mptcp4j-top-daemon");
        t.setDaemon(true);
        return t;
    });
    /** Where the last sample's controllers came from, for the title line. */
    private String controllersFrom = "";

    TopCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    int run(String[] args) throws InterruptedException {
        Arguments a = Arguments.parse("top", args, 1, Set.of("netns", "delay", "-d", "sort", "socket", "count"),
                Set.of("batch", "-b")).atMostPositional(0);
        String delay = option(a, "delay", "-d", "1");
        BigDecimal seconds = seconds(delay);
        long delayNanos = seconds.multiply(BigDecimal.valueOf(NANOS_PER_SECOND)).longValue();
        boolean batch = a.has("batch") || a.has("-b");
        if (a.has("batch") && a.has("-b")) {
            throw new UsageException("top", "'batch' given twice");
        }
        int count = a.getInt("count", 0, 1, Integer.MAX_VALUE);
        TopView.Column sort = TopView.Column.named(a.get("sort", "send"));
        if (sort == null) {
            throw new UsageException("top", "'sort' takes token, local, remote, state, backup, rtt, send, recv or controller,"
                    + " not '" + a.get("sort", "") + "'");
        }
        if (!batch) {
            boolean input = in == System.in && Terminal.isTerminal(0);
            boolean output = out == System.out && Terminal.isTerminal(1);
            if (!input || !output) {
                throw new UsageException("top", (input ? "standard output is" : output ? "standard input is"
                        : "standard input and output are") + " not a terminal: -b prints the view as text");
            }
        }
        Path socket = Path.of(a.get("socket", ControlCommand.DEFAULT_SOCKET.toString()));
        String label = a.get("netns", "self");
        String title = "mptcp4j top: " + (a.has("netns") ? "network namespace " + label : "this network namespace")
                + ", every " + seconds.stripTrailingZeros().toPlainString() + " s; controllers: ";
        try (NetworkNamespace ns = Commands.namespace(a)) {
            KernelSupport.requireMptcp(ns);
            if (batch) {
                return batch(ns, socket, label, title, sort, delayNanos, count);
            }
            try (Terminal terminal = Terminal.open(out, err)) {
                return interactive(terminal, ns, socket, label, title, sort, delayNanos, count);
            }
        } finally {
            closeDaemon();
        }
    }

    /** The value of an option with a long and a short name, either but not both. */
    private static String option(Arguments a, String name, String shortName, String fallback) {
        if (a.has(name) && a.has(shortName)) {
            throw new UsageException("top", "'" + name + "' given twice");
        }
        return a.get(name, a.get(shortName, fallback));
    }

    private static BigDecimal seconds(String text) {
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(text);
        } catch (NumberFormatException e) {
            seconds = null;
        }
        if (seconds == null || seconds.compareTo(new BigDecimal("0.1")) < 0 || seconds.compareTo(BigDecimal.valueOf(3600)) > 0) {
            throw new UsageException("top", "'delay' must be a number of seconds from 0.1 to 3600, not '" + text + "'");
        }
        return seconds;
    }

    /** Frames of plain text, each with the rates over the interval before it. */
    private int batch(NetworkNamespace ns, Path socket, String label, String title, TopView.Column sort, long delayNanos,
            int count) throws InterruptedException {
        TopView.Sample previous = sample(ns, socket, label);
        for (int frame = 0; count == 0 || frame < count; frame++) {
            TimeUnit.NANOSECONDS.sleep(delayNanos);
            TopView.Sample current = sample(ns, socket, label);
            if (frame > 0) {
                out.println();
            }
            TopView.lines(title + controllersFrom, TopView.rows(previous, current), sort, false, Integer.MAX_VALUE,
                    Integer.MAX_VALUE).forEach(out::println);
            out.flush();
            if (out.checkError()) {
                return Commands.OK; // the reader went away (top -b | head): nothing more to show
            }
            previous = current;
        }
        return Commands.OK;
    }

    /** The full-screen view, redrawn at each refresh and key, until 'q' (or the end of input) or {@code count} frames. */
    private int interactive(Terminal terminal, NetworkNamespace ns, Path socket, String label, String title,
            TopView.Column sort, long delayNanos, int count) throws InterruptedException {
        BlockingQueue<Integer> keys = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                for (int key = 0; key >= 0; ) {
                    key = in.read();
                    keys.add(key);
                }
            } catch (IOException e) {
                keys.add(-1);
            }
        }, "mptcp4j-top-keys");
        reader.setDaemon(true); // left blocked in read() when 'q' ends the command
        reader.start();
        boolean reverse = false;
        TopView.Sample previous = null;
        for (int frame = 0; count == 0 || frame < count; frame++) {
            TopView.Sample current = sample(ns, socket, label);
            List<TopView.Row> rows = TopView.rows(previous, current);
            previous = current;
            long deadline = System.nanoTime() + delayNanos;
            for (Integer key = 0; key != null; key = keys.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                switch (key.intValue()) {
                    case 'q', 'Q', -1 -> {
                        return Commands.OK;
                    }
                    case '<' -> sort = sort.move(-1);
                    case '>', 's' -> sort = sort.move(1);
                    case 'r' -> reverse = !reverse;
                    default -> {
                        // another key, or the first pass: draw
                    }
                }
                int[] size = terminal.size();
                terminal.draw(TopView.lines(title + controllersFrom, rows, sort, reverse, size[1], size[0]), size[0]);
            }
        }
        return Commands.OK;
    }

    private TopView.Sample sample(NetworkNamespace ns, Path socket, String label) {
        long nanos = System.nanoTime();
        List<ConnectionInfo> connections = Connections.list(ns);
        Map<Integer, String> controllers = daemonControllers(socket, label);
        if (controllers != null) {
            controllersFrom = "the daemon on " + socket;
        } else if (PathManagerMode.of(ns) == PathManagerMode.KERNEL) {
            controllersFrom = "the in-kernel path manager (no daemon on " + socket + ")";
            controllers = new HashMap<>();
            for (ConnectionInfo c : connections) {
                controllers.put(c.token(), "kernel");
            }
        } else {
            controllersFrom = "unknown (no daemon on " + socket + " manages " + label + ")";
            controllers = Map.of();
        }
        return new TopView.Sample(nanos, connections, controllers);
    }

    /**
     * The controller of each connection, by token, as the daemon on {@code socket} names it in
     * its answer to {@code connections -n LABEL} ("token 1c0ffee5 ..., managed by NAME"); null
     * when no daemon answers, or it manages no namespace of that label.
     */
    private Map<Integer, String> daemonControllers(Path socket, String label) {
        ControlResponse response;
        // Asked on a thread of its own and waited for a bounded time: a daemon that accepts and
        // never answers (stopped, blocked) must not freeze the view, nor keep 'q' unread.
        Future<ControlResponse> asked = asker.submit(() -> {
            if (daemon == null) {
                daemon = ControlClient.connect(socket);
            }
            return daemon.request(List.of("connections", "-n", label));
        });
        try {
            response = asked.get(DAEMON_ANSWER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            asked.cancel(true);
            closeDaemon(); // unblocks a read in progress; connected again at the next refresh
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            asked.cancel(true);
            closeDaemon();
            return null;
        }
        if (!response.ok()) {
            return null;
        }
        Map<Integer, String> controllers = new HashMap<>();
        String managedBy = ", managed by ";
        for (String line : response.lines()) {
            int at = line.lastIndexOf(managedBy);
            if (line.startsWith("token ") && at > 0) {
                try {
                    controllers.put(Integer.parseUnsignedInt(line.substring(6, line.indexOf(' ', 6)), 16),
                            line.substring(at + managedBy.length()));
                } catch (NumberFormatException e) {
                    // not a connection's line
                }
            }
        }
        return controllers;
    }

    private void closeDaemon() {
        if (daemon != null) {
            try {
                daemon.close();
            } catch (IOException e) {
                // closing a socket we are done with
            }
            daemon = null;
        }
    }
}
