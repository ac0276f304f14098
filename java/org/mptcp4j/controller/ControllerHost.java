package org.mptcp4j.controller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.diag.LocalAddress;
import org.mptcp4j.diag.LocalAddressFilter;
import org.mptcp4j.diag.LocalAddresses;
import org.mptcp4j.protocol.TcpState;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.LocalAddressIds;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.MptcpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Controller} in an event loop: the loop's handler that turns each event into
 * one call of the controller's callback for its type, and the controller's context.
 *
 * <pre>{@code
 * try (PathManager pm = PathManager.open(ns);
 *      EventLoop loop = EventLoop.builder(new ControllerHost(controller, pm)).namespace(ns).build()) {
 *     loop.run();
 * }
 * }</pre>
 *
 * <p>A hosted {@link ConnectionPolicy} is dispatched to as a policy: each event goes to the
 * controller its connection was matched to (or to all, for events of the namespace). A host made
 * {@link #assignable} calls its controller directly until a connection is first
 * {@link #assign assigned} to another one; from then on, it puts a policy in front of it that
 * hands that connection to the other controller and every other one to it as before.
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
    static final String NO_SOCK_DIAG = "a multipath-tcp.org v0.95 kernel has no MPTCP sock_diag"
            + " (connection and subflow info come with upstream Linux 5.9)";
    /** The default of {@link #resyncInterval}. */
    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(1);

    private final Controller controller;
    private final PathManager pathManager;
    private final NetworkNamespace namespace;
    private final ConnectionResync resync;
    private final TimeoutWatching timeouts;
    /**
     * The policy events go through, or null: events then go to {@link #controller} directly.
     * The hosted controller when it is a policy, else made by the first assignment. Volatile for
     * {@link #connectionStateEntries}, read from other threads.
     */
    private volatile ConnectionPolicy policy;
    /** Set by {@link #assignable}: told when a connection handed over by name is no longer. */
    private IntConsumer assignmentEnd;
    /** The types delivered: what the controller (or policy) asked for and the host delivers itself. */
    private Set<MptcpEventType> wanted;
    /** The event being delivered to the controller, null between events. */
    private MptcpEvent delivering;
    private Consumer<DiscoveredConnection> discoveryListener = d -> {};
    private Consumer<IntPredicate> resyncListener = open -> {};
    /** Copy-on-write: added to rarely (a controller starting), read by metrics scrapes on other threads. */
    private final List<PerConnection<?>> perConnection = new CopyOnWriteArrayList<>();
    private LocalAddressIds localAddressIds;
    private EventLoop loop;
    private boolean started;
    private long discovered;

    /**
     * Hosts {@code controller}, whose commands go to {@code pathManager}.
     *
     * @param controller the controller to host
     * @param pathManager the path manager its commands go to
     */
    public ControllerHost(Controller controller, PathManager pathManager) {
        this(controller, pathManager, pathManager.namespace());
    }

    /**
     * A host that looks at the namespace (sock_diag, local addresses, interfaces) through
     * {@code namespace}, a descriptor of the path manager's namespace that the caller keeps
     * open while the host runs: a loop can own its own and close it when it ends.
     *
     * @param controller the controller to host
     * @param pathManager the path manager its commands go to
     * @param namespace a descriptor of the path manager's namespace, kept open by the caller
     */
    public ControllerHost(Controller controller, PathManager pathManager, NetworkNamespace namespace) {
        this.controller = Objects.requireNonNull(controller, "controller");
        this.pathManager = Objects.requireNonNull(pathManager, "pathManager");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.resync = new ConnectionResync(this, pathManager);
        this.timeouts = new TimeoutWatching(namespace, this::batchEnd);
        this.policy = controller instanceof ConnectionPolicy p ? p : null;
        this.wanted = wantedBy(controller);
    }

    /**
     * What the host delivers of the types a controller (a policy: its controllers) asked for:
     * those, and SUBFLOW_TIMEOUT and EVENTS_LOST, which the host delivers itself (a controller
     * that asked for timeouts wants them).
     */
    private static Set<MptcpEventType> wantedBy(Controller controller) {
        EnumSet<MptcpEventType> types = EnumSet.of(MptcpEventType.EVENTS_LOST, MptcpEventType.SUBFLOW_TIMEOUT);
        types.addAll(controller.eventTypes());
        return types;
    }

    /**
     * How often watched subflows are looked at for retransmission timeouts (default 100 ms);
     * set before the loop starts.
     *
     * @param interval the time between looks
     * @return this host
     */
    public ControllerHost timeoutInterval(Duration interval) {
        timeouts.interval(interval);
        return this;
    }

    /**
     * The least time between the end of one resync after lost events and the start of the next
     * (default {@link #DEFAULT_RESYNC_INTERVAL}, 1 ms to 1 h): however often the kernel drops
     * events, the loop spends at most one resync per interval on finding connections again, and
     * handles events in between. Also the longest a needed resync waits for the loop to catch
     * up with its socket.
     *
     * @param interval the least time between resyncs, 1 ms to 1 h
     * @return this host
     */
    public ControllerHost resyncInterval(Duration interval) {
        resync.interval(interval);
        return this;
    }

    /**
     * Also told of every discovered connection, after the controller (the CLI prints them).
     *
     * @param listener told of each discovered connection
     * @return this host
     */
    public ControllerHost onDiscovery(Consumer<DiscoveredConnection> listener) {
        this.discoveryListener = Objects.requireNonNull(listener);
        return this;
    }

    /**
     * Also told when a resync is done, with which connections are open (metrics forget the others).
     *
     * @param listener told whether a connection, by its token, is still open
     * @return this host
     */
    public ControllerHost onResyncDone(Consumer<IntPredicate> listener) {
        this.resyncListener = Objects.requireNonNull(listener);
        return this;
    }

    /**
     * Lets {@link #assign} hand connections to controllers by name while the loop runs (the
     * daemon's {@code ctl policy}); {@code assignmentEnd} is told, with its token, when such a
     * connection closes or a resync finds it gone. The loop is then asked for every event type
     * (local address and link changes included), since such a controller may want any, and the
     * hosted controller still gets only those it asked for. Set before the loop is built.
     *
     * @param assignmentEnd told the token of each handed-over connection that ended
     * @return this host
     */
    public ControllerHost assignable(IntConsumer assignmentEnd) {
        this.assignmentEnd = Objects.requireNonNull(assignmentEnd, "assignmentEnd");
        if (policy != null) {
            policy.assignable().onAssignmentEnd(assignmentEnd);
            wanted = wantedBy(policy);
        }
        return this;
    }

    /**
     * The delivered types, and CLOSED, on which the host releases the connection's listeners and
     * stops watching it, and ESTABLISHED and SUB_ESTABLISHED, which name the subflows the timeout
     * watcher looks at; every type when the host is {@link #assignable}.
     */
    @Override
    public Set<MptcpEventType> eventTypes() {
        EnumSet<MptcpEventType> types = assignmentEnd != null ? EnumSet.allOf(MptcpEventType.class)
                : EnumSet.copyOf(wanted);
        types.add(MptcpEventType.CLOSED);
        types.add(MptcpEventType.ESTABLISHED);
        types.add(MptcpEventType.SUB_ESTABLISHED);
        return types;
    }

    /**
     * Whether resyncs list the namespace's connections (sock_diag; default yes). A host whose
     * events are made up (a {@code org.mptcp4j.standin.KernelStandIn}'s) says no: its resyncs find no
     * connection, as its kernel has none but those of its events, while the namespace it reads
     * addresses from has connections that are not its own.
     *
     * @param lists whether resyncs list connections
     * @return this host
     */
    public ControllerHost listsConnections(boolean lists) {
        resync.listsConnections(lists);
        return this;
    }

    private int addressFlags;

    /**
     * What {@link #addressFlags()} tells the controllers (default 0); set before the loop is built.
     *
     * @param flags the flags, {@code MptcpAddress.FLAG_*} or'ed
     * @return this host
     */
    public ControllerHost addressFlags(int flags) {
        this.addressFlags = flags;
        return this;
    }

    @Override
    public int addressFlags() {
        return addressFlags;
    }

    /** Finds the connections that exist already, starts the controller and reports them. */
    @Override
    public void onLoopStart(EventLoop eventLoop) {
        this.loop = eventLoop;
        resync.loop(eventLoop);
        resync();
        timeouts.start(eventLoop);
    }

    /** Calls the controller's {@link Controller#start}; done by the first event if not before. */
    public void start() {
        if (!started) {
            started = true;
            hosted().start(this);
        }
    }

    /** What the host starts, stops and tells of resyncs and batch ends: the policy, if there is one. */
    private Controller hosted() {
        return policy != null ? policy : controller;
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
            timeouts.forget(event.token());
        } else if (type == MptcpEventType.EVENTS_LOST) {
            resync.needed();
        }
        try {
            if (wanted.contains(type)) { // the loop may deliver more than was asked for (an observer wants it)
                delivering = event;
                ConnectionPolicy p = policy;
                if (p != null) {
                    p.deliver(type, event);
                } else {
                    Callbacks.deliver(controller, type, event);
                }
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
        timeouts.learn(event, type);
    }

    /**
     * After the events of one poll: finds every connection again if events were lost and it is
     * time, then tells the controller the batch ended.
     */
    @Override
    public void onBatchEnd() {
        resync.ifNeeded();
        batchEnd();
    }

    /** Also after the timeouts one look found: they were delivered outside the loop's batches. */
    private void batchEnd() {
        if (started) {
            hosted().onBatchEnd();
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
        return resync.run();
    }

    /**
     * A resync found {@code found} (their ids taken over, their listeners back) among the
     * connections {@code open} accepts: what is kept for the others goes, then the controller
     * (started if it was not) hears of each found and of the resync's end.
     */
    void resynced(List<DiscoveredConnection> found, IntPredicate open) {
        pathManager.retainConnections(open);
        timeouts.resynced(open);
        for (PerConnection<?> states : perConnection) {
            states.retain(open);
        }
        // Started after the ids were taken over, so that the controller's first ids agree with them.
        start();
        Controller c = hosted();
        for (DiscoveredConnection d : found) {
            discovered++;
            try {
                c.onConnectionDiscovered(d);
            } catch (RuntimeException e) {
                LOG.warn("controller failed on discovered connection "
                        + EventFormat.token(d.token()) + ": " + e.getMessage(), e);
            }
            discoveryListener.accept(d);
        }
        try {
            c.onResyncDone(open);
        } catch (RuntimeException e) {
            LOG.warn("controller failed after a resync: " + e.getMessage(), e);
        }
        resyncListener.accept(open);
    }

    /**
     * Keeps the ids connection {@code token} uses now (GET_ADDR by token) in the host's
     * allocator: after a command from outside the controllers (the daemon's control socket) gave
     * one, so that the controllers never give it to another address. From the loop's thread.
     *
     * @param token the connection's token
     */
    public void adoptAddresses(int token) {
        resync.adoptAddresses(token);
    }

    /**
     * Hands connection {@code token} to the controller named {@code name} with
     * {@code parameters}, through the hosted {@link ConnectionPolicy#assign policy} or, in a host
     * made {@link #assignable} that hosts no policy, through one put in front of its controller
     * now; from the loop's thread.
     *
     * @param token the connection's token
     * @param name the controller's name
     * @param parameters the controller's parameters
     * @return the controller now managing the connection
     * @throws IllegalArgumentException when there is no such established connection, or no such
     *     controller, or a parameter is wrong
     * @throws IllegalStateException when the host takes no assignments (neither made assignable
     *     nor hosting an assignable policy)
     */
    public Controller assign(int token, String name, Map<String, String> parameters) {
        if (policy == null && assignmentEnd == null) {
            throw new IllegalStateException("the hosted controller is not a policy");
        }
        ConnectionInfo c = connection(token);
        if (c == null || c.state() != TcpState.ESTABLISHED || c.fallback()) {
            throw new IllegalArgumentException("no established MPTCP connection with token " + EventFormat.token(token));
        }
        return assign(resync.discover(c), ConnectionPolicy.key(name, parameters), () -> Controllers.create(name, parameters));
    }

    /**
     * As {@link #assign(int, String, Map)}, for {@code connection} as found: the controller of
     * {@code key}, made by {@code make} if none runs.
     */
    Controller assign(DiscoveredConnection connection, String key, Supplier<Controller> make) {
        if (!started) {
            start();
        }
        ConnectionPolicy p = policy;
        if (p == null) {
            if (assignmentEnd == null) {
                throw new IllegalStateException("the hosted controller is not a policy");
            }
            // Between two events: each event before went to the controller directly, each after
            // goes through the policy, which hands it the connections not assigned to others.
            p = ConnectionPolicy.around(controller, this).assignable().onAssignmentEnd(assignmentEnd);
            wanted = wantedBy(p);
            policy = p;
        }
        int token = connection.token();
        // The controller that had it forgets it, as on CLOSED: its timers stop acting on it.
        for (int i = 0; i < perConnection.size(); i++) {
            perConnection.get(i).remove(token);
        }
        timeouts.forget(token);
        return p.assign(connection, key, make);
    }

    /**
     * The controller managing connection {@code token}: the one a policy chose for it (null if
     * none was chosen yet, or none is to manage it), else the hosted controller. From the loop's
     * thread.
     *
     * @param token the connection's token
     * @return the controller, or null
     */
    public Controller controllerOf(int token) {
        return policy != null ? policy.controllerOf(token) : controller;
    }

    /**
     * Controllers running for connections handed over by name ({@link #assign}): 0 before the first.
     *
     * @return the count of assigned controllers
     */
    public int assignedControllers() {
        return policy == null ? 0 : policy.assignedControllers();
    }

    @Override
    public void watchTimeouts(int token) {
        timeouts.watch(token, delivering, hasConnectionInfo() ? null : NO_SOCK_DIAG);
    }

    @Override
    public void stopWatchingTimeouts(int token) {
        timeouts.forget(token);
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

    /**
     * Entries kept per connection by the host (watched timeouts, every controller's
     * {@link PerConnection} states), a {@link ConnectionPolicy}'s choices and the path manager:
     * 0 once every connection has closed. From any thread (a metrics scrape): the sum of sizes
     * the loop may be changing meanwhile, so a moment stale.
     *
     * @return the count of entries
     */
    public long connectionStateEntries() {
        long entries = timeouts.watchedConnections() + pathManager.connectionStateEntries();
        for (PerConnection<?> states : perConnection) {
            entries += states.size();
        }
        ConnectionPolicy p = policy;
        if (p != null) {
            entries += p.chosenConnections();
        }
        return entries;
    }

    /** For tests: the watcher behind {@link #watchTimeouts}. */
    SubflowTimeoutWatcher timeoutWatcher() {
        return timeouts.watcher();
    }

    /**
     * Connections reported as discovered so far.
     *
     * @return the count of discovered connections
     */
    public long discoveredConnections() {
        return discovered;
    }

    /**
     * Resyncs run so far (the one at start included).
     *
     * @return the count of resyncs
     */
    public long resyncs() {
        return resync.resyncs();
    }

    /**
     * Subflow timeouts reported so far.
     *
     * @return the count of subflow timeouts
     */
    public long subflowTimeouts() {
        return timeouts.reported();
    }

    /** The loop is ending: the timeout watcher closes its socket and the controller stops. */
    @Override
    public void onLoopEnd() {
        timeouts.close();
        resync.cancelTimer();
        stop();
    }

    /** Calls the controller's {@link Controller#stop} (the loop's end does it too). */
    public void stop() {
        if (started) {
            started = false;
            hosted().stop();
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

    /**
     * The controller given to the host (not a policy put in front of it by an assignment).
     *
     * @return the hosted controller
     */
    public Controller controller() {
        return controller;
    }
}
