package org.mptcp4j.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.Commands;
import org.mptcp4j.netlink.EventSocket;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.KernelFeatures;
import org.mptcp4j.pm.KernelSupport;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.standin.Recording;

/**
 * {@code mptcp4j record}: the MPTCP events of a namespace, as the kernel sent them, into a
 * recording (docs/recording-format.md) that the test kit replays to a controller. Events only:
 * the commands a daemon sends, and the kernel's answers, go over its own netlink socket, which
 * no other process can read; a recording can be made beside a running daemon, and the daemon
 * records its commands itself ({@code run --record}).
 */
final class RecordCommand {
    static final String HELP = """
            NAME
                mptcp4j record - record the MPTCP events of a network namespace into a file

            SYNOPSIS
                mptcp4j record [--netns NAME] --out FILE [--count N]

            DESCRIPTION
                Writes every MPTCP event of a network namespace, as the kernel sent it (raw
                netlink messages, with the time each came), into FILE: a recording, whose format
                docs/recording-format.md describes. The mptcp4j test kit (mptcp4j-testkit) replays
                it to a controller in a unit test, without root or a kernel.
                Only events are recorded: the commands a running daemon sends, and the kernel's
                answers, go over the daemon's own netlink socket, out of any other process's
                reach. A recording can therefore be made beside a running daemon, and records
                what its controllers were told. To record the commands and answers too, have
                the daemon record its own traffic: mptcp4j run --record FILE (same format).
                It says on standard error when it records; it runs until interrupted or --count,
                and each event is in FILE once received.

            OPTIONS
                -n, --netns NAME   the namespace (ip netns add NAME); default: this one
                --out FILE         the recording to write (replaced if it exists)
                --count N          exit after N events

            PRIVILEGES
                CAP_NET_ADMIN in the namespace, to join the kernel's event group.

            EXAMPLES
                mptcp4j record -n blue --out blue.mptcp4j
                mptcp4j record --count 100 --out first-hundred.mptcp4j
            """;

    /** A datagram's event messages, counted by their nlmsghdr lengths. */
    private static final int NLMSG_HDRLEN = 16;

    /** How long an interrupted recording may take to close its file. */
    private static final int STOP_WAIT_SECONDS = 5;

    private final PrintStream err;
    private volatile boolean stopping;

    RecordCommand(PrintStream err) {
        this.err = err;
    }

    int run(String[] args) {
        Arguments a = Arguments.parse("record", args, 1, Set.of("netns", "out", "count"), Set.of()).atMostPositional(0);
        Path file;
        try {
            file = Path.of(a.require("out"));
        } catch (InvalidPathException e) {
            throw new Arguments.UsageException("record", "'out' is no file name: " + e.getMessage());
        }
        long count = a.getInt("count", 0, 1, Integer.MAX_VALUE);
        try (NetworkNamespace ns = Commands.namespace(a)) {
            KernelSupport.requireMptcp(ns);
            Dialect dialect = KernelFeatures.detectDialect(ns);
            try (EventSocket socket = EventSocket.open(ns, dialect, EventSocket.DEFAULT_RECEIVE_BUFFER, 1, true)) {
                CountDownLatch closed = new CountDownLatch(1);
                // SIGINT and SIGTERM stop the recording; the JVM exits once the file is closed.
                Thread hook = new Thread(() -> {
                    stopping = true;
                    socket.wakeup();
                    try {
                        closed.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "mptcp4j-record-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                try (Recording.Writer writer = new Recording.Writer(open(file), dialect, socket.familyId(),
                        System.nanoTime(), epochNanos())) {
                    writer.flush();
                    err.println("mptcp4j record: recording the MPTCP events of " + ns + " into " + file);
                    long recorded = record(socket, writer, count);
                    err.println("mptcp4j record: " + recorded + " event" + (recorded == 1 ? "" : "s") + " recorded into "
                            + file);
                } catch (IOException e) {
                    throw new UncheckedIOException(file + ": " + e.getMessage(), e);
                } finally {
                    closed.countDown();
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is what stopped the recording
                    }
                }
            }
        }
        return Commands.OK;
    }

    /** Until stopped or {@code count} events (0: no limit); the events recorded. */
    private long record(EventSocket socket, Recording.Writer writer, long count) throws IOException {
        long[] events = new long[1];
        IOException[] failed = new IOException[1];
        byte[] copy = new byte[64 << 10];
        EventSocket.DatagramSink sink = (raw, offset, length, rxNanos) -> {
            if (failed[0] != null || (count > 0 && events[0] >= count)) {
                return; // a datagram of the last poll beyond --count, or after a failed write
            }
            try {
                if (length < 0) {
                    writer.write(Recording.Kind.EVENTS_LOST, rxNanos, copy, 0, 0);
                } else {
                    raw.get(offset, copy, 0, length);
                    writer.write(Recording.Kind.EVENTS, rxNanos, copy, 0, length);
                    events[0] += messages(copy, length);
                }
            } catch (IOException e) {
                failed[0] = e;
            }
        };
        while (!stopping && (count == 0 || events[0] < count)) {
            socket.receiveDatagrams(-1, sink);
            if (failed[0] != null) {
                throw failed[0];
            }
            writer.flush(); // each event is in the file once received
        }
        return events[0];
    }

    /** The netlink messages in a datagram of {@code length} bytes. */
    private static int messages(byte[] datagram, int length) {
        ByteBuffer b = ByteBuffer.wrap(datagram, 0, length).order(ByteOrder.nativeOrder());
        int n = 0;
        for (int at = 0; at + NLMSG_HDRLEN <= length; n++) {
            int size = b.getInt(at);
            if (size < NLMSG_HDRLEN) {
                return n + 1;
            }
            at += (size + 3) & ~3;
        }
        return Math.max(n, 1);
    }

    private static OutputStream open(Path file) throws IOException {
        try {
            return new BufferedOutputStream(Files.newOutputStream(file));
        } catch (NoSuchFileException e) {
            throw new IOException("no such directory", e);
        } catch (AccessDeniedException e) {
            throw new IOException("permission denied", e);
        }
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
