package org.mptcp4j.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.control.ControlHandler;
import org.mptcp4j.control.ControlServer;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.metrics.MetricsServer;
import org.mptcp4j.metrics.PathManagerMetrics;
import org.mptcp4j.text.AddressText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mptcp4j service: manages every namespace its configuration names, each on an event loop
 * thread of its own; reloads the configuration on SIGHUP (an invalid one is reported and the
 * running one kept; a namespace whose settings did not change is not touched, one whose did
 * gets a new loop without losing its connections); stops cleanly on SIGTERM and SIGINT; drops a
 * namespace that disappeared, with a log line.
 *
 * <p>Under a service manager ({@code NOTIFY_SOCKET}, systemd's {@code Type=notify}) it says
 * READY=1 once every namespace is subscribed to the kernel's events, RELOADING=1 and READY=1
 * around a reload, STOPPING=1 when it stops, and WATCHDOG=1 at half of {@code WATCHDOG_USEC}
 * while every namespace's event loop runs the tasks it is given. With {@code reload-on-change}
 * a change of the configuration file reloads it as SIGHUP does.
 *
 * <pre>{@code
 * Daemon daemon = Daemon.create(() -> DaemonConfig.load(file, overrides), listener);
 * daemon.installSignalHandlers();   // first: a SIGHUP during start is a reload, not an exit
 * daemon.start();
 * daemon.run();                     // until SIGTERM or stop()
 * }</pre>
 */
public final class Daemon implements AutoCloseable {
    /** The watchdog is fed at most this often. */
    private static final long MIN_WATCHDOG_PERIOD_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** How often namespaces are checked for having disappeared. */
    private static final long WATCH_MILLIS = 1000;

    /** Reads the configuration (again, on reload). */
    @FunctionalInterface
    public interface ConfigSource {
        DaemonConfig load() throws ConfigException;
    }

    /** Told of what the daemon finds: the command line prints it. */
    public interface Listener {
        /** A connection a resync found in namespace {@code label} (at start, after a reload, after lost events). */
        default void discovered(String label, DiscoveredConnection connection) {}

        /** Sees every event of every namespace when not null (on the namespace's loop thread). */
        default EventHandler eventObserver() {
            return null;
        }
    }

    private enum Request { RELOAD, STOP }

    private final ConfigSource source;
    private final Listener listener;
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    /**
     * Held by what starts, replaces and stops namespaces (start, reload, the watch, close), one at
     * a time: they wait for event loops (family-wait, controller-stall), so nothing that only
     * reads takes it, nor this daemon's monitor while holding it.
     */
    private final Object lifecycle = new Object();
    /** By configuration target; guarded by {@link #lifecycle}. */
    private final Map<String, ManagedNamespace> namespaces = new LinkedHashMap<>();
    /**
     * What {@link #namespaces} holds, in configuration order, as of its last change: read without a
     * lock by the metrics endpoint, its liveness check and the control socket.
     */
    private volatile List<ManagedNamespace> managed = List.of();
    private volatile DaemonConfig config;
    private volatile boolean stopped;
    /** Set by SIGTERM, SIGINT or close, before they wait for a start in progress: a warm-up ends at once. */
    private volatile boolean stopAsked;
    /**
     * Guarded by this (taken inside {@link #lifecycle}, never around it): the control socket's
     * server, its path, and what answers there.
     */
    private ControlHandler controlHandler;
    private ControlServer control;
    private Path controlPath;
    /** Guarded by this: the metrics endpoint and the address it was asked for ("off": none). */
    private MetricsServer metricsServer;
    private String metricsAddress = "off";
    /** Where {@link #record} asked the namespace's traffic to go, or null. */
    private volatile Path recording;
    private final ServiceNotifier notifier = ServiceNotifier.fromEnvironment();
    /** Feeds the service manager's watchdog, or null; guarded by {@link #lifecycle}. */
    private Thread watchdog;
    /** reload-on-change's watch, or null; guarded by {@link #lifecycle}. */
    private ConfigWatch configWatch;

    private Daemon(ConfigSource source, Listener listener) {
        this.source = source;
        this.listener = listener;
    }

    /** A daemon that reads its configuration from {@code source}; {@link #start()} starts it. */
    public static Daemon create(ConfigSource source, Listener listener) {
        return new Daemon(Objects.requireNonNull(source), Objects.requireNonNull(listener));
    }

    /**
     * Has {@link #start()} record the traffic of the one namespace the configuration names into
     * {@code file} ({@code run --record}): every event datagram received, every command sent and
     * the kernel's answers, until the daemon closes. Namespaces a reload adds are not recorded.
     */
    public void record(Path file) {
        this.recording = Objects.requireNonNull(file, "file");
    }

    /**
     * Loads the configuration and starts managing every namespace it names.
     *
     * @throws ConfigException when the configuration is wrong (nothing started)
     * @throws RuntimeException when a namespace cannot be managed (those started are stopped again)
     */
    public void start() throws ConfigException {
        synchronized (lifecycle) {
            DaemonConfig loaded = source.load();
            loaded.applyLogSettings();
            startWatchdog();
            config = loaded;
            Path record = recording;
            if (record != null) {
                requireRecordable(loaded);
            }
            try {
                for (NamespaceConfig n : loaded.namespaces()) {
                    namespaces.put(n.target(), startNamespace(n, record));
                    publish();
                }
                applyConfigWatch();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    /**
     * Feeds the service manager's watchdog from now on, if it has one: at half its interval, as
     * long as every managed namespace's loop ran the task the last round gave it. A loop a
     * controller blocks (beyond what {@code controller-stall} replaces) or that is not running
     * stops the feeding, and the service manager restarts the daemon.
     */
    private void startWatchdog() {
        Duration interval = notifier.watchdog();
        if (interval == null || watchdog != null) {
            return;
        }
        // Half the interval, as systemd advises; never a spin, whatever WATCHDOG_USEC says.
        long period = Math.max(MIN_WATCHDOG_PERIOD_MILLIS, interval.toMillis() / 2);
        watchdog = new Thread(() -> {
            Set<String> silentSaid = new HashSet<>();
            while (!stopped) {
                List<String> silent = new ArrayList<>();
                for (ManagedNamespace m : namespaces()) {
                    if (!m.heartbeat()) {
                        silent.add(m.label());
                    }
                }
                if (silent.isEmpty()) {
                    notifier.watchdogPing();
                    silentSaid.clear();
                } else if (silentSaid.addAll(silent)) {
                    LOG.atError().addKeyValue("netns", String.join(",", silent))
                            .log("event loop not answering: the service manager's watchdog is not fed");
                }
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "mptcp4j-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        LOG.atInfo().addKeyValue("interval", interval).log("feeding the service manager's watchdog");
    }

    /** Starts or stops watching the configuration file as reload-on-change says; under {@link #lifecycle}. */
    private void applyConfigWatch() {
        boolean wanted = config.reloadOnChange();
        if (configWatch != null && (!wanted || !configWatch.file().equals(config.file().toAbsolutePath()))) {
            configWatch.close();
            configWatch = null;
        }
        if (wanted && configWatch == null) {
            try {
                configWatch = ConfigWatch.start(config.file(), this::requestReload);
            } catch (IOException e) {
                LOG.error("reload-on-change: cannot watch {}: {}", config.file(), e.getMessage());
            }
        }
    }

    /** What {@code systemctl status} shows. */
    private String status() {
        return "managing " + String.join(", ", namespaces().stream().map(m -> m.label() + " with " + m.config().controllerText())
                .toList());
    }

    /** Makes {@link #namespaces} as it is now what readers see; under {@link #lifecycle}. */
    private void publish() {
        managed = List.copyOf(namespaces.values());
    }

    /** --record records one namespace's events as the kernel sent them (whichever decoder reads them). */
    private static void requireRecordable(DaemonConfig loaded) throws ConfigException {
        if (loaded.namespaces().size() != 1) {
            throw new ConfigException(DaemonConfig.COMMAND_LINE, 0, "record", "--record records one namespace; the"
                    + " configuration names " + loaded.namespaces().size() + " (choose one with --netns)");
        }
    }

    /**
     * Starts managing {@code n}, unless another entry names the same namespace; recording its
     * traffic into {@code record} unless null.
     */
    private ManagedNamespace startNamespace(NamespaceConfig n, Path record) {
        ManagedNamespace m = ManagedNamespace.start(n, d -> listener.discovered(n.label(), d), listener.eventObserver(),
                config.warmUp(), () -> stopAsked, record);
        for (ManagedNamespace other : namespaces.values()) {
            if (other.inode() == m.inode()) {
                m.close();
                throw new DaemonException("'" + n.label() + "' and '" + other.label()
                        + "' are the same network namespace: name it once");
            }
        }
        return m;
    }

    /**
     * Answers requests on the configured control socket with {@code handler} (from now on, and
     * on the socket a reload configures).
     *
     * @throws DaemonException when the socket cannot be served
     */
    public synchronized void serveControl(ControlHandler handler) {
        this.controlHandler = Objects.requireNonNull(handler);
        applyControlSocket();
    }

    private void applyControlSocket() {
        Path wanted = config.controlSocket();
        if (controlHandler == null || Objects.equals(wanted, controlPath)) {
            return;
        }
        ControlServer next = null;
        if (wanted != null) {
            try {
                // The new socket first: if it cannot be served, the old one goes on.
                next = ControlServer.start(wanted, controlHandler);
            } catch (AccessDeniedException e) {
                throw new DaemonException("control socket " + wanted + ": permission denied on " + e.getFile()
                        + " (run as root, name a place this user may write with control-socket, or off)", e);
            } catch (IOException e) {
                throw new DaemonException("control socket " + wanted + ": " + e.getMessage(), e);
            }
        }
        closeControl();
        control = next;
        controlPath = wanted;
        if (wanted != null) {
            LOG.atInfo().addKeyValue("path", wanted).log("control socket listening");
        }
    }

    private void closeControl() {
        if (control != null) {
            try {
                control.close();
            } catch (IOException e) {
                LOG.warn("closing the control socket {}: {}", controlPath, e.getMessage());
            }
            control = null;
            controlPath = null;
        }
    }

    /**
     * Serves the namespaces' metrics where the configuration says (from now on, and where a
     * reload says).
     *
     * @throws DaemonException when the address cannot be bound
     */
    public synchronized void serveMetrics() {
        String wanted = config.metrics();
        if (wanted.equals(metricsAddress)) {
            return;
        }
        MetricsServer next = null;
        if (!wanted.equals("off")) {
            try {
                // The new endpoint first: if it cannot be bound, the old one goes on.
                next = MetricsServer.start(MetricsServer.parseAddress(wanted), this::metrics, this::faults);
            } catch (IOException e) {
                throw new DaemonException("metrics " + wanted + ": " + e.getMessage(), e);
            }
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        metricsServer = next;
        metricsAddress = wanted;
        if (next != null) {
            LOG.atInfo().addKeyValue("url", metricsUrl()).log("metrics served");
        }
    }

    /** Where the metrics are served, or null when they are off. */
    public synchronized String metricsUrl() {
        if (metricsServer == null) {
            return null;
        }
        InetSocketAddress a = metricsServer.address();
        String host = AddressText.of(a.getAddress());
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort() + MetricsServer.PATH;
    }

    /** The counters of every managed namespace. */
    public List<PathManagerMetrics> metrics() {
        return namespaces().stream().map(ManagedNamespace::metrics).toList();
    }

    /** What keeps the daemon from working, one line each (the liveness endpoint's answer): namespaces whose loop is not running. */
    public List<String> faults() {
        return namespaces().stream().filter(m -> !m.running())
                .map(m -> "namespace " + m.label() + ": its event loop is not running").toList();
    }

    /** SIGHUP reloads, SIGTERM and SIGINT stop {@link #run}. */
    public void installSignalHandlers() {
        if (!Signals.handle("HUP", () -> requests.add(Request.RELOAD))) {
            LOG.warn("SIGHUP is ignored in this process (started under nohup?), so it does not reload the"
                    + " configuration: 'mptcp4j ctl reload' does");
        }
        Signals.handle("TERM", this::stop);
        Signals.handle("INT", this::stop);
    }

    /** Serves reload requests and watches the namespaces until {@link #stop()}; then closes everything. */
    public void run() throws InterruptedException {
        notifier.ready(status());
        try {
            while (true) {
                Request r = requests.poll(WATCH_MILLIS, TimeUnit.MILLISECONDS);
                if (r == Request.STOP) {
                    notifier.stopping();
                    LOG.info("stopping");
                    return;
                }
                if (r == Request.RELOAD) {
                    // One reload answers every request queued so far: it reads the file as it is now.
                    requests.removeIf(q -> q == Request.RELOAD);
                    notifier.reloading();
                    try {
                        reload();
                    } catch (ConfigException e) {
                        // logged by reload; the running configuration goes on
                    }
                    notifier.ready(status());
                }
                watchNamespaces();
            }
        } finally {
            close();
        }
    }

    /** Asks {@link #run} to reload the configuration, as SIGHUP does. */
    public void requestReload() {
        requests.add(Request.RELOAD);
    }

    /** Asks {@link #run} to stop, as SIGTERM does. */
    public void stop() {
        stopAsked = true;
        requests.add(Request.STOP);
    }

    /**
     * Reads the configuration again and applies it: namespaces no longer named are dropped, new
     * ones started, changed ones reconfigured. A wrong configuration changes nothing.
     *
     * @return what changed, one line per namespace touched
     * @throws ConfigException when the configuration is wrong (the running one is kept)
     */
    public List<String> reload() throws InterruptedException, ConfigException {
        synchronized (lifecycle) {
            return reloadHeld();
        }
    }

    private List<String> reloadHeld() throws InterruptedException, ConfigException {
        DaemonConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            LOG.error("reload failed, the running configuration is kept: {}", e.getMessage());
            throw e;
        }
        next.applyLogSettings();
        List<String> changes = new ArrayList<>();
        Map<String, NamespaceConfig> wanted = new LinkedHashMap<>();
        next.namespaces().forEach(n -> wanted.put(n.target(), n));
        for (var it = namespaces.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                it.remove();
                publish();
                e.getValue().close();
                LOG.info("namespace {} is no longer in the configuration: not managed any more", e.getValue().label());
                changes.add(e.getValue().label() + ": no longer managed");
            }
        }
        for (NamespaceConfig n : wanted.values()) {
            ManagedNamespace m = namespaces.get(n.target());
            try {
                if (m == null) {
                    namespaces.put(n.target(), startNamespace(n, null));
                    publish();
                    changes.add(n.label() + ": managed with " + n.controllerText());
                } else if (m.reload(n)) {
                    changes.add(n.label() + ": now managed with " + n.controllerText());
                }
            } catch (RuntimeException e) {
                LOG.error("reload: namespace {}: {}", n.label(), e.getMessage());
                changes.add(n.label() + ": failed: " + e.getMessage());
            }
        }
        config = next;
        applyConfigWatch();
        try {
            synchronized (this) {
                applyControlSocket();
            }
        } catch (DaemonException e) {
            LOG.error("reload: {}", e.getMessage());
            changes.add("control socket: failed: " + e.getMessage());
        }
        try {
            serveMetrics();
        } catch (DaemonException e) {
            LOG.error("reload: {}", e.getMessage());
            changes.add("metrics: failed: " + e.getMessage());
        }
        LOG.atInfo().addKeyValue("changes", changes.size()).log("configuration reloaded");
        return changes;
    }

    /**
     * Drops the namespaces that are gone, starts again the loops that ended on a failure, replaces
     * those a controller blocks.
     */
    private void watchNamespaces() {
        synchronized (lifecycle) {
            for (var it = namespaces.values().iterator(); it.hasNext(); ) {
                ManagedNamespace m = it.next();
                if (m.gone()) {
                    LOG.warn("namespace {} is gone (deleted, or its process ended): no longer managed", m.label());
                    it.remove();
                    publish();
                    m.close();
                } else {
                    try {
                        m.watch();
                    } catch (RuntimeException e) {
                        LOG.error("namespace {}: cannot start its event loop again: {}", m.label(), e.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** The namespaces managed now, in configuration order; never waits for a reload or the watch. */
    public List<ManagedNamespace> namespaces() {
        return managed;
    }

    /**
     * The namespace named {@code name} ("self" or "" for the daemon's own, an ip netns name or a
     * path); null with one namespace managed: that one.
     *
     * @throws DaemonException naming the managed ones when there is no such namespace
     */
    public ManagedNamespace namespace(String name) {
        List<ManagedNamespace> all = managed;
        if (name == null && all.size() == 1) {
            return all.get(0);
        }
        if (all.isEmpty()) {
            throw new DaemonException("no namespace is managed now");
        }
        for (ManagedNamespace m : all) {
            if (m.label().equals(name) || m.config().target().equals(name)) {
                return m;
            }
        }
        List<String> labels = all.stream().map(ManagedNamespace::label).toList();
        throw new DaemonException(name == null ? "several namespaces are managed: name one with -n (" + String.join(", ", labels) + ")"
                : "namespace '" + name + "' is not managed (managed: " + String.join(", ", labels) + ")");
    }

    /** The configuration in force. */
    public DaemonConfig config() {
        return config;
    }

    /** Stops every namespace's loop and closes what the daemon opened. */
    @Override
    public void close() {
        stopAsked = true;
        synchronized (lifecycle) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (watchdog != null) {
                watchdog.interrupt();
            }
            if (configWatch != null) {
                configWatch.close();
                configWatch = null;
            }
            synchronized (this) {
                closeControl();
                if (metricsServer != null) {
                    metricsServer.close();
                    metricsServer = null;
                }
            }
            List<ManagedNamespace> closing = List.copyOf(namespaces.values());
            namespaces.clear();
            publish();
            closing.forEach(ManagedNamespace::close);
            notifier.close();
        }
    }
}
