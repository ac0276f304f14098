package org.mptcp4j.loop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.mptcp4j.access.StandInAccess;
import org.mptcp4j.diag.LocalAddressFilter;
import org.mptcp4j.netlink.EventRecord;
import org.mptcp4j.netlink.EventSocket;
import org.mptcp4j.netlink.RtnlMonitor;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.KernelFeatures;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.TrafficTap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One thread that polls the MPTCP events of a network namespace and hands each to an
 * {@link EventHandler}, with no queue or second thread in between: a command the handler
 * issues runs on this thread, right after the event that caused it. Nothing is allocated
 * per event.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.builder(event -> System.out.println(event)).build()) {
 *     loop.run();   // until loop.stop() from another thread
 * }
 * }</pre>
 *
 * <p>When the handler wants local address or link events, the loop also watches the
 * namespace's rtnetlink groups, in the same wait. Periodic work runs on the loop's thread too
 * ({@link #schedule}).
 *
 * <p>Other threads talk to the loop through {@link #execute(Runnable)} and {@link #stop()}.
 * One thread runs the loop: {@link #run()} or {@link #start()}, once. That thread can be given
 * real-time scheduling and CPUs of its own ({@link Builder#realtimePriority},
 * {@link Builder#cpus}), which it sets for itself before its first poll.
 */
public final class EventLoop implements Runnable, AutoCloseable {
    static {
        StandInAccess.registerLoopBuilders((builder, source) -> ((Builder) builder).standIn(source));
    }

    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

    /** Local address and link changes in one poll at most; more wait for the next. */
    private static final int RTNL_RECORDS = 64;
    /**
     * While MPTCP events keep the loop busy, rtnetlink is read this often at most (a wait that
     * ends without MPTCP events reads it at once): local changes cost the event path nothing.
     */
    private static final long RTNL_PERIOD_NANOS = 10_000_000;
    /**
     * What {@link #schedule} and {@link #runLater} take: at most a day, which keeps every due
     * time far inside the clock's range (comparisons are overflow-safe up to 292 years).
     */
    private static final ValueRange PERIOD = ValueRange.duration(Duration.ofMillis(1), Duration.ofDays(1));
    private static final ValueRange DELAY = ValueRange.duration(Duration.ZERO, Duration.ofDays(1));
    /** The SCHED_FIFO priorities {@link Builder#realtimePriority} takes. */
    public static final ValueRange REALTIME_PRIORITY = ValueRange.count(1, 99);

    private final EventSocket socket;
    /** The rtnetlink side, when the handler wants local address or link events; else null. */
    private final RtnlMonitor rtnl;
    private final LocalAddressFilter localAddressFilter;
    private final EventHandler handler;
    private final IdleStrategy idle;
    private final String name;
    /** The namespace's name in the loop thread's log lines (MDC "netns"); null for the caller's own. */
    private final String netns;
    private final Set<MptcpEventType> types;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    /** What the loop's thread sets for itself before its first poll; null for nothing. */
    private final ThreadScheduling scheduling;
    /** Counted down once the loop's thread has set its scheduling, or failed to. */
    private final CountDownLatch schedulingSet = new CountDownLatch(1);
    /** Why the loop's thread could not set its scheduling (the loop did not run), or null. */
    private volatile RuntimeException refused;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopRequested;
    /** Guarded by {@code tasks}: no task is accepted once set. */
    private boolean terminated;
    private volatile Thread thread;
    private volatile Throwable failure;
    private long handlerErrors;
    /** Periodic work, touched only by the loop's thread; the earliest due time when there is any. */
    private final List<ScheduledWork> scheduled = new ArrayList<>();
    private long nextDueNanos;
    private long nextRtnlNanos;
    /** What due times are measured by: System.nanoTime, or over a stand-in the stand-in's clock. */
    private final LongSupplier clock;

    private EventLoop(Builder b) {
        this.handler = b.handler;
        this.idle = b.idle;
        this.name = b.name != null ? b.name
                : b.namespace == NetworkNamespace.current() ? "mptcp4j-loop" : "mptcp4j-loop-" + b.namespace.name();
        this.netns = b.namespace == NetworkNamespace.current() ? null : b.namespace.name();
        this.scheduling = ThreadScheduling.of(name, b.realtimePriority, b.cpus);
        if (scheduling != null) {
            scheduling.check(); // before any socket is opened: a refusal leaves nothing to close
        }
        boolean java = b.decoding.requireTransport() == EventDecoding.JAVA;
        this.clock = b.standIn != null ? b.standIn.clock() : StandInAccess.SYSTEM_CLOCK;
        this.socket = b.standIn != null ? b.standIn.eventSocket(b.recordCapacity, java)
                : EventSocket.open(b.namespace, b.dialect != null ? b.dialect : KernelFeatures.detectDialect(b.namespace), b.receiveBuffer,
                        b.recordCapacity, java);
        long mask = 0;
        for (MptcpEventType type : b.types) {
            mask |= type.mask();
        }
        // The tap first: a recording misses nothing the type mask's kernel filter would drop meanwhile.
        if (b.tap != null) {
            try {
                socket.tap(b.tap);
            } catch (RuntimeException e) {
                socket.close();
                throw e;
            }
        }
        socket.setTypeMask(mask);
        this.localAddressFilter = b.localAddressFilter;
        RtnlMonitor monitor = null;
        if (b.types.contains(MptcpEventType.LOCAL_ADDRESS_ADDED) || b.types.contains(MptcpEventType.LOCAL_ADDRESS_REMOVED)
                || b.types.contains(MptcpEventType.LINK_UP) || b.types.contains(MptcpEventType.LINK_DOWN)) {
            try {
                monitor = RtnlMonitor.open(b.namespace, RTNL_RECORDS);
                socket.attach(monitor.fd());
            } catch (RuntimeException e) {
                if (monitor != null) {
                    monitor.close();
                }
                socket.close();
                throw e;
            }
        }
        this.rtnl = monitor;
        this.types = EnumSet.copyOf(b.types);
    }

    /**
     * A loop that hands events to {@code handler}; set the rest on the builder.
     *
     * @param handler the handler of the loop's events
     * @return a builder
     */
    public static Builder builder(EventHandler handler) {
        return new Builder(handler);
    }

    /**
     * Polls and dispatches until {@link #stop()}, on the calling thread, then closes the
     * event socket. The thread first sets the scheduling the builder asked for.
     *
     * @throws org.mptcp4j.protocol.MptcpException when the thread cannot set its scheduling (the loop
     *     did not run; its socket is closed)
     */
    @Override
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(name + " is already running");
        }
        loop();
        if (refused != null) {
            throw refused;
        }
    }

    private void loop() {
        thread = Thread.currentThread();
        if (netns != null) {
            MDC.put("netns", netns);
        }
        try {
            if (!applyScheduling()) {
                return;
            }
            try {
                handler.onLoopStart(this);
            } catch (RuntimeException e) {
                handlerErrors++;
                LOG.warn(name + ": handler failed at loop start: " + e.getMessage(), e);
            }
            rounds();
        } catch (RuntimeException | Error e) {
            // A failure no handler call caught (a controller's Error, a broken socket): kept and said, not lost.
            failure = e;
            LOG.error(name + ": the event loop stopped on " + e, e);
        } finally {
            try {
                handler.onLoopEnd();
            } catch (RuntimeException e) {
                handlerErrors++;
                LOG.warn(name + ": handler failed at loop end: " + e.getMessage(), e);
            }
            socket.close();
            if (rtnl != null) {
                rtnl.close();
            }
            thread = null;
            MDC.remove("netns");
            finished.countDown();
            failLeftoverTasks();
        }
    }

    /**
     * The rounds until stop, in a method of their own. The JIT compiles a running loop in place
     * (on-stack replacement); the warm-up's loop leaves that code, when it stops, by a branch it
     * never took before, which throws the code away. The real loop then has only this small
     * method to compile again, not the whole of {@link #loop}.
     */
    private void rounds() {
        while (!stopRequested) {
            doWork();
        }
    }

    /** Sets the thread's scheduling; false, with the loop's failure kept, when it was refused. */
    private boolean applyScheduling() {
        try {
            if (scheduling != null) {
                scheduling.apply();
            }
            return true;
        } catch (RuntimeException e) {
            refused = e;
            failure = e;
            return false;
        } finally {
            schedulingSet.countDown();
        }
    }

    /**
     * Runs the loop on a new thread named after the namespace. With scheduling asked for, returns
     * once the thread has set it.
     *
     * @return the loop's thread
     * @throws org.mptcp4j.protocol.MptcpException when the thread cannot set its scheduling (the loop
     *     did not run, and has ended)
     */
    public Thread start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(name + " is already running");
        }
        Thread t = new Thread(this::loop, name);
        t.setDaemon(true);
        t.start();
        if (scheduling != null) {
            ThreadScheduling.awaitUninterruptibly(schedulingSet);
            if (refused != null) {
                ThreadScheduling.awaitUninterruptibly(finished);
                throw refused;
            }
        }
        return t;
    }

    /**
     * One round: polls (waiting as the idle strategy says when nothing is pending, and no
     * longer than until the next scheduled work), hands every event to the handler, runs
     * queued tasks and the scheduled work that is due.
     *
     * @return events plus tasks handled
     */
    public int doWork() {
        int timeout = receiveTimeoutMillis();
        int n = socket.poll(timeout);
        for (int i = 0; i < n; i++) {
            dispatch(socket.record(i));
        }
        if (rtnl != null && ((n == 0 && timeout != 0) || clock.getAsLong() - nextRtnlNanos >= 0)) {
            nextRtnlNanos = clock.getAsLong() + RTNL_PERIOD_NANOS;
            n += dispatchLocalChanges();
        }
        if (n > 0) {
            try {
                handler.onBatchEnd();
            } catch (RuntimeException e) {
                handlerErrors++;
                LOG.warn(name + ": handler failed at the end of a batch: " + e.getMessage(), e);
            }
        }
        int work = n + runTasks();
        // Once stop is asked (a loop replaced while its handler blocked), its timers run no more.
        if (!scheduled.isEmpty() && !stopRequested) {
            work += runScheduled(clock.getAsLong());
        }
        if (work == 0) {
            idle.idle();
        }
        return work;
    }

    /**
     * Hands {@code event}, made on the loop's thread (a timeout a controller host saw), to the
     * handler as if it had been polled.
     *
     * @param event the event to hand to the handler
     * @throws IllegalStateException from another thread
     */
    public void deliver(MptcpEvent event) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException(name + ": deliver from the loop's thread");
        }
        dispatch(event);
    }

    private int receiveTimeoutMillis() {
        int timeout = tasks.isEmpty() ? idle.receiveTimeoutMillis() : 0;
        if (timeout == 0 || scheduled.isEmpty()) {
            return timeout;
        }
        long untilDue = Math.max(0, (nextDueNanos - clock.getAsLong() + 999_999) / 1_000_000);
        return (int) (timeout < 0 ? Math.min(untilDue, Integer.MAX_VALUE) : Math.min(timeout, untilDue));
    }

    /**
     * The local address and link records pending that the handler asked for and the filter
     * passes; EVENTS_LOST when the kernel dropped some.
     */
    private int dispatchLocalChanges() {
        int m;
        try {
            m = rtnl.poll();
        } catch (RuntimeException e) {
            LOG.warn(name + ": reading local address changes failed: " + e.getMessage());
            return 0;
        }
        int handled = 0;
        for (int i = 0; i < m; i++) {
            EventRecord record = rtnl.record(i);
            MptcpEventType type = record.type();
            if (type == MptcpEventType.EVENTS_LOST || (types.contains(type) && localAddressFilter.accepts(record))) {
                dispatch(record);
                handled++;
            }
        }
        return handled;
    }

    private void dispatch(MptcpEvent event) {
        try {
            handler.onEvent(event);
        } catch (RuntimeException e) {
            handlerErrors++;
            LOG.atWarn().setCause(e).addKeyValue("token", EventFormat.token(event.token()))
                    .log(() -> name + ": handler failed on " + event.type() + ": " + e.getMessage());
        }
    }

    private int runTasks() {
        int done = 0;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn(name + ": task failed: " + e.getMessage(), e);
            }
            done++;
        }
        return done;
    }

    /** Runs the work that is due; times are compared by their difference, which stays right across the clock's wrap. */
    private int runScheduled(long now) {
        if (now - nextDueNanos < 0) {
            return 0;
        }
        int ran = 0;
        long soonest = Long.MAX_VALUE; // from now
        for (int i = 0; i < scheduled.size() && !stopRequested; i++) {
            ScheduledWork work = scheduled.get(i);
            if (work.cancelled) {
                scheduled.remove(i--);
                continue;
            }
            if (now - work.dueNanos >= 0) {
                // Missed periods are skipped, not caught up: the next run is a period from now.
                work.dueNanos = now + work.periodNanos;
                if (!work.repeats) {
                    work.cancelled = true;
                }
                ran++;
                try {
                    work.action.run();
                } catch (RuntimeException e) {
                    handlerErrors++;
                    LOG.warn(name + ": scheduled work failed: " + e.getMessage(), e);
                }
            }
            if (!work.cancelled) {
                soonest = Math.min(soonest, work.dueNanos - now);
            }
        }
        if (soonest != Long.MAX_VALUE) {
            nextDueNanos = now + soonest;
        }
        return ran;
    }

    /**
     * Runs {@code action} on the loop's thread every {@code period}, the first time one period
     * from now, until cancelled or the loop stops. Call from the loop's thread (a handler, a
     * task, {@link EventHandler#onLoopStart}) or before the loop runs.
     *
     * @param period 1 ms to 1 day
     * @param action what to run
     * @return what cancels it
     * @throws IllegalArgumentException when the period is out of that range
     * @throws IllegalStateException when called from another thread while the loop runs
     */
    public Scheduled schedule(Duration period, Runnable action) {
        return add(new ScheduledWork(PERIOD.check("period", period).toNanos(), true, Objects.requireNonNull(action)));
    }

    /**
     * Runs {@code action} once on the loop's thread after {@code delay}; from the same threads
     * as {@link #schedule}.
     *
     * @param delay 0 to 1 day
     * @param action what to run
     * @return what cancels it before it runs
     * @throws IllegalArgumentException when the delay is out of that range
     */
    public Scheduled runLater(Duration delay, Runnable action) {
        return add(new ScheduledWork(DELAY.check("delay", delay).toNanos(), false, Objects.requireNonNull(action)));
    }

    private Scheduled add(ScheduledWork work) {
        if (started.get() && Thread.currentThread() != thread) {
            throw new IllegalStateException(name + ": schedule from the loop's thread (use execute)");
        }
        work.dueNanos = clock.getAsLong() + work.periodNanos;
        if (scheduled.isEmpty() || work.dueNanos - nextDueNanos < 0) {
            nextDueNanos = work.dueNanos;
        }
        scheduled.add(work);
        return work;
    }

    /** Periodic work on a loop; {@link #cancel()} it from the loop's thread. */
    public interface Scheduled {
        /** It will not run again. */
        void cancel();
    }

    private static final class ScheduledWork implements Scheduled {
        final long periodNanos;
        final boolean repeats;
        final Runnable action;
        long dueNanos;
        boolean cancelled;

        ScheduledWork(long periodNanos, boolean repeats, Runnable action) {
            this.periodNanos = periodNanos;
            this.repeats = repeats;
            this.action = action;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    /**
     * Runs {@code task} on the loop's thread at the end of the current round.
     *
     * @param task what to run
     * @throws IllegalStateException when the loop has stopped (the task would never run)
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task);
        synchronized (tasks) {
            if (terminated) {
                throw new IllegalStateException(name + " has stopped");
            }
            tasks.add(task);
        }
        socket.wakeup();
    }

    /** Tasks queued while the loop was stopping never ran: say so rather than drop them silently. */
    private void failLeftoverTasks() {
        int dropped = 0;
        synchronized (tasks) {
            terminated = true;
            while (tasks.poll() != null) {
                dropped++;
            }
        }
        if (dropped > 0) {
            LOG.warn(name + ": stopped with " + dropped + " task(s) not run");
        }
    }

    /**
     * Asks the loop to finish its round and return from {@link #run()}; from any thread. No
     * scheduled work runs once it is asked.
     */
    public void stop() {
        stopRequested = true;
        socket.wakeup();
    }

    /**
     * Waits until {@link #run()} has returned.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void awaitTermination() throws InterruptedException {
        finished.await();
    }

    /**
     * Waits up to {@code seconds} for {@link #run()} to return; whether it did.
     *
     * @param seconds the most seconds to wait
     * @return whether the loop has ended
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean finishedWithin(long seconds) throws InterruptedException {
        return finished.await(seconds, TimeUnit.SECONDS);
    }

    /**
     * Whether the loop was started and has not finished (from the call to {@link #start()} on).
     *
     * @return whether the loop is running
     */
    public boolean isRunning() {
        return started.get() && finished.getCount() > 0;
    }

    /**
     * What ended the loop when it did not end by {@link #stop()}; null otherwise.
     *
     * @return the failure, or null
     */
    public Throwable failure() {
        return failure;
    }

    /**
     * Whether MPTCP events wait for the handler: received and not yet handed out, or still
     * queued in the socket. False means the loop has caught up with the kernel: what a look at
     * the namespace finds now includes all that the events handled so far said. From the loop's thread (a handler's {@link EventHandler#onBatchEnd}, a task).
     *
     * @return whether events wait for the handler
     */
    public boolean eventsPending() {
        return socket.pending();
    }

    /**
     * What the event socket counted on this loop.
     *
     * @param counter the counter to read
     * @return its value
     */
    public long counter(EventCounter counter) {
        return socket.counter(counter);
    }

    /**
     * Messages about links beyond the 4,096 the loop's rtnetlink monitor names and follows (0
     * when the loop does not watch local addresses and links); readable from any thread.
     *
     * @return the count of untracked link messages
     */
    public long untrackedLinkMessages() {
        return rtnl == null ? 0 : rtnl.untrackedLinkMessages();
    }

    /**
     * Exceptions the handler threw (each logged, none stopped the loop).
     *
     * @return the count of handler exceptions
     */
    public long handlerErrors() {
        return handlerErrors;
    }

    /**
     * The thread running the loop, or null.
     *
     * @return the loop's thread, or null when it has not started
     */
    public Thread thread() {
        return thread;
    }

    /**
     * The name of the loop's thread.
     *
     * @return the thread's name
     */
    public String name() {
        return name;
    }

    /**
     * SO_RCVBUF of the event socket as the kernel applied it.
     *
     * @return the receive buffer's size, in bytes
     */
    public int receiveBufferSize() {
        return socket.receiveBufferSize();
    }

    /**
     * Stops the loop and waits for it; closes the socket if the loop never ran. From the loop's
     * own thread (a handler or task) it only asks the loop to stop after the current round.
     */
    @Override
    public void close() {
        stop();
        if (Thread.currentThread() == thread) {
            return;
        }
        if (started.get()) {
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (started.compareAndSet(false, true)) { // never run: finished, its queued tasks failed
            socket.close();
            if (rtnl != null) {
                rtnl.close();
            }
            finished.countDown();
            failLeftoverTasks();
        }
    }

    /**
     * Which local address and link changes reach the handler (and which addresses controllers use).
     *
     * @return the local address filter
     */
    public LocalAddressFilter localAddressFilter() {
        return localAddressFilter;
    }

    /**
     * Whether the loop watches rtnetlink for local address and link changes.
     *
     * @return whether local addresses and links are watched
     */
    public boolean watchesLocalAddresses() {
        return rtnl != null;
    }

    /**
     * Settings of a loop; {@link #build()} opens its socket, and tries the thread's scheduling
     * on a thread of its own, so errors surface there.
     */
    public static final class Builder {
        private final EventHandler handler;
        private NetworkNamespace namespace = NetworkNamespace.current();
        private IdleStrategy idle = IdleStrategy.blocking();
        private int receiveBuffer = EventSocket.DEFAULT_RECEIVE_BUFFER;
        private int recordCapacity = EventSocket.DEFAULT_RECORD_CAPACITY;
        private Set<MptcpEventType> types;
        private LocalAddressFilter localAddressFilter = LocalAddressFilter.standard();
        private EventDecoding decoding = EventDecoding.JAVA;
        private String name;
        private Dialect dialect;
        private StandInAccess.EventSource standIn;
        private int realtimePriority;
        private CpuSet cpus;
        private TrafficTap tap;

        private Builder(EventHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            this.types = copy(handler.eventTypes());
        }

        private static Set<MptcpEventType> copy(Collection<MptcpEventType> types) {
            return types.isEmpty() ? EnumSet.noneOf(MptcpEventType.class) : EnumSet.copyOf(types);
        }

        /**
         * The namespace whose events to hear (default: the caller's).
         *
         * @param namespace the network namespace
         * @return this builder
         */
        public Builder namespace(NetworkNamespace namespace) {
            this.namespace = Objects.requireNonNull(namespace);
            return this;
        }

        /**
         * How the loop waits for events (default {@link IdleStrategy#blocking()}).
         *
         * @param idle the idle strategy
         * @return this builder
         */
        public Builder idleStrategy(IdleStrategy idle) {
            this.idle = Objects.requireNonNull(idle);
            return this;
        }

        /**
         * SO_RCVBUF of the event socket (default 2 MiB): the backlog the kernel keeps before dropping events.
         *
         * @param bytes the receive buffer's size, in bytes
         * @return this builder
         */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBuffer = bytes;
            return this;
        }

        /**
         * Events decoded per poll at most (default 256).
         *
         * @param records the most events decoded per poll
         * @return this builder
         */
        public Builder recordCapacity(int records) {
            this.recordCapacity = records;
            return this;
        }

        /**
         * Only these event types reach the handler (in place of its {@link EventHandler#eventTypes()});
         * the others are dropped by the decoder, before a record is made of them.
         *
         * @param types the event types to hand to the handler
         * @return this builder
         */
        public Builder eventTypes(MptcpEventType... types) {
            this.types = copy(List.of(types));
            return this;
        }

        /**
         * Which local address and link events pass (default {@link LocalAddressFilter#standard()}:
         * loopback and link-local addresses left out).
         *
         * @param filter the local address filter
         * @return this builder
         */
        public Builder localAddressFilter(LocalAddressFilter filter) {
            this.localAddressFilter = Objects.requireNonNull(filter);
            return this;
        }

        /**
         * Where events are parsed. The default, {@link EventDecoding#JAVA}, measured faster
         * (benchmarks/README.md): libnl's out-of-line accessors cost more than JIT-compiled Java.
         * {@link EventDecoding#NATIVE} needs the JNI transport: {@link #build} refuses it on FFM.
         *
         * @param decoding where events are parsed
         * @return this builder
         */
        public Builder decoding(EventDecoding decoding) {
            this.decoding = Objects.requireNonNull(decoding);
            return this;
        }

        /**
         * The family whose events to hear (default: the one the kernel offers, {@link KernelFeatures#detectDialect};
         * a path manager's {@link org.mptcp4j.pm.PathManager#dialect()} is the same).
         *
         * @param dialect the family whose events to hear
         * @return this builder
         */
        public Builder dialect(Dialect dialect) {
            this.dialect = Objects.requireNonNull(dialect);
            return this;
        }

        /**
         * Hears the events {@code standIn} replays rather than the kernel's (its dialect; the
         * namespace then only serves local address events); takes its event socket. The stand-in
         * kernel's, through {@link StandInAccess}.
         */
        private void standIn(StandInAccess.EventSource standIn) {
            this.standIn = Objects.requireNonNull(standIn);
        }

        /**
         * Runs the loop's thread under SCHED_FIFO at {@code priority}: an event wakes it ahead of
         * every ordinary (SCHED_OTHER) thread, however busy the CPUs are. 0, the default, keeps
         * the policy threads start with. The thread sets it for itself before its first poll;
         * it needs CAP_SYS_NICE, or an RLIMIT_RTPRIO of at least {@code priority}. With
         * {@link IdleStrategy#busySpin()} such a thread keeps its CPU from other threads: give
         * it one of its own ({@link #cpus}).
         *
         * @param priority 1..99 ({@link EventLoop#REALTIME_PRIORITY}), or 0
         * @return this builder
         * @throws IllegalArgumentException for another value
         */
        public Builder realtimePriority(int priority) {
            this.realtimePriority = priority == 0 ? 0 : (int) REALTIME_PRIORITY.check("realtime priority", priority);
            return this;
        }

        /**
         * Runs the loop's thread on these CPUs only; null, the default, keeps those threads
         * start with. The thread sets them for itself before its first poll. {@link #build()}
         * refuses a CPU this process may not run on ({@link CpuSet#allowed()}).
         *
         * @param cpus the CPUs, or null for those threads start with
         * @return this builder
         */
        public Builder cpus(CpuSet cpus) {
            this.cpus = cpus;
            return this;
        }

        /**
         * Also hands every datagram of MPTCP events, undecoded, to {@code tap} as it is received
         * (null, the default: none): to record them, whichever decoder reads them.
         *
         * @param tap the tap, or null for none
         * @return this builder
         */
        public Builder tap(TrafficTap tap) {
            this.tap = tap;
            return this;
        }

        /**
         * The thread's name (default mptcp4j-loop-NAMESPACE).
         *
         * @param name the thread's name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * The loop, not yet running.
         *
         * @return the loop
         */
        public EventLoop build() {
            return new EventLoop(this);
        }
    }
}
