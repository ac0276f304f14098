package org.mptcp4j.command;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.Limits;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.text.AddressText;

/**
 * The path manager's commands on the command line, in {@code ip mptcp}'s words where it has
 * them: userspace-PM commands on one connection (announce, remove, subflow create|destroy,
 * set-backup, addrs, listen, exists), v0.95's event-filter, and the in-kernel PM's endpoints and limits.
 */
public final class PathManagerCommands {
    /**
     * The commands this class runs (their manuals are {@code cli.Manuals.PATH_MANAGER}, loaded only
     * for help: a one-shot command should not pay for every manual's text).
     */
    public static final Set<String> COMMANDS = Set.of("announce", "remove", "subflow create", "subflow destroy", "set-backup",
            "addrs", "listen", "exists", "event-filter", "endpoint add", "endpoint delete", "endpoint show",
            "endpoint flush", "endpoint change", "limits show", "limits set");

    private static final Map<String, Integer> ENDPOINT_FLAGS = Map.of(
            "signal", MptcpAddress.FLAG_SIGNAL, "subflow", MptcpAddress.FLAG_SUBFLOW,
            "backup", MptcpAddress.FLAG_BACKUP, "fullmesh", MptcpAddress.FLAG_FULLMESH,
            "laminar", MptcpAddress.FLAG_LAMINAR);

    private final PrintStream out;
    private final PrintStream err;
    private final Function<Arguments, Target> targets;
    /** Lines of a batch: nothing may wait for an interrupt, the path managers outlive the command. */
    private final boolean batch;

    /**
     * The namespace and path manager a command works on: opened for it and closed after, or a
     * running daemon's, left open.
     */
    public record Target(NetworkNamespace namespace, PathManager pathManager, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                pathManager.close();
                namespace.close();
            }
        }
    }

    /** Commands that open the namespace named by -n and a path manager there. */
    public PathManagerCommands(PrintStream out, PrintStream err) {
        this(out, err, PathManagerCommands::open, false);
    }

    /** Commands run against {@code targets}' path managers (a daemon's, over its control socket). */
    public PathManagerCommands(PrintStream out, PrintStream err, Function<Arguments, Target> targets) {
        this(out, err, targets, false);
    }

    private PathManagerCommands(PrintStream out, PrintStream err, Function<Arguments, Target> targets, boolean batch) {
        this.out = out;
        this.err = err;
        this.targets = targets;
        this.batch = batch;
    }

    /** The lines of a batch, against {@code targets}' path managers, which stay open between lines. */
    public static PathManagerCommands batch(PrintStream out, PrintStream err, Function<Arguments, Target> targets) {
        return new PathManagerCommands(out, err, targets, true);
    }

    /** The namespace named by -n (or this one) and a path manager there, both the caller's to close. */
    public static Target open(Arguments a) {
        NetworkNamespace ns = Commands.namespace(a);
        try {
            return new Target(ns, PathManager.open(ns), true);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** Runs {@code command} ("announce", "endpoint add", ...) with the words after it. */
    public int run(String command, String[] args, int from) throws Exception {
        return switch (command) {
            case "announce" -> announce(Arguments.parse(command, args, from,
                    Set.of("netns", "id", "token", "port", "dev"), Set.of("backup", "listen")));
            case "remove" -> remove(Arguments.parse(command, args, from, Set.of("netns", "id", "token"), Set.of()));
            case "subflow create" -> subflowCreate(Arguments.parse(command, args, from,
                    Set.of("netns", "token", "local", "id", "lport", "dev", "remote", "rport"), Set.of("backup")));
            case "subflow destroy" -> subflowDestroy(Arguments.parse(command, args, from,
                    Set.of("netns", "token", "local", "lport", "remote", "rport"), Set.of()));
            case "set-backup" -> setBackup(Arguments.parse(command, args, from,
                    Set.of("netns", "token", "local", "lport", "remote", "rport"), Set.of("backup", "nobackup")));
            case "addrs" -> addrs(Arguments.parse(command, args, from, Set.of("netns", "token", "id"), Set.of("json")));
            case "listen" -> listen(Arguments.parse(command, args, from, Set.of("netns"), Set.of()));
            case "exists" -> exists(Arguments.parse(command, args, from, Set.of("netns", "token"), Set.of()));
            case "event-filter" -> eventFilter(Arguments.parse(command, args, from, Set.of("netns"), Set.of()));
            case "endpoint add" -> endpointAdd(Arguments.parse(command, args, from,
                    Set.of("netns", "id", "port", "dev"), ENDPOINT_FLAGS.keySet()));
            case "endpoint delete" -> endpointDelete(Arguments.parse(command, args, from, Set.of("netns", "id"), Set.of()));
            case "endpoint show" -> endpointShow(Arguments.parse(command, args, from, Set.of("netns", "id"), Set.of("json")));
            case "endpoint flush" -> withPathManager(Arguments.parse(command, args, from, Set.of("netns"), Set.of())
                    .atMostPositional(0), PathManager::flushEndpoints);
            case "endpoint change" -> endpointChange(Arguments.parse(command, args, from, Set.of("netns", "id", "port"),
                    Set.of("backup", "nobackup", "fullmesh", "nofullmesh")));
            case "limits show" -> limitsShow(Arguments.parse(command, args, from, Set.of("netns"), Set.of("json")));
            case "limits set" -> limitsSet(Arguments.parse(command, args, from,
                    Set.of("netns", "subflows", "subflow", "add_addr_accepted"), Set.of()));
            default -> throw new IllegalArgumentException(command);
        };
    }

    private interface Action {
        void run(PathManager pm) throws Exception;
    }

    /**
     * Opens the namespace and its path manager and runs the action; success prints nothing,
     * as ip does. Callers check every word before, so that mistakes stay usage errors.
     */
    private int withPathManager(Arguments a, Action action) throws Exception {
        try (Target target = targets.apply(a)) {
            NetworkNamespace ns = target.namespace();
            PathManager pm = target.pathManager();
            action.run(pm);
        }
        return Commands.OK;
    }

    private int remove(Arguments a) throws Exception {
        a.atMostPositional(0);
        int token = a.requireToken();
        int id = a.requireInt("id", 0, 255);
        return withPathManager(a, pm -> pm.remove(token, id));
    }

    private int announce(Arguments a) throws Exception {
        // Every word is checked before anything is opened: mistakes are usage errors.
        MptcpAddress address = a.address("address", a.positional(1, "the address to announce").get(0))
                .id(a.requireInt("id", 0, 255)).port(a.getInt("port", 0, 0, 65535))
                .flags(a.has("backup") ? MptcpAddress.FLAG_BACKUP : 0);
        int token = a.requireToken();
        boolean listen = a.has("listen");
        if (listen && address.port() == 0) {
            throw new UsageException("announce", "'listen' needs 'port PORT': peers join the announced port");
        }
        if (listen && batch) {
            throw new UsageException("announce", "'listen' keeps the listener until interrupted: not in a batch");
        }
        try (Target target = targets.apply(a)) {
            NetworkNamespace ns = target.namespace();
            PathManager pm = target.pathManager();
            pm.announce(token, address.ifIndex(a.device(ns)), listen);
            if (listen && target.owned()) {
                err.println("mptcp4j announce: listening on " + address.socketAddress() + " for joins; Ctrl-C to stop");
                Commands.awaitInterrupt(pm::close);
            } else if (listen) { // a daemon's path manager: its listener lives until the connection closes
                err.println("listening on " + address.socketAddress() + " for joins while the connection lasts");
            }
        }
        return Commands.OK;
    }

    private int subflowCreate(Arguments a) throws Exception {
        a.atMostPositional(0);
        int token = a.requireToken();
        MptcpAddress local = a.requireAddress("local").port(a.getInt("lport", 0, 0, 65535))
                .flags(a.has("backup") ? MptcpAddress.FLAG_BACKUP : 0);
        if (a.has("id")) {
            local.id(a.requireInt("id", 0, 255));
        }
        MptcpAddress remote = a.requireAddress("remote").port(a.requireInt("rport", 1, 65535));
        try (Target target = targets.apply(a)) {
            NetworkNamespace ns = target.namespace();
            PathManager pm = target.pathManager();
            pm.createSubflow(token, local.ifIndex(a.device(ns)), remote);
        }
        return Commands.OK;
    }

    private int subflowDestroy(Arguments a) throws Exception {
        a.atMostPositional(0);
        int token = a.requireToken();
        MptcpAddress local = a.requireAddress("local").port(a.requireInt("lport", 1, 65535));
        MptcpAddress remote = a.requireAddress("remote").port(a.requireInt("rport", 1, 65535));
        return withPathManager(a, pm -> pm.destroySubflow(token, local, remote));
    }

    private int setBackup(Arguments a) throws Exception {
        a.atMostPositional(0);
        if (a.has("backup") == a.has("nobackup")) {
            throw new UsageException("set-backup", "say 'backup' or 'nobackup'");
        }
        int token = a.requireToken();
        MptcpAddress local = a.requireAddress("local").port(a.getInt("lport", 0, 0, 65535));
        MptcpAddress remote = a.requireAddress("remote").port(a.getInt("rport", 0, 0, 65535));
        return withPathManager(a, pm -> pm.setBackup(token, local, remote, a.has("backup")));
    }

    private int addrs(Arguments a) throws Exception {
        a.atMostPositional(0);
        int token = a.requireToken();
        int id = a.getInt("id", -1, 0, 255);
        try (Target target = targets.apply(a)) {
            NetworkNamespace ns = target.namespace();
            PathManager pm = target.pathManager();
            List<MptcpAddress> addresses = id >= 0 ? List.of(pm.localAddress(token, id)) : pm.localAddresses(token);
            print(addresses, ns, a.has("json"));
        }
        return Commands.OK;
    }

    private int exists(Arguments a) throws Exception {
        a.atMostPositional(0);
        int token = a.requireToken();
        boolean exists;
        try (Target target = targets.apply(a)) {
            exists = target.pathManager().connectionExists(token);
        }
        String hex = EventFormat.token(token);
        out.println(exists ? hex + " exists" : "no connection " + hex);
        return exists ? Commands.OK : Commands.ABSENT;
    }

    private int eventFilter(Arguments a) throws Exception {
        Set<MptcpEventType> types = EnumSet.noneOf(MptcpEventType.class);
        for (String name : a.positional(1, "TYPE[,TYPE...]").get(0).split(",")) {
            MptcpEventType type = KERNEL_EVENTS.get(name.strip().toLowerCase(Locale.ROOT));
            if (type == null) {
                throw new UsageException("event-filter", "'" + name.strip() + "' is not an event type the kernel sends ("
                        + String.join(", ", KERNEL_EVENTS.keySet()) + ")");
            }
            types.add(type);
        }
        return withPathManager(a, pm -> pm.setEventFilter(types));
    }

    /** The event types a v0.95 kernel's SET_FILTER can let through, by their lower-case names, in its order. */
    private static final Map<String, MptcpEventType> KERNEL_EVENTS = kernelEvents();

    private static Map<String, MptcpEventType> kernelEvents() {
        Map<String, MptcpEventType> m = new LinkedHashMap<>();
        for (MptcpEventType t : PathManager.filterableEvents()) {
            m.put(t.name().toLowerCase(Locale.ROOT), t);
        }
        return Collections.unmodifiableMap(m);
    }

    private int listen(Arguments a) throws Exception {
        List<String> words = a.positional(2, "ADDR PORT");
        MptcpAddress address = a.address("address", words.get(0));
        int port = a.number("PORT", words.get(1), ValueRange.PORT);
        try (NetworkNamespace ns = Commands.namespace(a)) {
            // Closed by the shutdown hook: the process ends with it.
            MptcpServerSocket socket = MptcpServerSocket.bind(ns, new InetSocketAddress(address.inetAddress(), port), 64);
            err.println("mptcp4j listen: MPTCP socket listening on " + socket.boundAddress() + "; Ctrl-C to stop");
            Commands.awaitInterrupt(() -> {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing at exit: nothing left to do
                }
            });
        }
        return Commands.OK;
    }

    private int endpointAdd(Arguments a) throws Exception {
        MptcpAddress endpoint = a.address("address", a.positional(1, "the endpoint's address").get(0))
                .port(a.getInt("port", 0, 0, 65535)).flags(flags(a));
        if (a.has("id")) {
            endpoint.id(a.requireInt("id", 1, 255));
        }
        try (Target target = targets.apply(a)) {
            NetworkNamespace ns = target.namespace();
            PathManager pm = target.pathManager();
            pm.addEndpoint(endpoint.ifIndex(a.device(ns)));
        }
        return Commands.OK;
    }

    private static int flags(Arguments a) {
        int flags = 0;
        for (Map.Entry<String, Integer> flag : ENDPOINT_FLAGS.entrySet()) {
            if (a.has(flag.getKey())) {
                flags |= flag.getValue();
            }
        }
        return flags;
    }

    private int endpointDelete(Arguments a) throws Exception {
        int id = a.requireInt("id", 0, 255);
        a.atMostPositional(1);
        MptcpAddress endpoint = a.positional().isEmpty() ? new MptcpAddress() : a.address("address", a.positional().get(0));
        if (id == 0 && endpoint.family() == 0) {
            throw new UsageException("endpoint delete", "id 0 needs the address");
        }
        return withPathManager(a, pm -> pm.deleteEndpoint(endpoint.id(id)));
    }

    private int endpointShow(Arguments a) throws Exception {
        a.atMostPositional(0);
        int id = a.getInt("id", -1, 0, 255);
        try (Target target = targets.apply(a)) {
            NetworkNamespace ns = target.namespace();
            PathManager pm = target.pathManager();
            print(id >= 0 ? List.of(pm.endpoint(id)) : pm.endpoints(), ns, a.has("json"));
        }
        return Commands.OK;
    }

    /**
     * {@code ip mptcp endpoint change}: reads the endpoint's flags, changes only the ones named
     * (ip sends the two flags as named, clearing an unnamed one), and sends them back. Named by
     * its id, its address, or both as ip allows: the address finds it, the id must be its.
     */
    private int endpointChange(Arguments a) throws Exception {
        a.atMostPositional(1);
        if (!a.has("id") && a.positional().isEmpty()) {
            throw new UsageException("endpoint change", "name the endpoint by 'id ID' or by its address");
        }
        if (a.has("id") && a.has("port")) {
            throw new UsageException("endpoint change", "'port' goes with the address, not with 'id'");
        }
        if (a.has("backup") && a.has("nobackup") || a.has("fullmesh") && a.has("nofullmesh")) {
            throw new UsageException("endpoint change", "a flag both set and cleared");
        }
        if (!(a.has("backup") || a.has("nobackup") || a.has("fullmesh") || a.has("nofullmesh"))) {
            throw new UsageException("endpoint change", "say what to change: backup, nobackup, fullmesh or nofullmesh");
        }
        int id = a.getInt("id", -1, 1, 255);
        MptcpAddress byAddress = a.positional().isEmpty() ? null
                : a.address("address", a.positional().get(0)).port(a.getInt("port", 0, 0, 65535));
        return withPathManager(a, pm -> {
            MptcpAddress endpoint = byAddress == null ? pm.endpoint(id) : find(pm, byAddress);
            if (id >= 0 && endpoint.id() != id) {
                throw new UsageException("endpoint change", "endpoint " + AddressText.of(endpoint.inetAddress())
                        + " has id " + endpoint.id() + ", not " + id);
            }
            int flags = endpoint.flags();
            flags = a.has("backup") ? flags | MptcpAddress.FLAG_BACKUP : a.has("nobackup") ? flags & ~MptcpAddress.FLAG_BACKUP : flags;
            flags = a.has("fullmesh") ? flags | MptcpAddress.FLAG_FULLMESH
                    : a.has("nofullmesh") ? flags & ~MptcpAddress.FLAG_FULLMESH : flags;
            pm.setEndpointFlags(endpoint.flags(flags));
        });
    }

    private static MptcpAddress find(PathManager pm, MptcpAddress address) {
        for (MptcpAddress endpoint : pm.endpoints()) {
            if (endpoint.sameAddress(address) && (address.port() == 0 || endpoint.port() == address.port())) {
                return endpoint;
            }
        }
        throw new UsageException("endpoint change", "no endpoint " + AddressText.of(address.inetAddress())
                + (address.port() != 0 ? " port " + address.port() : ""));
    }

    private int limitsShow(Arguments a) throws Exception {
        a.atMostPositional(0);
        return withPathManager(a, pm -> {
            Limits limits = pm.limits();
            out.println(a.has("json") ? "{\"add_addr_accepted\":" + limits.addAddrAccepted() + ",\"subflows\":"
                    + limits.subflows() + "}" : limits.toString());
        });
    }

    private int limitsSet(Arguments a) throws Exception {
        a.atMostPositional(0);
        if (a.has("subflows") && a.has("subflow")) {
            throw new UsageException("limits set", "'subflow' and 'subflows' are the same: give one");
        }
        String subflowKey = a.has("subflow") ? "subflow" : "subflows";
        if (!a.has(subflowKey) && !a.has("add_addr_accepted")) {
            throw new UsageException("limits set", "give 'subflows N', 'add_addr_accepted N' or both");
        }
        // The kernel answers for values above 8 itself, with its own words.
        int subflows = a.getInt(subflowKey, -1, 0, Integer.MAX_VALUE);
        int accepted = a.getInt("add_addr_accepted", -1, 0, Integer.MAX_VALUE);
        return withPathManager(a, pm -> {
            Limits current = subflows < 0 || accepted < 0 ? pm.limits() : null;
            pm.setLimits(new Limits(accepted >= 0 ? accepted : current.addAddrAccepted(),
                    subflows >= 0 ? subflows : current.subflows()));
        });
    }

    /** Addresses one per line as {@code ip mptcp endpoint show} prints them, or one JSON array. */
    private void print(List<MptcpAddress> addresses, NetworkNamespace ns, boolean json) {
        if (json) {
            StringBuilder s = new StringBuilder("[");
            for (MptcpAddress a : addresses) {
                s.append(s.length() > 1 ? "," : "").append(Formats.json(a, ns));
            }
            out.println(s.append(']'));
        } else {
            addresses.forEach(a -> out.println(Formats.text(a, ns)));
        }
    }
}
