package org.mptcp4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.mptcp4j.cli.Arguments.UsageException;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.controller.Controllers;
import org.mptcp4j.daemon.ConfigException;
import org.mptcp4j.daemon.Daemon;
import org.mptcp4j.daemon.DaemonConfig;
import org.mptcp4j.daemon.DaemonException;
import org.mptcp4j.daemon.PluginDirectory;
import org.mptcp4j.demo.Demo;
import org.mptcp4j.diag.LocalAddressFilter;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.loop.IdleStrategy;
import org.mptcp4j.metrics.TextFormat;
import org.mptcp4j.netlink.NativeLibrary;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.EventFormat;
import org.mptcp4j.pm.KernelSupport;
import org.mptcp4j.pm.MptcpEventType;
import org.mptcp4j.pm.MptcpException;
import org.mptcp4j.pm.PathManagerMode;

/** The {@code mptcp4j} command. Exit status: 0 done, 1 failed, 2 command-line mistake. */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** What was asked about is not there ('exists'): an answer, not a failure. */
    static final int ABSENT = 3;

    private static final String USAGE_TEXT = Manuals.MPTCP4J;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this(System.in, out, err);
    }

    /** @param in what {@code -batch -} reads */
    Main(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // mptcp4j's own structured log lines, unless the operator named another SLF4J binding.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.mptcp4j.logging.LogfmtServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN"); // not SLF4J's note that it was chosen
        }
        System.exit(new Main(System.in, System.out, System.err).execute(args));
    }

    int execute(String[] args) {
        Invocation invocation;
        try {
            invocation = Invocation.parse(args);
        } catch (UsageException e) {
            return mistake(e, null);
        }
        if (invocation.batch() != null) {
            return batch(invocation);
        }
        String[] words = invocation.words(null);
        if (words.length == 0) {
            err.print(USAGE_TEXT);
            return USAGE;
        }
        return command(words, null, null);
    }

    /**
     * The options before the command, in ip's words: {@code -n NAME} (added to the command's
     * words, or to every line's), {@code -batch FILE} and {@code -force}.
     */
    private record Invocation(String netns, String batch, boolean force, String[] command) {
        static Invocation parse(String[] args) {
            String netns = null;
            String batch = null;
            boolean force = false;
            int i = 0;
            options:
            for (; i < args.length; i++) {
                switch (args[i]) {
                    case "-n", "-netns", "--netns" -> netns = value(args, i++, netns);
                    case "-batch", "--batch" -> batch = value(args, i++, batch);
                    case "-force", "--force" -> force = true;
                    default -> {
                        break options;
                    }
                }
            }
            if (force && batch == null) {
                throw new UsageException(null, "-force goes with -batch FILE");
            }
            if (batch != null && i < args.length) {
                throw new UsageException(null, "the commands of -batch come from its file: nothing may follow it, not '"
                        + args[i] + "'");
            }
            return new Invocation(netns, batch, force, Arrays.copyOfRange(args, i, args.length));
        }

        private static String value(String[] args, int i, String earlier) {
            if (i + 1 >= args.length) {
                throw new UsageException(null, "'" + args[i] + "' needs a value");
            }
            if (earlier != null) {
                throw new UsageException(null, "'" + args[i] + "' given twice");
            }
            return args[i + 1];
        }

        /** The command's words, with -n NAME for this invocation's namespace and for {@code outer}'s. */
        String[] words(String outer) {
            List<String> words = new ArrayList<>(List.of(command));
            for (String name : new String[] {netns, outer}) {
                if (name != null && !words.isEmpty()) {
                    words.add("-n");
                    words.add(name);
                }
            }
            return words.toArray(String[]::new);
        }
    }

    /**
     * Runs the lines of the batch file in turn, and stops at the first that fails unless
     * -force: then goes on. Exit status: 0, or the first failed line's.
     */
    private int batch(Invocation invocation) {
        String file = invocation.batch();
        int status = OK;
        // Malformed UTF-8 becomes U+FFFD, which no command takes: the line is refused, not the file.
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(file.equals("-") ? in
                : Files.newInputStream(Path.of(file)), StandardCharsets.UTF_8));
                Batch batch = new Batch(out, err)) {
            int number = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String location = file + ":" + ++number;
                int result = line(line, location, invocation.netns(), batch);
                if (result != OK && result != ABSENT) {
                    status = status == OK ? result : status;
                    if (!invocation.force()) {
                        break;
                    }
                }
            }
        } catch (IOException | InvalidPathException e) {
            err.println("mptcp4j: -batch " + file + ": " + (e instanceof NoSuchFileException
                    ? "no such file" : e.getMessage()));
            return FAILED;
        }
        return status;
    }

    /** One line of a batch: its status, OK for a blank or comment line. */
    private int line(String line, String location, String netns, Batch batch) {
        Invocation invocation;
        try {
            List<String> words = Batch.words(line);
            if (words.isEmpty()) {
                return OK;
            }
            invocation = Invocation.parse(words.toArray(String[]::new));
            if (invocation.batch() != null) {
                throw new UsageException(null, "-batch within a batch");
            }
            if (invocation.command().length == 0) {
                throw new UsageException(null, "options and no command");
            }
        } catch (UsageException e) {
            return mistake(e, location);
        } catch (IllegalArgumentException e) { // a quote left open
            return mistake(new UsageException(null, e.getMessage()), location);
        }
        return command(invocation.words(netns), location, batch);
    }

    /**
     * Runs one command; a mistake or failure is reported on stderr, on the command line as
     * "mptcp4j COMMAND: ...", in a batch as "mptcp4j: FILE:LINE: COMMAND: ...".
     *
     * @param batch the batch the command is a line of, or null
     */
    private int command(String[] args, String location, Batch batch) {
        String command = args[0];
        try {
            command = commandName(args);
            int from = command.indexOf(' ') > 0 ? 2 : 1;
            if (wantsHelp(args, from)) {
                return help(new String[] {"help", command});
            }
            if (batch != null && Batch.UNTIL_INTERRUPTED.contains(command)) {
                throw new UsageException(null, "'" + command + "' runs until interrupted: not in a batch");
            }
            return switch (command) {
                case "help", "--help", "-h" -> help(args);
                case "monitor" -> monitor(args);
                case "run" -> run(args);
                case "controllers" -> controllers(args);
                case "path-manager" -> pathManager(args);
                case "connections" -> new ConnectionsCommand(out).run(args);
                case "record" -> new RecordCommand(err).run(args);
                case "ctl" -> new ControlCommand(out, err).run(args);
                case "demo" -> new Demo(out).run(demoOptions(args));
                case "version" -> version(args);
                default -> {
                    if (!PathManagerCommands.COMMANDS.contains(command)) {
                        throw new UsageException(null, "unknown command '" + command + "'");
                    }
                    yield (batch != null ? batch.commands() : new PathManagerCommands(out, err)).run(command, args, from);
                }
            };
        } catch (UsageException e) {
            return mistake(e, location);
        } catch (MptcpException | UncheckedIOException | IllegalArgumentException | DaemonException e) {
            err.println(where(location, command) + ": " + e.getMessage());
            return FAILED;
        } catch (Exception e) {
            err.println(where(location, command) + ": " + e);
            if (System.getenv("MPTCP4J_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return FAILED;
        }
    }

    /** A command-line mistake: what it is, then the command's usage lines. */
    private int mistake(UsageException e, String location) {
        err.println(where(location, e.command) + ": " + e.getMessage());
        String usage = e.command == null ? null : Manuals.usage(e.command);
        if (usage == null) {
            err.println("See 'mptcp4j help'.");
        } else {
            err.print(usage);
        }
        return USAGE;
    }

    /** How a message begins: "mptcp4j COMMAND" on the command line, "mptcp4j: FILE:LINE: COMMAND" in a batch. */
    private static String where(String location, String command) {
        if (location == null) {
            return command == null ? "mptcp4j" : "mptcp4j " + command;
        }
        return "mptcp4j: " + location + (command == null ? "" : ": " + command);
    }

    /** "subflow create", "endpoint show", "limits set" are two words; the rest one. */
    private static String commandName(String[] args) {
        String first = args[0];
        boolean group = first.equals("subflow") || first.equals("endpoint") || first.equals("limits");
        if (!group) {
            return first;
        }
        if (args.length < 2 || args[1].startsWith("-")) {
            throw new UsageException(null, "'" + first + "' needs a subcommand: " + switch (first) {
                case "subflow" -> "create or destroy";
                case "endpoint" -> "add, delete, show, flush or set";
                default -> "show or set";
            });
        }
        return first + " " + args[1];
    }

    private static boolean wantsHelp(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                return true;
            }
        }
        return false;
    }

    private int help(String[] args) {
        if (args.length < 2) {
            out.print(USAGE_TEXT);
            return OK;
        }
        String command = args.length > 2 ? args[1] + " " + args[2] : args[1];
        String text = Manuals.page(command);
        if (text == null) {
            // A group: the manuals of its subcommands.
            List<String> group = Manuals.commands().stream().filter(name -> name.startsWith(command + " ")).toList();
            if (group.isEmpty()) {
                throw new UsageException(null, "no command '" + command + "'");
            }
            group.forEach(name -> out.print(Manuals.page(name) + "\n"));
            return OK;
        }
        out.print(text);
        return OK;
    }

    static NetworkNamespace namespace(Arguments a) {
        return a.has("netns") ? NetworkNamespace.named(a.get("netns", "")) : NetworkNamespace.current();
    }

    /** Blocks until SIGINT or SIGTERM, then runs {@code onStop} before the JVM exits. */
    static void awaitInterrupt(Runnable onStop) throws InterruptedException {
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            onStop.run();
            stopped.countDown();
        }, "mptcp4j-shutdown"));
        stopped.await();
    }

    private int monitor(String[] args) throws Exception {
        Arguments a = Arguments.parse("monitor", args, 1, Set.of("netns", "count", "types", "decoding", "dev", "not-dev"),
                Set.of("json", "busy-poll", "timestamp", "loopback", "link-local")).atMostPositional(0);
        long count = a.getInt("count", 0, 0, Integer.MAX_VALUE);
        boolean json = a.has("json");
        EventClock clock = a.has("timestamp") ? new EventClock() : null;
        MptcpEventType[] types = a.has("types") ? eventTypes("monitor", a.get("types", "")) : null;
        LocalAddressFilter filter = localAddressFilter(a);
        try (NetworkNamespace ns = namespace(a)) {
            KernelSupport.requireMptcp(ns);
            AtomicLong seen = new AtomicLong();
            EventLoop[] self = new EventLoop[1];
            EventLoop.Builder builder = EventLoop.builder(event -> {
                // The rest of a batch still arrives after stop(): print no more than asked.
                if (count > 0 && seen.get() >= count) {
                    return;
                }
                String time = clock == null ? null : clock.format(event.receivedNanos());
                if (json) {
                    String object = EventFormat.json(event);
                    out.println(time == null ? object : "{\"time\":\"" + time + "\"," + object.substring(1));
                } else {
                    out.println(time == null ? EventFormat.line(event) : time + " " + EventFormat.line(event));
                }
                out.flush();
                if (count > 0 && seen.incrementAndGet() >= count) {
                    self[0].stop();
                }
            }).namespace(ns).idleStrategy(a.has("busy-poll") ? IdleStrategy.busySpin() : IdleStrategy.blocking())
                    .decoding(decoding("monitor", a));
            if (types != null) {
                builder.eventTypes(types);
            }
            builder.localAddressFilter(filter);
            try (EventLoop loop = builder.build()) {
                self[0] = loop;
                err.println("mptcp4j monitor: listening to the MPTCP events" + (loop.watchesLocalAddresses() ? " and local address changes" : "") + " of " + ns);
                runUntilInterrupted(loop);
            }
        }
        return OK;
    }

    private static LocalAddressFilter localAddressFilter(Arguments a) {
        LocalAddressFilter filter = LocalAddressFilter.standard();
        if (a.has("loopback")) {
            filter = filter.withLoopback();
        }
        if (a.has("link-local")) {
            filter = filter.withLinkLocal();
        }
        if (a.has("dev")) {
            filter = filter.allow(interfaceNames("monitor", a.get("dev", "")));
        }
        if (a.has("not-dev")) {
            filter = filter.deny(interfaceNames("monitor", a.get("not-dev", "")));
        }
        return filter;
    }

    private static List<String> interfaceNames(String command, String list) {
        List<String> names = new ArrayList<>();
        for (String name : list.split(",")) {
            String n = name.trim();
            if (n.isEmpty() || n.length() > 15 || n.contains("/") || n.contains(":")) {
                throw new UsageException(command, "'" + n + "' is not an interface name");
            }
            names.add(n);
        }
        return names;
    }

    private static EventDecoding decoding(String command, Arguments a) {
        String name = a.get("decoding", "java");
        return switch (name) {
            case "native" -> EventDecoding.NATIVE;
            case "java" -> EventDecoding.JAVA;
            default -> throw new UsageException(command, "'decoding' is native or java, not '" + name + "'");
        };
    }

    private static MptcpEventType[] eventTypes(String command, String list) {
        String[] names = list.split(",");
        MptcpEventType[] types = new MptcpEventType[names.length];
        for (int i = 0; i < names.length; i++) {
            try {
                types[i] = MptcpEventType.valueOf(names[i].trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException(command, "unknown event type '" + names[i].trim() + "' (types: "
                        + java.util.Arrays.toString(MptcpEventType.values()) + ")");
            }
        }
        return types;
    }

    private int run(String[] args) throws Exception {
        Arguments a = Arguments.parse("run", args, 1, Set.of("netns", "subflows", "idle", "receive-buffer", "decoding",
                "controller", "policy", "config", "log-level", "log-format", "metrics", "control-socket", "plugin-dir",
                "loop-priority", "loop-cpu", "warm-up"),
                Set.of("per-address", "verbose"));
        DaemonConfig.Overrides overrides = runOverrides(a);
        Path file = a.has("config") ? Path.of(a.get("config", ""))
                : Files.exists(DaemonConfig.DEFAULT_FILE) ? DaemonConfig.DEFAULT_FILE : null;
        boolean verbose = a.has("verbose");
        Daemon.Listener listener = new Daemon.Listener() {
            @Override
            public void discovered(String label, DiscoveredConnection d) {
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
        try {
            daemon.installSignalHandlers(); // first: a SIGHUP while starting is a reload, not the JVM's exit
            daemon.start();
            daemon.serveControl(new DaemonControl(daemon, () -> TextFormat.write(daemon.metrics(), true)));
            daemon.serveMetrics();
        } catch (ConfigException e) {
            daemon.close();
            if (e.getMessage().startsWith(DaemonConfig.COMMAND_LINE + ": ")) { // a flag's value: a usage error
                throw new UsageException("run", e.getMessage().substring(DaemonConfig.COMMAND_LINE.length() + 2));
            }
            err.println("mptcp4j run: " + e.getMessage());
            return USAGE;
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
        return OK;
    }

    /** What run's flags set, over the configuration file. */
    private static DaemonConfig.Overrides runOverrides(Arguments a) {
        long ways = java.util.stream.Stream.of("subflows", "per-address", "controller", "policy").filter(a::has).count();
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
            List<String> names = java.util.Arrays.stream(a.get("netns", "").split(",")).map(String::strip).toList();
            if (names.stream().anyMatch(String::isEmpty)) {
                throw new UsageException("run", "--netns takes NAME[,NAME...]: '" + a.get("netns", "") + "'");
            }
            o.namespaces(names);
        }
        return o;
    }

    private int controllers(String[] args) {
        Arguments a = Arguments.parse("controllers", args, 1, Set.of("plugin-dir"), Set.of()).atMostPositional(0);
        if (a.has("plugin-dir")) {
            Path dir = Path.of(a.get("plugin-dir", ""));
            try {
                PluginDirectory.load(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        for (ControllerProvider p : Controllers.providers()) {
            out.println(p.name() + ": " + p.description());
            int width = p.parameters().keySet().stream().mapToInt(String::length).max().orElse(0);
            p.parameters().forEach((name, meaning) -> out.println("  " + name + " ".repeat(width - name.length() + 2)
                    + meaning));
        }
        return OK;
    }

    /** Runs the loop on this thread; SIGINT / SIGTERM stop it so that everything is closed in order. */
    private static void runUntilInterrupted(EventLoop loop) {
        Thread hook = new Thread(() -> {
            loop.stop();
            try {
                loop.awaitTermination();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mptcp4j-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            loop.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped the loop
            }
        }
    }

    private int pathManager(String[] args) {
        Arguments a = Arguments.parse("path-manager", args, 1, Set.of("netns"), Set.of()).atMostPositional(1);
        try (NetworkNamespace ns = namespace(a)) {
            if (a.positional().isEmpty()) {
                out.println(PathManagerMode.of(ns).sysctlName());
                return OK;
            }
            PathManagerMode mode;
            try {
                mode = PathManagerMode.parse(a.positional().get(0));
            } catch (IllegalArgumentException e) {
                throw new UsageException("path-manager", e.getMessage());
            }
            PathManagerMode.set(ns, mode);
            out.println(PathManagerMode.of(ns).sysctlName());
            return OK;
        }
    }

    private Demo.Options demoOptions(String[] args) {
        Arguments a = Arguments.parse("demo", args, 1, Set.of("subflows", "megabytes", "rate"),
                Set.of("per-address", "busy-poll")).atMostPositional(0);
        if (a.has("per-address") && a.has("subflows")) {
            throw new UsageException("demo", "--subflows and --per-address exclude each other");
        }
        return new Demo.Options(a.getInt("subflows", 2, 1, 8), a.has("per-address"),
                a.getInt("megabytes", 64, 1, 100_000), a.getInt("rate", 200, 0, 100_000), a.has("busy-poll"));
    }

    private int version(String[] args) {
        Arguments.parse("version", args, 1, Set.of(), Set.of()).atMostPositional(0);
        String version = Main.class.getPackage().getImplementationVersion();
        out.println("mptcp4j " + (version != null ? version : "(development build)") + ", built on "
                + NativeLibrary.libnl() + ", native library from " + NativeLibrary.origin());
        return OK;
    }
}
