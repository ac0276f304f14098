package org.mptcp4j.daemon;

import static org.mptcp4j.daemon.DaemonConfig.COMMAND_LINE;

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
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.mptcp4j.controller.ConnectionPolicy;
import org.mptcp4j.controller.Controllers;
import org.mptcp4j.controller.ParameterException;
import org.mptcp4j.logging.LogSettings;
import org.mptcp4j.loop.CpuSet;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.loop.IdleStrategy;
import org.mptcp4j.metrics.MetricsServer;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.MptcpAddress;
import org.slf4j.event.Level;

/**
 * Reads a {@link DaemonConfig}: the file's sections ({@link IniFile}) with the command line's
 * flags over them, checked whole. Each mistake is a {@link ConfigException} made where it is
 * found, with the file (or the command line), the line and the key of the value at fault.
 */
final class ConfigParser {
    static final String DEFAULT_CONTROLLER = "ndiffports";
    /** Keys only [core] takes. */
    static final Set<String> CORE_KEYS = Set.of("log", "log-level", "log-format", "control-socket", "metrics", "plugin-dir",
            "load-plugins", "warm-up", "reload-on-change");
    /** Keys [core] and [namespace ...] take; a namespace's own value wins. */
    static final Set<String> NAMESPACE_KEYS = new LinkedHashSet<>(List.of("path-manager", "policy", "notify-flags", "addr-flags",
            "interfaces", "exclude-interfaces", "idle", "receive-buffer", "decoding", "timeout-interval", "family-wait",
            "controller-stall", "loop-priority", "loop-cpu"));

    /** The file's name, or {@link DaemonConfig#COMMAND_LINE} when there is no file. */
    private final String source;
    private final IniFile.Section core;
    private final DaemonConfig.Overrides overrides;
    private final Map<String, IniFile.Section> controllers = new LinkedHashMap<>();
    private final Map<String, IniFile.Section> namespaceSections = new LinkedHashMap<>();
    /** Each [controller NAME] section's parameters. */
    private final Map<String, Map<String, String>> defaults = new LinkedHashMap<>();

    private ConfigParser(String source, IniFile.Section core, DaemonConfig.Overrides overrides) {
        this.source = source;
        this.core = core;
        this.overrides = overrides;
    }

    /** A value and where it was set: {@code where} names it in messages, {@code key} is the key it is the value of. */
    private record Value(String text, String source, int line, String where, String key) {
        ConfigException wrong(String message) {
            return new ConfigException(source, line, key, where + ": " + message);
        }

        static Value of(IniFile.Section section, IniFile.Entry entry, String source) {
            return new Value(entry.value(), source, entry.line(), section.title() + " " + entry.key(), entry.key());
        }
    }

    /** See {@link DaemonConfig#load}. */
    static DaemonConfig parse(Path file, DaemonConfig.Overrides overrides) throws ConfigException {
        List<IniFile.Section> sections = List.of();
        String source = file == null ? COMMAND_LINE : file.toString();
        if (file != null) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new ConfigException(source, 0, null, "cannot read the configuration file: " + e.getMessage());
            }
            sections = IniFile.parse(source, text);
        }
        IniFile.Section core = sections.stream().filter(x -> x.kind().equals("core")).findFirst().orElse(null);
        return new ConfigParser(source, core, overrides).config(file, sections);
    }

    private DaemonConfig config(Path file, List<IniFile.Section> sections) throws ConfigException {
        // Before anything names a controller: the plugins' controllers can be named too.
        Value pluginDir = core("plugin-dir", "");
        Value loadPlugins = core("load-plugins", "");
        if (!pluginDir.text().isEmpty()) {
            try {
                PluginDirectory.load(relativeTo(pluginDir.source(), pluginDir.text()), list(loadPlugins.text()));
            } catch (PluginDirectory.NotFound e) {
                throw loadPlugins.wrong(e.getMessage());
            } catch (IOException e) {
                throw pluginDir.wrong(e.getMessage());
            }
        } else if (!loadPlugins.text().isEmpty()) {
            throw loadPlugins.wrong("names jars of plugin-dir, which is not set");
        }
        for (IniFile.Section s : sections) {
            switch (s.kind()) {
                case "core" -> {
                    if (!s.name().isEmpty()) {
                        throw new ConfigException(source, s.line(), null, "[core] takes no name");
                    }
                    checkKeys(s, union(CORE_KEYS, NAMESPACE_KEYS));
                }
                case "controller" -> {
                    if (Controllers.provider(s.name()).isEmpty()) {
                        throw new ConfigException(source, s.line(), null, "no controller named '" + s.name()
                                + "' (there are: " + String.join(", ", Controllers.names()) + ")");
                    }
                    controllers.put(s.name(), s);
                }
                case "namespace" -> {
                    checkTarget(s);
                    checkKeys(s, NAMESPACE_KEYS);
                    namespaceSections.put(s.name(), s);
                }
                default -> throw new ConfigException(source, s.line(), null, "unknown section [" + s.kind()
                        + "] (there are [core], [controller NAME] and [namespace NAME-OR-PATH])");
            }
        }
        LogSettings.Destination log = parse(core("log", "stderr"), LogSettings::parseDestination);
        boolean reloadOnChange = parse(core("reload-on-change", "no"), ConfigParser::yesNo);
        Level level = parse(core("log-level", "info"), LogSettings::parseLevel);
        LogSettings.Format format = parse(core("log-format", "logfmt"), LogSettings::parseFormat);
        Value socket = core("control-socket", DaemonConfig.DEFAULT_CONTROL_SOCKET.toString());
        Path controlSocket = null;
        if (!socket.text().equals("off")) {
            if (!socket.text().startsWith("/")) {
                throw socket.wrong("'" + socket.text() + "' is not accepted (an absolute path, or off)");
            }
            controlSocket = Path.of(socket.text());
        }
        for (IniFile.Section section : controllers.values()) {
            Map<String, String> parameters = parameters(section);
            try {
                Controllers.create(section.name(), parameters); // every section checked, used or not
            } catch (IllegalArgumentException e) {
                throw controllerError(section, null, e);
            }
            defaults.put(section.name(), Map.copyOf(parameters));
        }
        Value metrics = core("metrics", "off");
        if (!metrics.text().equals("off")) {
            parse(metrics, MetricsServer::parseAddress);
        }
        int warmUp = (int) parse(core("warm-up", Integer.toString(DaemonConfig.DEFAULT_WARM_UP)), DaemonConfig.WARM_UP);
        List<String> targets = overrides.namespaces != null ? overrides.namespaces
                : namespaceSections.isEmpty() ? List.of("") : List.copyOf(namespaceSections.keySet());
        List<NamespaceConfig> namespaces = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String target : targets) {
            if (!seen.add(target)) {
                throw new ConfigException(COMMAND_LINE, 0, null, "-n: namespace '" + target + "' named twice");
            }
            namespaces.add(namespace(target, namespaceSections.get(target)));
        }
        if (reloadOnChange && file == null) {
            throw new ConfigException(COMMAND_LINE, 0, "reload-on-change", "reload-on-change watches the configuration"
                    + " file, and there is none (--config FILE)");
        }
        return new DaemonConfig(file, log, level, format, controlSocket, metrics.text(), warmUp, reloadOnChange, namespaces);
    }

    private NamespaceConfig namespace(String target, IniFile.Section section) throws ConfigException {
        Value pathManager = namespace(section, "path-manager");
        Value policy = namespace(section, "policy");
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
            checkPolicy(policyFile, policyText);
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
                parameters.putAll(parameters(params));
            }
            if (fromFlags) {
                parameters.putAll(overrides.parameters);
            }
            try {
                Controllers.create(name, parameters);
            } catch (IllegalArgumentException e) {
                throw controllerError(params, pathManager, e);
            }
        }
        boolean loopback = false;
        boolean linkLocal = false;
        Value flags = namespace(section, "notify-flags");
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
        int addressFlags = addressFlags(namespace(section, "addr-flags"));
        List<String> interfaces = list(text(namespace(section, "interfaces")));
        List<String> exclude = list(text(namespace(section, "exclude-interfaces")));
        Value idle = or(namespace(section, "idle"), "blocking");
        parse(idle, IdleStrategy::named);
        int receiveBuffer = (int) parse(or(namespace(section, "receive-buffer"), "2M"), DaemonConfig.RECEIVE_BUFFER);
        EventDecoding decoding = parse(or(namespace(section, "decoding"), "java"), EventDecoding::parse);
        Duration timeoutInterval = Duration.ofNanos(parse(or(namespace(section, "timeout-interval"), "100ms"),
                DaemonConfig.TIMEOUT_INTERVAL));
        Duration familyWait = Duration.ofNanos(parse(or(namespace(section, "family-wait"), "10s"),
                DaemonConfig.FAMILY_WAIT));
        Duration controllerStall = Duration.ofNanos(parse(or(namespace(section, "controller-stall"), "30s"),
                DaemonConfig.CONTROLLER_STALL));
        Value priority = or(namespace(section, "loop-priority"), "off");
        int loopPriority = priority.text().equals("off") ? 0 : (int) parse(priority, DaemonConfig.LOOP_PRIORITY);
        Value cpus = or(namespace(section, "loop-cpu"), "off");
        CpuSet loopCpus = cpus.text().equals("off") ? null
                : parseNamed(cpus, (where, text) -> CpuSet.parse(where, text).requireAllowed(where));
        // The loader plugin-dir set (or the one there was): its controllers are this configuration's.
        return new NamespaceConfig(target, name, Map.copyOf(parameters), policyFile, policyText, loopback, linkLocal,
                interfaces, exclude, idle.text(), receiveBuffer, decoding, timeoutInterval, familyWait,
                Map.copyOf(defaults), controllerStall, Thread.currentThread().getContextClassLoader(), loopPriority,
                loopCpus, addressFlags);
    }

    /**
     * mptcpd's addr-flags: subflow, signal, backup, fullmesh (signal and fullmesh exclude each
     * other, as the kernel's endpoints refuse), as {@link MptcpAddress}'s flags; 0 when unset.
     */
    private static int addressFlags(Value v) throws ConfigException {
        int flags = 0;
        for (String flag : list(text(v))) {
            flags |= switch (flag) {
                case "subflow" -> MptcpAddress.FLAG_SUBFLOW;
                case "signal" -> MptcpAddress.FLAG_SIGNAL;
                case "backup" -> MptcpAddress.FLAG_BACKUP;
                case "fullmesh" -> MptcpAddress.FLAG_FULLMESH;
                default -> throw v.wrong("'" + flag + "' is not accepted (subflow, signal, backup, fullmesh)");
            };
        }
        if ((flags & MptcpAddress.FLAG_SIGNAL) != 0 && (flags & MptcpAddress.FLAG_FULLMESH) != 0) {
            throw v.wrong("signal and fullmesh exclude each other");
        }
        return flags;
    }

    private static boolean yesNo(String text) {
        return switch (text) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not accepted (yes, no)");
        };
    }

    /** The policy's rules made once, so that a mistake stops the start with the policy file's line. */
    private void checkPolicy(Path policyFile, String policyText) throws ConfigException {
        try {
            ConnectionPolicy.parse(policyText, defaults);
        } catch (ConnectionPolicy.LineException e) {
            String key = e.getCause() instanceof ParameterException p ? p.parameter() : null;
            throw new ConfigException(policyFile.toString(), e.line(), key, e.problem());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(policyFile.toString(), 0, null, e.getMessage());
        }
    }

    private static Map<String, String> parameters(IniFile.Section section) {
        Map<String, String> parameters = new LinkedHashMap<>();
        section.entries().forEach(e -> parameters.put(e.key(), e.value()));
        return parameters;
    }

    /**
     * A controller's refusal of its parameters: at the line of the parameter it names, else at
     * the flag or the line that chose the controller.
     */
    private ConfigException controllerError(IniFile.Section params, Value pathManager, IllegalArgumentException e) {
        String parameter = e instanceof ParameterException p ? p.parameter() : null;
        IniFile.Entry entry = params == null || parameter == null ? null : params.entry(parameter);
        if (entry != null) {
            return new ConfigException(source, entry.line(), parameter, params.title() + " " + entry.key() + ": "
                    + e.getMessage());
        }
        if (pathManager != null && pathManager.source().equals(COMMAND_LINE)) {
            return new ConfigException(COMMAND_LINE, 0, parameter, pathManager.where() + ": " + e.getMessage());
        }
        return new ConfigException(source, params != null ? params.line() : pathManager != null ? pathManager.line() : 0,
                parameter, e.getMessage());
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

    private static <T> T parse(Value v, Function<String, T> parser) throws ConfigException {
        try {
            return parser.apply(v.text());
        } catch (IllegalArgumentException e) {
            throw v.wrong(e.getMessage());
        }
    }

    /** A number of {@code range}'s kind, in its base unit (bytes, nanoseconds). */
    private static long parse(Value v, ValueRange range) throws ConfigException {
        return parseNamed(v, range::parse);
    }

    /** What {@code parser} makes of the value, given where it was set: its messages name that themselves. */
    private static <T> T parseNamed(Value v, BiFunction<String, String, T> parser) throws ConfigException {
        try {
            return parser.apply(v.where(), v.text());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(v.source(), v.line(), v.key(), e.getMessage());
        }
    }

    private static Value or(Value v, String defaultValue) {
        return v != null ? v : new Value(defaultValue, "default", 0, "default", null);
    }

    private static String text(Value v) {
        return v == null ? "" : v.text();
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private void checkKeys(IniFile.Section s, Set<String> accepted) throws ConfigException {
        IniFile.Entry pathManager = s.entry("path-manager");
        IniFile.Entry policy = s.entry("policy");
        if (pathManager != null && policy != null) {
            throw new ConfigException(source, policy.line(), "policy", s.title() + " policy: path-manager (line "
                    + pathManager.line() + ") and policy exclude each other");
        }
        for (IniFile.Entry e : s.entries()) {
            if (!accepted.contains(e.key())) {
                String hint = s.kind().equals("namespace") && CORE_KEYS.contains(e.key()) ? " (it belongs in [core])" : "";
                throw new ConfigException(source, e.line(), e.key(), "unknown key '" + e.key() + "' in " + s.title() + hint
                        + "; accepted: " + String.join(", ", new TreeSet<>(accepted)));
            }
        }
    }

    private void checkTarget(IniFile.Section s) throws ConfigException {
        String n = s.name();
        if (n.isEmpty()) {
            throw new ConfigException(source, s.line(), null,
                    "[namespace] needs a name: [namespace blue] or [namespace /proc/PID/ns/net]");
        }
        if (!n.startsWith("/") && (n.contains("/") || n.equals(".") || n.equals(".."))) {
            throw new ConfigException(source, s.line(), null,
                    "'" + n + "' is neither a namespace name (ip netns) nor an absolute path");
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new LinkedHashSet<>(a);
        u.addAll(b);
        return u;
    }

    /** A [core] setting: the flag's value, else [core]'s, else {@code defaultValue}. */
    private Value core(String key, String defaultValue) {
        Value v = flag(key);
        if (v != null) {
            return v;
        }
        IniFile.Entry e = core == null ? null : core.entry(key);
        return e != null ? Value.of(core, e, source) : new Value(defaultValue, "default", 0, key, key);
    }

    /** A namespace's setting, or null when nothing sets it: the flag's value, else its section's, else [core]'s. */
    private Value namespace(IniFile.Section section, String key) {
        Value v = flag(key);
        if (v != null) {
            return v;
        }
        // --controller and --policy each replace the other wherever it is set.
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

    private Value flag(String key) {
        DaemonConfig.Overrides.Flag f = overrides.values.get(key);
        return f == null ? null : new Value(f.value(), COMMAND_LINE, 0, f.flag(), key);
    }
}
