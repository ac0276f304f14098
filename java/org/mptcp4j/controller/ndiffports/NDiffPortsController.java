package org.mptcp4j.controller.ndiffports;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.controller.PerConnection;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.LocalAddress;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.protocol.TcpState;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerException;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ndiffports: when a connection this host opened is established, open more subflows to the
 * same remote address and port.
 *
 * <ul>
 *   <li>{@link #sameAddressPair(int)}: N extra subflows over the initial address pair, each
 *       from a different source port (the kernel picks them), so that ECMP hashing can spread
 *       them over different paths.</li>
 *   <li>{@link #perLocalAddress()}: one subflow from every other local address of the
 *       namespace, so each interface carries part of the connection.</li>
 * </ul>
 *
 * Only client-side connections get subflows (a server cannot reach a client behind NAT), and
 * none towards a peer that refuses joins to its initial address (deny-join-id0).
 * Nothing is allocated from the ESTABLISHED event to the last SUBFLOW_CREATE.
 *
 * <p>A connection found by resync (the daemon restarted, or events were lost) gets the
 * subflows it still lacks; one already served is left alone, however often it is reported.
 * sock_diag does not tell whether the peer refuses joins to its initial address: there the
 * kernel refuses the subflows, which count as {@link #failed()}.
 *
 * <p>A subflow the kernel refuses for want of a source port (EADDRINUSE while it picks one: under
 * churn the ports a host can bind to its address are held by closing subflows for a minute) is
 * asked for again after 1 s, then 2, 4 ... 32 s, as long as the connection is open: the
 * refusal is temporary, and asking once would leave the connection without it for good. So is
 * ENOTCONN for a connection still open: the kernel sends ESTABLISHED before the connection
 * takes joins when its owner holds the socket at that moment, and a path manager that answers
 * within microseconds can ask in between (seen in this project's kernel tests).
 */
public final class NDiffPortsController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(NDiffPortsController.class);

    /** A source port the kernel refused as taken: the next one of the range is tried, so many times. */
    private static final int PORT_ATTEMPTS = 8;
    /** A subflow refused for want of a source port is asked for again after this long, doubling. */
    private static final long RETRY_FIRST_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration RETRY_LOOK = Duration.ofSeconds(1);
    /** ... so many times (the last 63 s after the first refusal, past the minute TIME_WAIT holds ports). */
    private static final int RETRY_ATTEMPTS = 6;
    /** Subflows waiting to be asked for again at most; past it a refusal counts as failed at once. */
    private static final int RETRIES_MAX = 65_536;
    /** Extra subflows over the initial address pair: 1..8, the kernel's per-connection limit. */
    static final ValueRange SUBFLOWS = ValueRange.count(1, 8);

    private final int subflows;
    private final boolean perLocalAddress;
    private final List<InetAddress> configuredLocals;
    /** Source ports to use in turn, 0 when the kernel picks them. */
    private final int firstPort;
    private final int lastPort;
    private int nextPort;
    private final MptcpAddress local = new MptcpAddress();
    private final MptcpAddress remote = new MptcpAddress();
    private MptcpAddress[] locals = new MptcpAddress[0];
    /**
     * Connections given their subflows, until they close (the host drops them); with chosen
     * source ports, the local address ids the connection used for them so far (see {@link #create}).
     */
    private PerConnection<int[]> served;
    /** What a served connection maps to when the kernel picks the ports: nothing to count, nothing allocated. */
    private static final int[] KERNEL_PORTS = new int[0];
    private PathManager pathManager;
    private ControllerContext context;
    /** Subflows to ask for again, the earliest due first; touched on the loop's thread only. */
    private final PriorityQueue<Retry> retries = new PriorityQueue<>(Comparator.comparingLong(Retry::dueNanos));
    private EventLoop.Scheduled retryTimer;
    private volatile long requested;
    private volatile long failed;

    /** A subflow to ask for again: the addresses are copies, the caller's are reused. */
    private record Retry(int token, MptcpAddress from, MptcpAddress to, int attempt, long dueNanos) {}

    private NDiffPortsController(int subflows, boolean perLocalAddress, List<InetAddress> locals, int firstPort,
            int lastPort) {
        this.subflows = subflows;
        this.perLocalAddress = perLocalAddress;
        this.configuredLocals = locals;
        this.firstPort = firstPort;
        this.lastPort = lastPort;
        this.nextPort = firstPort;
    }

    /**
     * N extra subflows per connection over the initial address pair, N in 1..8.
     *
     * @param extraSubflows extra subflows per connection, 1..8
     * @return the controller
     */
    public static NDiffPortsController sameAddressPair(int extraSubflows) {
        SUBFLOWS.check("extra subflows", extraSubflows);
        return new NDiffPortsController(extraSubflows, false, List.of(), 0, 0);
    }

    /**
     * One subflow from each other usable local address, found in the namespace at start.
     *
     * @return the controller
     */
    public static NDiffPortsController perLocalAddress() {
        return new NDiffPortsController(1, true, null, 0, 0);
    }

    /**
     * One subflow from each of {@code addresses} that the connection does not already use.
     *
     * @param addresses the local addresses to open subflows from
     * @return the controller
     */
    public static NDiffPortsController perLocalAddress(List<InetAddress> addresses) {
        return new NDiffPortsController(1, true, List.copyOf(addresses), 0, 0);
    }

    /**
     * The same, with each subflow's source port taken in turn from {@code first..last} rather
     * than left to the kernel: the port is what ECMP hashes, so choosing it chooses the path
     * (a port the kernel reports taken is skipped).
     *
     * @param first the first source port
     * @param last the last source port
     * @return a new controller
     */
    public NDiffPortsController withSourcePorts(int first, int last) {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("source ports must be a range within 1..65535: " + first + "-" + last);
        }
        return new NDiffPortsController(subflows, perLocalAddress, configuredLocals, first, last);
    }

    @Override
    public void start(ControllerContext context) {
        this.context = context;
        this.pathManager = context.pathManager();
        this.served = context.perConnection(token -> firstPort == 0 ? KERNEL_PORTS : new int[1], (used, token) -> {
            if (used.length > 0) {
                used[0] = 0;
            }
        });
        if (perLocalAddress) {
            List<InetAddress> addresses = configuredLocals;
            if (addresses == null) {
                addresses = new ArrayList<>();
                for (LocalAddress a : context.usableLocalAddresses()) {
                    addresses.add(a.address());
                }
            }
            // The namespace's ids: one per address for every connection, endpoints' ids kept.
            locals = new MptcpAddress[addresses.size()];
            for (int i = 0; i < locals.length; i++) {
                MptcpAddress a = MptcpAddress.of(addresses.get(i), 0);
                locals[i] = a.id(context.localAddressIds().idOf(a));
            }
            LOG.atInfo().log(() -> "ndiffports: one subflow per local address " + List.of(locals));
        }
    }

    /** ESTABLISHED is the only event ndiffports acts on. */
    @Override
    public Set<MptcpEventType> eventTypes() {
        return EnumSet.of(MptcpEventType.ESTABLISHED);
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        if (event.serverSide() || event.denyJoinId0() || served.contains(event.token())) {
            return;
        }
        served.get(event.token()); // served from now on
        event.copyRemote(remote);
        event.copyLocal(local);
        int token = event.token();
        if (perLocalAddress) {
            for (MptcpAddress from : locals) {
                if (from.family() == local.family() && !from.sameAddress(local)) {
                    create(token, from);
                }
            }
        } else {
            // The initial subflow's address keeps its id 0; the kernel picks each source port.
            local.port(0).id(0);
            for (int i = 0; i < subflows; i++) {
                create(token, local);
            }
        }
    }

    /** Opens the subflows a connection found by resync lacks, counting those it has. */
    @Override
    public void onConnectionDiscovered(DiscoveredConnection discovered) {
        ConnectionInfo c = discovered.connection();
        if (c.serverSide() || served.contains(c.token())) {
            return;
        }
        served.get(c.token()); // served from now on
        MptcpAddress initial = MptcpAddress.of(c.local().getAddress(), 0).id(0);
        remote.set(c.remote().getAddress(), c.remote().getPort());
        if (perLocalAddress) {
            for (MptcpAddress from : locals) {
                if (from.family() == initial.family() && !from.sameAddress(initial) && !usesLocal(c, from)) {
                    create(c.token(), from);
                }
            }
        } else {
            // The initial subflow is one of those over the initial pair; it is not an extra one.
            int missing = subflows + 1 - subflowsFrom(c, initial);
            for (int i = 0; i < missing; i++) {
                create(c.token(), initial);
            }
        }
    }

    private boolean usesLocal(ConnectionInfo c, MptcpAddress local) {
        return subflowsFrom(c, local) > 0;
    }

    /** Open subflows of {@code c} from {@code local} to the connection's remote address. */
    private int subflowsFrom(ConnectionInfo c, MptcpAddress local) {
        int n = 0;
        for (SubflowInfo s : c.subflows()) {
            // Established, or still opening (SYN_SENT): either way it need not be asked for again.
            if ((s.state() == TcpState.ESTABLISHED || s.state() == TcpState.SYN_SENT) && local.sameAddress(MptcpAddress.of(s.local().getAddress(), 0))
                    && remote.sameAddress(MptcpAddress.of(s.remote().getAddress(), 0))) {
                n++;
            }
        }
        return n;
    }

    /**
     * Opens a subflow of connection {@code token} from {@code from} (its id set) to {@code to},
     * the source port from this controller's range when it has one: for controllers built on
     * ndiffports that move subflows.
     *
     * @param token the connection's token
     * @param from the local address, with its id
     * @param to the peer's address
     */
    public void createSubflow(int token, MptcpAddress from, MptcpAddress to) {
        remote.set(to);
        create(token, from);
    }

    private void create(int token, MptcpAddress from) {
        requested++;
        int attempts = firstPort == 0 ? 1 : PORT_ATTEMPTS;
        int id = from.id();
        int portId = id;
        if (firstPort != 0) {
            portId = portId(token, id);
            if (portId < 0) {
                failed++;
                LOG.atWarn().log(() -> "ndiffports: token " + EventFormat.token(token)
                        + ": no local address id left for another source port");
                return;
            }
        }
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (firstPort != 0) {
                from.port(takePort()).id(portId);
            }
            try {
                pathManager.createSubflow(token, from, remote);
                return;
            } catch (PathManagerException e) {
                if (e.errno() == Errno.EADDRINUSE && attempt < attempts) {
                    continue;
                }
                refused(token, from, remote, 1, e);
                return;
            } finally {
                if (firstPort != 0) {
                    from.port(0).id(id);
                }
            }
        }
    }

    /**
     * Counts a refused subflow as failed, unless the refusal is temporary (EADDRINUSE: the
     * kernel had no source port to give it; ENOTCONN: the connection did not take joins yet):
     * that one is asked for again later, {@code attempt} being the try to come.
     */
    private void refused(int token, MptcpAddress from, MptcpAddress to, int attempt, PathManagerException e) {
        boolean temporary = e.errno() == Errno.EADDRINUSE || e.errno() == Errno.ENOTCONN;
        if (temporary && firstPort == 0 && attempt <= RETRY_ATTEMPTS && retries.size() < RETRIES_MAX) {
            long due = context.nanoTime() + (RETRY_FIRST_NANOS << (attempt - 1));
            retries.add(new Retry(token, new MptcpAddress().set(from), new MptcpAddress().set(to), attempt, due));
            if (retryTimer == null) {
                // One look a second while any wait: the delays are whole seconds, and no timer is left cancelled behind.
                retryTimer = context.schedule(RETRY_LOOK, this::retryDue);
            }
            LOG.atDebug().log(() -> "ndiffports: token " + EventFormat.token(token) + ": subflow " + from + " -> " + to
                    + ": " + Errno.name(e.errno()) + ", asked again in " + (1 << (attempt - 1)) + " s");
            return;
        }
        failed++;
        LOG.atWarn().log(() -> "ndiffports: token " + EventFormat.token(token) + ": subflow " + from + " -> " + to
                + ": " + e.getMessage());
    }

    /** Asks again for the subflows due, of the connections still open. */
    private void retryDue() {
        long now = context.nanoTime();
        Retry r;
        while ((r = retries.peek()) != null && r.dueNanos() - now <= 0) {
            retries.poll();
            if (!served.contains(r.token())) {
                continue; // closed meanwhile
            }
            requested++;
            try {
                pathManager.createSubflow(r.token(), r.from(), r.to());
            } catch (PathManagerException e) {
                refused(r.token(), r.from(), r.to(), r.attempt() + 1, e);
            }
        }
        if (retries.isEmpty()) {
            retryTimer.cancel();
            retryTimer = null;
        }
    }

    /**
     * Subflows waiting to be asked for again because the kernel had no source port for them.
     *
     * @return the count of subflows waiting
     */
    public int retriesWaiting() {
        return retries.size();
    }

    @Override
    public void stop() {
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
        retries.clear();
    }

    /**
     * The id for a subflow with a chosen source port: the kernel holds an address with a port as
     * an address of its own, each needing its own id on the connection ("did not match address
     * and id" otherwise). A caller's id above 0 is kept (a moved subflow's); new ones count down
     * from 255, away from the namespace's ids, which count up from 1; -1 when 128 are used.
     */
    private int portId(int token, int id) {
        int[] used = served.peek(token);
        if (id > 0 || used == null || used.length == 0) {
            return id;
        }
        return used[0] < 128 ? 255 - used[0]++ : -1;
    }

    private int takePort() {
        int port = nextPort;
        nextPort = port == lastPort ? firstPort : port + 1;
        return port;
    }

    /**
     * SUBFLOW_CREATE requests sent.
     *
     * @return the count of requests sent
     */
    public long requested() {
        return requested;
    }

    /**
     * SUBFLOW_CREATE requests the kernel refused.
     *
     * @return the count of requests refused
     */
    public long failed() {
        return failed;
    }

    @Override
    public String toString() {
        String ports = firstPort == 0 ? "" : ", source ports " + firstPort + "-" + lastPort;
        return perLocalAddress ? "ndiffports (one subflow per local address" + ports + ")"
                : "ndiffports (" + subflows + " extra subflows per connection" + ports + ")";
    }
}
