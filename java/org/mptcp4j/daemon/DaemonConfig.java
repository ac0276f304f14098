package org.mptcp4j.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mptcp4j.controller.ConnectionPolicy;
import org.mptcp4j.controller.Controllers;
import org.mptcp4j.logging.LogSettings;
import org.mptcp4j.loop.CpuSet;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.loop.IdleStrategy;
import org.mptcp4j.metrics.MetricsServer;
import org.mptcp4j.pm.ValueRange;
import org.slf4j.event.Level;

/**
 * The daemon's configuration: a file in mptcpd's format ({@link IniFile}) with the command
 * line's flags over it, checked whole at load. Every mistake is a {@link ConfigException}
 * naming the file and line (or the flag), the key, and the values it accepts.
 *
 * <pre>
 * [core]                       settings of the daemon, and defaults for every namespace
 * [controller NAME]            parameters of a controller
 * [namespace NAME-OR-PATH]     a namespace to manage, with its own settings; without any,
 *                              the daemon's own namespace is managed
 * </pre>
 */
public final class DaemonConfig {
    /** Read when {@code --config} is not given and it exists (mptcpd reads /etc/mptcpd/mptcpd.conf). */
    public static final Path DEFAULT_FILE = Path.of("/etc/mptcp4j/mptcp4j.conf");
    public static final Path DEFAULT_CONTROL_SOCKET = Path.of("/run/mptcp4j/control.sock");
    static final String DEFAULT_CONTROLLER = "ndiffports";
    /** Where flags' values come from, in messages. */
    public static final String COMMAND_LINE = "command line";

    /** Keys only [core] takes. */
    static final Set<String> CORE_KEYS = Set.of("log", "log-level", "log-format", "control-socket", "metrics", "plugin-dir",
            "warm-up");
    /** Keys [core] and [namespace ...] take; a namespace's own value wins. */
    static final Set<String> NAMESPACE_KEYS = new LinkedHashSet<>(List.of("path-manager", "policy", "notify-flags",
            "interfaces", "exclude-interfaces", "idle", "receive-buffer", "decoding", "timeout-interval", "family-wait",
            "controller-stall", "loop-priority", "loop-cpu"));
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
    private static final Pattern PARAMETER = Pattern.compile("parameter '([^']+)'");
    private static final Pattern POLICY_LINE = Pattern.compile("^policy line (\\d+): (.*)$", Pattern.DOTALL);

    private final Path file;
    private final boolean logEnabled;
    private final Level logLevel;
    private final LogSettings.Format logFormat;
    private final Path controlSocket;
    private final String metrics;
    private final int warmUp;
    private final List<NamespaceConfig> namespaces;

    private DaemonConfig(Path file, boolean logEnabled, Level logLevel, LogSettings.Format logFormat, Path controlSocket,
            String metrics, int warmUp, List<NamespaceConfig> namespaces) {
        this.file = file;
        this.logEnabled = logEnabled;
        this.logLevel = logLevel;
        this.logFormat = logFormat;
        this.controlSocket = controlSocket;
        this.metrics = metrics;
        this.warmUp = warmUp;
        this.namespaces = List.copyOf(namespaces);
    }

    /** What the command line sets; each value overrides the file's, in every namespace. */
    public static final class Overrides {
        private final Map<String, Value> values = new LinkedHashMap<>();
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private boolean exact;
        private List<String> namespaces;

        /** {@code key} (a configuration key) set by {@code flag} (e.g. "--idle"). */
        public Overrides set(String flag, String key, String value) {
            values.put(key, new Value(value, COMMAND_LINE, 0, flag));
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

    /** A value and where it was set, for messages. */
    private record Value(String text, String source, int line, String where) {
        ConfigException wrong(String message) {
            return new ConfigException(source, line, where + ": " + message);
        }

        static Value of(IniFile.Section section, IniFile.Entry entry, String source) {
            return new Value(entry.value(), source, entry.line(), section.title() + " " + entry.key());
        }
    }

    /**
     * Reads {@code file} (null: none, every setting from the command line or its default) and
     * applies {@code overrides}.
     */
    public static DaemonConfig load(Path file, Overrides overrides) throws ConfigException {
        List<IniFile.Section> sections = List.of();
        String source = file == null ? COMMAND_LINE : file.toString();
        if (file != null) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new ConfigException(source, 0, "cannot read the configuration file: " + e.getMessage());
            }
            sections = IniFile.parse(source, text);
        }
        IniFile.Section core = sections.stream().filter(x -> x.kind().equals("core")).findFirst().orElse(null);
        Settings settings = new Settings(source, core, overrides);
        // Before anything names a controller: the plugins' controllers can be named too.
        Value pluginDir = settings.core("plugin-dir", "");
        if (!pluginDir.text().isEmpty()) {
            try {
                PluginDirectory.load(relativeTo(pluginDir.source(), pluginDir.text()));
            } catch (IOException e) {
                throw pluginDir.wrong(e.getMessage());
            }
        }
        Map<String, IniFile.Section> controllers = new LinkedHashMap<>();
        Map<String, IniFile.Section> namespaceSections = new LinkedHashMap<>();
        for (IniFile.Section s : sections) {
            switch (s.kind()) {
                case "core" -> {
                    if (!s.name().isEmpty()) {
                        throw new ConfigException(source, s.line(), "[core] takes no name");
                    }
                    checkKeys(source, s, union(CORE_KEYS, NAMESPACE_KEYS));
                }
                case "controller" -> {
                    if (Controllers.provider(s.name()).isEmpty()) {
                        throw new ConfigException(source, s.line(), "no controller named '" + s.name()
                                + "' (there are: " + String.join(", ", Controllers.names()) + ")");
                    }
                    controllers.put(s.name(), s);
                }
                case "namespace" -> {
                    checkTarget(source, s);
                    checkKeys(source, s, NAMESPACE_KEYS);
                    namespaceSections.put(s.name(), s);
                }
                default -> throw new ConfigException(source, s.line(), "unknown section [" + s.kind()
                        + "] (there are [core], [controller NAME] and [namespace NAME-OR-PATH])");
            }
        }
        boolean logEnabled = switch (settings.core("log", "stderr").text()) {
            case "stderr" -> true;
            case "null" -> false;
            default -> throw settings.core("log", "").wrong("'" + settings.core("log", "").text()
                    + "' is not accepted (stderr, null)");
        };
        Level level = parse(settings.core("log-level", "info"), LogSettings::parseLevel);
        LogSettings.Format format = parse(settings.core("log-format", "logfmt"), LogSettings::parseFormat);
        Value socket = settings.core("control-socket", DEFAULT_CONTROL_SOCKET.toString());
        Path controlSocket = null;
        if (!socket.text().equals("off")) {
            if (!socket.text().startsWith("/")) {
                throw socket.wrong("'" + socket.text() + "' is not accepted (an absolute path, or off)");
            }
            controlSocket = Path.of(socket.text());
        }
        Map<String, Map<String, String>> defaults = new LinkedHashMap<>();
        for (IniFile.Section section : controllers.values()) {
            Map<String, String> parameters = new LinkedHashMap<>();
            section.entries().forEach(e -> parameters.put(e.key(), e.value()));
            try {
                Controllers.create(section.name(), parameters); // every section checked, used or not
            } catch (IllegalArgumentException e) {
                throw controllerError(source, section, null, e);
            }
            defaults.put(section.name(), Map.copyOf(parameters));
        }
        Value metrics = settings.core("metrics", "off");
        if (!metrics.text().equals("off")) {
            parse(metrics, MetricsServer::parseAddress);
        }
        int warmUp = (int) parse(settings.core("warm-up", Integer.toString(DEFAULT_WARM_UP)), WARM_UP);
        List<String> targets = new ArrayList<>(overrides.namespaces != null ? overrides.namespaces
                : namespaceSections.isEmpty() ? List.of("") : namespaceSections.keySet());
        List<NamespaceConfig> namespaces = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String target : targets) {
            if (!seen.add(target)) {
                throw new ConfigException(COMMAND_LINE, 0, "-n: namespace '" + target + "' named twice");
            }
            namespaces.add(namespace(settings, target, namespaceSections.get(target), controllers, defaults, overrides));
        }
        return new DaemonConfig(file, logEnabled, level, format, controlSocket, metrics.text(), warmUp, namespaces);
    }

    private static NamespaceConfig namespace(Settings settings, String target, IniFile.Section section,
            Map<String, IniFile.Section> controllers, Map<String, Map<String, String>> defaults, Overrides overrides)
            throws ConfigException {
        Value pathManager = settings.namespace(section, "path-manager");
        Value policy = settings.namespace(section, "policy");
        // The more specific setting wins: the command line, then the namespace's section, then [core].
        boolean usePolicy = policy != null && (pathManager == null || rank(policy) > rank(pathManager));
        String policyText = null;
        Path policyFile = null;
        String name = DEFAULT_CONTROLLER;
        Map<String, String> parameters = new LinkedHashMap<>();
        if (usePolicy) {
            policyFile = relativeTo(policy.source(), policy.text());
            try {
                policyText = Files.readString(policyFile);
            } catch (IOException e) {
                throw policy.wrong("cannot read the policy file " + policyFile + ": " + e.getMessage());
            }
            try {
                ConnectionPolicy.parse(policyText, defaults);
            } catch (IllegalArgumentException e) {
                Matcher m = POLICY_LINE.matcher(String.valueOf(e.getMessage()));
                throw m.matches() ? new ConfigException(policyFile.toString(), Integer.parseInt(m.group(1)), m.group(2))
                        : new ConfigException(policyFile.toString(), 0, e.getMessage());
            }
        } else {
            if (pathManager != null) {
                name = pathManager.text();
                if (Controllers.provider(name).isEmpty()) {
                    throw pathManager.wrong("no controller named '" + name + "' (there are: "
                            + String.join(", ", Controllers.names()) + ")");
                }
            }
            IniFile.Section params = controllers.get(name);
            boolean fromFlags = pathManager != null && pathManager.source().equals(COMMAND_LINE);
            if (params != null && !(fromFlags && overrides.exact)) {
                params.entries().forEach(e -> parameters.put(e.key(), e.value()));
            }
            if (fromFlags) {
                parameters.putAll(overrides.parameters);
            }
            try {
                Controllers.create(name, parameters);
            } catch (IllegalArgumentException e) {
                throw controllerError(settings.source, params, pathManager, e);
            }
        }
        boolean loopback = false;
        boolean linkLocal = false;
        Value flags = settings.namespace(section, "notify-flags");
        if (flags != null) {
            loopback = true;
            linkLocal = true;
            for (String flag : list(flags.text())) {
                switch (flag) {
                    case "skip_loopback" -> loopback = false;
                    case "skip_link_local" -> linkLocal = false;
                    case "existing" -> { } // always so: connections and addresses there at start are found
                    default -> throw flags.wrong("'" + flag + "' is not accepted (skip_loopback, skip_link_local, existing)");
                }
            }
        }
        List<String> interfaces = list(text(settings.namespace(section, "interfaces")));
        List<String> exclude = list(text(settings.namespace(section, "exclude-interfaces")));
        Value idle = or(settings.namespace(section, "idle"), "blocking");
        parse(idle, IdleStrategy::named);
        int receiveBuffer = (int) parse(or(settings.namespace(section, "receive-buffer"), "2M"), RECEIVE_BUFFER);
        Value decoding = or(settings.namespace(section, "decoding"), "java");
        EventDecoding eventDecoding = switch (decoding.text()) {
            case "java" -> EventDecoding.JAVA;
            case "native" -> EventDecoding.NATIVE;
            default -> throw decoding.wrong("'" + decoding.text() + "' is not accepted (java, native)");
        };
        Duration timeoutInterval = Duration.ofNanos(parse(or(settings.namespace(section, "timeout-interval"), "100ms"),
                TIMEOUT_INTERVAL));
        Duration familyWait = Duration.ofNanos(parse(or(settings.namespace(section, "family-wait"), "10s"), FAMILY_WAIT));
        Duration controllerStall = Duration.ofNanos(parse(or(settings.namespace(section, "controller-stall"), "30s"),
                CONTROLLER_STALL));
        Value priority = or(settings.namespace(section, "loop-priority"), "off");
        int loopPriority = priority.text().equals("off") ? 0 : (int) parse(priority, LOOP_PRIORITY);
        Value cpus = or(settings.namespace(section, "loop-cpu"), "off");
        CpuSet loopCpus = cpus.text().equals("off") ? null
                : parseNamed(cpus, (where, text) -> CpuSet.parse(where, text).requireAllowed(where));
        // The loader plugin-dir set (or the one there was): its controllers are this configuration's.
        return new NamespaceConfig(target, name, Map.copyOf(parameters), policyFile, policyText, loopback, linkLocal,
                interfaces, exclude, idle.text(), receiveBuffer, eventDecoding, timeoutInterval, familyWait,
                Map.copyOf(defaults), controllerStall, Thread.currentThread().getContextClassLoader(), loopPriority,
                loopCpus);
    }

    /** A controller's refusal of its parameters, at the line of the parameter it names. */
    private static ConfigException controllerError(String source, IniFile.Section params, Value pathManager,
            IllegalArgumentException e) {
        Matcher m = PARAMETER.matcher(String.valueOf(e.getMessage()));
        if (params != null && m.find()) {
            IniFile.Entry entry = params.entry(m.group(1));
            if (entry != null) {
                return new ConfigException(source, entry.line(), params.title() + " " + entry.key() + ": " + e.getMessage());
            }
        }
        if (pathManager != null && pathManager.source().equals(COMMAND_LINE)) {
            return pathManager.wrong(e.getMessage());
        }
        return new ConfigException(source, params != null ? params.line() : pathManager != null ? pathManager.line() : 0,
                e.getMessage());
    }

    /** The command line over a namespace's section over [core]. */
    private static int rank(Value v) {
        return v.source().equals(COMMAND_LINE) ? 3 : v.where().startsWith("[namespace") ? 2 : 1;
    }

    /** A path as written where it was set: in a file, relative to the file's directory; in a flag, to the working one. */
    private static Path relativeTo(String source, String path) {
        Path p = Path.of(path);
        if (p.isAbsolute() || source.equals(COMMAND_LINE) || source.equals("default")) {
            return p;
        }
        Path dir = Path.of(source).toAbsolutePath().getParent();
        return dir == null ? p : dir.resolve(p);
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T parse(Value v, Parser<T> parser) throws ConfigException {
        try {
            return parser.parse(v.text());
        } catch (IllegalArgumentException e) {
            throw v.wrong(e.getMessage());
        }
    }

    /** A number of {@code range}'s kind, in its base unit (bytes, nanoseconds). */
    private static long parse(Value v, ValueRange range) throws ConfigException {
        return parseNamed(v, range::parse);
    }

    /** What {@code parser} makes of the value, given where it was set: its messages name that themselves. */
    private static <T> T parseNamed(Value v, java.util.function.BiFunction<String, String, T> parser)
            throws ConfigException {
        try {
            return parser.apply(v.where(), v.text());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(v.source(), v.line(), e.getMessage());
        }
    }

    private static Value or(Value v, String defaultValue) {
        return v != null ? v : new Value(defaultValue, "default", 0, "default");
    }

    private static String text(Value v) {
        return v == null ? "" : v.text();
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static void checkKeys(String source, IniFile.Section s, Set<String> accepted) throws ConfigException {
        IniFile.Entry pathManager = s.entry("path-manager");
        IniFile.Entry policy = s.entry("policy");
        if (pathManager != null && policy != null) {
            throw new ConfigException(source, policy.line(), s.title() + " policy: path-manager (line "
                    + pathManager.line() + ") and policy exclude each other");
        }
        for (IniFile.Entry e : s.entries()) {
            if (!accepted.contains(e.key())) {
                String hint = s.kind().equals("namespace") && CORE_KEYS.contains(e.key()) ? " (it belongs in [core])" : "";
                throw new ConfigException(source, e.line(), "unknown key '" + e.key() + "' in " + s.title() + hint
                        + "; accepted: " + String.join(", ", new java.util.TreeSet<>(accepted)));
            }
        }
    }

    private static void checkTarget(String source, IniFile.Section s) throws ConfigException {
        String n = s.name();
        if (n.isEmpty()) {
            throw new ConfigException(source, s.line(), "[namespace] needs a name: [namespace blue] or [namespace /proc/PID/ns/net]");
        }
        if (!n.startsWith("/") && (n.contains("/") || n.equals(".") || n.equals(".."))) {
            throw new ConfigException(source, s.line(), "'" + n + "' is neither a namespace name (ip netns) nor an absolute path");
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new LinkedHashSet<>(a);
        u.addAll(b);
        return u;
    }

    /** Where each setting comes from: the command line, a namespace's section, [core]. */
    private static final class Settings {
        final String source;
        final IniFile.Section core;
        final Overrides overrides;

        Settings(String source, IniFile.Section core, Overrides overrides) {
            this.source = source;
            this.core = core;
            this.overrides = overrides;
        }

        Value core(String key, String defaultValue) {
            Value v = overrides.values.get(key);
            if (v != null) {
                return v;
            }
            IniFile.Entry e = core == null ? null : core.entry(key);
            return e != null ? Value.of(core, e, source) : new Value(defaultValue, "default", 0, key);
        }

        /** The value for a namespace, or null when nothing sets it. */
        Value namespace(IniFile.Section section, String key) {
            Value v = overrides.values.get(key);
            if (v != null) {
                // --controller and --policy each replace the other wherever it is set.
                return v;
            }
            if ((key.equals("path-manager") && overrides.values.containsKey("policy"))
                    || (key.equals("policy") && overrides.values.containsKey("path-manager"))) {
                return null;
            }
            IniFile.Entry e = section == null ? null : section.entry(key);
            if (e != null) {
                return Value.of(section, e, source);
            }
            e = core == null ? null : core.entry(key);
            return e != null ? Value.of(core, e, source) : null;
        }
    }

    /** The file read, or null. */
    public Path file() {
        return file;
    }

    public boolean logEnabled() {
        return logEnabled;
    }

    public Level logLevel() {
        return logLevel;
    }

    public LogSettings.Format logFormat() {
        return logFormat;
    }

    /** The control socket's path, or null when it is off. */
    public Path controlSocket() {
        return controlSocket;
    }

    /** The metrics endpoint's address as written ([HOST:]PORT), or "off". */
    public String metrics() {
        return metrics;
    }

    /** Made-up connections driven through each controller at start (0: none), see {@code WarmUp}. */
    public int warmUp() {
        return warmUp;
    }

    public List<NamespaceConfig> namespaces() {
        return namespaces;
    }

    /** Applies the log settings to the daemon's log. */
    void applyLogSettings() {
        LogSettings.enabled(logEnabled);
        LogSettings.level(logLevel);
        LogSettings.format(logFormat);
    }
}
