package org.mptcp4j.controller.fullmesh;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.controller.PerConnection;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.LocalAddress;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.protocol.TcpState;
import org.mptcp4j.pm.PathManagerException;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fullmesh: a subflow between every local address and every address of the peer, kept so.
 *
 * <ul>
 *   <li>When a connection is established, a subflow from each local address to the peer's
 *       address, and to each address the peer announces later.</li>
 *   <li>An address added to an interface gets its subflows on every connection; an address
 *       removed takes its subflows with it. The subflows of a link that goes down are closed a
 *       second later, if it is still down (the kernel moves their data to the other subflows
 *       fastest while they exist); a link coming up opens them again.</li>
 *   <li>A subflow that fails or closes while its connection lives is opened again after a
 *       backoff that doubles with each failure in a row (the SMAPP paper's smart long-lived
 *       connections); a pair of addresses that fails {@code giveUpAfter} times in a row is
 *       remembered as failing for {@code rememberFailing}, for every connection, and only
 *       tried again after that.</li>
 * </ul>
 *
 * By default only connections this host opened get subflows (a server rarely reaches its
 * clients' other addresses). At most {@code maxSubflows} subflows per connection.
 */
public final class FullMeshController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(FullMeshController.class);

    static final int MAX_LOCALS = 16;
    static final int MAX_REMOTES = 8;
    /** The settings' ranges: subflows within the mesh's arrays, waits of at most an hour, a day's memory. */
    static final ValueRange MAX_SUBFLOWS = ValueRange.count(1, MAX_LOCALS * MAX_REMOTES);
    static final ValueRange BACKOFF = ValueRange.duration(Duration.ofMillis(10), Duration.ofHours(1));
    static final ValueRange GIVE_UP_AFTER = ValueRange.count(1, 1000);
    static final ValueRange REMEMBER_FAILING = ValueRange.duration(Duration.ZERO, Duration.ofDays(1));
    private static final Duration CHECK_PERIOD = Duration.ofMillis(50);
    /**
     * How long the subflows of a link that went down are left to the kernel, which moves their
     * data to the other subflows fastest while they exist (benchmarks/README.md, failover),
     * before they are closed.
     */
    static final Duration LINK_DOWN_GRACE = Duration.ofSeconds(1);

    /** What is known of the subflow between one local and one remote address of a connection. */
    static final byte NONE = 0;
    static final byte PENDING = 1;
    static final byte UP = 2;
    static final byte RETRY = 3;
    static final byte LINK_DOWN = 4;

    /**
     * How fullmesh behaves.
     *
     * @param clientOnly only connections this host opened get subflows
     * @param maxSubflows subflows per connection at most, the initial one included
     * @param backoff the wait before opening a failed subflow again, doubled with each failure in a row
     * @param maxBackoff the longest wait
     * @param giveUpAfter failures in a row after which an address pair is remembered as failing
     * @param rememberFailing how long an address pair stays remembered as failing
     * @param addresses the local addresses to use; empty: every usable one, following changes
     */
    public record Settings(boolean clientOnly, int maxSubflows, Duration backoff, Duration maxBackoff, int giveUpAfter,
            Duration rememberFailing, List<InetAddress> addresses) {
        /**
         * Connections this host opened, 8 subflows at most, a back-off from 500 ms to 30 s, a pair
         * remembered as failing for 5 minutes after 6 failures, every usable address.
         */
        public static final Settings DEFAULT = new Settings(true, 8, Duration.ofMillis(500), Duration.ofSeconds(30), 6,
                Duration.ofMinutes(5), List.of());

        /**
         * Checks the values and copies the addresses.
         *
         * @param clientOnly only connections this host opened get subflows
         * @param maxSubflows subflows per connection at most, the initial one included
         * @param backoff the wait before opening a failed subflow again, doubled with each failure in a row
         * @param maxBackoff the longest wait
         * @param giveUpAfter failures in a row after which an address pair is remembered as failing
         * @param rememberFailing how long an address pair stays remembered as failing
         * @param addresses the local addresses to use; empty: every usable one, following changes
         */
        public Settings {
            MAX_SUBFLOWS.check("max-subflows", maxSubflows);
            BACKOFF.check("backoff", backoff);
            BACKOFF.check("max-backoff", maxBackoff);
            GIVE_UP_AFTER.check("give-up-after", giveUpAfter);
            REMEMBER_FAILING.check("remember-failing", rememberFailing);
            if (maxBackoff.compareTo(backoff) < 0) {
                throw new IllegalArgumentException("max-backoff must be no shorter than backoff: " + maxBackoff + " < "
                        + backoff);
            }
            addresses = List.copyOf(addresses);
        }
    }

    /** One connection's mesh: its remote addresses and the state of each local x remote pair. */
    static final class Mesh {
        int token;
        final MptcpAddress initialLocal = new MptcpAddress();
        final MptcpAddress[] remotes = new MptcpAddress[MAX_REMOTES];
        final int[] remoteIds = new int[MAX_REMOTES];
        final boolean[] remotePresent = new boolean[MAX_REMOTES];
        int remoteCount;
        final byte[] state = new byte[MAX_LOCALS * MAX_REMOTES];
        final int[] failures = new int[MAX_LOCALS * MAX_REMOTES];
        final long[] retryAt = new long[MAX_LOCALS * MAX_REMOTES];
        final int[] localPort = new int[MAX_LOCALS * MAX_REMOTES];
        boolean ready;

        Mesh(int token) {
            this.token = token;
        }

        /** Readies the mesh of a closed connection for connection {@code newToken}. */
        void reuse(int newToken) {
            token = newToken;
            remoteCount = 0;
            Arrays.fill(remotePresent, false);
            Arrays.fill(state, NONE);
            Arrays.fill(failures, 0);
            Arrays.fill(retryAt, 0);
            Arrays.fill(localPort, 0);
            ready = false;
        }

        int subflows() {
            int n = 0;
            for (byte s : state) {
                if (s == PENDING || s == UP) {
                    n++;
                }
            }
            return n;
        }

        int remoteIndex(MptcpAddress address) {
            for (int r = 0; r < remoteCount; r++) {
                if (remotePresent[r] && remotes[r].sameAddress(address)) {
                    return r;
                }
            }
            return -1;
        }

        int addRemote(MptcpAddress address, int port, int id) {
            int r = remoteIndex(address);
            if (r >= 0) {
                return r;
            }
            for (r = 0; r < remoteCount && remotePresent[r]; r++) {
                // the first free slot
            }
            if (r == MAX_REMOTES) {
                return -1;
            }
            if (r == remoteCount) {
                remoteCount++;
                if (remotes[r] == null) {
                    remotes[r] = new MptcpAddress(); // kept when the mesh is reused
                }
            }
            remotes[r].set(address).port(port).id(0);
            remoteIds[r] = id;
            remotePresent[r] = true;
            for (int l = 0; l < MAX_LOCALS; l++) {
                reset(l * MAX_REMOTES + r);
            }
            return r;
        }

        void reset(int pair) {
            state[pair] = NONE;
            failures[pair] = 0;
            retryAt[pair] = 0;
            localPort[pair] = 0;
        }
    }

    private final Settings settings;
    /** The local addresses, their ids and interfaces; an index stays with its address. */
    private final MptcpAddress[] locals = new MptcpAddress[MAX_LOCALS];
    private final int[] localIfIndex = new int[MAX_LOCALS];
    private final boolean[] localPresent = new boolean[MAX_LOCALS];
    private final boolean[] localLinkDown = new boolean[MAX_LOCALS];
    private int localCount;
    /** Address pairs that kept failing, as "local remote", until when (the context's nanoTime). */
    private final Map<String, Long> failing = new HashMap<>();
    private final MptcpAddress eventLocal = new MptcpAddress();
    private final MptcpAddress eventRemote = new MptcpAddress();
    private final MptcpAddress from = new MptcpAddress();
    private final MptcpAddress to = new MptcpAddress();
    private ControllerContext context;
    private PerConnection<Mesh> meshes;
    private volatile long created;
    private volatile long failed;

    /**
     * A controller with these settings.
     *
     * @param settings the settings
     */
    public FullMeshController(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        return EnumSet.of(MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED, MptcpEventType.ANNOUNCED,
                MptcpEventType.REMOVED, MptcpEventType.SUB_ESTABLISHED, MptcpEventType.SUB_CLOSED,
                MptcpEventType.LOCAL_ADDRESS_ADDED, MptcpEventType.LOCAL_ADDRESS_REMOVED, MptcpEventType.LINK_UP,
                MptcpEventType.LINK_DOWN);
    }

    @Override
    public void start(ControllerContext ctx) {
        this.context = ctx;
        this.meshes = ctx.perConnection(Mesh::new, Mesh::reuse);
        if (settings.addresses().isEmpty()) {
            for (LocalAddress a : ctx.usableLocalAddresses()) {
                addLocal(MptcpAddress.of(a.address(), 0), a.ifIndex());
            }
        } else {
            for (InetAddress a : settings.addresses()) {
                addLocal(MptcpAddress.of(a, 0), 0);
            }
        }
        ctx.schedule(CHECK_PERIOD, this::retryDue);
        LOG.atInfo().log(() -> "fullmesh: local addresses " + Arrays.asList(locals).subList(0, localCount));
    }

    private int localIndex(MptcpAddress address) {
        for (int l = 0; l < localCount; l++) {
            if (locals[l].sameAddress(address)) {
                return l;
            }
        }
        return -1;
    }

    /** Takes {@code address} into the local table (again); its index, or -1 when the table is full. */
    private int addLocal(MptcpAddress address, int ifIndex) {
        int l = localIndex(address);
        if (l < 0) {
            l = freeLocalSlot();
            if (l < 0) {
                LOG.atWarn().log(() -> "fullmesh: more than " + MAX_LOCALS + " local addresses; " + address
                        + " is not used");
                return -1;
            }
            if (l == localCount) {
                localCount++;
                locals[l] = new MptcpAddress();
            }
            locals[l].set(address).port(0);
            locals[l].id(context.localAddressIds().idOf(locals[l]));
        }
        localPresent[l] = true;
        localLinkDown[l] = false;
        if (ifIndex > 0) {
            localIfIndex[l] = ifIndex;
        }
        return l;
    }

    /** A slot for a new address: a fresh one, or one whose address went away (its pairs cleared). */
    private int freeLocalSlot() {
        if (localCount < MAX_LOCALS) {
            return localCount;
        }
        for (int l = 0; l < MAX_LOCALS; l++) {
            if (!localPresent[l]) {
                for (int token : meshes.tokens()) {
                    Mesh mesh = meshes.peek(token);
                    for (int r = 0; r < MAX_REMOTES; r++) {
                        mesh.reset(l * MAX_REMOTES + r);
                    }
                }
                return l;
            }
        }
        return -1;
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        if (settings.clientOnly() && event.serverSide()) {
            return;
        }
        Mesh mesh = meshes.get(event.token());
        event.copyLocal(eventLocal);
        event.copyRemote(eventRemote);
        begin(mesh, eventLocal, eventRemote, event.localPort());
        fill(mesh);
    }

    /** The initial subflow: its pair is up. */
    private void begin(Mesh mesh, MptcpAddress initialLocal, MptcpAddress initialRemote, int localPort) {
        mesh.initialLocal.set(initialLocal).port(0);
        int r = mesh.addRemote(initialRemote, initialRemote.port(), 0);
        int l = localIndex(initialLocal);
        if (l >= 0 && r >= 0) {
            int pair = l * MAX_REMOTES + r;
            mesh.state[pair] = UP;
            mesh.localPort[pair] = localPort;
        }
        mesh.ready = true;
    }

    @Override
    public void onConnectionDiscovered(DiscoveredConnection discovered) {
        ConnectionInfo c = discovered.connection();
        if (settings.clientOnly() && c.serverSide()) {
            return;
        }
        Mesh mesh = meshes.get(c.token());
        if (mesh.ready) {
            // Seen again after lost events: a subflow whose SUB_CLOSED was lost is open no more.
            for (int pair = 0; pair < mesh.state.length; pair++) {
                if (mesh.state[pair] == UP || mesh.state[pair] == PENDING) {
                    mesh.reset(pair);
                }
            }
        }
        eventLocal.set(c.local().getAddress(), 0);
        eventRemote.set(c.remote().getAddress(), c.remote().getPort());
        begin(mesh, eventLocal, eventRemote, c.local().getPort());
        for (SubflowInfo s : c.subflows()) {
            if (s.state() != TcpState.ESTABLISHED && s.state() != TcpState.SYN_SENT) {
                continue;
            }
            eventLocal.set(s.local().getAddress(), 0);
            eventRemote.set(s.remote().getAddress(), s.remote().getPort());
            int l = localIndex(eventLocal);
            int r = mesh.addRemote(eventRemote, s.remote().getPort(), s.remoteId());
            if (l >= 0 && r >= 0) {
                mesh.state[l * MAX_REMOTES + r] = UP;
                mesh.localPort[l * MAX_REMOTES + r] = s.local().getPort();
            }
        }
        fill(mesh);
    }

    @Override
    public void onAnnounced(MptcpEvent event) {
        Mesh mesh = meshes.peek(event.token());
        if (mesh == null || !mesh.ready) {
            return;
        }
        event.copyRemote(eventRemote);
        int port = event.remotePort() != 0 ? event.remotePort() : mesh.remotes[0].port();
        if (mesh.addRemote(eventRemote, port, event.remoteId()) >= 0) {
            fill(mesh);
        }
    }

    @Override
    public void onRemoved(MptcpEvent event) {
        Mesh mesh = meshes.peek(event.token());
        if (mesh == null) {
            return;
        }
        for (int r = 0; r < mesh.remoteCount; r++) {
            // The kernel closes the subflows to a removed address itself.
            if (mesh.remotePresent[r] && mesh.remoteIds[r] == event.remoteId() && event.remoteId() != 0) {
                mesh.remotePresent[r] = false;
                for (int l = 0; l < MAX_LOCALS; l++) {
                    mesh.reset(l * MAX_REMOTES + r);
                }
            }
        }
    }

    @Override
    public void onSubflowEstablished(MptcpEvent event) {
        int pair = pairOf(event);
        Mesh mesh = meshes.peek(event.token());
        if (pair >= 0) {
            mesh.state[pair] = UP;
            mesh.failures[pair] = 0;
            mesh.localPort[pair] = event.localPort();
        }
    }

    @Override
    public void onSubflowClosed(MptcpEvent event) {
        int pair = pairOf(event);
        if (pair < 0) {
            return;
        }
        Mesh mesh = meshes.peek(event.token());
        byte state = mesh.state[pair];
        if (state == LINK_DOWN) {
            mesh.localPort[pair] = 0; // gone with its link; opened again when the link is up
            return;
        }
        if (state != UP && state != PENDING) {
            return; // closed on purpose (address gone) or already counted
        }
        // The ports must match, or this is another subflow of the same pair closing.
        if (mesh.localPort[pair] != 0 && mesh.localPort[pair] != event.localPort()) {
            return;
        }
        failedPair(mesh, pair);
    }

    private void failedPair(Mesh mesh, int pair) {
        int n = ++mesh.failures[pair];
        mesh.localPort[pair] = 0;
        long now = context.nanoTime();
        if (n >= settings.giveUpAfter()) {
            long until = now + settings.rememberFailing().toNanos();
            failing.put(pairKey(mesh, pair), until);
            mesh.state[pair] = RETRY;
            mesh.retryAt[pair] = until;
            mesh.failures[pair] = 0;
            LOG.atInfo().log(() -> "fullmesh: " + pairText(mesh, pair) + " failed " + n + " times in a row;"
                    + " left alone for " + settings.rememberFailing());
            return;
        }
        // Doubled per failure up to max-backoff, without shifting past it (and out of a long).
        int doublings = Math.min(n - 1, 20);
        long backoff = settings.backoff().toNanos();
        long max = settings.maxBackoff().toNanos();
        mesh.state[pair] = RETRY;
        mesh.retryAt[pair] = now + (backoff > max >> doublings ? max : backoff << doublings);
    }

    /** The pair of the subflow an event names, for a connection with a mesh; -1 if none. */
    private int pairOf(MptcpEvent event) {
        Mesh mesh = meshes.peek(event.token());
        if (mesh == null || !mesh.ready) {
            return -1;
        }
        event.copyLocal(eventLocal);
        event.copyRemote(eventRemote);
        int l = localIndex(eventLocal);
        int r = mesh.remoteIndex(eventRemote);
        return l < 0 || r < 0 ? -1 : l * MAX_REMOTES + r;
    }

    @Override
    public void onLocalAddressAdded(MptcpEvent event) {
        event.copyLocal(eventLocal);
        if (!settings.addresses().isEmpty() && !configured(eventLocal)) {
            return;
        }
        int known = localIndex(eventLocal);
        if (known >= 0 && localPresent[known]) {
            return; // reported again (a lifetime refresh): nothing new
        }
        int l = addLocal(eventLocal, event.ifIndex());
        if (l >= 0) {
            for (int token : meshes.tokens()) {
                Mesh mesh = meshes.peek(token);
                for (int r = 0; r < MAX_REMOTES; r++) {
                    if (mesh.state[l * MAX_REMOTES + r] != UP) {
                        mesh.reset(l * MAX_REMOTES + r);
                    }
                }
                fill(mesh);
            }
        }
    }

    private boolean configured(MptcpAddress address) {
        for (InetAddress a : settings.addresses()) {
            if (address.sameAddress(from.set(a, 0))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onLocalAddressRemoved(MptcpEvent event) {
        event.copyLocal(eventLocal);
        int l = localIndex(eventLocal);
        if (l >= 0 && localPresent[l]) {
            localPresent[l] = false;
            closeSubflowsFrom(l, NONE);
        }
    }

    @Override
    public void onLinkDown(MptcpEvent event) {
        for (int l = 0; l < localCount; l++) {
            if (localPresent[l] && localIfIndex[l] == event.ifIndex() && !localLinkDown[l]) {
                localLinkDown[l] = true;
                int local = l;
                for (int token : meshes.tokens()) {
                    Mesh mesh = meshes.peek(token);
                    for (int r = 0; r < MAX_REMOTES; r++) {
                        int pair = l * MAX_REMOTES + r;
                        if (mesh.state[pair] == UP || mesh.state[pair] == PENDING) {
                            mesh.state[pair] = LINK_DOWN;
                        } else if (mesh.state[pair] == RETRY) {
                            mesh.reset(pair);
                            mesh.state[pair] = LINK_DOWN;
                        }
                    }
                }
                context.runLater(LINK_DOWN_GRACE, () -> {
                    if (localLinkDown[local]) {
                        closeSubflowsFrom(local, LINK_DOWN);
                    }
                });
            }
        }
    }

    @Override
    public void onLinkUp(MptcpEvent event) {
        for (int l = 0; l < localCount; l++) {
            if (localIfIndex[l] == event.ifIndex() && localLinkDown[l]) {
                localLinkDown[l] = false;
                for (int token : meshes.tokens()) {
                    Mesh mesh = meshes.peek(token);
                    for (int r = 0; r < MAX_REMOTES; r++) {
                        int pair = l * MAX_REMOTES + r;
                        if (mesh.state[pair] == LINK_DOWN && mesh.localPort[pair] != 0) {
                            mesh.state[pair] = UP; // it outlived the outage
                        } else if (mesh.state[pair] == LINK_DOWN || mesh.state[pair] == RETRY) {
                            mesh.reset(pair);
                        }
                    }
                    fill(mesh);
                }
            }
        }
    }

    /** Closes every subflow from local address {@code l}, leaving its pairs in {@code after}. */
    private void closeSubflowsFrom(int l, byte after) {
        for (int token : meshes.tokens()) {
            Mesh mesh = meshes.peek(token);
            for (int r = 0; r < mesh.remoteCount; r++) {
                int pair = l * MAX_REMOTES + r;
                byte state = mesh.state[pair];
                mesh.state[pair] = after;
                if ((state == UP || state == PENDING || state == LINK_DOWN) && mesh.localPort[pair] != 0
                        && mesh.remotePresent[r]) {
                    destroy(mesh, l, r, mesh.localPort[pair]);
                    mesh.localPort[pair] = 0;
                }
                if (after == NONE) {
                    mesh.reset(pair);
                }
            }
        }
    }

    private void destroy(Mesh mesh, int l, int r, int localPort) {
        address(mesh, l, r);
        from.port(localPort);
        try {
            context.pathManager().destroySubflow(mesh.token, from, to);
        } catch (PathManagerException e) {
            LOG.atDebug().log(() -> "fullmesh: close " + from + " -> " + to + ": " + e.getMessage());
        }
    }

    /** Opens the subflows a connection lacks, within its limit. */
    private void fill(Mesh mesh) {
        if (!mesh.ready) {
            return;
        }
        int open = mesh.subflows();
        long now = context.nanoTime();
        for (int r = 0; r < mesh.remoteCount && open < settings.maxSubflows(); r++) {
            for (int l = 0; l < localCount && open < settings.maxSubflows(); l++) {
                int pair = l * MAX_REMOTES + r;
                if (mesh.state[pair] == NONE && usable(mesh, l, r)) {
                    Long until = failing.isEmpty() ? null : failing.get(pairKey(mesh, pair));
                    if (until != null && until - now > 0) {
                        mesh.state[pair] = RETRY;
                        mesh.retryAt[pair] = until;
                        continue;
                    }
                    if (create(mesh, pair, l, r)) {
                        open++;
                    }
                }
            }
        }
    }

    private boolean usable(Mesh mesh, int l, int r) {
        if (!localPresent[l] || localLinkDown[l] || !mesh.remotePresent[r]) {
            return false;
        }
        MptcpAddress remote = mesh.remotes[r];
        boolean remoteV4 = remote.family() == MptcpAddress.AF_INET || remote.isV4Mapped();
        return remoteV4 == (locals[l].family() == MptcpAddress.AF_INET);
    }

    private boolean create(Mesh mesh, int pair, int l, int r) {
        address(mesh, l, r);
        mesh.state[pair] = PENDING;
        mesh.localPort[pair] = 0;
        created++;
        try {
            context.pathManager().createSubflow(mesh.token, from, to);
            return true;
        } catch (PathManagerException e) {
            failed++;
            LOG.atDebug().log(() -> "fullmesh: " + EventFormat.token(mesh.token) + ": subflow " + from + " -> "
                    + to + ": " + e.getMessage());
            failedPair(mesh, pair);
            return false;
        }
    }

    /** Puts local {@code l} and remote {@code r} of the mesh in the form the connection uses into from / to. */
    private void address(Mesh mesh, int l, int r) {
        MptcpAddress remote = mesh.remotes[r];
        to.set(remote);
        from.set(locals[l]).port(0);
        from.id(locals[l].sameAddress(mesh.initialLocal) ? 0 : locals[l].id());
        if (remote.isV4Mapped()) {
            from.toV4Mapped(); // the kernel names a v4-mapped connection's subflows so
        }
    }

    /** Opens again the subflows whose wait is over. */
    private void retryDue() {
        if (meshes.size() == 0) {
            return;
        }
        long now = context.nanoTime();
        failing.values().removeIf(until -> until - now <= 0);
        for (int token : meshes.tokens()) {
            Mesh mesh = meshes.peek(token);
            boolean due = false;
            for (int pair = 0; pair < mesh.state.length; pair++) {
                if (mesh.state[pair] == RETRY && mesh.retryAt[pair] - now <= 0) {
                    mesh.state[pair] = NONE;
                    due = true;
                }
            }
            if (due) {
                fill(mesh);
            }
        }
    }

    private String pairKey(Mesh mesh, int pair) {
        return locals[pair / MAX_REMOTES] + " " + mesh.remotes[pair % MAX_REMOTES];
    }

    private String pairText(Mesh mesh, int pair) {
        return "subflow " + locals[pair / MAX_REMOTES] + " -> " + mesh.remotes[pair % MAX_REMOTES];
    }

    /**
     * SUBFLOW_CREATE requests sent.
     *
     * @return the count of requests sent
     */
    public long created() {
        return created;
    }

    /**
     * SUBFLOW_CREATE requests the kernel refused at once.
     *
     * @return the count of requests refused
     */
    public long failed() {
        return failed;
    }

    @Override
    public String toString() {
        return "fullmesh (" + (settings.clientOnly() ? "connections opened here" : "every connection") + ", at most "
                + settings.maxSubflows() + " subflows each)";
    }
}
