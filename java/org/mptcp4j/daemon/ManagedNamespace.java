package org.mptcp4j.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.controller.ConnectionPolicy;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.metrics.PathManagerMetrics;
import org.mptcp4j.pm.EventCounter;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.MptcpException;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace the daemon manages: its path manager (kept for the namespace's lifetime, with
 * the listeners it opened for announcements) and a run of its event loop, on a thread of its
 * own, hosting the configured controller. A reload replaces the run: the new loop subscribes
 * to the kernel's events before the old one stops, and finds every connection again when it
 * starts, so no connection is dropped and no event falls between the two.
 */
public final class ManagedNamespace implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedNamespace.class);
    private static final long STOP_SECONDS = 10;

    private final String label;
    private final NetworkNamespace namespace;
    private final long inode;
    private final PathManager pathManager;
    private final Consumer<DiscoveredConnection> discoveries;
    private final EventHandler observer;
    /** Kept across runs: a reload does not reset the counters. */
    private final PathManagerMetrics metrics;
    private volatile Run run;

    /** A run of the loop with the controller a configuration asked for. */
    private record Run(NamespaceConfig config, Controller controller, ControllerHost host, EventLoop loop) {}

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
            PathManagerMode.requireUserspace(ns);
            pm = PathManager.open(ns);
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

    /** A loop hosting a new controller; subscribed to the kernel's events, not yet running. */
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
                });
        EventHandler handler = metrics.counting(observer == null ? host : EventHandler.observed(host, observer));
        EventLoop loop = EventLoop.builder(handler).namespace(namespace).idleStrategy(config.idleStrategy())
                .receiveBufferBytes(config.receiveBuffer()).decoding(config.decoding())
                .localAddressFilter(config.localAddressFilter()).name("mptcp4j-" + label).build();
        return new Run(config, controller, host, loop);
    }

    /**
     * Manages the namespace with {@code config} from now on, if it differs.
     *
     * @return whether anything changed
     * @throws RuntimeException when the new run cannot start; the old one goes on
     */
    boolean reload(NamespaceConfig config) throws InterruptedException {
        Run old = run;
        if (config.equals(old.config())) {
            return false;
        }
        Run next = newRun(config);
        old.loop().stop();
        if (!old.loop().finishedWithin(STOP_SECONDS)) {
            LOG.warn("namespace {}: the old event loop did not stop within {} s", label, STOP_SECONDS);
        }
        run = next;
        next.loop().start();
        LOG.atInfo().addKeyValue("netns", label).addKeyValue("controller", config.controllerText())
                .log("namespace {} reconfigured", label);
        return true;
    }

    /**
     * Runs {@code task} on the namespace's loop thread (controllers and their state live there)
     * and returns its result.
     */
    public <T> T onLoop(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        run.loop().execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(PathManager.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new DaemonException("namespace " + label + ": its event loop did not answer within "
                    + PathManager.TIMEOUT_MILLIS + " ms", e);
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

    /** Whether the loop thread still runs (it ends only when stopped, or when the JVM failed it). */
    public boolean running() {
        return run.loop().isRunning();
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

    public ControllerHost host() {
        return run.host();
    }

    public EventLoop loop() {
        return run.loop();
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
    public void close() {
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
