package org.mptcp4j.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.Controllers;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.loop.IdleStrategy;
import org.mptcp4j.metrics.PathManagerMetrics;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;
import org.mptcp4j.standin.KernelStandIn;

/**
 * The event loop's own ceiling: the events a second it handles, and what each costs, when the
 * kernel's connection rate does not bound it. A {@link KernelStandIn} feeds the loop made-up
 * connections, each its CREATED, ESTABLISHED, SUB_ESTABLISHED and CLOSED in a datagram of its
 * own as the kernel multicasts them, as fast as the loop takes them: the socket pair blocks the
 * feeding thread once its send buffer is full (some 280 of these datagrams with Linux's default
 * net.core.wmem_default). The loop runs what the daemon runs for
 * {@code --controller ndiffports subflows=1}: the controller in a {@link ControllerHost}, the
 * host wrapped by {@link PathManagerMetrics}. Client-side connections get one SUBFLOW_CREATE
 * each, which a thread standing in for the kernel acknowledges; ndiffports leaves server-side
 * ones alone.
 *
 * <p>Each round has a loop, host and stand-in of its own, primed with one connection before
 * the clock starts; the configurations take turns round by round, after warm-up rounds of
 * each. Printed as markdown: per configuration the median and range over the measured rounds.
 *
 * <pre>
 *   java -cp benchmarks.jar org.mptcp4j.benchmarks.LoopCeiling [--connections N] [--rounds R] [--warm-up-rounds W]
 * </pre>
 *
 * Exits 1 when an event is lost, a command fails or the loop stops; 2 for a wrong argument.
 */
public final class LoopCeiling {
    private static final int EVENTS_PER_CONNECTION = 4;
    /** Connections whose datagrams are made once and sent in turn: tokens come back only long after CLOSED. */
    private static final int DISTINCT_CONNECTIONS = 1024;
    /** A round that has not handled every connection after this long has lost events. */
    private static final long ROUND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final String USAGE =
            "usage: LoopCeiling [--connections N (per round, default 100000)] [--rounds R (default 7)]"
                    + " [--warm-up-rounds W (default 3)]";

    private LoopCeiling() {}

    /** One way of running the loop: whose connections (client side: one command each) and how it idles. */
    private record Configuration(String label, boolean clientSide, IdleStrategy idle) {}

    private static final List<Configuration> CONFIGURATIONS = List.of(
            new Configuration("(a) no command (server side)", false, IdleStrategy.blocking()),
            new Configuration("(a) no command (server side)", false, IdleStrategy.busySpin()),
            new Configuration("(b) one SUBFLOW_CREATE a connection (client side)", true, IdleStrategy.blocking()),
            new Configuration("(b) one SUBFLOW_CREATE a connection (client side)", true, IdleStrategy.busySpin()));

    /** What one measured round took; the CPU times are the loop thread's and the feeding thread's. */
    private record Round(long events, long commands, long wallNanos, long loopCpuNanos, long loopUserNanos,
            long feederCpuNanos, long loopAllocatedBytes, long collections) {
        double eventsPerSecond() {
            return events * 1e9 / wallNanos;
        }

        double wallNanosPerEvent() {
            return (double) wallNanos / events;
        }

        double loopCpuNanosPerEvent() {
            return (double) loopCpuNanos / events;
        }

        double loopUserNanosPerEvent() {
            return (double) loopUserNanos / events;
        }

        double loopBusy() {
            return (double) loopCpuNanos / wallNanos;
        }

        double feederBusy() {
            return (double) feederCpuNanos / wallNanos;
        }

        double commandsPerSecond() {
            return commands * 1e9 / wallNanos;
        }

        double allocatedBytesPerEvent() {
            return (double) loopAllocatedBytes / events;
        }
    }

    public static void main(String[] args) {
        int connections = 100_000;
        int rounds = 7;
        int warmUpRounds = 3;
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                int value;
                try {
                    value = Integer.parseInt(args[i + 1]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(args[i] + " takes a whole number: " + args[i + 1]);
                }
                switch (args[i]) {
                    case "--connections" -> connections = atLeast(args[i], value, 1);
                    case "--rounds" -> rounds = atLeast(args[i], value, 1);
                    case "--warm-up-rounds" -> warmUpRounds = atLeast(args[i], value, 0);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("LoopCeiling: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        }
        if (!THREADS.isThreadCpuTimeSupported() || !THREADS.isThreadAllocatedMemorySupported()) {
            fail("this JVM measures no thread CPU time or allocation");
        }
        List<List<Round>> measured = new ArrayList<>();
        for (int c = 0; c < CONFIGURATIONS.size(); c++) {
            measured.add(new ArrayList<>());
        }
        byte[][] server = EventBytes.connections(DISTINCT_CONNECTIONS, true);
        byte[][] client = EventBytes.connections(DISTINCT_CONNECTIONS, false);
        try {
            for (int r = 0; r < warmUpRounds + rounds; r++) {
                // Each configuration in turn, starting with another each round: the machine's
                // changing load spreads over all of them.
                for (int k = 0; k < CONFIGURATIONS.size(); k++) {
                    int c = (r + k) % CONFIGURATIONS.size();
                    Configuration configuration = CONFIGURATIONS.get(c);
                    Round round = round(configuration, configuration.clientSide() ? client : server, connections);
                    if (r >= warmUpRounds) {
                        measured.get(c).add(round);
                    }
                }
            }
        } catch (IllegalStateException e) {
            fail(e.getMessage());
        } catch (RuntimeException e) { // the stand-in's sockets, the library refusing something
            e.printStackTrace();
            fail(e.toString());
        }
        System.out.print(report(connections, warmUpRounds, rounds, measured));
    }

    private static int atLeast(String option, int value, int least) {
        if (value < least) {
            throw new IllegalArgumentException(option + " must be at least " + least + ": " + value);
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("LoopCeiling: FAILED: " + message);
        System.exit(1);
    }

    /**
     * A loop with its own stand-in and host; one connection through it first (the controller has
     * started, the loop waits), then {@code connections} timed.
     *
     * @throws IllegalStateException when an event is lost, a command fails or the loop stops
     */
    private static Round round(Configuration configuration, byte[][] datagrams, int connections) {
        PathManagerMetrics metrics = new PathManagerMetrics("loop-ceiling");
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, EventBytes.FAMILY);
                Acknowledger acknowledger = new Acknowledger(kernel);
                PathManager pathManager = kernel.pathManager()) {
            pathManager.observe(metrics);
            ControllerHost host = new ControllerHost(Controllers.create("ndiffports", Map.of("subflows", "1")),
                    pathManager).listsConnections(false);
            try (EventLoop loop = kernel.loop(metrics.counting(host))
                    .idleStrategy(configuration.idle()).name("loop-ceiling").build()) {
                acknowledger.start();
                long loopThread = loop.start().getId();
                long feeder = Thread.currentThread().getId();
                feed(kernel, datagrams, 0, 1);
                awaitClosed(loop, metrics, acknowledger, 1);

                long collections = collections();
                long loopCpu = THREADS.getThreadCpuTime(loopThread);
                long loopUser = THREADS.getThreadUserTime(loopThread);
                long feederCpu = THREADS.getThreadCpuTime(feeder);
                long allocated = THREADS.getThreadAllocatedBytes(loopThread);
                long start = System.nanoTime();
                feed(kernel, datagrams, 1, 1 + connections);
                awaitClosed(loop, metrics, acknowledger, 1 + connections);
                long wall = System.nanoTime() - start;
                loopCpu = THREADS.getThreadCpuTime(loopThread) - loopCpu;
                loopUser = THREADS.getThreadUserTime(loopThread) - loopUser;
                feederCpu = THREADS.getThreadCpuTime(feeder) - feederCpu;
                allocated = THREADS.getThreadAllocatedBytes(loopThread) - allocated;
                collections = collections() - collections;

                long expectedCommands = configuration.clientSide() ? 1 + connections : 0;
                check(loop, metrics, acknowledger, 1 + connections, expectedCommands);
                return new Round((long) EVENTS_PER_CONNECTION * connections,
                        configuration.clientSide() ? connections : 0, wall, loopCpu, loopUser, feederCpu, allocated,
                        collections);
            }
        }
    }

    /** Sends the events of connections {@code from} to {@code to} (exclusive), a datagram each. */
    private static void feed(KernelStandIn kernel, byte[][] datagrams, int from, int to) {
        for (int i = from; i < to; i++) {
            int first = (i % DISTINCT_CONNECTIONS) * EVENTS_PER_CONNECTION;
            for (int e = 0; e < EVENTS_PER_CONNECTION; e++) {
                kernel.sendEvents(datagrams[first + e]);
            }
        }
    }

    /** Waits until the loop has handled {@code closed} CLOSED events. */
    private static void awaitClosed(EventLoop loop, PathManagerMetrics metrics, Acknowledger acknowledger, long closed) {
        long deadline = System.nanoTime() + ROUND_TIMEOUT_NANOS;
        while (metrics.events(MptcpEventType.CLOSED) < closed) {
            if (!loop.isRunning()) {
                throw new IllegalStateException("the loop stopped: " + loop.failure());
            }
            if (acknowledger.failure != null) {
                throw new IllegalStateException("the kernel's stand-in failed: " + acknowledger.failure);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("events lost: after " + TimeUnit.NANOSECONDS.toSeconds(ROUND_TIMEOUT_NANOS)
                        + " s the loop had handled " + metrics.events(MptcpEventType.CLOSED) + " of " + closed
                        + " CLOSED events");
            }
            Thread.yield();
        }
    }

    /** Every event handled once, nothing skipped or failed, every command acknowledged and accepted. */
    private static void check(EventLoop loop, PathManagerMetrics metrics, Acknowledger acknowledger, long connections,
            long commands) {
        List<String> wrong = new ArrayList<>();
        for (MptcpEventType type : new MptcpEventType[] {MptcpEventType.CREATED, MptcpEventType.ESTABLISHED,
            MptcpEventType.SUB_ESTABLISHED, MptcpEventType.CLOSED}) {
            if (metrics.events(type) != connections) {
                wrong.add(type + " handled " + metrics.events(type) + " times, sent " + connections);
            }
        }
        if (loop.counter(EventCounter.RECORDS) != EVENTS_PER_CONNECTION * connections) {
            wrong.add(loop.counter(EventCounter.RECORDS) + " records decoded, " + EVENTS_PER_CONNECTION * connections
                    + " events sent");
        }
        for (EventCounter skipped : new EventCounter[] {EventCounter.TRUNCATED, EventCounter.MALFORMED,
            EventCounter.FOREIGN, EventCounter.FILTERED, EventCounter.LOST}) {
            if (loop.counter(skipped) != 0) {
                wrong.add(skipped + ": " + loop.counter(skipped));
            }
        }
        if (loop.handlerErrors() != 0) {
            wrong.add(loop.handlerErrors() + " handler errors");
        }
        if (metrics.commands(PmCommand.SUBFLOW_CREATE, 0) != commands || acknowledger.answered != commands) {
            wrong.add(metrics.commands(PmCommand.SUBFLOW_CREATE, 0) + " SUBFLOW_CREATE accepted and "
                    + acknowledger.answered + " requests answered, " + commands + " expected");
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException(String.join("; ", wrong));
        }
    }

    private static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static String report(int connections, int warmUpRounds, int rounds, List<List<Round>> measured) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%,d connections a round (%,d events, a datagram each); %d warm-up rounds, then %d"
                + " measured rounds of each configuration, the configurations taking turns; median (min-max) over the"
                + " measured rounds.%n%n", connections, EVENTS_PER_CONNECTION * connections, warmUpRounds, rounds));
        out.append("* loop CPU: the loop thread's CPU time, user and system; of it user mode: Java and the native"
                + " library, the rest is system calls (the split sampled at the kernel's ticks).\n");
        out.append("* loop, feeder CPU / wall: the share of the round the thread was on a CPU. A blocking loop near"
                + " 1.00 never waited for an event: the loop, not the feeding thread, was the bound.\n\n");
        out.append("| configuration | idle | events/s | wall ns/event | loop CPU ns/event | of it user mode"
                + " | loop CPU / wall | feeder CPU / wall | commands/s | loop bytes allocated/event |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|\n");
        long collections = 0;
        for (int c = 0; c < CONFIGURATIONS.size(); c++) {
            Configuration configuration = CONFIGURATIONS.get(c);
            List<Round> r = measured.get(c);
            for (Round round : r) {
                collections += round.collections();
            }
            out.append("| ").append(configuration.label()).append(" | ").append(configuration.idle()).append(" | ")
                    .append(spread(r, Round::eventsPerSecond, "%,.0f")).append(" | ")
                    .append(spread(r, Round::wallNanosPerEvent, "%,.0f")).append(" | ")
                    .append(spread(r, Round::loopCpuNanosPerEvent, "%,.0f")).append(" | ")
                    .append(spread(r, Round::loopUserNanosPerEvent, "%,.0f")).append(" | ")
                    .append(spread(r, Round::loopBusy, "%.2f")).append(" | ")
                    .append(spread(r, Round::feederBusy, "%.2f")).append(" | ")
                    .append(configuration.clientSide() ? spread(r, Round::commandsPerSecond, "%,.0f") : "0")
                    .append(" | ").append(spread(r, Round::allocatedBytesPerEvent, "%.4f")).append(" |\n");
        }
        out.append(String.format("%nGarbage collections during the measured rounds: %d.%n%n", collections));
        out.append("busy-spin: between events the loop thread spins rather than sleeps (it sleeps only while a"
                + " command waits for its answer), so its CPU time counts the spinning; the blocking rows show what"
                + " handling an event costs.\n\n");
        out.append("(b) bounds the rate by a cross-thread round trip per connection: the loop's SUBFLOW_CREATE waits"
                + " for its ACK from the thread standing in for the kernel (two thread wake-ups), where a kernel"
                + " answers inside the loop's own sendmsg(2). It is the loop's cost with commands, not a kernel's"
                + " command rate.\n");
        return out.toString();
    }

    /** The median of {@code value} over the rounds, and its range. */
    private static String spread(List<Round> rounds, ToDoubleFunction<Round> value, String format) {
        double[] v = rounds.stream().mapToDouble(value).sorted().toArray();
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(format + " (" + format + "-" + format + ")", median, v[0], v[v.length - 1]);
    }

    /** Answers every request with the netlink ACK (error 0), as the kernel does, on a thread of its own. */
    private static final class Acknowledger extends Thread implements AutoCloseable {
        private static final int NLMSGHDR = 16;
        /** nlmsghdr, error, the request's nlmsghdr (NLM_F_CAPPED: no payload). */
        private static final int ACK = NLMSGHDR + 4 + NLMSGHDR;
        private static final short NLMSG_ERROR = 2;
        private static final short NLM_F_CAPPED = 0x100;

        private final KernelStandIn kernel;
        private volatile boolean closing;
        private volatile long answered;
        private volatile Throwable failure;

        Acknowledger(KernelStandIn kernel) {
            super("loop-ceiling-kernel");
            this.kernel = kernel;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] ack = new byte[ACK];
            ByteBuffer out = ByteBuffer.wrap(ack).order(ByteOrder.nativeOrder());
            try {
                while (!closing) {
                    byte[] request = kernel.receiveRequest(100);
                    if (request == null) {
                        continue;
                    }
                    if (request.length < NLMSGHDR) {
                        throw new IllegalStateException("a request of " + request.length + " bytes: "
                                + Arrays.toString(request));
                    }
                    ByteBuffer in = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
                    out.clear();
                    out.putInt(ACK).putShort(NLMSG_ERROR).putShort(NLM_F_CAPPED).putInt(in.getInt(8)).putInt(in.getInt(12))
                            .putInt(0).put(request, 0, NLMSGHDR);
                    // Counted before it is sent: once the loop has it, the count includes it.
                    answered++; // this thread's alone
                    kernel.sendAnswer(ack);
                }
            } catch (RuntimeException e) {
                if (!closing) {
                    failure = e;
                }
            }
        }

        @Override
        public void close() {
            closing = true;
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
