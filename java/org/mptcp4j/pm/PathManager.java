package org.mptcp4j.pm;

import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.mptcp4j.access.StandInAccess;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.netlink.CommandSocket;
import org.mptcp4j.netlink.ReplyRecord;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;
import org.mptcp4j.protocol.TrafficTap;

/**
 * Every command of the kernel's path manager for one network namespace, each synchronous: it
 * returns the kernel's answer, or throws {@link PathManagerException} with the command, the
 * errno and the kernel's extended-ack text. A command the running kernel lacks fails before it
 * is sent, naming the release that brought it, or the family that lacks it (see
 * {@link KernelFeatures}). It speaks one {@link Dialect}, chosen when it is opened.
 *
 * <p>Userspace-PM commands ({@link #announce}, {@link #remove}, {@link #createSubflow},
 * {@link #destroySubflow}, {@link #setBackup}) allocate nothing when they succeed upstream, so
 * a controller may issue them on every event (on v0.95, announce and createSubflow keep a copy
 * of the local address: see {@link #localAddresses}). Calls from several threads are serialized;
 * {@link AsyncPathManager} pipelines many commands instead.
 */
public final class PathManager implements AutoCloseable {
    /** How long a command waits for the kernel's answer (it normally comes at once). */
    public static final long TIMEOUT_MILLIS = 10_000;

    private final CommandSocket socket;
    private final NetworkNamespace namespace;
    private final KernelFeatures features;
    private final AnnouncedListeners listeners;
    /** v0.95 only (its kernel cannot list them): the local addresses connections use, as set up here; else null. */
    private final UsedLocalAddresses used;
    private volatile CommandObserver observer = CommandObserver.NONE;

    private PathManager(NetworkNamespace namespace, CommandSocket socket, KernelFeatures features, boolean standIn) {
        if (socket.dialect() != features.dialect()) {
            socket.close();
            throw new IllegalArgumentException("a " + socket.dialect() + " command socket with " + features.dialect()
                    + " features");
        }
        this.namespace = namespace;
        this.features = features;
        this.socket = socket;
        this.used = socket.dialect() == Dialect.V095 ? new UsedLocalAddresses() : null;
        // A stand-in kernel's announcements join nothing: no socket of the caller's namespace is opened for them.
        this.listeners = new AnnouncedListeners(standIn ? null : namespace);
    }

    /**
     * A path manager for the caller's network namespace.
     *
     * @return the path manager; close it
     */
    public static PathManager open() {
        return open(NetworkNamespace.current());
    }

    /**
     * A path manager for {@code namespace}, speaking the family its kernel offers
     * ({@link KernelFeatures#detectDialect}: upstream's mptcp_pm, else v0.95's mptcp).
     *
     * @param namespace the network namespace
     * @return the path manager; close it
     * @throws MptcpException when the kernel has neither family
     */
    public static PathManager open(NetworkNamespace namespace) {
        return open(namespace, KernelFeatures.detectDialect(Objects.requireNonNull(namespace, "namespace")));
    }

    /**
     * A path manager for {@code namespace} speaking {@code dialect}'s family.
     *
     * @param namespace the network namespace
     * @param dialect the family to speak
     * @return the path manager; close it
     * @throws MptcpException when the kernel lacks that family
     */
    public static PathManager open(NetworkNamespace namespace, Dialect dialect) {
        Objects.requireNonNull(namespace, "namespace");
        KernelFeatures features = KernelFeatures.probe(namespace, dialect);
        return new PathManager(namespace, CommandSocket.open(namespace, dialect), features, false);
    }

    static {
        StandInAccess.registerPathManagers((socket, dialect) -> over(socket, KernelFeatures.assumed(dialect)));
    }

    /**
     * A path manager over a command socket already open (the stand-in kernel's, reached through
     * {@link StandInAccess}), which opens no listener for announcements; it closes the socket.
     */
    private static PathManager over(CommandSocket socket, KernelFeatures features) {
        return new PathManager(NetworkNamespace.current(), Objects.requireNonNull(socket, "socket"),
                Objects.requireNonNull(features, "features"), true);
    }

    /**
     * The family this path manager speaks, chosen when it was opened.
     *
     * @return the dialect spoken
     */
    public Dialect dialect() {
        return socket.dialect();
    }

    /**
     * The generic netlink id of the family it speaks, in its namespace.
     *
     * @return the family's generic netlink id
     */
    public int familyId() {
        return socket.familyId();
    }

    /**
     * The namespace whose path manager this is.
     *
     * @return the namespace
     */
    public NetworkNamespace namespace() {
        return namespace;
    }

    /**
     * Tells {@code observer} of every command from now on (one observer; it replaces the last).
     *
     * @param observer the observer of commands
     */
    public void observe(CommandObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /**
     * Tells {@code tap} of every request sent from now on and every datagram of answers
     * received (null: no more): to record the commands and the kernel's answers. Each is then
     * copied once more; without a tap, nothing is.
     *
     * @param tap the tap, or null for none
     */
    public synchronized void tap(TrafficTap tap) {
        socket.tap(tap);
    }

    /**
     * What the running kernel offers.
     *
     * @return the kernel's features
     */
    public KernelFeatures features() {
        return features;
    }

    // ---- userspace path manager: per connection ----

    /**
     * Announces {@code address} to the peer of connection {@code token} (ADD_ADDR; the kernel
     * repeats it until the peer echoes it). The address needs an id 1..255; SIGNAL is added to
     * its flags; its port, if set, is announced too.
     *
     * <p>An IPv6 address (v4-mapped ones too) with a port makes a 30-byte option, which does not
     * fit in TCP's 40 bytes beside the timestamps option: on a connection using timestamps the
     * kernel accepts the command but drops the ADD_ADDR (nstat MPTcpExtAddAddrTxDrop). Announce
     * IPv6 addresses without a port there.
     *
     * @param token the connection's token
     * @param address the address to announce, with its id 1..255
     */
    public void announce(int token, MptcpAddress address) {
        announce(token, address, false);
    }

    /**
     * Announces {@code address}, and with {@code listen} first makes sure an MPTCP socket
     * listens on its IP and port (which must be set), so that the peer's joins there are
     * accepted. The listener is shared and closed when the last announcement using it is
     * removed ({@link #remove}) or its connection closes ({@link #connectionClosed}).
     *
     * @param token the connection's token
     * @param address the address to announce, with its id 1..255 and its port
     * @param listen whether to open a listener on its IP and port first
     */
    public synchronized void announce(int token, MptcpAddress address, boolean listen) {
        features.require(KernelFeature.ANNOUNCE);
        InetSocketAddress listener = listen ? listeners.prepare(address) : null;
        Requests.announce(socket.request(), token, address);
        try {
            exchange(PmCommand.ANNOUNCE, ReplyCollector.NONE);
        } catch (RuntimeException e) {
            if (listener != null) {
                listeners.abort(listener);
            }
            throw e;
        }
        if (listener != null) {
            listeners.commit(token, address.id(), listener);
        }
        if (used != null) {
            used.record(token, address);
        }
    }

    /**
     * Withdraws the local address {@code localId} from connection {@code token} (RM_ADDR) and
     * closes the connection's subflows that use it; id 0 is the initial subflow's address (Linux 6.10).
     *
     * @param token the connection's token
     * @param localId the local address id to withdraw, 0..255
     */
    public synchronized void remove(int token, int localId) {
        features.require(KernelFeature.REMOVE);
        Requests.remove(socket.request(), token, localId);
        exchange(PmCommand.REMOVE, ReplyCollector.NONE);
        listeners.release(token, localId);
        if (used != null) {
            used.remove(token, localId);
        }
    }

    /**
     * Opens a subflow of connection {@code token} from {@code local} to {@code remote}
     * (SUBFLOW_CREATE). The kernel sends the MP_JOIN SYN before this returns; the outcome
     * arrives later as SUB_ESTABLISHED or SUB_CLOSED.
     *
     * @param token the connection's token
     * @param local the local address; its port (0: any), id, BACKUP flag and ifindex are sent when set.
     *     An address the connection already uses must keep its id (0 for the initial subflow's).
     * @param remote the peer's address and port
     * @throws PathManagerException e.g. EINVAL "invalid token"
     */
    public synchronized void createSubflow(int token, MptcpAddress local, MptcpAddress remote) {
        features.require(KernelFeature.SUBFLOW_CREATE);
        Requests.createSubflow(socket.request(), token, local, remote);
        exchange(PmCommand.SUBFLOW_CREATE, ReplyCollector.NONE);
        if (used != null) {
            used.record(token, local);
        }
    }

    /**
     * Closes the subflow of connection {@code token} with exactly this 4-tuple (SUBFLOW_DESTROY):
     * both ports must be given, as SUB_ESTABLISHED reported them. Give addresses in the form the
     * events use: on a v4-mapped connection that is ::ffff:a.b.c.d, and the plain IPv4 form does
     * not match (ESRCH, observed on Linux 6.18).
     *
     * @param token the connection's token
     * @param local the subflow's local address and port
     * @param remote the peer's address and port
     * @throws PathManagerException ESRCH when no subflow matches
     */
    public synchronized void destroySubflow(int token, MptcpAddress local, MptcpAddress remote) {
        features.require(KernelFeature.SUBFLOW_DESTROY);
        Requests.destroySubflow(socket.request(), token, local, remote);
        exchange(PmCommand.SUBFLOW_DESTROY, ReplyCollector.NONE);
    }

    /**
     * Marks the subflow from {@code local} to {@code remote} as backup or not: the kernel sends
     * MP_PRIO to the peer (SET_FLAGS with a token, Linux 6.0).
     *
     * @param token the connection's token
     * @param local the subflow's local address
     * @param remote the peer's address
     * @param backup whether the subflow becomes a backup
     */
    public synchronized void setBackup(int token, MptcpAddress local, MptcpAddress remote, boolean backup) {
        features.require(KernelFeature.SUBFLOW_SET_BACKUP);
        Requests.setBackup(socket.request(), token, local, remote, backup);
        exchange(PmCommand.SET_FLAGS, ReplyCollector.NONE);
    }

    /**
     * The local addresses connection {@code token} knows, with their ids (GET_ADDR dump with a
     * token, Linux 6.9). A v0.95 kernel cannot tell: there they are the addresses this path
     * manager announced or opened subflows from (given with their IP) on the connection.
     *
     * @param token the connection's token
     * @return the connection's local addresses, with their ids
     */
    public synchronized List<MptcpAddress> localAddresses(int token) {
        if (used != null) {
            return used.of(token);
        }
        features.require(KernelFeature.CONNECTION_ADDRESSES);
        Requests.connectionAddresses(socket.request(), token, -1);
        return exchange(PmCommand.GET_ADDR, ReplyCollector.addresses());
    }

    /**
     * The local address {@code id} of connection {@code token} (GET_ADDR with a token, Linux 6.9; on v0.95 as {@link #localAddresses}).
     *
     * @param token the connection's token
     * @param id the local address id
     * @return that local address
     */
    public synchronized MptcpAddress localAddress(int token, int id) {
        if (used != null) {
            for (MptcpAddress a : used.of(token)) {
                if (a.id() == id) {
                    return a;
                }
            }
            throw new PathManagerException(PmCommand.GET_ADDR.name(), Errno.ENOENT, "no address with id " + id
                    + " set up on this connection by this path manager (a v0.95 kernel cannot list them)");
        }
        features.require(KernelFeature.CONNECTION_ADDRESSES);
        Requests.connectionAddresses(socket.request(), token, id);
        return exchange(PmCommand.GET_ADDR, ReplyCollector.address(PmCommand.GET_ADDR));
    }

    /**
     * Lets the kernel send only events of {@code types} (v0.95 SET_FILTER); types the kernel does
     * not send (listener, local address, timeouts) are ignored. The filter is the v0.95 module's
     * one setting: it holds for every listener in every namespace of the host, and stays after
     * this process ends, until set again. Upstream has no such command: it fails with EOPNOTSUPP
     * there, where {@link org.mptcp4j.loop.EventLoop.Builder#eventTypes} filters on the receiving side.
     *
     * @param types the event types to let through
     * @throws IllegalArgumentException when no type the kernel sends is left: that would silence
     *     every event for every listener
     */
    public synchronized void setEventFilter(Set<MptcpEventType> types) {
        features.require(KernelFeature.EVENT_FILTER);
        int flags = 0;
        for (MptcpEventType type : types) {
            flags |= v095EventFlag(type);
        }
        if (flags == 0) {
            throw new IllegalArgumentException("no event type the kernel sends in " + types
                    + ": the filter would silence every event for every listener");
        }
        Requests.setEventFilter(socket.request(), flags);
        exchange(PmCommand.SET_FILTER, ReplyCollector.NONE);
    }

    /**
     * The event types {@link #setEventFilter} can let through: those a v0.95 kernel sends.
     *
     * @return the filterable event types
     */
    public static Set<MptcpEventType> filterableEvents() {
        Set<MptcpEventType> types = EnumSet.noneOf(MptcpEventType.class);
        for (MptcpEventType type : MptcpEventType.values()) {
            if (v095EventFlag(type) != 0) {
                types.add(type);
            }
        }
        return types;
    }

    /** MPTCPF_EVENT_* of v0.95's include/uapi/linux/mptcp.h; 0 for what its kernel does not send. */
    private static int v095EventFlag(MptcpEventType type) {
        return switch (type) {
            case CREATED -> 1 << 1;
            case ESTABLISHED -> 1 << 2;
            case CLOSED -> 1 << 3;
            case ANNOUNCED -> 1 << 4;
            case REMOVED -> 1 << 5;
            case SUB_ESTABLISHED -> 1 << 6;
            case SUB_CLOSED -> 1 << 7;
            case SUB_PRIORITY -> 1 << 8;
            default -> 0;
        };
    }

    /**
     * Whether {@code token} names a live MPTCP connection of the namespace: the kernel's EXIST on
     * v0.95; upstream, which has no such command, answers from sock_diag (MPTCP_INFO of every
     * connection, so it costs a dump).
     *
     * @param token the connection's token
     * @return whether the connection is open
     */
    public synchronized boolean connectionExists(int token) {
        if (!features.supports(KernelFeature.CONNECTION_EXISTS)) {
            for (ConnectionInfo c : Connections.list(namespace)) {
                if (c.token() == token) {
                    return true;
                }
            }
            return false;
        }
        Requests.exist(socket.request(), token);
        try {
            exchange(PmCommand.EXIST, ReplyCollector.NONE);
            return true;
        } catch (PathManagerException e) {
            if (e.errno() == Errno.ENOTCONN) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Connection {@code token} closed: listeners opened for its announcements are released.
     *
     * @param token the connection's token
     */
    public void connectionClosed(int token) {
        listeners.releaseConnection(token);
        if (used != null) {
            used.forget(token);
        }
    }

    /**
     * Every connection for which {@code open} is false is gone, though its CLOSED event may
     * have been lost: listeners opened for its announcements are released.
     *
     * @param open whether a connection, by its token, is still open
     */
    public void retainConnections(IntPredicate open) {
        listeners.releaseConnectionsNotOpen(open);
        if (used != null) {
            used.retain(open);
        }
    }

    /**
     * Opens the listeners connection {@code token}'s announcements with a port need, from the
     * addresses the kernel holds for it ({@link #localAddresses}: those with
     * {@link MptcpAddress#FLAG_SIGNAL} and a port), where this path manager has none yet: a
     * path manager started after the announcement (a restarted daemon) accepts the peer's joins
     * there again without announcing anew. An address and port some other socket listens on is
     * left to it; the listeners are released as {@link #announce}'s are. The kernel does not keep
     * whether an announcement came with a listener: one announced without, for an application
     * that listens there itself, gets one here if the application does not listen at that time.
     *
     * @param token the connection's token
     * @param addresses the addresses the kernel holds for the connection
     */
    public void restoreListeners(int token, List<MptcpAddress> addresses) {
        listeners.restore(token, addresses);
    }

    /**
     * MPTCP listening sockets open for announced addresses.
     *
     * @return the count of listening sockets
     */
    public int announcedListeners() {
        return listeners.size();
    }

    /**
     * Entries kept per connection (its announcements' listeners, and on v0.95 the addresses it
     * uses), released on {@link #connectionClosed} and {@link #retainConnections}: 0 once no
     * connection is open. From any thread.
     *
     * @return the count of entries
     */
    public int connectionStateEntries() {
        return listeners.connections() + (used == null ? 0 : used.connections());
    }

    // ---- in-kernel path manager: endpoints and limits of the namespace ----

    /**
     * Adds an endpoint ({@code ip mptcp endpoint add}): address, optional id, flags, port and ifindex.
     *
     * @param endpoint the endpoint to add
     */
    public synchronized void addEndpoint(MptcpAddress endpoint) {
        features.require(KernelFeature.ENDPOINT_ADD);
        Requests.addEndpoint(socket.request(), endpoint);
        exchange(PmCommand.ADD_ADDR, ReplyCollector.NONE);
    }

    /**
     * Deletes endpoint {@code id}.
     *
     * @param id the endpoint's address id
     */
    public void deleteEndpoint(int id) {
        deleteEndpoint(new MptcpAddress().id(id));
    }

    /**
     * Deletes the endpoint with this id; id 0 needs the address (that of the connections' initial subflows).
     *
     * @param endpoint the endpoint, by id (id 0: by address)
     */
    public synchronized void deleteEndpoint(MptcpAddress endpoint) {
        features.require(KernelFeature.ENDPOINT_DELETE);
        Requests.deleteEndpoint(socket.request(), endpoint);
        exchange(PmCommand.DEL_ADDR, ReplyCollector.NONE);
    }

    /**
     * Endpoint {@code id}.
     *
     * @param id the endpoint's address id
     * @return the endpoint
     */
    public synchronized MptcpAddress endpoint(int id) {
        features.require(KernelFeature.ENDPOINT_GET);
        Requests.endpoints(socket.request(), id);
        return exchange(PmCommand.GET_ADDR, ReplyCollector.address(PmCommand.GET_ADDR));
    }

    /**
     * Every endpoint of the namespace.
     *
     * @return the endpoints
     */
    public synchronized List<MptcpAddress> endpoints() {
        features.require(KernelFeature.ENDPOINT_GET);
        Requests.endpoints(socket.request(), -1);
        return exchange(PmCommand.GET_ADDR, ReplyCollector.addresses());
    }

    /** Deletes every endpoint. */
    public synchronized void flushEndpoints() {
        features.require(KernelFeature.ENDPOINT_FLUSH);
        Requests.flushEndpoints(socket.request());
        exchange(PmCommand.FLUSH_ADDRS, ReplyCollector.NONE);
    }

    /**
     * Sets the flags of the endpoint given by id or address to {@code endpoint.flags()}: backup
     * and fullmesh can change ({@code ip mptcp endpoint change}).
     *
     * @param endpoint the endpoint, by id or address, with its new flags
     */
    public synchronized void setEndpointFlags(MptcpAddress endpoint) {
        features.require(KernelFeature.ENDPOINT_SET_FLAGS);
        Requests.setEndpointFlags(socket.request(), endpoint);
        exchange(PmCommand.SET_FLAGS, ReplyCollector.NONE);
    }

    /**
     * The in-kernel path manager's limits of the namespace ({@code ip mptcp limits}).
     *
     * @return the limits
     */
    public synchronized Limits limits() {
        features.require(KernelFeature.LIMITS_GET);
        Requests.limits(socket.request());
        return exchange(PmCommand.GET_LIMITS, ReplyCollector.limits());
    }

    /**
     * Sets the in-kernel PM's limits (each at most 8).
     *
     * @param limits the new limits
     */
    public synchronized void setLimits(Limits limits) {
        features.require(KernelFeature.LIMITS_SET);
        Requests.setLimits(socket.request(), limits);
        exchange(PmCommand.SET_LIMITS, ReplyCollector.NONE);
    }

    /** Sends the request written into the socket and collects the answers until the final one. */
    private <T> T exchange(PmCommand command, ReplyCollector<T> collector) {
        long start = System.nanoTime();
        int errno = Errno.ETIMEDOUT; // unless an answer or an error says otherwise
        try {
            T result = exchange(command, collector, start);
            errno = 0;
            return result;
        } catch (PathManagerException e) {
            errno = e.errno();
            throw e;
        } finally {
            observer.commandDone(command, errno, start);
        }
    }

    private <T> T exchange(PmCommand command, ReplyCollector<T> collector, long start) {
        int seq = socket.send();
        if (seq < 0) {
            throw sendFailed(command, -seq);
        }
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new PathManagerException(command.name(), Errno.ETIMEDOUT,
                        "no answer from the kernel within " + TIMEOUT_MILLIS + " ms");
            }
            int n = socket.receive((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            if (n < 0) {
                throw new PathManagerException(command.name(), -n, "receiving the answer");
            }
            for (int i = 0; i < n; i++) {
                ReplyRecord reply = socket.reply(i);
                if (reply.seq() != seq) {
                    continue; // a late answer to a request that timed out
                }
                if (!reply.isFinal()) {
                    collector.onData(reply);
                } else if (reply.error() != 0) {
                    throw new PathManagerException(command.name(), -reply.error(), reply.text());
                } else {
                    return collector.result();
                }
            }
        }
    }

    /** A request that could not be sent (EDESTADDRREQ: a v0.95 command without the local id it needs). */
    static PathManagerException sendFailed(PmCommand command, int errno) {
        return new PathManagerException(command.name(), errno, errno == Errno.EDESTADDRREQ
                ? "the v0.95 mptcp family needs the local address's id (loc_id)" : "sending the request");
    }

    /** Closes the command socket and the listeners opened for announcements. */
    @Override
    public synchronized void close() {
        listeners.close();
        socket.close();
    }
}
