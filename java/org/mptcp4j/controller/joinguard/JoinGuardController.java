package org.mptcp4j.controller.joinguard;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.controller.PerConnection;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.protocol.TcpState;
import org.mptcp4j.pm.AddressPrefix;
import org.mptcp4j.pm.PathManagerException;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * join-guard: the server's admission of subflows its peers open (the SMAPP paper's "the
 * server can limit the number of subflows"; the allow_join decision). A join that breaks a
 * rule is closed as soon as its SUB_ESTABLISHED arrives: more subflows on the connection than
 * {@code maxSubflows} (the initial one counts), more from one remote address than
 * {@code maxPerRemote}, a remote address outside every {@code allow} prefix (when there are
 * some), or inside a {@code deny} prefix. The kernel cannot be asked before it accepts a join;
 * closing it right after is the nearest the userspace path manager allows.
 */
public final class JoinGuardController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(JoinGuardController.class);
    /** Subflows tracked per connection at most (the kernel allows no more anyway). */
    private static final int MAX_TRACKED = 64;
    /** The range of both limits: what a connection's table tracks. */
    static final ValueRange LIMIT = ValueRange.count(1, MAX_TRACKED);

    /**
     * @param maxSubflows subflows per connection at most, the initial one included
     * @param maxPerRemote subflows per connection from one remote address at most
     * @param allow remote prefixes joins may come from (empty: any)
     * @param deny remote prefixes joins may not come from
     */
    public record Settings(int maxSubflows, int maxPerRemote, List<AddressPrefix> allow, List<AddressPrefix> deny) {
        /**
         * Checks the values and copies the prefixes.
         *
         * @param maxSubflows subflows per connection at most, the initial one included
         * @param maxPerRemote subflows per connection from one remote address at most
         * @param allow remote prefixes joins may come from (empty: any)
         * @param deny remote prefixes joins may not come from
         */
        public Settings {
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
            LIMIT.check("max-subflows", maxSubflows);
            LIMIT.check("max-per-remote", maxPerRemote);
        }
    }

    /** The subflows a connection has: remote address and port of each. */
    static final class Joins {
        final MptcpAddress[] remotes = new MptcpAddress[MAX_TRACKED];
        final int[] localPorts = new int[MAX_TRACKED];
        int count;
        boolean server;

        int countFrom(MptcpAddress remote) {
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (remotes[i].sameAddress(remote)) {
                    n++;
                }
            }
            return n;
        }

        /** Whether the subflow from {@code remote} (address and port) to {@code localPort} is counted. */
        boolean has(MptcpAddress remote, int localPort) {
            return indexOf(remote, localPort) >= 0;
        }

        /**
         * Counts a subflow once: a connection found by a resync has its subflows counted, and
         * their ESTABLISHED or SUB_ESTABLISHED events may still be queued behind the resync.
         */
        void add(MptcpAddress remote, int localPort) {
            if (count < MAX_TRACKED && !has(remote, localPort)) {
                if (remotes[count] == null) {
                    remotes[count] = new MptcpAddress();
                }
                remotes[count].set(remote);
                localPorts[count++] = localPort;
            }
        }

        void remove(MptcpAddress remote, int localPort) {
            int i = indexOf(remote, localPort);
            if (i >= 0) {
                MptcpAddress spare = remotes[i];
                remotes[i] = remotes[count - 1];
                localPorts[i] = localPorts[count - 1];
                remotes[--count] = spare;
            }
        }

        private int indexOf(MptcpAddress remote, int localPort) {
            for (int i = 0; i < count; i++) {
                if (localPorts[i] == localPort && remotes[i].sameAddress(remote) && remotes[i].port() == remote.port()) {
                    return i;
                }
            }
            return -1;
        }
    }

    private final Settings settings;
    private final MptcpAddress local = new MptcpAddress();
    private final MptcpAddress remote = new MptcpAddress();
    private ControllerContext context;
    private PerConnection<Joins> connections;
    private volatile long admitted;
    private volatile long refused;

    /**
     * A controller with these settings.
     *
     * @param settings the settings
     */
    public JoinGuardController(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        return EnumSet.of(MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED, MptcpEventType.SUB_ESTABLISHED,
                MptcpEventType.SUB_CLOSED);
    }

    @Override
    public void start(ControllerContext ctx) {
        this.context = ctx;
        this.connections = ctx.perConnection(token -> new Joins(), (joins, token) -> {
            joins.count = 0;
            joins.server = false;
        });
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        Joins joins = connections.get(event.token());
        joins.server = event.serverSide();
        event.copyRemote(remote);
        joins.add(remote, event.localPort());
    }

    @Override
    public void onConnectionDiscovered(DiscoveredConnection discovered) {
        // Counted again from what the kernel has: a SUB_CLOSED may have been lost.
        connections.remove(discovered.token());
        Joins joins = connections.get(discovered.token());
        joins.server = discovered.serverSide();
        for (SubflowInfo s : discovered.connection().subflows()) {
            if (s.state() == TcpState.ESTABLISHED) {
                remote.set(s.remote().getAddress(), s.remote().getPort());
                joins.add(remote, s.local().getPort());
            }
        }
    }

    @Override
    public void onSubflowEstablished(MptcpEvent event) {
        Joins joins = connections.peek(event.token());
        if (joins == null || !joins.server) {
            return;
        }
        event.copyRemote(remote);
        if (joins.has(remote, event.localPort())) {
            return; // counted by a resync that ran before this event was read
        }
        String broken = rule(joins);
        if (broken == null) {
            admitted++;
            joins.add(remote, event.localPort());
            return;
        }
        refused++;
        event.copyLocal(local);
        LOG.atInfo().log(() -> "join-guard: " + EventFormat.token(event.token()) + ": join from " + remote
                + " closed: " + broken);
        try {
            context.pathManager().destroySubflow(event.token(), local, remote);
        } catch (PathManagerException e) {
            LOG.atWarn().log(() -> "join-guard: close the join from " + remote + ": " + e.getMessage());
        }
    }

    /** The rule the join from {@code remote} breaks, or null. */
    private String rule(Joins joins) {
        if (joins.count >= settings.maxSubflows()) {
            return "the connection has " + joins.count + " subflows, its limit";
        }
        if (joins.countFrom(remote) >= settings.maxPerRemote()) {
            return "the connection has " + settings.maxPerRemote() + " subflows from that address, its limit";
        }
        for (AddressPrefix p : settings.deny()) {
            if (p.contains(remote)) {
                return "denied by " + p;
            }
        }
        if (!settings.allow().isEmpty() && settings.allow().stream().noneMatch(p -> p.contains(remote))) {
            return "not in " + settings.allow();
        }
        return null;
    }

    @Override
    public void onSubflowClosed(MptcpEvent event) {
        Joins joins = connections.peek(event.token());
        if (joins != null) {
            event.copyRemote(remote);
            joins.remove(remote, event.localPort());
        }
    }

    /**
     * Joins let stay.
     *
     * @return the count of joins admitted
     */
    public long admitted() {
        return admitted;
    }

    /**
     * Joins closed for breaking a rule.
     *
     * @return the count of joins refused
     */
    public long refused() {
        return refused;
    }

    @Override
    public String toString() {
        return "join-guard (at most " + settings.maxSubflows() + " subflows, " + settings.maxPerRemote()
                + " per remote address" + (settings.allow().isEmpty() ? "" : ", allow " + settings.allow())
                + (settings.deny().isEmpty() ? "" : ", deny " + settings.deny()) + ")";
    }
}
