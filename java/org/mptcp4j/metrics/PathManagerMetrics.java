package org.mptcp4j.metrics;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.CommandObserver;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;

/**
 * The metrics of the path manager of one network namespace: events by type, commands by result,
 * lost events, resyncs, the connections and subflows it manages, and the time from an event to
 * the commands issued while handling it. {@link TextFormat} writes them for Prometheus;
 * {@link MetricsServer} serves them over HTTP.
 *
 * <pre>{@code
 * PathManagerMetrics metrics = new PathManagerMetrics("client");
 * pathManager.observe(metrics);
 * EventLoop loop = EventLoop.builder(metrics.counting(new ControllerHost(controller, pathManager)))
 *         .namespace(ns).build();
 * }</pre>
 *
 * <p>Register it with {@link PathManager#observe} and wrap the loop's handler in {@link #counting}.
 * The event path allocates nothing: counters sit in pre-sized arrays written by the loop's thread
 * alone and read by the scraping thread, and the subflow count of each connection in an
 * open-addressing int table. Events, {@link #connectionDiscovered} and {@link #resyncDone} come
 * from the one loop thread; {@link #commandDone} and {@link #resync} from any thread.
 */
public final class PathManagerMetrics implements CommandObserver {
    private static final MptcpEventType[] TYPES = MptcpEventType.values();
    private static final PmCommand[] COMMANDS = PmCommand.values();
    /** Connections held before the subflow table grows (by doubling). */
    private static final int EXPECTED_CONNECTIONS = 1024;
    /** Distinct errors of one command held before its table grows. */
    private static final int EXPECTED_ERRNOS = 8;
    /** What the gauges are built from: wanted whatever the wrapped handler asks for. */
    private static final Set<MptcpEventType> TRACKED = EnumSet.of(MptcpEventType.CREATED,
            MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED, MptcpEventType.SUB_ESTABLISHED,
            MptcpEventType.SUB_CLOSED);
    /**
     * Upper bounds of the event-to-command histogram's buckets in ns, 10 µs to 1 s: the kernel's
     * own second subflow takes ~270 µs, a process per command ~2 ms.
     */
    static final long[] BUCKET_NANOS = {10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
        2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000,
        1_000_000_000};
    private static final String[] BUCKET_LABELS =
            Arrays.stream(BUCKET_NANOS).mapToObj(Samples::secondsText).toArray(String[]::new);

    static final String EVENTS = "mptcp4j_events_total";
    static final String EVENTS_LOST = "mptcp4j_events_lost_total";
    static final String COMMANDS_TOTAL = "mptcp4j_commands_total";
    static final String RESYNCS = "mptcp4j_resyncs_total";
    static final String CONNECTIONS = "mptcp4j_connections";
    static final String SUBFLOWS = "mptcp4j_subflows";
    static final String LATENCY = "mptcp4j_event_to_command_seconds";

    /** The families every source has, in the order they are written. */
    static final List<Family> FAMILIES = List.of(
            new Family(EVENTS, Family.COUNTER, "MPTCP events the event loop handled, by type.",
                    PathManagerMetrics::writeEvents),
            new Family(EVENTS_LOST, Family.COUNTER,
                    "Times the kernel dropped events (ENOBUFS): what was learned from events was stale until a resync.",
                    PathManagerMetrics::writeEventsLost),
            new Family(COMMANDS_TOTAL, Family.COUNTER,
                    "Path manager commands by result; errno names the error the command failed with.",
                    PathManagerMetrics::writeCommands),
            new Family(RESYNCS, Family.COUNTER,
                    "Times the connections of the namespace were listed again (at start and after lost events).",
                    PathManagerMetrics::writeResyncs),
            new Family(CONNECTIONS, Family.GAUGE, "MPTCP connections the path manager knows of.",
                    PathManagerMetrics::writeConnections),
            new Family(SUBFLOWS, Family.GAUGE, "Subflows of the connections the path manager knows of.",
                    PathManagerMetrics::writeSubflows),
            new Family(LATENCY, Family.HISTOGRAM,
                    "Time from an event's arrival to the kernel's answer to a command issued while handling it.",
                    PathManagerMetrics::writeLatency));

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    /** Names of the built-in series, which functions may not take. */
    private static final Set<String> RESERVED = new HashSet<>();

    static {
        for (Family family : FAMILIES) {
            RESERVED.add(family.name());
        }
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            RESERVED.add(LATENCY + suffix);
        }
    }

    private final String netns;
    private final AtomicLongArray events = new AtomicLongArray(TYPES.length);
    private final AtomicLongArray commandsOk = new AtomicLongArray(COMMANDS.length);
    /** Failed commands: per command, errno to count; guarded by itself (errors are rare). */
    private final IntLongTable[] commandErrors = new IntLongTable[COMMANDS.length];
    /** Latencies per bucket, not cumulative; the last is above every bound (+Inf). */
    private final AtomicLongArray latencyBuckets = new AtomicLongArray(BUCKET_NANOS.length + 1);
    private final AtomicLong latencySumNanos = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong subflows = new AtomicLong();
    private final List<Family> functions = new CopyOnWriteArrayList<>();

    // The loop thread's own state: the gauges' source, and the event being handled.
    private final IntLongTable subflowsByToken = new IntLongTable(EXPECTED_CONNECTIONS);
    private long subflowTotal;
    private boolean handling;
    private long handlingSinceNanos;
    /** The thread handling events: commands from it may belong to an event. */
    private volatile Thread eventThread;

    /**
     * Metrics for one namespace.
     *
     * @param netns the value of the {@code netns} label of every series, e.g. the namespace's name
     */
    public PathManagerMetrics(String netns) {
        this.netns = Objects.requireNonNull(netns, "netns");
        for (int i = 0; i < commandErrors.length; i++) {
            commandErrors[i] = new IntLongTable(EXPECTED_ERRNOS);
        }
    }

    /**
     * The {@code netns} label.
     *
     * @return the namespace's label
     */
    public String netns() {
        return netns;
    }

    /**
     * A handler that counts each event, follows connections and subflows, and times the commands
     * {@code handler} issues on the event, then hands the event on. It wants what
     * {@code handler} wants plus CREATED, ESTABLISHED, CLOSED, SUB_ESTABLISHED and SUB_CLOSED,
     * and hands {@code handler} only the types it wants (and EVENTS_LOST, which always comes).
     * Everything else of {@code handler} (batch ends, the loop's start and end) is passed through.
     * Commands issued outside {@code onEvent} (at a batch end, the loop's start, in scheduled
     * work) belong to no event and are counted but not timed. Run it in one event loop.
     *
     * @param handler the handler to hand events on to
     * @return the counting handler
     */
    public EventHandler counting(EventHandler handler) {
        return new Counting(Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Counts the command by result; when it was issued on the event thread while an event was
     * being handled, adds the time since that event's arrival to the histogram.
     */
    @Override
    public void commandDone(PmCommand command, int errno, long startNanos) {
        if (errno == 0) {
            commandsOk.getAndIncrement(command.ordinal()); // atomic: an AsyncPathManager answers on its own thread
        } else {
            synchronized (commandErrors) {
                commandErrors[command.ordinal()].add(errno, 1);
            }
        }
        if (Thread.currentThread() == eventThread && handling) {
            observeLatency(System.nanoTime() - handlingSinceNanos);
        }
    }

    /** Counts a resync: the daemon is listing the namespace's connections again. */
    public void resync() {
        resyncs.incrementAndGet();
    }

    /**
     * A connection a resync found, with its subflows: what events said of it is replaced.
     * From the loop's thread.
     *
     * @param token the connection's token
     * @param subflows its subflows, counted
     */
    public void connectionDiscovered(int token, int subflows) {
        if (subflows < 0) {
            throw new IllegalArgumentException("negative subflow count: " + subflows);
        }
        int slot = subflowsByToken.find(token);
        subflowTotal += subflows - (slot < 0 ? 0 : subflowsByToken.valueAt(slot));
        subflowsByToken.put(token, subflows);
        publishGauges();
    }

    /**
     * The resync is over: connections for which {@code open} is false are forgotten (their
     * CLOSED event may have been lost). From the loop's thread.
     *
     * @param open whether a connection, by its token, is still open
     */
    public void resyncDone(IntPredicate open) {
        subflowsByToken.retain(open);
        subflowTotal = subflowsByToken.sum();
        publishGauges();
    }

    /**
     * Exposes a counter kept elsewhere, e.g. {@code loop.counter(EventCounter.MALFORMED)}, as
     * {@code name{netns="..."}}; {@code value} is read on the scraping thread. Sources sharing a
     * name should share its help.
     *
     * @param name the metric's name
     * @param help the metric's help text
     * @param value reads the counter
     * @return this
     * @throws IllegalArgumentException when the name is not a Prometheus metric name, is one of
     *     the built-in families', or is taken on this source
     */
    public PathManagerMetrics counterFunction(String name, String help, LongSupplier value) {
        return function(name, Family.COUNTER, help, value);
    }

    /**
     * Exposes a gauge kept elsewhere; as {@link #counterFunction}.
     *
     * @param name the metric's name
     * @param help the metric's help text
     * @param value reads the gauge
     * @return this
     */
    public PathManagerMetrics gaugeFunction(String name, String help, LongSupplier value) {
        return function(name, Family.GAUGE, help, value);
    }

    private synchronized PathManagerMetrics function(String name, String type, String help, LongSupplier value) {
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(value, "value");
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Prometheus metric name: '" + name + "'");
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException(name + " is a built-in series");
        }
        if (functionNamed(name) != null) {
            throw new IllegalArgumentException(name + " is already exposed for netns " + netns);
        }
        functions.add(new Family(name, type, help,
                (source, samples) -> samples.sample(name).label("netns", netns).value(value.getAsLong())));
        return this;
    }

    /** The function family registered under {@code name}, or null. */
    Family functionNamed(String name) {
        for (Family family : functions) {
            if (family.name().equals(name)) {
                return family;
            }
        }
        return null;
    }

    List<Family> functions() {
        return functions;
    }

    /**
     * Events of {@code type} handled so far.
     *
     * @param type the event type
     * @return the count of events
     */
    public long events(MptcpEventType type) {
        return events.get(type.ordinal());
    }

    /**
     * Times {@code command} ended with {@code errno} (0: accepted).
     *
     * @param command the command
     * @param errno the errno value (0: accepted)
     * @return the count of commands
     */
    public long commands(PmCommand command, int errno) {
        if (errno == 0) {
            return commandsOk.get(command.ordinal());
        }
        synchronized (commandErrors) {
            IntLongTable counts = commandErrors[command.ordinal()];
            int slot = counts.find(errno);
            return slot < 0 ? 0 : counts.valueAt(slot);
        }
    }

    /**
     * Connections known now.
     *
     * @return the count of connections
     */
    public long connections() {
        return connections.get();
    }

    /**
     * Subflows of the connections known now.
     *
     * @return the count of subflows
     */
    public long subflows() {
        return subflows.get();
    }

    /**
     * CREATED or ESTABLISHED makes a connection known with one subflow, SUB_ESTABLISHED adds
     * one, SUB_CLOSED takes one away, CLOSED forgets it. The kernel also reports a join that
     * failed as SUB_CLOSED, which cannot be told from a subflow that closed: the count is one
     * low then (never below zero) until a resync sets it.
     */
    private void track(MptcpEventType type, int token) {
        if (!TRACKED.contains(type)) {
            return;
        }
        int slot = subflowsByToken.find(token);
        switch (type) {
            case CREATED, ESTABLISHED -> {
                if (slot >= 0) {
                    return;
                }
                subflowsByToken.put(token, 1);
                subflowTotal++;
            }
            case SUB_ESTABLISHED, SUB_CLOSED -> {
                long delta = type == MptcpEventType.SUB_ESTABLISHED ? 1 : -1;
                if (slot < 0 || subflowsByToken.valueAt(slot) + delta < 0) {
                    return; // a connection this path manager does not know, or a failed join
                }
                subflowsByToken.setValueAt(slot, subflowsByToken.valueAt(slot) + delta);
                subflowTotal += delta;
            }
            default -> { // CLOSED
                if (slot < 0) {
                    return;
                }
                subflowTotal -= subflowsByToken.valueAt(slot);
                subflowsByToken.removeAt(slot);
            }
        }
        publishGauges();
    }

    private void publishGauges() {
        connections.setRelease(subflowsByToken.size());
        subflows.setRelease(subflowTotal);
    }

    /** From the event thread alone, hence plain read-modify-writes published with release. */
    private void observeLatency(long nanos) {
        int bucket = 0;
        while (bucket < BUCKET_NANOS.length && nanos > BUCKET_NANOS[bucket]) {
            bucket++;
        }
        increment(latencyBuckets, bucket);
        latencySumNanos.setRelease(latencySumNanos.getPlain() + nanos);
    }

    /** One writer: no atomic read-modify-write needed, only a store readers see whole. */
    private static void increment(AtomicLongArray counters, int index) {
        counters.setRelease(index, counters.getPlain(index) + 1);
    }

    private void writeEvents(Samples out) {
        for (MptcpEventType type : TYPES) {
            long n = events.get(type.ordinal());
            if (n != 0) {
                out.sample(EVENTS).label("netns", netns).label("type", type.name()).value(n);
            }
        }
    }

    private void writeEventsLost(Samples out) {
        out.sample(EVENTS_LOST).label("netns", netns).value(events.get(MptcpEventType.EVENTS_LOST.ordinal()));
    }

    private void writeCommands(Samples out) {
        for (PmCommand command : COMMANDS) {
            long ok = commandsOk.get(command.ordinal());
            if (ok != 0) {
                out.sample(COMMANDS_TOTAL).label("netns", netns).label("command", command.name())
                        .label("result", "ok").value(ok);
            }
            // Written under the lock: a failing command waits at most for this short loop.
            synchronized (commandErrors) {
                IntLongTable counts = commandErrors[command.ordinal()];
                int[] errnos = counts.keys();
                Arrays.sort(errnos);
                for (int errno : errnos) {
                    out.sample(COMMANDS_TOTAL).label("netns", netns).label("command", command.name())
                            .label("result", "error").label("errno", Errno.name(errno))
                            .value(counts.valueAt(counts.find(errno)));
                }
            }
        }
    }

    private void writeResyncs(Samples out) {
        out.sample(RESYNCS).label("netns", netns).value(resyncs.get());
    }

    private void writeConnections(Samples out) {
        out.sample(CONNECTIONS).label("netns", netns).value(connections.get());
    }

    private void writeSubflows(Samples out) {
        out.sample(SUBFLOWS).label("netns", netns).value(subflows.get());
    }

    private void writeLatency(Samples out) {
        long count = 0;
        for (int i = 0; i <= BUCKET_NANOS.length; i++) {
            count += latencyBuckets.get(i);
            out.sample(LATENCY + "_bucket").label("netns", netns)
                    .label("le", i < BUCKET_NANOS.length ? BUCKET_LABELS[i] : "+Inf").value(count);
        }
        out.sample(LATENCY + "_sum").label("netns", netns).seconds(latencySumNanos.get());
        // The buckets' total rather than a counter of its own: _count always equals +Inf.
        out.sample(LATENCY + "_count").label("netns", netns).value(count);
    }

    /** The handler {@link #counting} returns. */
    private final class Counting implements EventHandler {
        private final EventHandler handler;
        private final Set<MptcpEventType> handlerTypes = EnumSet.noneOf(MptcpEventType.class);
        private final Set<MptcpEventType> types;

        Counting(EventHandler handler) {
            this.handler = handler;
            handlerTypes.addAll(handler.eventTypes());
            types = EnumSet.copyOf(TRACKED);
            types.addAll(handlerTypes);
        }

        @Override
        public void onEvent(MptcpEvent event) {
            MptcpEventType type = event.type();
            increment(events, type.ordinal());
            track(type, event.token());
            if (type != MptcpEventType.EVENTS_LOST && !handlerTypes.contains(type)) {
                return;
            }
            Thread current = Thread.currentThread();
            if (eventThread != current) { // a handler called without a loop: a volatile write once, not per event
                eventThread = current;
            }
            // Saved and restored: the handler may deliver another event from within this one.
            boolean outerHandling = handling;
            long outerSince = handlingSinceNanos;
            handling = true;
            handlingSinceNanos = event.receivedNanos();
            try {
                handler.onEvent(event);
            } finally {
                handling = outerHandling;
                handlingSinceNanos = outerSince;
            }
        }

        @Override
        public void onBatchEnd() {
            handler.onBatchEnd();
        }

        @Override
        public void onLoopStart(EventLoop loop) {
            // Known before the first event: commands the handler sends at its start are not
            // timed as an event's, and the per-event check below stays a path never taken.
            eventThread = Thread.currentThread();
            handler.onLoopStart(loop);
        }

        @Override
        public void onLoopEnd() {
            handler.onLoopEnd();
        }

        @Override
        public Set<MptcpEventType> eventTypes() {
            return types;
        }
    }
}
