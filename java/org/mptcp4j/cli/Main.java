package org.mptcp4j.cli;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.mptcp4j.cli.Arguments.UsageException;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.demo.Demo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.loop.IdleStrategy;
import org.mptcp4j.netlink.NativeLibrary;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.EventFormat;
import org.mptcp4j.pm.KernelSupport;
import org.mptcp4j.pm.MptcpEventType;
import org.mptcp4j.pm.MptcpException;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;

/** The {@code mptcp4j} command. Exit status: 0 done, 1 failed, 2 command-line mistake. */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            Usage: mptcp4j COMMAND [OPTIONS]

            A userspace path manager for Multipath TCP: hears the kernel's MPTCP events and
            decides which subflows each connection gets.

            Commands:
              demo           two namespaced hosts, a real MPTCP transfer, mptcp4j opening its subflows
              monitor        print every MPTCP event of a network namespace, one line each
              run            manage the subflows of a namespace's connections with a controller
              path-manager   show or select the path manager (kernel or userspace) of a namespace
              version        print the versions of mptcp4j and of the libnl it uses
              help COMMAND   the manual of a command

            Needs Linux 5.19 or later with MPTCP, and root or CAP_NET_ADMIN.
            """;

    private static final Map<String, String> HELP = Map.of(
            "monitor", """
                    Usage: mptcp4j monitor [--netns NAME] [--json] [--count N] [--types T,...] [--busy-poll]

                    Prints every MPTCP event of a network namespace as it happens, one line per
                    event with every attribute the kernel sent, like 'ip mptcp monitor':
                      [     ESTABLISHED] token=1c0ffee5 family=2 loc_id=0 rem_id=0 saddr4=... dport=5201

                    Options:
                      -n, --netns NAME   the namespace (ip netns add NAME); default: this one
                      --json             one JSON object per line instead
                      --count N          exit after N events
                      --types T,...      only these event types, e.g. CREATED,SUB_CLOSED
                                         (the others are dropped before they reach Java)
                      --busy-poll        poll without sleeping (one core busy, lowest latency)

                    Needs CAP_NET_ADMIN in the namespace to join the kernel's event group.
                    """,
            "run", """
                    Usage: mptcp4j run [--netns NAME] [--subflows N | --per-address] [--idle STRATEGY]
                                       [--receive-buffer BYTES] [--verbose]

                    Manages the MPTCP connections of a namespace with the ndiffports controller
                    until interrupted: when a connection this host opened is established, it opens
                      --subflows N     N more subflows over the same address pair, from different
                                       source ports (default 2, at most 8), or
                      --per-address    one more subflow from each other local address.

                    The namespace must use the userspace path manager for its new connections
                    (mptcp4j path-manager userspace); connections of the in-kernel one are left alone.

                    Options:
                      -n, --netns NAME        the namespace; default: this one
                      --idle STRATEGY         blocking (default), busy-spin or yielding
                      --receive-buffer BYTES  the event socket's receive buffer (default 2097152)
                      --verbose               print every event as 'monitor' does
                    """,
            "path-manager", """
                    Usage: mptcp4j path-manager [--netns NAME] [kernel | userspace]

                    Without an argument, prints the path manager new MPTCP connections of the
                    namespace get. With one, selects it: 'userspace' lets mptcp4j decide.
                    Sets net.mptcp.path_manager (Linux 6.15), or net.mptcp.pm_type before.
                    Existing connections keep the path manager they started with.

                    Options:
                      -n, --netns NAME   the namespace; default: this one
                    """,
            "demo", """
                    Usage: mptcp4j demo [--subflows N | --per-address] [--megabytes M] [--rate MBIT] [--busy-poll]

                    Creates two hosts in their own network namespaces joined by two veth paths,
                    selects the userspace path manager on the client, runs mptcp4j there with the
                    ndiffports controller, and sends data over MPTCP from client to server. Prints
                    the events as they come and the bytes each subflow carried, then deletes
                    everything it created (also on Ctrl-C). Needs root.

                    Options:
                      --subflows N     extra subflows over the first path (default 2)
                      --per-address    instead, one extra subflow from the second path's address
                      --megabytes M    data to send (default 64)
                      --rate MBIT      rate limit of each client path with tc tbf (default 200; 0: none)
                      --busy-poll      run the event loop busy-polling
                    """,
            "version", """
                    Usage: mptcp4j version

                    Prints the versions of mptcp4j and of the libnl it was built against.
                    """);

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // One line per log record, for a terminal.
        System.setProperty("java.util.logging.SimpleFormatter.format", "mptcp4j: %4$s: %5$s%6$s%n");
        System.exit(new Main(System.out, System.err).execute(args));
    }

    int execute(String[] args) {
        if (args.length == 0) {
            err.print(USAGE_TEXT);
            return USAGE;
        }
        String command = args[0];
        try {
            return switch (command) {
                case "help", "--help", "-h" -> help(args);
                case "monitor" -> withHelp(command, args, this::monitor);
                case "run" -> withHelp(command, args, this::run);
                case "path-manager" -> withHelp(command, args, this::pathManager);
                case "demo" -> withHelp(command, args, a -> new Demo(out).run(demoOptions(a)));
                case "version" -> withHelp(command, args, this::version);
                default -> throw new UsageException(null, "unknown command '" + command + "'");
            };
        } catch (UsageException e) {
            String see = e.command == null ? "mptcp4j help" : "mptcp4j help " + e.command;
            err.println("mptcp4j" + (e.command == null ? "" : " " + e.command) + ": " + e.getMessage()
                    + " (see '" + see + "')");
            return USAGE;
        } catch (MptcpException | UncheckedIOException | IllegalArgumentException e) {
            err.println("mptcp4j " + command + ": " + e.getMessage());
            return FAILED;
        } catch (Exception e) {
            err.println("mptcp4j " + command + ": " + e);
            if (System.getenv("MPTCP4J_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return FAILED;
        }
    }

    private interface Command {
        int run(String[] args) throws Exception;
    }

    private int withHelp(String command, String[] args, Command body) throws Exception {
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.print(HELP.get(command));
                return OK;
            }
        }
        return body.run(args);
    }

    private int help(String[] args) {
        if (args.length < 2) {
            out.print(USAGE_TEXT);
            return OK;
        }
        String text = HELP.get(args[1]);
        if (text == null) {
            throw new UsageException(null, "no command '" + args[1] + "'");
        }
        out.print(text);
        return OK;
    }

    private static final Map<String, String> NETNS_ALIAS = Map.of("-n", "--netns");

    private static NetworkNamespace namespace(Arguments a) {
        return a.has("--netns") ? NetworkNamespace.named(a.get("--netns", "")) : NetworkNamespace.current();
    }

    private int monitor(String[] args) throws Exception {
        Arguments a = Arguments.parse("monitor", args, 1, Set.of("--netns", "--count", "--types"),
                Set.of("--json", "--busy-poll"), NETNS_ALIAS).atMostPositional(0);
        long count = a.getInt("--count", 0, 0, Integer.MAX_VALUE);
        boolean json = a.has("--json");
        MptcpEventType[] types = a.has("--types") ? eventTypes("monitor", a.get("--types", "")) : null;
        try (NetworkNamespace ns = namespace(a)) {
            KernelSupport.requireMptcp(ns);
            AtomicLong seen = new AtomicLong();
            EventLoop[] self = new EventLoop[1];
            EventLoop.Builder builder = EventLoop.builder(event -> {
                // The rest of a batch still arrives after stop(): print no more than asked.
                if (count > 0 && seen.get() >= count) {
                    return;
                }
                out.println(json ? EventFormat.json(event) : EventFormat.line(event));
                out.flush();
                if (count > 0 && seen.incrementAndGet() >= count) {
                    self[0].stop();
                }
            }).namespace(ns).idleStrategy(a.has("--busy-poll") ? IdleStrategy.busySpin() : IdleStrategy.blocking());
            if (types != null) {
                builder.eventTypes(types);
            }
            try (EventLoop loop = builder.build()) {
                self[0] = loop;
                err.println("mptcp4j monitor: listening to the MPTCP events of " + ns);
                runUntilInterrupted(loop);
            }
        }
        return OK;
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
        Arguments a = Arguments.parse("run", args, 1, Set.of("--netns", "--subflows", "--idle", "--receive-buffer"),
                Set.of("--per-address", "--verbose"), NETNS_ALIAS).atMostPositional(0);
        if (a.has("--per-address") && a.has("--subflows")) {
            throw new UsageException("run", "--subflows and --per-address exclude each other");
        }
        NDiffPortsController controller = a.has("--per-address") ? NDiffPortsController.perLocalAddress()
                : NDiffPortsController.sameAddressPair(a.getInt("--subflows", 2, 1, 8));
        IdleStrategy idle;
        try {
            idle = IdleStrategy.named(a.get("--idle", "blocking"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("run", e.getMessage());
        }
        int receiveBuffer = a.getInt("--receive-buffer", 2 << 20, 4096, 1 << 30);
        boolean verbose = a.has("--verbose");
        try (NetworkNamespace ns = namespace(a)) {
            PathManagerMode.requireUserspace(ns);
            try (PathManager pm = PathManager.open(ns)) {
                ControllerHost host = new ControllerHost(controller, pm);
                try (EventLoop loop = EventLoop.builder(event -> {
                    if (verbose) {
                        out.println(EventFormat.line(event));
                        out.flush();
                    }
                    host.onEvent(event);
                }).namespace(ns).idleStrategy(idle).receiveBufferBytes(receiveBuffer).build()) {
                    host.start();
                    err.println("mptcp4j run: managing " + ns + " with " + controller + ", idle " + idle);
                    runUntilInterrupted(loop);
                    host.stop();
                }
            }
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
        Arguments a = Arguments.parse("path-manager", args, 1, Set.of("--netns"), Set.of(), NETNS_ALIAS)
                .atMostPositional(1);
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
        Arguments a = Arguments.parse("demo", args, 1, Set.of("--subflows", "--megabytes", "--rate"),
                Set.of("--per-address", "--busy-poll"), Map.of()).atMostPositional(0);
        if (a.has("--per-address") && a.has("--subflows")) {
            throw new UsageException("demo", "--subflows and --per-address exclude each other");
        }
        return new Demo.Options(a.getInt("--subflows", 2, 1, 8), a.has("--per-address"),
                a.getInt("--megabytes", 64, 1, 100_000), a.getInt("--rate", 200, 0, 100_000), a.has("--busy-poll"));
    }

    private int version(String[] args) {
        Arguments.parse("version", args, 1, Set.of(), Set.of(), Map.of()).atMostPositional(0);
        String version = Main.class.getPackage().getImplementationVersion();
        out.println("mptcp4j " + (version != null ? version : "(development build)") + ", built on "
                + NativeLibrary.libnl() + ", native library from " + NativeLibrary.origin());
        return OK;
    }
}
