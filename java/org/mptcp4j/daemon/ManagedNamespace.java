package org.mptcp4j.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.metrics.PathManagerMetrics;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.KernelFeatures;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.standin.KernelStandIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace the daemon manages: its path manager (kept for the namespace's lifetime, with
 * the listeners it opened for announcements), its counters, and a run of its event loop, on a
 * thread of its own, hosting the configured controller. A reload replaces the run: the new loop
 * subscribes to the kernel's events before the old one stops, finds every connection again when
 * it starts, and gets back the connections handed to other controllers ({@link #assign}), so no
 * connection is dropped and no event falls between the two.
 *
 * <p>Each run's loop has a descriptor of the namespace of its own, which its sockets, its
 * controllers' looks at the namespace and their setns() calls use and which the loop closes
 * when it ends: a loop that outlives its namespace's removal never enters a namespace that
 * reused the descriptor's number. The namespace's own descriptor and the path manager are
 * closed by the last to let go of them: the namespace when it is closed, or a loop still
 * running then.
 *
 * <p>A controller that keeps the loop from its events for longer than {@code controller-stall}
 * (a callback that blocks) is reported, and the run replaced: the new loop manages the
 * namespace at once; the old one hands nothing more to its controllers and ends when the
 * blocked callback returns. At most {@value #MAX_BLOCKED} such loops of a namespace wait for
 * their callbacks at once; beyond that the stalled loop is left as it is.
 */
public final class ManagedNamespace implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedNamespace.class);
    /** A run that died is started again after this long at the earliest. */
    private static final long RESTART_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Replaced loops of a namespace still blocked in a callback, at most. */
    static final int MAX_BLOCKED = 8;

    private final String label;
    private final NetworkNamespace namespace;
    private final long inode;
    private final PathManager pathManager;
    /** Records the namespace's traffic ({@code run --record}), or null. */
    private final TrafficRecorder recorder;
    private final Consumer<DiscoveredConnection> discoveries;
    private final EventHandler observer;
    /** The made-up kernel a warm-up's loop hears instead of the namespace's, or null. */
    private final KernelStandIn standIn;
    /** Kept across runs: a reload does not reset the counters. */
    private final PathManagerMetrics metrics;
    /**
     * Connections handed to a controller by name ({@link #assign}), given back to every new run;
     * each goes when its connection closes or a resync finds it gone.
     */
    private final Map<Integer, Assignment> assignments = new ConcurrentHashMap<>();
    /**
     * Who uses {@link #namespace} and {@link #pathManager}: this until closed, each run until its
     * loop ends, a reader while it reads. The last closes them.
     */
    private int holders = 1;
    private final Object holdersLock = new Object();
    /** Runs replaced while a callback blocked them, whose loops have not ended yet. */
    private final AtomicInteger blocked = new AtomicInteger();
    private volatile long stalls;
    private boolean tooManyBlockedSaid;
    private volatile Run run;
    private long lastRestart;

    private record Assignment(String controller, Map<String, String> parameters) {}

    /**
     * A run of the loop with the controller a configuration asked for. As the loop's handler it
     * lets nothing through to the controllers once the run was replaced while blocked.
     */
    private final class Run implements EventHandler {
        final NamespaceConfig config;
        final Controller controller;
        final ControllerHost host;
        final EventLoop loop;
        /** The loop's own descriptor of the namespace, closed when it ends. */
        private final NetworkNamespace own;
        private final EventHandler handler;
        /** Whether the watchdog's last heartbeat waits on the loop. */
        private volatile boolean beatPending;
        private final Runnable beat = () -> beatPending = false;
        /** When the watch's probe was queued on the loop, 0 once it ran. */
        private volatile long probeQueued;
        private final Runnable probe = () -> probeQueued = 0;
        private volatile boolean abandoned;
        /** Counted down once the loop's start (its first resync) is done. */
        private final CountDownLatch polling = new CountDownLatch(1);
        /** Set once its loop was started; until then the run is about to manage the namespace. */
        private volatile boolean launched;
        private boolean ended;

        /** Subscribed to the kernel's events, not yet running. */
        Run(NamespaceConfig config, NetworkNamespace own) {
            this.config = config;
            this.own = own;
            this.controller = config.newController();
            // Assignable: the control socket may hand a connection to another controller.
            this.host = new ControllerHost(controller, pathManager, own).assignable(assignments::remove)
                    .timeoutInterval(config.timeoutInterval()).listsConnections(standIn == null)
                    .addressFlags(config.addressFlags())
                    .onDiscovery(d -> {
                        LOG.atInfo().addKeyValue("token", EventFormat.token(d.token()))
                                .addKeyValue("subflows", d.connection().subflows().size())
                                .log("discovered connection {} -> {}", d.connection().local(), d.connection().remote());
                        metrics.connectionDiscovered(d.token(), d.connection().subflows().size());
                        discoveries.accept(d);
                    }).onResyncDone(open -> {
                        metrics.resync();
                        metrics.resyncDone(open);
                        assignments.keySet().removeIf(token -> !open.test(token));
                    });
            this.handler = metrics.counting(observer == null ? host : EventHandler.observed(host, observer));
            EventLoop.Builder builder = standIn != null ? standIn.loop(this)
                    : EventLoop.builder(this).namespace(own).dialect(pathManager.dialect()).tap(recorder);
            this.loop = builder.idleStrategy(config.idleStrategy())
                    .receiveBufferBytes(config.receiveBuffer()).decoding(config.decoding())
                    .localAddressFilter(config.localAddressFilter()).name(standIn != null ? "mptcp4j-warm-up" : "mptcp4j-" + label)
                    .realtimePriority(config.loopPriority()).cpus(config.loopCpus()).build();
        }

        /**
         * Starts the loop, with the connections handed to controllers by name handed again once
         * it has found them (its start-up resync comes first). Read now, once the loop before has
         * ended or been left to end: an assignment it made up to its last round is among them.
         */
        void start() {
            for (Map.Entry<Integer, Assignment> a : assignments.entrySet()) {
                execute(() -> reassign(host, a.getKey(), a.getValue()));
            }
            loop.start();
            launched = true;
        }

        /** Runs {@code task} on the loop, unless the run was replaced while blocked by then. */
        void execute(Runnable task) {
            loop.execute(() -> {
                if (!abandoned) {
                    task.run();
                }
            });
        }

        @Override
        public void onEvent(MptcpEvent event) {
            if (!abandoned) {
                handler.onEvent(event);
            }
        }

        @Override
        public void onBatchEnd() {
            if (!abandoned) {
                handler.onBatchEnd();
            }
        }

        @Override
        public void onLoopStart(EventLoop eventLoop) {
            // Assigned controllers are made here: from the loader this configuration was read with.
            Thread.currentThread().setContextClassLoader(config.controllerLoader());
            try {
                handler.onLoopStart(eventLoop);
            } finally {
                polling.countDown();
            }
        }

        /**
         * Waits until the loop has found the namespace's connections and started its controller,
         * up to {@code controller-stall} (the watch then sees to it): a daemon that says it manages
         * the namespace has its loop waiting for events.
         */
        void awaitPolling() throws InterruptedException {
            polling.await(config.controllerStall().toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onLoopEnd() {
            try {
                handler.onLoopEnd();
            } finally {
                end();
            }
        }

        @Override
        public Set<MptcpEventType> eventTypes() {
            return handler.eventTypes();
        }

        /**
         * From the daemon's watch: whether the loop has been kept from its tasks for longer
         * than {@code controller-stall}; else queues a probe to find out, if none waits.
         */
        boolean stalled() {
            long queued = probeQueued;
            long now = System.nanoTime();
            if (queued == 0) {
                probeQueued = now | 1; // never 0
                try {
                    loop.execute(probe);
                } catch (IllegalStateException ended) {
                    // the loop ended since the watch looked: the next look starts it again
                }
                return false;
            }
            return now - queued > config.controllerStall().toNanos();
        }

        /** See {@link ManagedNamespace#heartbeat}. */
        boolean heartbeat() {
            if (!launched) {
                return true;
            }
            if (beatPending || !loop.isRunning()) {
                return false;
            }
            beatPending = true;
            try {
                loop.execute(beat);
            } catch (IllegalStateException ended) {
                return false;
            }
            return true;
        }

        /** Waits up to {@code controller-stall} (in whole seconds, rounded up) for the loop, asked to stop, to end. */
        boolean endsInTime() throws InterruptedException {
            return loop.finishedWithin((config.controllerStall().toMillis() + 999) / 1000);
        }

        /** Marks the run as replaced while blocked, unless its loop ended meanwhile; whether it did. */
        synchronized boolean abandon() {
            if (ended) {
                return false;
            }
            abandoned = true;
            blocked.incrementAndGet();
            return true;
        }

        /** The loop ended (or never ran): what the run held is let go, on the loop's thread. */
        void end() {
            boolean wasAbandoned;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                wasAbandoned = abandoned;
            }
            own.close();
            PluginDirectory.release(config.controllerLoader());
            release();
            if (wasAbandoned) {
                blocked.decrementAndGet();
                LOG.atInfo().addKeyValue("netns", label).log("namespace {}: the event loop replaced while blocked has"
                        + " ended", label);
            }
        }

        /** Where the loop's thread is now, at the first frame outside the JDK: the blocked callback. */
        String where() {
            Thread t = loop.thread();
            for (StackTraceElement frame : t == null ? new StackTraceElement[0] : t.getStackTrace()) {
                String c = frame.getClassName();
                if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
                    return c + "." + frame.getMethodName() + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")";
                }
            }
            return "unknown";
        }
    }

    private ManagedNamespace(NamespaceConfig config, NetworkNamespace namespace, PathManager pathManager,
            Consumer<DiscoveredConnection> discoveries, EventHandler observer, KernelStandIn standIn,
            TrafficRecorder recorder) {
        this.label = config.label();
        this.recorder = recorder;
        this.standIn = standIn;
        this.pathManager = pathManager;
        this.namespace = namespace;
        this.inode = namespace.inode();
        this.discoveries = discoveries;
        this.observer = observer;
        this.metrics = new PathManagerMetrics(label);
        pathManager.observe(metrics);
        metrics.counterFunction("mptcp4j_netlink_messages_malformed_total",
                "Event messages with a bad header or attribute, skipped (since the event loop started)",
                () -> run.loop.counter(EventCounter.MALFORMED));
        metrics.counterFunction("mptcp4j_netlink_messages_truncated_total",
                "Event datagrams or messages cut short, skipped (since the event loop started)",
                () -> run.loop.counter(EventCounter.TRUNCATED));
        metrics.gaugeFunction("mptcp4j_assigned_connections",
                "Connections handed to a controller by name (ctl policy token ...)", assignments::size);
        metrics.gaugeFunction("mptcp4j_assigned_controllers",
                "Controllers running for connections handed over by name", () -> run.host.assignedControllers());
        metrics.counterFunction("mptcp4j_controller_stalls_total",
                "Event loops replaced because a controller kept them from their events longer than controller-stall",
                () -> stalls);
        metrics.gaugeFunction("mptcp4j_blocked_event_loops",
                "Event loops replaced while a callback blocked them, whose callback has not returned yet", blocked::get);
        metrics.counterFunction("mptcp4j_links_untracked_total",
                "Link messages about links beyond the 4,096 followed by name (since the event loop started)",
                () -> run.loop.untrackedLinkMessages());
        metrics.gaugeFunction("mptcp4j_connection_state_entries",
                "Entries kept per connection by the controllers, their host, the path manager, these metrics and"
                        + " the control socket's assignments: 0 once every connection has closed",
                () -> run.host.connectionStateEntries() + metrics.connections() + assignments.size());
    }

    /**
     * Opens the namespace and starts managing it.
     *
     * @param record where to record its traffic, or null
     * @throws MptcpException when the namespace cannot be opened or managed (named in the message)
     */
    static ManagedNamespace start(NamespaceConfig config, Consumer<DiscoveredConnection> discoveries,
            EventHandler observer, int warmUp, BooleanSupplier closeAsked, Path record) {
        NetworkNamespace ns;
        try {
            ns = config.open();
        } catch (UncheckedIOException e) {
            throw new DaemonException(e.getMessage(), e);
        }
        PathManager pm = null;
        TrafficRecorder recorder = null;
        try {
            // Chosen once for the namespace: its path manager and every run's loop speak it.
            Dialect dialect = KernelFeatures.awaitDialect(ns, config.familyWait());
            PathManagerMode.requireUserspace(ns);
            pm = PathManager.open(ns, dialect);
            if (record != null) {
                try {
                    recorder = new TrafficRecorder(record, dialect, pm.familyId(), config.label());
                } catch (IOException e) {
                    throw new DaemonException("cannot record into " + record + ": " + e.getMessage(), e);
                }
                pm.tap(recorder);
            }
            if (dialect == Dialect.V095) {
                // v0.95's filter is its module's one setting, host-wide and lasting: one left by an
                // earlier 'event-filter' would hide events the controllers need.
                pm.setEventFilter(EnumSet.allOf(MptcpEventType.class));
                LOG.atInfo().addKeyValue("netns", config.label())
                        .log("multipath-tcp.org v0.95 kernel: event filter set to every event type");
            }
            ManagedNamespace m = new ManagedNamespace(config, ns, pm, discoveries, observer, null, recorder);
            m.run = m.newRun(config);
            PluginDirectory.hold(config.controllerLoader());
            // Subscribed already: events of the warm-up's time wait in the socket, none is missed.
            Runnable warmUpReport = WarmUp.once(config, warmUp, closeAsked);
            m.run.start();
            try {
                m.run.awaitPolling();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (warmUpReport != null) {
                warmUpReport.run();
            }
            LOG.atInfo().addKeyValue("netns", m.label).addKeyValue("controller", config.controllerText())
                    .log("managing namespace {}", m.label);
            return m;
        } catch (RuntimeException e) {
            if (pm != null) {
                pm.close();
            }
            if (recorder != null) {
                recorder.close();
            }
            ns.close();
            throw e;
        }
    }

    /**
     * The namespace's controllers as {@link #start} hosts them, over {@code standIn}'s events and
     * commands instead of the kernel's, started; {@code namespace} is read for its addresses only.
     */
    static ManagedNamespace overStandIn(NamespaceConfig config, NetworkNamespace namespace, KernelStandIn standIn) {
        ManagedNamespace m = new ManagedNamespace(config, namespace, standIn.pathManager(), d -> {}, null, standIn, null);
        m.run = m.newRun(config);
        PluginDirectory.hold(config.controllerLoader());
        m.run.start();
        return m;
    }

    /** A loop hosting a new controller, subscribed to the kernel's events, not yet running. */
    private Run newRun(NamespaceConfig config) {
        if (!hold()) {
            throw new DaemonException("namespace " + label + " is no longer managed");
        }
        PluginDirectory.hold(config.controllerLoader());
        NetworkNamespace own = null;
        try {
            own = namespace.duplicate();
            return new Run(config, own);
        } catch (RuntimeException e) {
            if (own != null) {
                own.close();
            }
            PluginDirectory.release(config.controllerLoader());
            release();
            throw e;
        }
    }

    private void reassign(ControllerHost host, int token, Assignment a) {
        try {
            host.assign(token, a.controller(), a.parameters());
        } catch (RuntimeException e) {
            assignments.remove(token);
            LOG.atWarn().addKeyValue("token", EventFormat.token(token))
                    .log("connection no longer handed to {}: {}", a.controller(), e.getMessage());
        }
    }

    /**
     * Manages the namespace with {@code config} from now on, if it differs.
     *
     * @return whether anything changed
     * @throws RuntimeException when the new run cannot start; the old one goes on
     */
    synchronized boolean reload(NamespaceConfig config) throws InterruptedException {
        Run old = run;
        if (config.equals(old.config)) {
            return false;
        }
        replace(old, newRun(config), false);
        PluginDirectory.hold(config.controllerLoader());
        PluginDirectory.release(old.config.controllerLoader());
        LOG.atInfo().addKeyValue("netns", label).addKeyValue("controller", config.controllerText())
                .log("namespace {} reconfigured", label);
        return true;
    }

    /**
     * Starts {@code next} in place of {@code old}, which is asked to stop and given
     * {@code controller-stall} to do so (no time when it already {@code stalled}). Requests
     * for the loop made meanwhile wait in {@code next}'s queue. A loop that is still busy then
     * is left to end on its own, handing nothing more to its controllers, and reported. When too
     * many of those wait already, {@code next} is closed and {@code old} stays the namespace's
     * run, though asked to stop: once its callback returns it finishes its round and ends, and
     * the watch starts a loop with its configuration again.
     */
    private void replace(Run old, Run next, boolean stalled) throws InterruptedException {
        run = next;
        old.loop.stop();
        boolean replaced = false;
        try {
            replaced = (!stalled && old.endsInTime()) || abandon(old);
        } finally {
            if (!replaced) {
                run = old;
                next.loop.close(); // never ran: its handler is not told the end
                next.end();
            }
        }
        if (!replaced) {
            throw new DaemonException("namespace " + label + ": its event loop is blocked, and " + MAX_BLOCKED
                    + " replaced loops still wait for their controllers; the running configuration is kept");
        }
        next.start();
    }

    /** Leaves {@code old}'s loop to end on its own, said and counted; false when too many wait already. */
    private boolean abandon(Run old) {
        if (blocked.get() >= MAX_BLOCKED) {
            return false;
        }
        if (old.abandon()) {
            stalls++;
            LOG.atError().addKeyValue("netns", label).log("namespace {}: a controller has kept the event loop from its"
                    + " events for more than {} (at {}); a new loop manages the namespace, the old one ends when the"
                    + " callback returns", label, old.config.controllerStall(), old.where());
        }
        return true;
    }

    /**
     * From the daemon's watch, every second: starts the run again if its loop ended without
     * being stopped (a controller's error), at most every 5 s; replaces it if a controller has
     * kept it from its events for longer than {@code controller-stall}.
     *
     * @return whether the loop is running (again)
     */
    synchronized boolean watch() throws InterruptedException {
        Run r = run;
        if (!r.loop.isRunning()) {
            long now = System.nanoTime();
            if (lastRestart != 0 && now - lastRestart < RESTART_NANOS) {
                return false;
            }
            lastRestart = now;
            LOG.atError().setCause(r.loop.failure()).addKeyValue("netns", label)
                    .log("namespace {}: the event loop ended ({}); starting it again", label, r.loop.failure());
            replace(r, newRun(r.config), false);
            return true;
        }
        if (!r.stalled()) {
            tooManyBlockedSaid = false;
            return true;
        }
        if (blocked.get() >= MAX_BLOCKED) {
            if (!tooManyBlockedSaid) {
                tooManyBlockedSaid = true;
                LOG.atError().addKeyValue("netns", label).log("namespace {}: a controller blocks the event loop, and {}"
                        + " loops replaced before still wait for theirs: this one is not replaced", label, MAX_BLOCKED);
            }
            return true;
        }
        replace(r, newRun(r.config), true);
        return true;
    }

    /**
     * Hands connection {@code token} to the controller named {@code name} with {@code parameters}
     * over its configured ones ([controller NAME]); kept across reloads until the connection closes.
     *
     * @return the controller now managing it
     */
    public Controller assign(int token, String name, Map<String, String> parameters) throws Exception {
        Map<String, String> merged = new LinkedHashMap<>(run.config.controllerDefaults().getOrDefault(name, Map.of()));
        merged.putAll(parameters);
        Assignment assignment = new Assignment(name, Map.copyOf(merged));
        // On the loop's thread, before any later event: a CLOSED cannot come between the two.
        return onLoop(host -> {
            Controller c = host.assign(token, name, merged);
            assignments.put(token, assignment);
            return c;
        });
    }

    /** Work for the loop's thread, given the current run's host. */
    @FunctionalInterface
    public interface LoopTask<T> {
        T run(ControllerHost host) throws Exception;
    }

    /**
     * Runs {@code task} on the namespace's loop thread (controllers and their state live there)
     * and returns its result; a reload in between hands it to the new loop. A task whose caller
     * was told the loop did not answer never runs.
     */
    public <T> T onLoop(LoopTask<T> task) throws Exception {
        Run r = run;
        CompletableFuture<T> result = new CompletableFuture<>();
        // Taken by the task as it starts or by the caller as it gives up: whichever comes first.
        AtomicBoolean taken = new AtomicBoolean();
        try {
            r.execute(() -> {
                if (!taken.compareAndSet(false, true)) {
                    return;
                }
                try {
                    result.complete(task.run(r.host));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (IllegalStateException stopped) {
            throw new DaemonException("namespace " + label + ": its event loop has stopped", stopped);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PathManager.TIMEOUT_MILLIS);
        while (true) {
            try {
                return result.get(100, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (TimeoutException e) {
                // A loop that ended, or was left blocked, runs no more tasks: say so rather than wait.
                boolean ended = r.loop.finishedWithin(0) || r.abandoned;
                if (ended || System.nanoTime() - deadline > 0) {
                    boolean dropped = taken.compareAndSet(false, true);
                    throw new DaemonException("namespace " + label + ": its event loop did not answer"
                            + (ended ? " (it stopped)" : " within " + PathManager.TIMEOUT_MILLIS + " ms")
                            + (dropped ? "" : "; the request is being carried out all the same"));
                }
            }
        }
    }

    /** Every MPTCP connection of the namespace now (sock_diag), read with its descriptor held open. */
    public List<ConnectionInfo> connections() {
        if (!hold()) {
            throw new DaemonException("namespace " + label + " is no longer managed");
        }
        try {
            return Connections.list(namespace);
        } finally {
            release();
        }
    }

    /**
     * Whether the namespace is gone: its name or path no longer leads to it (ip netns delete,
     * the process exited). The daemon's own namespace never goes.
     */
    boolean gone() {
        String target = run.config.target();
        if (target.isEmpty()) {
            return false;
        }
        Path path = target.startsWith("/") ? Path.of(target) : Path.of("/run/netns", target);
        try {
            return ((Number) Files.getAttribute(path, "unix:ino")).longValue() != inode;
        } catch (IOException | UnsupportedOperationException e) {
            return true;
        }
    }

    /**
     * From the service manager's watchdog: whether the loop runs and ran the heartbeat task the
     * previous call gave it (a run not started yet counts as answering); gives it the next.
     */
    boolean heartbeat() {
        return run.heartbeat();
    }

    /** Whether the loop thread runs, or is about to (a reload waits for the loop before it to end). */
    public boolean running() {
        Run r = run;
        return !r.launched || r.loop.isRunning();
    }

    /** The namespace's identity (its nsfs inode): two names of one namespace have the same. */
    long inode() {
        return inode;
    }

    public String label() {
        return label;
    }

    public NamespaceConfig config() {
        return run.config;
    }

    /** The controller (or policy) the configuration asked for. */
    public Controller controller() {
        return run.controller;
    }

    /** The namespace's counters. */
    public PathManagerMetrics metrics() {
        return metrics;
    }

    public PathManager pathManager() {
        return pathManager;
    }

    /** The namespace, for the loop's thread ({@link #onLoop}): open while a loop runs. */
    public NetworkNamespace namespace() {
        return namespace;
    }

    private boolean hold() {
        synchronized (holdersLock) {
            if (holders == 0) {
                return false;
            }
            holders++;
            return true;
        }
    }

    /** One user let go; the last closes the path manager (and its listeners) and the namespace. */
    private void release() {
        synchronized (holdersLock) {
            if (--holders > 0) {
                return;
            }
        }
        pathManager.close();
        if (recorder != null) {
            recorder.close(); // after the last command and the loop's last event
        }
        namespace.close();
    }

    /**
     * Stops the loop, waiting up to {@code controller-stall} for it; the path manager (and its
     * listeners) and the namespace are closed then, or by the loop when it ends if a controller
     * still blocks it (which then hands nothing more to its controllers).
     */
    @Override
    public synchronized void close() {
        Run r = run;
        r.loop.stop();
        try {
            if (!r.endsInTime() && r.abandon()) {
                LOG.atWarn().addKeyValue("netns", label).log("namespace {}: the event loop did not stop within {} (at"
                        + " {}); it closes the namespace when the callback returns", label, r.config.controllerStall(),
                        r.where());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        PluginDirectory.release(r.config.controllerLoader());
        release();
    }
}
