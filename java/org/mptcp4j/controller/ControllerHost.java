package org.mptcp4j.controller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.ObjIntConsumer;
import org.mptcp4j.diag.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.diag.LocalAddress;
import org.mptcp4j.diag.LocalAddressFilter;
import org.mptcp4j.diag.LocalAddresses;
import org.mptcp4j.diag.SubflowInfo;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.netlink.EventRecordWriter;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.LocalAddressIds;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.MptcpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Controller} in an event loop: the loop's handler that turns each event into
 * the controller's callback, and the controller's context.
 *
 * <pre>{@code
 * try (PathManager pm = PathManager.open(ns);
 *      EventLoop loop = EventLoop.builder(new ControllerHost(controller, pm)).namespace(ns).build()) {
 *     loop.run();
 * }
 * }</pre>
 *
 * <p>When the loop starts, and after the kernel dropped events, the host finds every
 * established connection of the namespace (sock_diag, and GET_ADDR by token for the ids the
 * userspace path manager holds, asked of the connections sock_diag says it holds some for),
 * takes their local address ids into its allocator, opens again the listeners their
 * announcements with a port need, and reports each to the controller as
 * {@link Controller#onConnectionDiscovered discovered}. It also runs the timeout watcher for the
 * connections the controller asks it to.
 *
 * <p>Resyncs after lost events are coalesced: a loss only marks one as needed, and it runs once
 * the loop has caught up with its socket ({@link EventLoop#eventsPending}), at most once per
 * {@link #resyncInterval interval}; while the loop does not catch up, an interval after the loss
 * at the latest, and then once more when it has. A look taken with events still pending would
 * be undone by the older events handled after it (a connection they speak of may be gone, its
 * CLOSED lost): the last look is always taken caught up, so the final state is the kernel's.
 */
public final class ControllerHost implements EventHandler, ControllerContext {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerHost.class);
    private static final String NO_SOCK_DIAG = "a multipath-tcp.org v0.95 kernel has no MPTCP sock_diag"
            + " (connection and subflow info come with upstream Linux 5.9)";
    /** TCP_ESTABLISHED: connections in other states get no new subflows. */
    private static final int ESTABLISHED = 1;
    /** The default of {@link #resyncInterval}. */
    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_RESYNC_INTERVAL = Duration.ofHours(1);

    private final Controller controller;
    private final PathManager pathManager;
    private final NetworkNamespace namespace;
    private final Set<MptcpEventType> wanted;
    private final SubflowTimeoutWatcher timeoutWatcher;
    /** The event being delivered to the controller, null between events. */
    private MptcpEvent delivering;
    private Duration timeoutInterval = Duration.ofMillis(100);
    private long resyncIntervalNanos = DEFAULT_RESYNC_INTERVAL.toNanos();
    private Consumer<DiscoveredConnection> discoveryListener = d -> {};
    private Consumer<IntPredicate> resyncListener = open -> {};
    /** Copy-on-write: added to rarely (a controller starting), read by metrics scrapes on other threads. */
    private final List<PerConnection<?>> perConnection = new CopyOnWriteArrayList<>();
    private LocalAddressIds localAddressIds;
    private EventLoop loop;
    private EventLoop.Scheduled timeoutLooks;
    private boolean started;
    /** Events were lost since the last resync began (or it was taken with events pending). */
    private boolean resyncPending;
    /** When the pending resync was first needed, and when the last one ended (System.nanoTime). */
    private long resyncNeededNanos;
    private long lastResyncNanos;
    private EventLoop.Scheduled resyncTimer;
    private final Runnable resyncTimerAction = this::onResyncTimer;
    private boolean timeoutsUnavailableSaid;
    private boolean listsConnections = true;
    private long discovered;
    private long resyncs;
    private long timeoutsReported;

    public ControllerHost(Controller controller, PathManager pathManager) {
        this(controller, pathManager, pathManager.namespace());
    }

    /**
     * A host that looks at the namespace (sock_diag, local addresses, interfaces) through
     * {@code namespace}, a descriptor of the path manager's namespace that the caller keeps
     * open while the host runs: a loop can own its own and close it when it ends.
     */
    public ControllerHost(Controller controller, PathManager pathManager, NetworkNamespace namespace) {
        this.controller = Objects.requireNonNull(controller, "controller");
        this.pathManager = Objects.requireNonNull(pathManager, "pathManager");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.timeoutWatcher = new SubflowTimeoutWatcher(namespace);
        // What the host itself delivers: a controller that asked for timeouts wants them.
        this.wanted = EnumSet.of(MptcpEventType.EVENTS_LOST, MptcpEventType.SUBFLOW_TIMEOUT);
        wanted.addAll(controller.eventTypes());
    }

    /**
     * How often watched subflows are looked at for retransmission timeouts (default 100 ms);
     * set before the loop starts.
     */
    public ControllerHost timeoutInterval(Duration interval) {
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("timeout interval below 1 ms: " + interval);
        }
        this.timeoutInterval = interval;
        return this;
    }

    /**
     * The least time between the end of one resync after lost events and the start of the next
     * (default {@link #DEFAULT_RESYNC_INTERVAL}, 1 ms to 1 h): however often the kernel drops
     * events, the loop spends at most one resync per interval on finding connections again, and
     * handles events in between. Also the longest a needed resync waits for the loop to catch
     * up with its socket.
     */
    public ControllerHost resyncInterval(Duration interval) {
        if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(MAX_RESYNC_INTERVAL) > 0) {
            throw new IllegalArgumentException("resync interval outside 1 ms..1 h: " + interval);
        }
        this.resyncIntervalNanos = interval.toNanos();
        return this;
    }

    /** Also told of every discovered connection, after the controller (the CLI prints them). */
    public ControllerHost onDiscovery(Consumer<DiscoveredConnection> listener) {
        this.discoveryListener = Objects.requireNonNull(listener);
        return this;
    }

    /** Also told when a resync is done, with which connections are open (metrics forget the others). */
    public ControllerHost onResyncDone(Consumer<IntPredicate> listener) {
        this.resyncListener = Objects.requireNonNull(listener);
        return this;
    }

    /**
     * The controller's event types, and CLOSED, on which the host releases the connection's
     * listeners and stops watching it, and ESTABLISHED and SUB_ESTABLISHED, which name the
     * subflows the timeout watcher looks at.
     */
    @Override
    public Set<MptcpEventType> eventTypes() {
        EnumSet<MptcpEventType> types = EnumSet.copyOf(wanted);
        types.add(MptcpEventType.CLOSED);
        types.add(MptcpEventType.ESTABLISHED);
        types.add(MptcpEventType.SUB_ESTABLISHED);
        return types;
    }

    /**
     * Whether resyncs list the namespace's connections (sock_diag; default yes). A host whose
     * events are made up (a {@link org.mptcp4j.pm.KernelStandIn}'s) says no: its resyncs find no
     * connection, as its kernel has none but those of its events, while the namespace it reads
     * addresses from has connections that are not its own.
     */
    public ControllerHost listsConnections(boolean lists) {
        this.listsConnections = lists;
        return this;
    }

    /** Finds the connections that exist already, starts the controller and reports them. */
    @Override
    public void onLoopStart(EventLoop eventLoop) {
        this.loop = eventLoop;
        resync();
        if (!timeoutWatcher.isIdle() && timeoutLooks == null) {
            scheduleTimeoutLooks();
        }
    }

    /** Calls the controller's {@link Controller#start}; done by the first event if not before. */
    public void start() {
        if (!started) {
            started = true;
            controller.start(this);
        }
    }

    @Override
    public void onEvent(MptcpEvent event) {
        if (!started) {
            start();
        }
        MptcpEventType type = event.type();
        if (type == null) {
            return;
        }
        if (type == MptcpEventType.CLOSED) {
            pathManager.connectionClosed(event.token());
            timeoutWatcher.forget(event.token());
        } else if (type == MptcpEventType.EVENTS_LOST) {
            resyncNeeded();
        }
        try {
            if (wanted.contains(type)) { // the loop may deliver more than the controller asked for (an observer wants it)
                delivering = event;
                Callbacks.deliver(controller, type, event);
            }
        } finally {
            delivering = null;
            if (type == MptcpEventType.CLOSED) { // also when the controller failed on it
                for (int i = 0; i < perConnection.size(); i++) {
                    perConnection.get(i).remove(event.token());
                }
            }
        }
        // After the controller: it may have started watching the connection on this very event.
        if (namesSubflow(type)) {
            timeoutWatcher.learn(event);
        }
    }

    private static boolean namesSubflow(MptcpEventType type) {
        return type == MptcpEventType.ESTABLISHED || type == MptcpEventType.SUB_ESTABLISHED;
    }

    /** After a poll, when events were lost: finds every connection again if it is time. */
    @Override
    public void onBatchEnd() {
        if (resyncPending) {
            resyncIfDue();
        }
    }

    private void resyncNeeded() {
        if (!resyncPending) {
            resyncPending = true;
            resyncNeededNanos = System.nanoTime();
        }
    }

    /**
     * Resyncs now when the last resync ended an interval ago and either the loop has caught up
     * or the resync has been needed for an interval; otherwise makes sure a timer looks again
     * when one of those comes.
     */
    private void resyncIfDue() {
        if (loop == null) { // a host driven by hand: nothing to wait for
            resync();
            return;
        }
        long now = System.nanoTime();
        boolean caughtUp = !loop.eventsPending();
        long earliest = lastResyncNanos + resyncIntervalNanos;
        long latest = Math.max(earliest, resyncNeededNanos + resyncIntervalNanos);
        if (now - earliest >= 0 && (caughtUp || now - latest >= 0)) {
            resync();
            if (!caughtUp) {
                // The events still pending are older than this look: once handled they may speak
                // of connections it found gone, whose CLOSED was lost. One more look when caught up.
                resyncNeeded();
                resyncIfDue();
            }
        } else if (resyncTimer == null) {
            resyncTimer = loop.runLater(Duration.ofNanos((caughtUp ? earliest : latest) - now), resyncTimerAction);
        }
    }

    private void onResyncTimer() {
        resyncTimer = null;
        if (resyncPending) {
            resyncIfDue();
        }
    }

    /**
     * Finds every fully established MPTCP connection of the namespace (plain-TCP fallbacks aside),
     * keeps the local address ids each uses, and reports each to the controller. The loop
     * calls this at start and after lost events; from the loop's thread.
     *
     * @return what was found
     */
    public List<DiscoveredConnection> resync() {
        resyncPending = false;
        resyncs++;
        if (resyncTimer != null) {
            resyncTimer.cancel();
            resyncTimer = null;
        }
        try {
            return findConnections();
        } finally {
            lastResyncNanos = System.nanoTime();
        }
    }

    private List<DiscoveredConnection> findConnections() {
        if (!hasConnectionInfo()) {
            // Nothing to look at: connections are known from their events, none is forgotten.
            if (!started) {
                LOG.info("resync: " + NO_SOCK_DIAG + ": connections are known from their events only");
                start();
            }
            return List.of();
        }
        List<ConnectionInfo> all;
        try {
            all = listsConnections ? Connections.list(namespace()) : List.of();
        } catch (MptcpException e) {
            // Nothing is forgotten on a failed look: the state stays as the events left it.
            LOG.warn("resync: " + e.getMessage());
            if (!started) {
                start();
            }
            return List.of();
        }
        List<DiscoveredConnection> found = new ArrayList<>();
        Set<Integer> open = new HashSet<>();
        for (ConnectionInfo c : all) {
            open.add(c.token());
            // Not yet fully established: its ESTABLISHED event is still to come.
            if (c.state() == ESTABLISHED && !c.fallback() && c.fullyEstablished()) {
                // The kernel counts the userspace path manager's addresses of a connection in
                // mptcpi_local_addr_used: none, no GET_ADDR (a round trip per connection).
                DiscoveredConnection d = new DiscoveredConnection(c,
                        c.localAddressesUsed() == 0 ? List.of() : userspaceAddresses(c.token()));
                adoptIds(d);
                // Announcements made before this host started (a restarted daemon) get their listeners back.
                pathManager.restoreListeners(d.token(), d.localAddresses());
                found.add(d);
            }
        }
        IntPredicate isOpen = open::contains;
        pathManager.retainConnections(isOpen);
        timeoutWatcher.retain(isOpen);
        timeoutWatcher.lookFully(); // subflow events may have been lost with the others
        for (PerConnection<?> states : perConnection) {
            states.retain(isOpen);
        }
        // Started after the ids were taken over, so that the controller's first ids agree with them.
        if (!started) {
            start();
        }
        for (DiscoveredConnection d : found) {
            discovered++;
            try {
                controller.onConnectionDiscovered(d);
            } catch (RuntimeException e) {
                LOG.warn("controller failed on discovered connection "
                        + Integer.toHexString(d.token()) + ": " + e.getMessage(), e);
            }
            discoveryListener.accept(d);
        }
        try {
            controller.onResyncDone(isOpen);
        } catch (RuntimeException e) {
            LOG.warn("controller failed after a resync: " + e.getMessage(), e);
        }
        resyncListener.accept(isOpen);
        LOG.atDebug().log(() -> "resync: " + found.size() + " connection(s)");
        return found;
    }

    /** GET_ADDR by token; nothing for connections the userspace path manager does not run. */
    private List<MptcpAddress> userspaceAddresses(int token) {
        try {
            return pathManager.localAddresses(token);
        } catch (MptcpException e) {
            LOG.atDebug().log(() -> "resync: no userspace addresses for " + Integer.toHexString(token) + ": "
                    + e.getMessage());
            return List.of();
        }
    }

    /**
     * Keeps the ids connection {@code token} uses now (GET_ADDR by token) in the host's
     * allocator: after a command from outside the controllers (the daemon's control socket) gave
     * one, so that the controllers never give it to another address. From the loop's thread.
     */
    public void adoptAddresses(int token) {
        LocalAddressIds ids = localAddressIds();
        for (MptcpAddress a : userspaceAddresses(token)) {
            adopt(ids, a, token);
        }
    }

    /** The ids a connection uses stay with their addresses, so new subflows agree with them. */
    private void adoptIds(DiscoveredConnection d) {
        LocalAddressIds ids = localAddressIds();
        for (MptcpAddress a : d.localAddresses()) {
            adopt(ids, a, d.token());
        }
        for (SubflowInfo s : d.connection().subflows()) {
            if (s.localId() != 0) {
                adopt(ids, MptcpAddress.of(s.local().getAddress(), 0).id(s.localId()), d.token());
            }
        }
    }

    private static void adopt(LocalAddressIds ids, MptcpAddress a, int token) {
        if (a.id() != 0 && !ids.adopt(a)) {
            LOG.atWarn().log(() -> "resync: connection " + Integer.toHexString(token) + " uses id " + a.id()
                    + " for " + a + ", which this host gave another address");
        }
    }

    /**
     * Hands connection {@code token} to the controller named {@code name} with
     * {@code parameters}, through the hosted {@link ConnectionPolicy#assign policy}; from the
     * loop's thread.
     *
     * @throws IllegalArgumentException when there is no such established connection, or no such
     *     controller, or a parameter is wrong
     * @throws IllegalStateException when the hosted controller is not an assignable policy
     */
    public Controller assign(int token, String name, java.util.Map<String, String> parameters) {
        if (!(controller instanceof ConnectionPolicy policy)) {
            throw new IllegalStateException("the hosted controller is not a policy");
        }
        ConnectionInfo c = connection(token);
        if (c == null || c.state() != ESTABLISHED || c.fallback()) {
            throw new IllegalArgumentException("no established MPTCP connection with token " + Integer.toHexString(token));
        }
        DiscoveredConnection d = new DiscoveredConnection(c, userspaceAddresses(token));
        adoptIds(d);
        if (!started) {
            start();
        }
        // The controller that had it forgets it, as on CLOSED: its timers stop acting on it.
        for (int i = 0; i < perConnection.size(); i++) {
            perConnection.get(i).remove(token);
        }
        timeoutWatcher.forget(token);
        return policy.assign(d, name, parameters);
    }

    @Override
    public void watchTimeouts(int token) {
        if (!hasConnectionInfo()) {
            if (!timeoutsUnavailableSaid) {
                timeoutsUnavailableSaid = true;
                LOG.warn("subflow timeouts are not watched: " + NO_SOCK_DIAG);
            }
            return;
        }
        // Watched from its ESTABLISHED, it has one subflow, which that event names (onEvent), and
        // the others will come by SUB_ESTABLISHED; otherwise the next look finds them all.
        MptcpEvent event = delivering;
        timeoutWatcher.watch(token, event != null && event.token() == token
                && event.type() == MptcpEventType.ESTABLISHED);
        if (loop != null && timeoutLooks == null) {
            scheduleTimeoutLooks();
        }
    }

    @Override
    public void stopWatchingTimeouts(int token) {
        timeoutWatcher.forget(token);
    }

    @Override
    public List<LocalAddress> usableLocalAddresses() {
        List<LocalAddress> usable = LocalAddresses.usableForSubflows(namespace());
        if (loop == null) {
            return usable;
        }
        LocalAddressFilter filter = loop.localAddressFilter();
        List<LocalAddress> passed = new ArrayList<>();
        // A name costs entering the namespace: once per link, however many addresses it has.
        Map<Integer, String> names = new HashMap<>();
        for (LocalAddress a : usable) {
            if (filter.accepts(a.address(), names.computeIfAbsent(a.ifIndex(), namespace()::interfaceName))) {
                passed.add(a);
            }
        }
        return passed;
    }

    @Override
    public boolean hasConnectionInfo() {
        return pathManager.dialect() == Dialect.UPSTREAM;
    }

    @Override
    public List<ConnectionInfo> connections() {
        if (!hasConnectionInfo()) {
            throw new MptcpException("read MPTCP connections", Errno.EOPNOTSUPP, NO_SOCK_DIAG);
        }
        return Connections.list(namespace());
    }

    @Override
    public ConnectionInfo connection(int token) {
        for (ConnectionInfo c : connections()) {
            if (c.token() == token) {
                return c;
            }
        }
        return null;
    }

    @Override
    public <S> PerConnection<S> perConnection(IntFunction<S> factory, ObjIntConsumer<S> reuse) {
        PerConnection<S> states = new PerConnection<>(Objects.requireNonNull(factory), reuse);
        perConnection.add(states);
        return states;
    }

    @Override
    public EventLoop.Scheduled schedule(Duration period, Runnable action) {
        return running().schedule(period, action);
    }

    @Override
    public EventLoop.Scheduled runLater(Duration delay, Runnable action) {
        return running().runLater(delay, action);
    }

    private EventLoop running() {
        if (loop == null) {
            throw new IllegalStateException("the controller host runs in no event loop yet");
        }
        return loop;
    }

    private void scheduleTimeoutLooks() {
        timeoutLooks = loop.schedule(timeoutInterval, this::lookForTimeouts);
    }

    private void lookForTimeouts() {
        if (timeoutWatcher.isIdle()) {
            return;
        }
        timeoutWatcher.look();
        EventRecordWriter reports = timeoutWatcher.reports();
        for (int i = 0; i < reports.count(); i++) {
            timeoutsReported++;
            // Through the loop's handler, so that whatever observes it sees these too.
            loop.deliver(reports.record(i));
        }
    }

    /**
     * Entries kept per connection by the host (watched timeouts, every controller's
     * {@link PerConnection} states), a {@link ConnectionPolicy}'s choices and the path manager:
     * 0 once every connection has closed. From any thread (a metrics scrape): the sum of sizes
     * the loop may be changing meanwhile, so a moment stale.
     */
    public long connectionStateEntries() {
        long entries = timeoutWatcher.watchedConnections() + pathManager.connectionStateEntries();
        for (PerConnection<?> states : perConnection) {
            entries += states.size();
        }
        if (controller instanceof ConnectionPolicy policy) {
            entries += policy.chosenConnections();
        }
        return entries;
    }

    SubflowTimeoutWatcher timeoutWatcher() {
        return timeoutWatcher;
    }

    /** Connections reported as discovered so far. */
    public long discoveredConnections() {
        return discovered;
    }

    /** Resyncs run so far (the one at start included). */
    public long resyncs() {
        return resyncs;
    }

    /** Subflow timeouts reported so far. */
    public long subflowTimeouts() {
        return timeoutsReported;
    }

    /** The loop is ending: the timeout watcher closes its socket and the controller stops. */
    @Override
    public void onLoopEnd() {
        if (timeoutLooks != null) {
            timeoutLooks.cancel();
            timeoutLooks = null;
        }
        if (resyncTimer != null) {
            resyncTimer.cancel();
            resyncTimer = null;
        }
        timeoutWatcher.close();
        stop();
    }

    /** Calls the controller's {@link Controller#stop} (the loop's end does it too). */
    public void stop() {
        if (started) {
            started = false;
            controller.stop();
        }
    }

    @Override
    public PathManager pathManager() {
        return pathManager;
    }

    @Override
    public NetworkNamespace namespace() {
        return namespace;
    }

    /** Loaded from the namespace's endpoints when first asked for. */
    @Override
    public synchronized LocalAddressIds localAddressIds() {
        if (localAddressIds == null) {
            localAddressIds = LocalAddressIds.load(pathManager);
        }
        return localAddressIds;
    }

    public Controller controller() {
        return controller;
    }
}
