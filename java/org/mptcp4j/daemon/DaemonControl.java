package org.mptcp4j.daemon;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import jdk.net.UnixDomainPrincipal;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.ConnectionsCommand;
import org.mptcp4j.command.PathManagerCommands;
import org.mptcp4j.control.ControlHandler;
import org.mptcp4j.control.ControlResponse;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.daemon.ConfigException;
import org.mptcp4j.daemon.Daemon;
import org.mptcp4j.daemon.DaemonException;
import org.mptcp4j.daemon.ManagedNamespace;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpException;

/**
 * What a running daemon answers on its control socket: the command line's words, run against
 * the daemon's own namespaces and path managers ({@code ctl}'s manual lists them). The words
 * (their parser, the path-manager commands, their output) are {@code org.mptcp4j.command}'s,
 * shared with the command line; {@code control} is the protocol alone, knowing no daemon.
 */
public final class DaemonControl implements ControlHandler {
    /** The path-manager commands that work on a daemon's path manager. */
    private static final Set<String> PATH_MANAGER_COMMANDS = Set.of("subflow create", "subflow destroy", "announce",
            "remove", "set-backup", "addrs");
    private static final String COMMANDS = "namespaces, connections, subflows, policy, reload, metrics, "
            + "subflow create, subflow destroy, announce, remove, set-backup, addrs";

    private static final int EINVAL = 22;

    private final Daemon daemon;
    private final Supplier<String> metrics;

    /** @param metrics the Prometheus text of the daemon's metrics (served here also when the endpoint is off) */
    public DaemonControl(Daemon daemon, Supplier<String> metrics) {
        this.daemon = daemon;
        this.metrics = metrics;
    }

    @Override
    public ControlResponse handle(List<String> words, UnixDomainPrincipal peer) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        String command = null;
        try {
            String[] args = commandFirst(words);
            if (args.length == 0) {
                return ControlResponse.error(0, "an empty request (commands: " + COMMANDS + ")");
            }
            command = args[0].equals("subflow") && args.length > 1 ? "subflow " + args[1] : args[0];
            int from = command.indexOf(' ') > 0 ? 2 : 1;
            switch (command) {
                case "namespaces" -> {
                    Arguments.parse(command, args, from, Set.of(), Set.of()).atMostPositional(0);
                    namespaces(out);
                }
                case "connections", "subflows" -> connections(command, Arguments.parse(command, args, from,
                        Set.of("netns", "token"), Set.of("json")).atMostPositional(0), out);
                case "policy" -> policy(Arguments.parse(command, args, from, Set.of("netns", "token"), Set.of()), out);
                case "reload" -> {
                    Arguments.parse(command, args, from, Set.of(), Set.of()).atMostPositional(0);
                    List<String> changes;
                    try {
                        changes = daemon.reload();
                    } catch (ConfigException e) {
                        // The daemon's file is wrong, not the request: a failure (exit 1), the running configuration kept.
                        return ControlResponse.error(EINVAL, "reload: " + e.getMessage() + "; the running configuration is kept");
                    }
                    out.println(changes.isEmpty() ? "reloaded: nothing changed" : "reloaded:");
                    changes.forEach(c -> out.println("  " + c));
                }
                case "metrics" -> {
                    Arguments.parse(command, args, from, Set.of(), Set.of()).atMostPositional(0);
                    metrics.get().lines().filter(l -> !l.isEmpty()).forEach(out::println);
                }
                default -> {
                    if (!PATH_MANAGER_COMMANDS.contains(command)) {
                        return ControlResponse.error(0, "unknown command '" + command + "' (commands: " + COMMANDS + ")");
                    }
                    pathManagerCommand(command, args, from, out);
                    if (buffer.size() == 0) {
                        out.println("done");
                    }
                }
            }
            return ControlResponse.ok(buffer.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isEmpty()).toList());
        } catch (UsageException e) {
            return ControlResponse.error(0, (e.command != null ? e.command + ": " : "") + e.getMessage());
        } catch (MptcpException e) {
            return ControlResponse.error(e.errno(), e.getMessage());
        } catch (IllegalArgumentException e) { // what the request named does not exist or is refused
            return ControlResponse.error(0, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ControlResponse.error(0, "internal error: interrupted");
        } catch (Exception e) { // the daemon failed, not the request
            return ControlResponse.error(0, "internal error: " + (command != null ? command + ": " : "")
                    + (e instanceof DaemonException ? e.getMessage() : e.toString()));
        }
    }

    /** The words with the command first: ctl sends options where the user typed them (-n NAME connections). */
    private static String[] commandFirst(List<String> words) {
        List<String> options = new ArrayList<>();
        int i = 0;
        while (i < words.size() && words.get(i).startsWith("-")) {
            String w = words.get(i++);
            options.add(w);
            if ((w.equals("-n") || w.equals("--netns")) && i < words.size()) {
                options.add(words.get(i++));
            }
        }
        List<String> ordered = new ArrayList<>(words.subList(i, words.size()));
        ordered.addAll(options);
        return ordered.toArray(String[]::new);
    }

    /**
     * A path-manager command on the daemon's own path manager, on the namespace's loop thread
     * (between events, as the controllers' commands); the ids it used are then kept by the
     * controllers' allocator, so that they never give one to another address.
     */
    private void pathManagerCommand(String command, String[] args, int from, PrintStream out) throws Exception {
        ManagedNamespace m = daemon.namespace(valueOf(args, from, "-n", "--netns", "netns"));
        PathManagerCommands commands = new PathManagerCommands(out, out,
                a -> new PathManagerCommands.Target(m.namespace(), m.pathManager(), false));
        m.onLoop(host -> {
            int status = commands.run(command, args, from);
            String token = valueOf(args, from, "token", "--token");
            if (token != null && (command.equals("subflow create") || command.equals("announce"))) {
                host.adoptAddresses(Arguments.parse(command, new String[] {"token", token}, 0, Set.of("token"), Set.of())
                        .requireToken());
            }
            return status;
        });
    }

    /** The word after the first of {@code keys}, or null; the command checks every word itself. */
    private static String valueOf(String[] args, int from, String... keys) {
        for (int i = from; i + 1 < args.length; i++) {
            for (String key : keys) {
                if (args[i].equals(key)) {
                    return args[i + 1];
                }
            }
        }
        return null;
    }

    private ManagedNamespace namespace(Arguments a) {
        return daemon.namespace(a.has("netns") ? a.get("netns", "") : null);
    }

    private void namespaces(PrintStream out) {
        for (ManagedNamespace m : daemon.namespaces()) {
            out.println(m.label() + ": " + m.controller() + ", idle " + m.config().idle() + m.config().loopSchedulingText()
                    + (m.running() ? "" : ", event loop stopped"));
        }
    }

    /** Each connection with the controller managing it; {@code subflows} prints the subflow lines only. */
    private void connections(String command, Arguments a, PrintStream out) throws Exception {
        ManagedNamespace m = namespace(a);
        Integer only = a.has("token") ? a.requireToken() : null;
        List<ConnectionInfo> all = new ArrayList<>();
        for (ConnectionInfo c : m.connections()) {
            if (only == null || c.token() == only) {
                all.add(c);
            }
        }
        if (only != null && all.isEmpty()) {
            throw new IllegalArgumentException("no connection with token " + EventFormat.token(only) + " in " + m.label());
        }
        Map<Integer, String> managers = m.onLoop(host -> {
            Map<Integer, String> names = new HashMap<>();
            for (ConnectionInfo c : all) {
                Controller chosen = host.controllerOf(c.token());
                names.put(c.token(), chosen == null ? "none" : chosen.toString());
            }
            return names;
        });
        if (a.has("json")) {
            List<String> objects = new ArrayList<>();
            for (ConnectionInfo c : all) {
                objects.add("{\"netns\":" + EventFormat.jsonString(m.label()) + ",\"controller\":"
                        + EventFormat.jsonString(managers.get(c.token())) + "," + ConnectionsCommand.json(c).substring(1));
            }
            out.println("[" + String.join(",", objects) + "]");
            return;
        }
        for (ConnectionInfo c : all) {
            List<String> lines = ConnectionsCommand.text(c).lines().toList();
            if (command.equals("subflows")) {
                String token = EventFormat.token(c.token());
                lines.stream().skip(1).forEach(l -> out.println("token " + token + l.substring(1)));
            } else {
                out.println(lines.get(0) + ", managed by " + managers.get(c.token()));
                lines.stream().skip(1).forEach(out::println);
            }
        }
    }

    /** Shows the rules, or hands one connection to a controller: {@code policy token T NAME [PARAM=VALUE ...]}. */
    private void policy(Arguments a, PrintStream out) throws Exception {
        if (!a.has("token")) {
            a.atMostPositional(0);
            List<ManagedNamespace> shown = a.has("netns") ? List.of(namespace(a)) : daemon.namespaces();
            for (ManagedNamespace m : shown) {
                out.println(m.label() + ": " + m.controller());
            }
            return;
        }
        int token = a.requireToken();
        List<String> words = a.positional();
        if (words.isEmpty()) {
            throw new UsageException("policy", "missing the controller: policy token T CONTROLLER [PARAM=VALUE ...]");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String word : words.subList(1, words.size())) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("policy", "'" + word + "' is not PARAM=VALUE");
            }
            parameters.put(word.substring(0, eq), word.substring(eq + 1));
        }
        ManagedNamespace m = namespace(a);
        Controller c = m.assign(token, words.get(0), parameters);
        out.println("connection " + EventFormat.token(token) + " in " + m.label() + " is managed by " + c);
    }
}
