package org.mptcp4j.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.Commands;
import org.mptcp4j.command.ConnectionsCommand;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.daemon.ConfigException;
import org.mptcp4j.daemon.Daemon;
import org.mptcp4j.daemon.DaemonConfig;
import org.mptcp4j.daemon.DaemonControl;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.metrics.TextFormat;
import org.mptcp4j.protocol.EventFormat;

/** {@code mptcp4j run}: the daemon, with the configuration file and its flags, until SIGTERM. */
final class RunCommand {
    private final PrintStream out;
    private final PrintStream err;

    RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) throws Exception {
        Arguments a = Arguments.parse("run", args, 1, Set.of("netns", "subflows", "idle", "receive-buffer", "decoding",
                "controller", "policy", "config", "log-level", "log-format", "metrics", "control-socket", "plugin-dir",
                "loop-priority", "loop-cpu", "warm-up", "record"),
                Set.of("per-address", "verbose", "print-discovered"));
        DaemonConfig.Overrides overrides = overrides(a);
        Path file = a.has("config") ? Path.of(a.get("config", ""))
                : Files.exists(DaemonConfig.DEFAULT_FILE) ? DaemonConfig.DEFAULT_FILE : null;
        boolean verbose = a.has("verbose");
        // Standard output carries only what was asked for: the log goes to stderr, the journal or syslog.
        boolean printDiscovered = a.has("print-discovered");
        Daemon.Listener listener = new Daemon.Listener() {
            @Override
            public void discovered(String label, DiscoveredConnection d) {
                if (!printDiscovered) {
                    return;
                }
                synchronized (out) {
                    out.print("discovered " + ConnectionsCommand.text(d.connection()));
                    out.flush();
                }
            }

            @Override
            public EventHandler eventObserver() {
                return verbose ? event -> {
                    synchronized (out) {
                        out.println(EventFormat.line(event));
                        out.flush();
                    }
                } : null;
            }
        };
        Daemon daemon = Daemon.create(() -> DaemonConfig.load(file, overrides), listener);
        if (a.has("record")) {
            daemon.record(recording(a.get("record", "")));
        }
        try {
            daemon.installSignalHandlers(); // first: a SIGHUP while starting is a reload, not the JVM's exit
            daemon.start();
            daemon.serveControl(new DaemonControl(daemon, () -> TextFormat.write(daemon.metrics(), true)));
            daemon.serveMetrics();
        } catch (ConfigException e) {
            daemon.close();
            if (e.onCommandLine()) { // a flag's value: a usage error
                throw new UsageException("run", e.detail());
            }
            err.println("mptcp4j run: " + e.getMessage());
            return Commands.USAGE;
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
        err.println("mptcp4j run: managing " + String.join(", ", daemon.namespaces().stream()
                .map(m -> m.label() + " with " + m.controller() + ", idle " + m.config().idle()
                        + m.config().loopSchedulingText()).toList())
                + (file != null ? " (configuration " + file + ")" : "")
                + (daemon.metricsUrl() != null ? ", metrics at " + daemon.metricsUrl() : ""));
        daemon.run();
        return Commands.OK;
    }

    /** --record's file. */
    private static Path recording(String name) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new UsageException("run", "'record' is no file name: " + e.getMessage());
        }
    }

    /** What run's flags set, over the configuration file. */
    private static DaemonConfig.Overrides overrides(Arguments a) {
        long ways = Stream.of("subflows", "per-address", "controller", "policy").filter(a::has).count();
        if (ways > 1) {
            throw new UsageException("run", "choose one of --subflows, --per-address, --controller and --policy");
        }
        DaemonConfig.Overrides o = new DaemonConfig.Overrides();
        if (a.has("controller")) {
            Map<String, String> parameters = new LinkedHashMap<>();
            for (String word : a.positional()) {
                int eq = word.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("run", "'" + word + "' is not PARAM=VALUE");
                }
                parameters.put(word.substring(0, eq), word.substring(eq + 1));
            }
            o.controller("--controller", a.get("controller", ""), parameters);
        } else {
            a.atMostPositional(0);
        }
        if (a.has("subflows")) {
            o.controllerExactly("--subflows", "ndiffports", Map.of("subflows", Integer.toString(a.getInt("subflows", 2, 1, 8))));
        }
        if (a.has("per-address")) {
            o.controllerExactly("--per-address", "ndiffports", Map.of("per-address", "true"));
        }
        for (String key : List.of("policy", "idle", "receive-buffer", "decoding", "log-level", "log-format", "metrics",
                "control-socket", "plugin-dir", "loop-priority", "loop-cpu", "warm-up")) {
            if (a.has(key)) {
                o.set("--" + key, key, a.get(key, ""));
            }
        }
        if (a.has("netns")) {
            List<String> names = Arrays.stream(a.get("netns", "").split(",")).map(String::strip).toList();
            if (names.stream().anyMatch(String::isEmpty)) {
                throw new UsageException("run", "--netns takes NAME[,NAME...]: '" + a.get("netns", "") + "'");
            }
            o.namespaces(names);
        }
        return o;
    }
}
