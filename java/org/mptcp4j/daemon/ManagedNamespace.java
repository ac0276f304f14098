package org.mptcp4j.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.mptcp4j.controller.ConnectionPolicy;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.metrics.PathManagerMetrics;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.Dialect;
import org.mptcp4j.pm.EventCounter;
import org.mptcp4j.pm.MptcpEventType;
import org.mptcp4j.pm.MptcpException;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace the daemon manages: its path manager (kept for the namespace's lifetime, with
 * the listeners it opened for announcements), its counters, and a run of its event loop, on a
 * thread of its own, hosting the configured controller. A reload replaces the run: the new loop
 * subscribes to the kernel's events before the old one stops, finds every connection again when
 * it starts, and gets back the connections handed to other controllers ({@link #assign}), so no
 * connection is dropped and no event falls between the two.
 */
public final class ManagedNamespace implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedNamespace.class);
    private static final long STOP_SECONDS = 10;
    /** A run that died is started again after this long at the earliest. */
    private static final long RESTART_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String label;
    private final NetworkNamespace namespace;
    private final long inode;
    private final PathManager pathManager;
    private final Consumer<DiscoveredConnection> discoveries;
    private final EventHandler observer;
    /** Kept across runs: a reload does not reset the counters. */
    private final PathManagerMetrics metrics;
    /** Connections handed to a controller by name ({@link #assign}), given back to every new run. */
    private final Map<Integer, Assignment> assignments = new ConcurrentHashMap<>();
    private volatile Run run;
    private long lastRestart;

    /** A run of the loop with the controller a configuration asked for. */
    private record Run(NamespaceConfig config, Controller controller, ControllerHost host, EventLoop loop) {}

    private record Assignment(String controller, Map<String, String> parameters) {}

    private ManagedNamespace(NamespaceConfig config, NetworkNamespace namespace, PathManager pathManager,
            Consumer<DiscoveredConnection> discoveries, EventHandler observer) {
        this.label = config.label();
        this.pathManager = pathManager;
        this.namespace = namespace;
        this.inode = namespace.inode();
        this.discoveries = discoveries;
        this.observer = observer;
        this.metrics = new PathManagerMetrics(label);
        pathManager.observe(metrics);
        metrics.counterFunction("mptcp4j_netlink_messages_malformed_total",
                "Event messages with a bad header or attribute, skipped (since the event loop started)",
                () -> run.loop().counter(EventCounter.MALFORMED));
        metrics.counterFunction("mptcp4j_netlink_messages_truncated_total",
                "Event datagrams or messages cut short, skipped (since the event loop started)",
                () -> run.loop().counter(EventCounter.TRUNCATED));
        metrics.gaugeFunction("mptcp4j_connection_state_entries",
                "Entries kept per connection by the controllers, their host, the path manager, these metrics and"
                        + " the control socket's assignments: 0 once every connection has closed",
                () -> run.host().connectionStateEntries() + metrics.connections() + assignments.size());
    }

    /**
     * Opens the namespace and starts managing it.
     *
     * @throws MptcpException when the namespace cannot be opened or managed (named in the message)
     */
    static ManagedNamespace start(NamespaceConfig config, Consumer<DiscoveredConnection> discoveries,
            EventHandler observer) {
        NetworkNamespace ns;
        try {
            ns = config.open();
        } catch (java.io.UncheckedIOException e) {
            throw new DaemonException(e.getMessage(), e);
        }
        PathManager pm = null;
        try {
            // Chosen once for the namespace: its path manager and every run's loop speak it.
            Dialect dialect = Dialect.await(ns, config.familyWait());
            PathManagerMode.requireUserspace(ns);
            pm = PathManager.open(ns, dialect);
            if (dialect == Dialect.V095) {
                // v0.95's filter is its module's one setting, host-wide and lasting: one left by an
                // earlier 'event-filter' would hide events the controllers need.
                pm.setEventFilter(EnumSet.allOf(MptcpEventType.class));
                LOG.atInfo().addKeyValue("netns", config.label())
                        .log("multipath-tcp.org v0.95 kernel: event filter set to every event type");
            }
            ManagedNamespace m = new ManagedNamespace(config, ns, pm, discoveries, observer);
            m.run = m.newRun(config);
            m.run.loop().start();
            LOG.atInfo().addKeyValue("netns", m.label).addKeyValue("controller", config.controllerText())
                    .log("managing namespace {}", m.label);
            return m;
        } catch (RuntimeException e) {
            if (pm != null) {
                pm.close();
            }
            ns.close();
            throw e;
        }
    }

    /**
     * A loop hosting a new controller, subscribed to the kernel's events, not yet running; the
     * connections handed to other controllers are handed again once it has found them.
     */
    private Run newRun(NamespaceConfig config) {
        Controller controller = config.newController();
        // A policy, always: the control socket may hand a connection to another controller.
        ConnectionPolicy policy = (controller instanceof ConnectionPolicy p ? p
                : ConnectionPolicy.of(Map.of(ConnectionPolicy.Match.ANY, controller))).assignable();
        ControllerHost host = new ControllerHost(policy, pathManager).timeoutInterval(config.timeoutInterval())
                .onDiscovery(d -> {
                    LOG.atInfo().addKeyValue("token", Integer.toHexString(d.token()))
                            .addKeyValue("subflows", d.connection().subflows().size())
                            .log("discovered connection {} -> {}", d.connection().local(), d.connection().remote());
                    metrics.connectionDiscovered(d.token(), d.connection().subflows().size());
                    discoveries.accept(d);
                }).onResyncDone(open -> {
                    metrics.resync();
                    metrics.resyncDone(open);
                    assignments.keySet().removeIf(token -> !open.test(token));
                });
        EventHandler handler = metrics.counting(observer == null ? host : EventHandler.observed(host, observer));
        EventLoop loop = EventLoop.builder(handler).namespace(namespace).dialect(pathManager.dialect())
                .idleStrategy(config.idleStrategy())
                .receiveBufferBytes(config.receiveBuffer()).decoding(config.decoding())
                .localAddressFilter(config.localAddressFilter()).name("mptcp4j-" + label).build();
        // Runs after the loop's start-up resync.
        for (Map.Entry<Integer, Assignment> a : assignments.entrySet()) {
            loop.execute(() -> reassign(host, a.getKey(), a.getValue()));
        }
        return new Run(config, controller, host, loop);
    }

    private void reassign(ControllerHost host, int token, Assignment a) {
        try {
            host.assign(token, a.controller(), a.parameters());
        } catch (RuntimeException e) {
            assignments.remove(token);
            LOG.atWarn().addKeyValue("token", Integer.toHexString(token))
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
        if (config.equals(old.config())) {
            return false;
        }
        replace(old, newRun(config));
        LOG.atInfo().addKeyValue("netns", label).addKeyValue("controller", config.controllerText())
                .log("namespace {} reconfigured", label);
        return true;
    }

    /**
     * Stops {@code old} and starts {@code next} in its place. Requests for the loop made
     * meanwhile wait in {@code next}'s queue. When {@code old} does not stop, {@code next} is
     * closed and {@code old} stays: two loops never manage one namespace.
     */
    private void replace(Run old, Run next) throws InterruptedException {
        run = next;
        boolean stopped = false;
        try {
            old.loop().stop();
            stopped = old.loop().finishedWithin(STOP_SECONDS);
        } finally {
            if (!stopped) {
                run = old;
                next.loop().close();
            }
        }
        if (!stopped) {
            throw new DaemonException("namespace " + label + ": its event loop did not stop within " + STOP_SECONDS
                    + " s; the running configuration is kept");
        }
        next.loop().start();
    }

    /**
     * Starts the run again if its loop ended without being stopped (a controller's error), at
     * most every 5 s; from the daemon's watch.
     *
     * @return whether the loop is running (again)
     */
    synchronized boolean restartIfFailed() throws InterruptedException {
        Run r = run;
        if (r.loop().isRunning()) {
            return true;
        }
        long now = System.nanoTime();
        if (lastRestart != 0 && now - lastRestart < RESTART_NANOS) {
            return false;
        }
        lastRestart = now;
        LOG.atError().setCause(r.loop().failure()).addKeyValue("netns", label)
                .log("namespace {}: the event loop ended ({}); starting it again", label, r.loop().failure());
        replace(r, newRun(r.config()));
        return true;
    }

    /**
     * Hands connection {@code token} to the controller named {@code name} with {@code parameters}
     * over its configured ones ([controller NAME]); kept across reloads until the connection closes.
     *
     * @return the controller now managing it
     */
    public Controller assign(int token, String name, Map<String, String> parameters) throws Exception {
        Map<String, String> merged = new LinkedHashMap<>(run.config().controllerDefaults().getOrDefault(name, Map.of()));
        merged.putAll(parameters);
        Controller c = onLoop(host -> host.assign(token, name, merged));
        assignments.put(token, new Assignment(name, Map.copyOf(merged)));
        return c;
    }

    /** Work for the loop's thread, given the current run's host. */
    @FunctionalInterface
    public interface LoopTask<T> {
        T run(ControllerHost host) throws Exception;
    }

    /**
     * Runs {@code task} on the namespace's loop thread (controllers and their state live there)
     * and returns its result; a reload in between hands it to the new loop.
     */
    public <T> T onLoop(LoopTask<T> task) throws Exception {
        Run r = run;
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            r.loop().execute(() -> {
                try {
                    result.complete(task.run(r.host()));
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
                // A loop that ended drops its queued tasks: say so rather than wait.
                if (r.loop().finishedWithin(0) || System.nanoTime() > deadline) {
                    throw new DaemonException("namespace " + label + ": its event loop did not answer"
                            + (r.loop().finishedWithin(0) ? " (it stopped)" : " within " + PathManager.TIMEOUT_MILLIS + " ms"));
                }
            }
        }
    }

    /**
     * Whether the namespace is gone: its name or path no longer leads to it (ip netns delete,
     * the process exited). The daemon's own namespace never goes.
     */
    boolean gone() {
        String target = run.config().target();
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

    /** Whether the loop thread runs. */
    public boolean running() {
        return run.loop().isRunning();
    }

    /** The namespace's identity (its nsfs inode): two names of one namespace have the same. */
    long inode() {
        return inode;
    }

    public String label() {
        return label;
    }

    public NamespaceConfig config() {
        return run.config();
    }

    /** The controller (or policy) the configuration asked for. */
    public Controller controller() {
        return run.controller();
    }

    /** The namespace's counters. */
    public PathManagerMetrics metrics() {
        return metrics;
    }

    public PathManager pathManager() {
        return pathManager;
    }

    public NetworkNamespace namespace() {
        return namespace;
    }

    /** Stops the loop, closes the path manager (and its listeners) and the namespace. */
    @Override
    public synchronized void close() {
        Run r = run;
        r.loop().stop();
        try {
            if (!r.loop().finishedWithin(STOP_SECONDS)) {
                LOG.warn("namespace {}: the event loop did not stop within {} s", label, STOP_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pathManager.close();
        namespace.close();
    }
}
