package org.mptcp4j.controller;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntPredicate;
import org.mptcp4j.diag.ConnectionInfo;
import org.mptcp4j.pm.AddressPrefix;
import org.mptcp4j.pm.MptcpAddress;
import org.mptcp4j.pm.MptcpEvent;
import org.mptcp4j.pm.MptcpEventType;
import org.mptcp4j.pm.TokenMap;

/**
 * Per-connection policy: rules that match a connection's remote and local prefix, ports and
 * side pick the controller that manages it, and a default covers the rest (or leaves them
 * alone). Each connection is matched once, on its first event (CREATED, or ESTABLISHED, or its
 * discovery), and keeps its controller until it closes; events of the namespace as a whole
 * (local addresses, links, listeners, lost events) go to every controller.
 *
 * <p>In text, one rule per line, the first that matches wins:
 *
 * <pre>
 * # what to match                          -> controller and its parameters
 * remote 10.1.0.0/16 port 443 side client  -> fullmesh
 * local 192.168.7.0/24                     -> backup-on-demand backup=10.0.2.1
 * default                                  -> ndiffports subflows=2
 * </pre>
 *
 * Match words: {@code remote PREFIX}, {@code local PREFIX}, {@code port N} (the remote port),
 * {@code local-port N}, {@code side client|server}. A controller name of {@code none} leaves
 * the matched connections unmanaged.
 */
public final class ConnectionPolicy implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPolicy.class);

    /** Which end opened the connection. */
    public enum Side {
        CLIENT, SERVER, ANY
    }

    /**
     * What a rule matches; null prefixes and 0 ports match anything.
     *
     * @param remote the remote address's prefix
     * @param local the local address's prefix
     * @param remotePort the remote port
     * @param localPort the local port
     * @param side the side
     */
    public record Match(AddressPrefix remote, AddressPrefix local, int remotePort, int localPort, Side side) {
        public static final Match ANY = new Match(null, null, 0, 0, Side.ANY);

        public Match {
            Objects.requireNonNull(side, "side");
        }

        boolean matches(MptcpAddress localAddress, MptcpAddress remoteAddress, boolean serverSide) {
            return (remote == null || remote.contains(remoteAddress)) && (local == null || local.contains(localAddress))
                    && (remotePort == 0 || remotePort == remoteAddress.port())
                    && (localPort == 0 || localPort == localAddress.port())
                    && (side == Side.ANY || (side == Side.SERVER) == serverSide);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder();
            if (remote != null) {
                s.append(" remote ").append(remote);
            }
            if (local != null) {
                s.append(" local ").append(local);
            }
            if (remotePort != 0) {
                s.append(" port ").append(remotePort);
            }
            if (localPort != 0) {
                s.append(" local-port ").append(localPort);
            }
            if (side != Side.ANY) {
                s.append(" side ").append(side.name().toLowerCase(java.util.Locale.ROOT));
            }
            return s.length() == 0 ? "default" : s.substring(1);
        }
    }

    /** Stands for "leave it alone": a controller that does nothing. */
    private static final Controller NONE = new Controller() {
        @Override
        public Set<MptcpEventType> eventTypes() {
            return EnumSet.noneOf(MptcpEventType.class);
        }

        @Override
        public String toString() {
            return "none";
        }
    };

    private final List<Match> matches;
    /** The rules' controllers (index i: matches.get(i)), then those assigned to connections by name. */
    private final List<Controller> controllers;
    /** controllers.get(i)'s event types, read once. */
    private final List<Set<MptcpEventType>> wants;
    private final List<Controller> distinct;
    /** Controllers assigned to connections ({@link #assign}), by name and parameters: one instance each. */
    private final Map<String, Controller> assigned = new LinkedHashMap<>();
    private boolean assignable;
    private final TokenMap<Controller> chosen = new TokenMap<>();
    private final MptcpAddress local = new MptcpAddress();
    private final MptcpAddress remote = new MptcpAddress();
    private ControllerContext context;

    private ConnectionPolicy(Map<Match, Controller> rules) {
        this.matches = List.copyOf(rules.keySet());
        this.controllers = new ArrayList<>();
        this.wants = new ArrayList<>();
        for (Controller c : rules.values()) {
            Controller controller = c == null ? NONE : c;
            controllers.add(controller);
            wants.add(copyOf(controller.eventTypes()));
        }
        List<Controller> unique = new ArrayList<>();
        for (Controller c : controllers) {
            if (c != NONE && indexOf(unique, c) < 0) {
                unique.add(c);
            }
        }
        this.distinct = unique;
    }

    /** Where {@code c} itself (not an equal one) is in {@code list}, or -1. */
    private static int indexOf(List<Controller> list, Controller c) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static Set<MptcpEventType> copyOf(Set<MptcpEventType> types) {
        EnumSet<MptcpEventType> copy = EnumSet.noneOf(MptcpEventType.class);
        copy.addAll(types);
        return copy;
    }

    /** Rules in order, each with its controller (null: leave the connection alone). */
    public static ConnectionPolicy of(Map<Match, Controller> rules) {
        return new ConnectionPolicy(new LinkedHashMap<>(rules));
    }

    /**
     * Rules in the text form above; controllers are made by name ({@link Controllers}).
     *
     * @throws IllegalArgumentException naming the line and what is wrong with it
     */
    public static ConnectionPolicy parse(String text) {
        return parse(text, Map.of());
    }

    /**
     * As {@link #parse(String)}, a controller's parameters being {@code defaults.get(name)}
     * with the rule's own over them (the daemon's [controller NAME] sections).
     */
    public static ConnectionPolicy parse(String text, Map<String, Map<String, String>> defaults) {
        Map<Match, Controller> rules = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].replaceAll("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            try {
                int arrow = line.indexOf("->");
                if (arrow < 0) {
                    throw new IllegalArgumentException("expected 'MATCH -> CONTROLLER [NAME=VALUE ...]'");
                }
                Match match = parseMatch(line.substring(0, arrow).trim().split("\\s+"));
                if (rules.containsKey(match)) {
                    throw new IllegalArgumentException("the same match as an earlier rule: " + match);
                }
                rules.put(match, parseController(line.substring(arrow + 2).trim().split("\\s+"), defaults));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("policy line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("the policy has no rule");
        }
        return of(rules);
    }

    private static Match parseMatch(String[] words) {
        if (words.length == 1 && words[0].equals("default")) {
            return Match.ANY;
        }
        AddressPrefix remote = null;
        AddressPrefix local = null;
        int remotePort = 0;
        int localPort = 0;
        Side side = Side.ANY;
        for (int w = 0; w < words.length; w++) {
            String word = words[w];
            if (w + 1 >= words.length) {
                throw new IllegalArgumentException("'" + word + "' needs a value");
            }
            String value = words[++w];
            switch (word) {
                case "remote" -> remote = AddressPrefix.parse(value);
                case "local" -> local = AddressPrefix.parse(value);
                case "port" -> remotePort = port(value);
                case "local-port" -> localPort = port(value);
                case "side" -> side = switch (value) {
                    case "client" -> Side.CLIENT;
                    case "server" -> Side.SERVER;
                    default -> throw new IllegalArgumentException("side is client or server, not '" + value + "'");
                };
                default -> throw new IllegalArgumentException("unknown match '" + word
                        + "' (remote, local, port, local-port, side, or default alone)");
            }
        }
        return new Match(remote, local, remotePort, localPort, side);
    }

    private static int port(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("a port is 1..65535, not '" + value + "'");
    }

    private static Controller parseController(String[] words, Map<String, Map<String, String>> defaults) {
        if (words.length == 0 || words[0].isEmpty()) {
            throw new IllegalArgumentException("no controller after '->'");
        }
        Map<String, String> parameters = new LinkedHashMap<>(defaults.getOrDefault(words[0], Map.of()));
        for (int w = 1; w < words.length; w++) {
            int eq = words[w].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + words[w] + "' is not NAME=VALUE");
            }
            parameters.put(words[w].substring(0, eq), words[w].substring(eq + 1));
        }
        if (words[0].equals("none")) {
            if (!parameters.isEmpty()) {
                throw new IllegalArgumentException("'none' takes no parameters");
            }
            return null;
        }
        return Controllers.create(words[0], parameters);
    }

    /**
     * Lets {@link #assign} give connections controllers the rules do not name: the policy then
     * asks for every event (local address and link changes included), since such a controller
     * may want any. Call before the policy is hosted.
     */
    public ConnectionPolicy assignable() {
        this.assignable = true;
        return this;
    }

    /**
     * From now on, connection {@code connection} is managed by the controller named {@code name}
     * with {@code parameters} (one instance per name and parameters, started when first
     * assigned), which hears of the connection at once as discovered; the controller that had
     * it hears no more of it. From the loop's thread (a smart application asks for its own
     * connection through the daemon's control socket).
     *
     * @return the controller now managing the connection
     * @throws IllegalStateException when the policy was not made {@link #assignable()}
     * @throws IllegalArgumentException when no controller has that name or a parameter is wrong
     */
    public Controller assign(DiscoveredConnection connection, String name, Map<String, String> parameters) {
        if (!assignable) {
            throw new IllegalStateException("this policy takes no assignments");
        }
        String key = name + new java.util.TreeMap<>(parameters);
        Controller c = assigned.get(key);
        if (c == null) {
            c = Controllers.create(name, parameters);
            if (context != null) {
                c.start(context);
            }
            assigned.put(key, c);
            controllers.add(c);
            wants.add(copyOf(c.eventTypes()));
            distinct.add(c);
        }
        chosen.put(connection.token(), c);
        c.onConnectionDiscovered(connection);
        return c;
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        EnumSet<MptcpEventType> types = assignable ? EnumSet.allOf(MptcpEventType.class)
                : EnumSet.of(MptcpEventType.CREATED, MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED);
        for (Set<MptcpEventType> w : wants) {
            types.addAll(w);
        }
        return types;
    }

    @Override
    public void start(ControllerContext ctx) {
        this.context = ctx;
        for (Controller c : distinct) {
            c.start(ctx);
        }
    }

    @Override
    public void stop() {
        for (Controller c : distinct) {
            c.stop();
        }
    }

    /** The controller managing connection {@code token} (null if none was chosen yet). */
    public Controller controllerOf(int token) {
        Controller c = chosen.get(token);
        return c == NONE ? null : c;
    }

    /** Connections with a chosen controller (or none chosen to leave them alone). */
    int chosenConnections() {
        return chosen.size();
    }

    /** The rules, in order. */
    public List<Match> matches() {
        return matches;
    }

    /** Picks the controller for a connection from its first event, then hands the event on. */
    private void route(MptcpEventType type, MptcpEvent event) {
        int token = event.token();
        Controller c = chosen.get(token);
        if (c == null && type == MptcpEventType.CLOSED) {
            // Nothing to choose for, nor to tell: no controller ever heard of it. Connections that
            // fell back to TCP say only this; looking each up would dump the whole namespace.
            return;
        }
        if (c == null) {
            c = type == MptcpEventType.CREATED || type == MptcpEventType.ESTABLISHED ? choose(event) : chooseLate(token);
            chosen.put(token, c);
        }
        try {
            if (c != NONE && wants.get(indexOf(controllers, c)).contains(type)) {
                Callbacks.deliver(c, type, event);
            }
        } finally {
            if (type == MptcpEventType.CLOSED) {
                chosen.remove(token);
            }
        }
    }

    private Controller choose(MptcpEvent event) {
        event.copyLocal(local);
        event.copyRemote(remote);
        return first(event.serverSide());
    }

    /** A connection first seen by a later event: its addresses and side from sock_diag. */
    private Controller chooseLate(int token) {
        if (context != null && !context.hasConnectionInfo()) {
            LOG.atDebug().log(() -> "policy: connection " + Integer.toHexString(token) + " first seen after its"
                    + " ESTABLISHED, and this kernel tells nothing of its addresses; left alone");
            return NONE;
        }
        ConnectionInfo info = context == null ? null : context.connection(token);
        if (info == null) {
            LOG.atDebug().log(() -> "policy: connection " + Integer.toHexString(token) + " is gone; left alone");
            return NONE;
        }
        return choose(info);
    }

    private Controller choose(ConnectionInfo info) {
        local.set(info.local().getAddress(), info.local().getPort());
        remote.set(info.remote().getAddress(), info.remote().getPort());
        return first(info.serverSide());
    }

    private Controller first(boolean serverSide) {
        for (int i = 0; i < matches.size(); i++) {
            if (matches.get(i).matches(local, remote, serverSide)) {
                return controllers.get(i);
            }
        }
        return NONE;
    }

    private void broadcast(MptcpEventType type, MptcpEvent event) {
        for (int i = 0; i < controllers.size(); i++) {
            Controller c = controllers.get(i);
            // Each controller once, though several rules may name it; one failing stops no other.
            if (c != NONE && indexOf(controllers, c) == i && wants.get(i).contains(type)) {
                try {
                    Callbacks.deliver(c, type, event);
                } catch (RuntimeException e) {
                    LOG.warn("policy: " + c + " failed on " + type + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private void on(MptcpEvent event) {
        MptcpEventType type = event.type();
        if (Callbacks.perConnection(type)) {
            route(type, event);
        } else {
            broadcast(type, event);
        }
    }

    @Override
    public void onCreated(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onClosed(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onAnnounced(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onRemoved(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onSubflowEstablished(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onSubflowClosed(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onSubflowPriority(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onSubflowTimeout(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onListenerCreated(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onListenerClosed(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onLocalAddressAdded(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onLocalAddressRemoved(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onLinkUp(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onLinkDown(MptcpEvent event) {
        on(event);
    }

    @Override
    public void onEventsLost() {
        for (Controller c : distinct) {
            c.onEventsLost();
        }
    }

    @Override
    public void onConnectionDiscovered(DiscoveredConnection connection) {
        Controller c = chosen.get(connection.token());
        if (c == null) {
            c = choose(connection.connection());
            chosen.put(connection.token(), c);
        }
        c.onConnectionDiscovered(connection);
    }

    @Override
    public void onResyncDone(IntPredicate open) {
        chosen.retainTokens(open);
        for (Controller c : distinct) {
            c.onResyncDone(open);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("policy [");
        for (int i = 0; i < matches.size(); i++) {
            s.append(i == 0 ? "" : "; ").append(matches.get(i)).append(" -> ").append(controllers.get(i));
        }
        return s.append(']').toString();
    }
}
