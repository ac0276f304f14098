package org.mptcp4j.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.logging.LogSettings;
import org.mptcp4j.loop.CpuSet;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.ValueRange;
import org.slf4j.event.Level;

/**
 * The daemon's configuration: a file in mptcpd's format ({@link IniFile}) with the command
 * line's flags over it, checked whole at {@linkplain #load load}. Every mistake is a
 * {@link ConfigException} naming the file and line (or the flag), the key, and the values it
 * accepts.
 *
 * <pre>
 * [core]                       settings of the daemon, and defaults for every namespace
 * [controller NAME]            parameters of a controller
 * [namespace NAME-OR-PATH]     a namespace to manage, with its own settings; without any,
 *                              the daemon's own namespace is managed
 * </pre>
 *
 * @param file the file read, or null
 * @param log where the log goes (mptcpd's {@code log})
 * @param controlSocket the control socket's path, or null when it is off
 * @param metrics the metrics endpoint's address as written ([HOST:]PORT), or "off"
 * @param warmUp made-up connections driven through each controller at start (0: none), see {@code WarmUp}
 * @param reloadOnChange whether a change of the file (or of what its path leads to) reloads it, as SIGHUP does
 * @param namespaces the namespaces to manage, each with its settings
 */
public record DaemonConfig(Path file, LogSettings.Destination log, Level logLevel, LogSettings.Format logFormat,
        Path controlSocket, String metrics, int warmUp, boolean reloadOnChange, List<NamespaceConfig> namespaces) {
    /** Read when {@code --config} is not given and it exists (mptcpd reads /etc/mptcpd/mptcpd.conf). */
    public static final Path DEFAULT_FILE = Path.of("/etc/mptcp4j/mptcp4j.conf");
    public static final Path DEFAULT_CONTROL_SOCKET = Path.of("/run/mptcp4j/control.sock");
    /** Where flags' values come from, in messages. */
    public static final String COMMAND_LINE = "command line";

    /** The ranges of the numeric settings: a refused value stops the start with its line and its range. */
    public static final ValueRange RECEIVE_BUFFER = ValueRange.size(4 << 10, 1 << 30);
    public static final ValueRange TIMEOUT_INTERVAL = ValueRange.duration(Duration.ofMillis(1), Duration.ofMinutes(1));
    public static final ValueRange FAMILY_WAIT = ValueRange.duration(Duration.ZERO, Duration.ofHours(1));
    /** Made-up connections of the start-up warm-up: enough for the JIT's last tier to compile what runs once per connection. */
    public static final int DEFAULT_WARM_UP = 20_000;
    public static final ValueRange WARM_UP = ValueRange.count(0, 1_000_000);
    public static final ValueRange CONTROLLER_STALL = ValueRange.duration(Duration.ofSeconds(1), Duration.ofHours(1));
    /** loop-priority: SCHED_FIFO for the event loop thread at this priority (or off). */
    public static final ValueRange LOOP_PRIORITY = EventLoop.REALTIME_PRIORITY;
    /** loop-cpu: each CPU of the list (or off), which must also be one the daemon may run on. */
    public static final ValueRange LOOP_CPU = CpuSet.CPU;

    public DaemonConfig {
        namespaces = List.copyOf(namespaces);
    }

    /**
     * Reads {@code file} (null: none, every setting from the command line or its default) and
     * applies {@code overrides}.
     */
    public static DaemonConfig load(Path file, Overrides overrides) throws ConfigException {
        return ConfigParser.parse(file, overrides);
    }

    /** What the command line sets; each value overrides the file's, in every namespace. */
    public static final class Overrides {
        /** A key's value as {@code flag} (e.g. "--idle") set it. */
        record Flag(String flag, String value) {}

        final Map<String, Flag> values = new LinkedHashMap<>();
        final Map<String, String> parameters = new LinkedHashMap<>();
        boolean exact;
        List<String> namespaces;

        /** {@code key} (a configuration key) set by {@code flag} (e.g. "--idle"). */
        public Overrides set(String flag, String key, String value) {
            values.put(key, new Flag(flag, value));
            return this;
        }

        /** The controller for every connection, with these parameters over its [controller] section's. */
        public Overrides controller(String flag, String name, Map<String, String> parameters) {
            set(flag, "path-manager", name);
            this.parameters.putAll(parameters);
            return this;
        }

        /** The controller for every connection with exactly these parameters, its section's ignored. */
        public Overrides controllerExactly(String flag, String name, Map<String, String> parameters) {
            controller(flag, name, parameters);
            exact = true;
            return this;
        }

        /** These namespaces instead of the file's (their [namespace] sections still apply). */
        public Overrides namespaces(List<String> targets) {
            this.namespaces = List.copyOf(targets);
            return this;
        }
    }

    /** Applies the log settings to the daemon's log. */
    void applyLogSettings() {
        LogSettings.destination(log);
        LogSettings.level(logLevel);
        LogSettings.format(logFormat);
    }
}
