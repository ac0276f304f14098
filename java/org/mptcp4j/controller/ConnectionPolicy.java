package org.mptcp4j.controller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.LocalAddress;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.AddressPrefix;
import org.mptcp4j.pm.LocalAddressIds;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.TokenMap;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-connection policy: rules that match a connection's remote and local prefix, ports and
 * side pick the controller that manages it, and a default covers the rest (or leaves them
 * alone). Each connection is matched once, on its first event (CREATED, or ESTABLISHED, or its
 * discovery), and keeps its controller until it closes; events of the namespace as a whole
 * (local addresses, links, listeners, lost events) go to every controller. When the first rule
 * is the default, every connection not {@link #assign assigned} goes to its controller without
 * being matched, from whichever event comes first.
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
        /** Opened by this host. */
        CLIENT,
        /** Accepted by this host. */
        SERVER,
        /** Either. */
        ANY
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
        /** Matches every connection. */
        public static final Match ANY = new Match(null, null, 0, 0, Side.ANY);

        /**
         * Requires a side.
         *
         * @param remote the remote address's prefix, or null for any
         * @param local the local address's prefix, or null for any
         * @param remotePort the remote port, or 0 for any
         * @param localPort the local port, or 0 for any
         * @param side the side
         */
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
                s.append(" side ").append(side.name().toLowerCase(Locale.ROOT));
            }
            return s.length() == 0 ? "default" : s.substring(1);
        }
    }

    /** Stands for "leave it alone": a controller that does nothing. */
    private static final Route NONE = new Route(new Controller() {
        @Override
        public Set<MptcpEventType> eventTypes() {
            return EnumSet.noneOf(MptcpEventType.class);
        }

        @Override
        public String toString() {
            return "none";
        }
    });

    /**
     * A controller connections are routed to, with the event types it asked for (read once) and
     * SUBFLOW_TIMEOUT, which comes for the connections it asked to watch.
     */
    private static class Route {
        final Controller controller;
        final Set<MptcpEventType> wants;

        Route(Controller controller) {
            this.controller = controller;
            this.wants = EnumSet.of(MptcpEventType.SUBFLOW_TIMEOUT);
            wants.addAll(controller.eventTypes());
        }

        /** Hands {@code event} to the controller if it asked for its type; one failing stops no other. */
        void broadcast(MptcpEventType type, MptcpEvent event) {
            if (wants.contains(type)) {
                try {
                    Callbacks.deliver(controller, type, event);
                } catch (RuntimeException e) {
                    LOG.warn("policy: " + controller + " failed on " + type + ": " + e.getMessage(), e);
                }
            }
        }

        /** The end of a batch; one failing stops no other. */
        void batchEnd() {
            try {
                controller.onBatchEnd();
            } catch (RuntimeException e) {
                LOG.warn("policy: " + controller + " failed at the end of a batch: " + e.getMessage(), e);
            }
        }
    }

    private final List<Match> matches;
    /** The rules' controllers, index i: matches.get(i)'s. */
    private final List<Route> rules = new ArrayList<>();
    /** The first rule's, when it matches every connection: then no connection needs matching. */
    private final Route fallback;
    /** Each rule controller once, though several rules may name it. */
    private final List<Route> distinct = new ArrayList<>();
    /** Controllers assigned to connections ({@link #assign}), by name and parameters: one instance each. */
    private final Map<String, Assigned> assigned = new HashMap<>();
    /** The same, in the order they were made: walked without allocating. */
    private final List<Assigned> assignedList = new ArrayList<>();
    private boolean assignable;
    private IntConsumer assignmentEnd = token -> {};
    private final TokenMap<Route> chosen = new TokenMap<>();
    private final MptcpAddress local = new MptcpAddress();
    private final MptcpAddress remote = new MptcpAddress();
    private ControllerContext context;

    private ConnectionPolicy(Map<Match, Controller> rules) {
        this.matches = List.copyOf(rules.keySet());
        Map<Controller, Route> routes = new IdentityHashMap<>();
        for (Controller c : rules.values()) {
            Route route = c == null ? NONE : routes.computeIfAbsent(c, Route::new);
            this.rules.add(route);
            if (route != NONE && !distinct.contains(route)) {
                distinct.add(route);
            }
        }
        this.fallback = !matches.isEmpty() && matches.get(0).equals(Match.ANY) ? this.rules.get(0) : null;
    }

    /**
     * A rule of the text form refused: {@code policy line N: what is wrong}. The cause is the
     * refusal itself (a {@link ParameterException} for a controller's parameter).
     */
    public static final class LineException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** The line number, from 1. */
        private final int line;
        /** What is wrong with it. */
        private final String problem;

        LineException(int line, IllegalArgumentException cause) {
            super("policy line " + line + ": " + cause.getMessage(), cause);
            this.line = line;
            this.problem = cause.getMessage();
        }

        /**
         * The rule's line, 1-based.
         *
         * @return the line number, 1-based
         */
        public int line() {
            return line;
        }

        /**
         * What is wrong with it, without the line.
         *
         * @return the problem
         */
        public String problem() {
            return problem;
        }
    }

    /**
     * Rules in order, each with its controller (null: leave the connection alone).
     *
     * @param rules the rules, in order, each with its controller or null
     * @return the policy
     */
    public static ConnectionPolicy of(Map<Match, Controller> rules) {
        return new ConnectionPolicy(new LinkedHashMap<>(rules));
    }

    /**
     * A policy that hands every connection to {@code running}, a controller already started
     * with {@code context}, until some are {@link #assign assigned} to others: put in front of a
     * controller while it runs.
     */
    static ConnectionPolicy around(Controller running, ControllerContext context) {
        ConnectionPolicy policy = of(Map.of(Match.ANY, running));
        policy.context = context;
        return policy;
    }

    /**
     * Rules in the text form above; controllers are made by name ({@link Controllers}).
     *
     * @param text the rules' text
     * @return the policy
     * @throws IllegalArgumentException naming what is wrong, a {@link LineException} when a line is
     */
    public static ConnectionPolicy parse(String text) {
        return parse(text, Map.of());
    }

    /**
     * As {@link #parse(String)}, a controller's parameters being {@code defaults.get(name)}
     * with the rule's own over them (the daemon's [controller NAME] sections).
     *
     * @param text the rules' text
     * @param defaults the controllers' default parameters, by controller name
     * @return the policy
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
                throw new LineException(i + 1, e);
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
                case "port" -> remotePort = ValueRange.PORT.parseInt(word, value);
                case "local-port" -> localPort = ValueRange.PORT.parseInt(word, value);
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
     *
     * @return this policy
     */
    public ConnectionPolicy assignable() {
        this.assignable = true;
        return this;
    }

    /**
     * Also told, with its token, when a connection handed over by {@link #assign} closes or a
     * resync finds it gone (the daemon then forgets that it was handed over). Call before the
     * policy is hosted.
     *
     * @param listener told the token of each handed-over connection that ended
     * @return this policy
     */
    public ConnectionPolicy onAssignmentEnd(IntConsumer listener) {
        this.assignmentEnd = Objects.requireNonNull(listener);
        return this;
    }

    /**
     * From now on, connection {@code connection} is managed by the controller named {@code name}
     * with {@code parameters} (one instance per name and parameters, started when first
     * assigned and stopped, with the timers it set, once no connection uses it), which hears of
     * the connection at once as discovered; the controller that had it hears no more of it.
     * From the loop's thread (a smart application asks for its own connection through the
     * daemon's control socket).
     *
     * @param connection the connection
     * @param name the controller's name
     * @param parameters the controller's parameters
     * @return the controller now managing the connection
     * @throws IllegalStateException when the policy was not made {@link #assignable()}
     * @throws IllegalArgumentException when no controller has that name or a parameter is wrong
     */
    public Controller assign(DiscoveredConnection connection, String name, Map<String, String> parameters) {
        return assign(connection, key(name, parameters), () -> Controllers.create(name, parameters));
    }

    /** What tells assigned controllers apart: their name and parameters, in order. */
    static String key(String name, Map<String, String> parameters) {
        return name + new TreeMap<>(parameters);
    }

    /** As {@link #assign(DiscoveredConnection, String, Map)}: the controller of {@code key}, made by {@code make} if none runs. */
    Controller assign(DiscoveredConnection connection, String key, Supplier<Controller> make) {
        if (!assignable) {
            throw new IllegalStateException("this policy takes no assignments");
        }
        Assigned a = assigned.get(key);
        if (a == null) {
            a = new Assigned(key, make.get());
            if (context != null) {
                a.start();
            }
        }
        int token = connection.token();
        Route before = chosen.get(token);
        if (before != a) {
            chosen.put(token, a);
            a.connections++;
            if (before instanceof Assigned b) {
                b.leave(token);
            }
        }
        a.controller.onConnectionDiscovered(connection);
        return a.controller;
    }

    /**
     * Controllers made for connections handed over by {@link #assign}, running now.
     *
     * @return the count of assigned controllers
     */
    public int assignedControllers() {
        return assignedList.size();
    }

    /** Timers those controllers set that are still to run: neither cancelled nor run once. */
    int assignedTimers() {
        int timers = 0;
        for (int i = 0; i < assignedList.size(); i++) {
            timers += assignedList.get(i).timers.size();
        }
        return timers;
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        EnumSet<MptcpEventType> types = assignable ? EnumSet.allOf(MptcpEventType.class)
                : EnumSet.of(MptcpEventType.CREATED, MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED);
        for (Route r : rules) {
            types.addAll(r.wants);
        }
        return types;
    }

    @Override
    public void start(ControllerContext ctx) {
        this.context = ctx;
        for (Route r : distinct) {
            r.controller.start(ctx);
        }
        for (Assigned a : List.copyOf(assignedList)) {
            a.start();
        }
    }

    @Override
    public void stop() {
        for (Route r : distinct) {
            r.controller.stop();
        }
        for (int i = 0; i < assignedList.size(); i++) {
            assignedList.get(i).controller.stop();
        }
    }

    /**
     * The controller managing connection {@code token}: null if none was chosen yet (and the
     * first rule is not the default) or none is to manage it.
     *
     * @param token the connection's token
     * @return the controller, or null
     */
    public Controller controllerOf(int token) {
        Route r = chosen.get(token);
        if (r == null) {
            r = fallback;
        }
        return r == null || r == NONE ? null : r.controller;
    }

    /** Connections with a chosen controller (or none chosen to leave them alone). */
    int chosenConnections() {
        return chosen.size();
    }

    /**
     * The rules, in order.
     *
     * @return the rules
     */
    public List<Match> matches() {
        return matches;
    }

    /** Picks the controller for a connection from its first event, then hands the event on. */
    private void route(MptcpEventType type, MptcpEvent event) {
        int token = event.token();
        Route r = chosen.get(token);
        if (r == null && fallback != null) {
            // Nothing to choose: kept nowhere, it goes where every unassigned connection goes.
            if (fallback.wants.contains(type)) {
                Callbacks.deliver(fallback.controller, type, event);
            }
            return;
        }
        if (r == null && type == MptcpEventType.CLOSED) {
            // Nothing to choose for, nor to tell: no controller ever heard of it. Connections that
            // fell back to TCP say only this; looking each up would dump the whole namespace.
            return;
        }
        if (r == null) {
            r = type == MptcpEventType.CREATED || type == MptcpEventType.ESTABLISHED ? choose(event) : chooseLate(token);
            chosen.put(token, r);
        }
        try {
            if (r.wants.contains(type)) {
                Callbacks.deliver(r.controller, type, event);
            }
        } finally {
            if (type == MptcpEventType.CLOSED) {
                chosen.remove(token);
                gone(r, token);
            }
        }
    }

    /** Connection {@code token}, which {@code r} managed, is closed. */
    private void gone(Route r, int token) {
        if (r instanceof Assigned a) {
            a.leave(token);
            assignmentEnd.accept(token);
        }
    }

    private Route choose(MptcpEvent event) {
        event.copyLocal(local);
        event.copyRemote(remote);
        return first(event.serverSide());
    }

    /** A connection first seen by a later event: its addresses and side from sock_diag. */
    private Route chooseLate(int token) {
        if (context != null && !context.hasConnectionInfo()) {
            LOG.atDebug().log(() -> "policy: connection " + EventFormat.token(token) + " first seen after its"
                    + " ESTABLISHED, and this kernel tells nothing of its addresses; left alone");
            return NONE;
        }
        ConnectionInfo info = context == null ? null : context.connection(token);
        if (info == null) {
            LOG.atDebug().log(() -> "policy: connection " + EventFormat.token(token) + " is gone; left alone");
            return NONE;
        }
        return choose(info);
    }

    private Route choose(ConnectionInfo info) {
        local.set(info.local().getAddress(), info.local().getPort());
        remote.set(info.remote().getAddress(), info.remote().getPort());
        return first(info.serverSide());
    }

    private Route first(boolean serverSide) {
        for (int i = 0; i < matches.size(); i++) {
            if (matches.get(i).matches(local, remote, serverSide)) {
                return rules.get(i);
            }
        }
        return NONE;
    }

    private void broadcast(MptcpEventType type, MptcpEvent event) {
        for (int i = 0; i < distinct.size(); i++) {
            distinct.get(i).broadcast(type, event);
        }
        for (int i = 0; i < assignedList.size(); i++) {
            assignedList.get(i).broadcast(type, event);
        }
    }

    /**
     * Hands {@code event}, of {@code type}, to the controller its connection has, or to every
     * controller that asked for its type: the host's one call per event.
     */
    void deliver(MptcpEventType type, MptcpEvent event) {
        if (Callbacks.perConnection(type)) {
            route(type, event);
        } else if (type == MptcpEventType.EVENTS_LOST) {
            onEventsLost();
        } else {
            broadcast(type, event);
        }
    }

    private void on(MptcpEvent event) {
        deliver(event.type(), event);
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
        for (Route r : distinct) {
            r.controller.onEventsLost();
        }
        for (int i = 0; i < assignedList.size(); i++) {
            assignedList.get(i).controller.onEventsLost();
        }
    }

    /** Every controller hears of it, each once, in the order they were made. */
    @Override
    public void onBatchEnd() {
        for (int i = 0; i < distinct.size(); i++) {
            distinct.get(i).batchEnd();
        }
        for (int i = 0; i < assignedList.size(); i++) {
            assignedList.get(i).batchEnd();
        }
    }

    @Override
    public void onConnectionDiscovered(DiscoveredConnection connection) {
        Route r = chosen.get(connection.token());
        if (r == null && fallback != null) {
            r = fallback;
        } else if (r == null) {
            r = choose(connection.connection());
            chosen.put(connection.token(), r);
        }
        r.controller.onConnectionDiscovered(connection);
    }

    @Override
    public void onResyncDone(IntPredicate open) {
        for (int token : chosen.tokens()) {
            if (!open.test(token)) {
                gone(chosen.remove(token), token);
            }
        }
        for (Route r : distinct) {
            r.controller.onResyncDone(open);
        }
        for (int i = 0; i < assignedList.size(); i++) {
            Assigned a = assignedList.get(i);
            for (PerConnection<?> states : a.states) {
                states.retain(open);
            }
            a.controller.onResyncDone(open);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("policy [");
        for (int i = 0; i < matches.size(); i++) {
            s.append(i == 0 ? "" : "; ").append(matches.get(i)).append(" -> ").append(rules.get(i).controller);
        }
        return s.append(']').toString();
    }

    /**
     * A controller made for connections handed over by name, with a context of its own that
     * keeps what it sets up (state per connection, timers): when its last connection closes,
     * is found gone or is handed to another, it is stopped and that goes with it, so that
     * assignments with ever new parameters leave nothing behind.
     */
    private final class Assigned extends Route implements ControllerContext {
        final String key;
        /** Its connections: those {@link #chosen} routes to it. */
        int connections;
        final List<PerConnection<?>> states = new ArrayList<>();
        final List<Timer> timers = new ArrayList<>();

        Assigned(String key, Controller controller) {
            super(controller);
            this.key = key;
            assigned.put(key, this);
            assignedList.add(this);
        }

        void start() {
            try {
                controller.start(this);
            } catch (RuntimeException e) {
                release();
                throw e;
            }
        }

        /** Connection {@code token} is no longer this controller's. */
        void leave(int token) {
            for (int i = 0; i < states.size(); i++) {
                states.get(i).remove(token);
            }
            if (--connections == 0) {
                release();
            }
        }

        private void release() {
            for (int i = 0; i < timers.size(); i++) {
                timers.get(i).stop();
            }
            timers.clear();
            assigned.remove(key);
            assignedList.remove(this);
            try {
                controller.stop();
            } catch (RuntimeException e) {
                LOG.warn("policy: " + controller + " failed to stop: " + e.getMessage(), e);
            }
        }

        @Override
        public PathManager pathManager() {
            return context.pathManager();
        }

        @Override
        public NetworkNamespace namespace() {
            return context.namespace();
        }

        @Override
        public LocalAddressIds localAddressIds() {
            return context.localAddressIds();
        }

        @Override
        public List<LocalAddress> usableLocalAddresses() {
            return context.usableLocalAddresses();
        }

        @Override
        public void watchTimeouts(int token) {
            context.watchTimeouts(token);
        }

        @Override
        public void stopWatchingTimeouts(int token) {
            context.stopWatchingTimeouts(token);
        }

        @Override
        public boolean hasConnectionInfo() {
            return context.hasConnectionInfo();
        }

        @Override
        public List<ConnectionInfo> connections() {
            return context.connections();
        }

        @Override
        public ConnectionInfo connection(int token) {
            return context.connection(token);
        }

        @Override
        public long nanoTime() {
            return context.nanoTime();
        }

        @Override
        public int addressFlags() {
            return context.addressFlags();
        }

        @Override
        public <S> PerConnection<S> perConnection(IntFunction<S> factory, ObjIntConsumer<S> reuse) {
            PerConnection<S> kept = new PerConnection<>(Objects.requireNonNull(factory), reuse);
            states.add(kept);
            return kept;
        }

        @Override
        public EventLoop.Scheduled schedule(Duration period, Runnable action) {
            Timer timer = new Timer(action, false);
            timer.scheduled = context.schedule(period, timer);
            timer.keep();
            return timer;
        }

        @Override
        public EventLoop.Scheduled runLater(Duration delay, Runnable action) {
            Timer timer = new Timer(action, true);
            timer.scheduled = context.runLater(delay, timer);
            timer.keep();
            return timer;
        }

        /**
         * A timer the controller set, kept in {@link #timers} until it is cancelled, has run once
         * or the controller is released: what the controller cancels goes, so that a long-lived
         * controller setting and cancelling timers keeps only those still to run. The loop holds
         * this rather than the controller's action, so that a released controller can be
         * collected before the loop drops its cancelled timers (at their next due time).
         */
        private final class Timer implements Runnable, EventLoop.Scheduled {
            private Runnable action;
            private final boolean once;
            EventLoop.Scheduled scheduled;
            /** Its place in {@link #timers}; -1 when not there. */
            private int index = -1;

            Timer(Runnable action, boolean once) {
                this.action = Objects.requireNonNull(action);
                this.once = once;
            }

            void keep() {
                index = timers.size();
                timers.add(this);
            }

            @Override
            public void run() {
                Runnable a = action;
                if (once) {
                    forget(); // kept timers do not grow with those that ran
                }
                if (a != null) {
                    a.run();
                }
            }

            /** The controller's cancel, from the loop's thread. */
            @Override
            public void cancel() {
                forget();
                stop();
            }

            /** It will not run again; {@link #release} then drops every timer at once. */
            void stop() {
                action = null;
                index = -1;
                scheduled.cancel();
            }

            /** Out of {@link #timers} in constant time: the last one takes its place. */
            private void forget() {
                if (index < 0) {
                    return;
                }
                Timer last = timers.remove(timers.size() - 1);
                if (last != this) {
                    timers.set(index, last);
                    last.index = index;
                }
                index = -1;
            }
        }
    }
}
