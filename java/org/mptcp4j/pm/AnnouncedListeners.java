package org.mptcp4j.pm;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.socket.MptcpServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MPTCP listening sockets opened for announced addresses: the kernel accepts a peer's
 * MP_JOIN to an announced address and port only if an MPTCP socket listens there. One socket
 * per address and port, counted by the (connection, address id) announcements that use it and
 * closed when the last is removed or its connection closes.
 *
 * <p>The kernel attaches a peer's MP_JOIN subflow to its connection without the listener's
 * accept queue; anything else that connects there (plain TCP, a new MPTCP connection) waits in
 * that queue, and once it is full the kernel drops every SYN, joins' included. So each listener
 * has a thread that takes every such connection as it comes and closes it with a reset: a
 * constant amount of work per connection, and the queue never fills.
 *
 * <p>An announcement takes a reference with {@link #prepare} before its request goes out, then
 * {@link #commit}s it once the kernel accepted, or {@link #abort}s it: a refused announcement
 * never changes what the others hold. Lookups by token box nothing.
 */
final class AnnouncedListeners implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnnouncedListeners.class);
    /** Room for the connections that complete their handshake between two accepts. */
    private static final int BACKLOG = 64;
    /** Closing a listener waits this long at most for its thread to leave accept() (it is woken at once). */
    private static final long ACCEPTOR_EXIT_MILLIS = 1000;
    /** An accept that fails while the listener is open (EMFILE ...) is tried again after this pause. */
    private static final long ACCEPT_RETRY_MILLIS = 100;

    /** Where listeners open; null for a stand-in kernel's path manager, whose listeners are only counted. */
    private final NetworkNamespace namespace;
    private final Map<InetSocketAddress, Listener> listeners = new HashMap<>();
    /** token -> the listener each local address id's announcement uses (index = id). */
    private final TokenMap<InetSocketAddress[]> announcements = new TokenMap<>();

    private static final class Listener {
        final MptcpServerSocket socket;
        final Thread acceptor;
        int users;

        Listener(MptcpServerSocket socket, Thread acceptor) {
            this.socket = socket;
            this.acceptor = acceptor;
        }
    }

    AnnouncedListeners(NetworkNamespace namespace) {
        this.namespace = namespace;
    }

    /** Makes sure an MPTCP socket listens on the address's IP and port and takes a reference to it. */
    synchronized InetSocketAddress prepare(MptcpAddress address) {
        if (address.port() == 0) {
            throw new IllegalArgumentException("a listener for an announced address needs the port peers will"
                    + " join: set the port of " + address);
        }
        InetSocketAddress key = address.socketAddress();
        Listener listener = listeners.get(key);
        if (listener == null) {
            listener = listen(key);
            listeners.put(key, listener);
        }
        listener.users++;
        return key;
    }

    private Listener listen(InetSocketAddress key) {
        if (namespace == null) {
            return new Listener(null, null);
        }
        MptcpServerSocket socket;
        try {
            socket = MptcpServerSocket.bind(namespace, key, BACKLOG);
        } catch (IOException e) {
            boolean inUse = e.getCause() instanceof BindException;
            throw new MptcpException("listen on announced address " + key, inUse ? Errno.EADDRINUSE : 0,
                    inUse ? "if an MPTCP socket already listens there, announce without a listener" : e.getMessage());
        }
        Thread acceptor = new Thread(() -> refuseConnections(socket.channel()),
                "mptcp4j-announced-" + key.getAddress().getHostAddress() + ":" + key.getPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return new Listener(socket, acceptor);
    }

    /** Takes each connection that reaches the listener's accept queue and resets it, until the listener closes. */
    private void refuseConnections(ServerSocketChannel channel) {
        boolean failureSaid = false;
        while (true) {
            SocketChannel connection;
            try {
                connection = channel.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                if (!failureSaid) {
                    failureSaid = true;
                    LOG.warn("listener for announced address " + channel.socket().getLocalSocketAddress()
                            + ": accept failed, trying again every " + ACCEPT_RETRY_MILLIS + " ms: " + e.getMessage());
                }
                try {
                    Thread.sleep(ACCEPT_RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            try (connection) {
                // A reset: the kernel keeps no FIN_WAIT or TIME_WAIT state for it.
                connection.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException e) {
                // closed all the same
            }
        }
    }

    /**
     * Connection {@code token} holds {@code addresses} (as {@link PathManager#localAddresses} lists
     * them): each it announced with a port needs a listener there, which a path manager started
     * after the announcement (a restarted daemon) does not have yet. Opens those it lacks; an
     * address and port another socket listens on already is left to it.
     */
    synchronized void restore(int token, List<MptcpAddress> addresses) {
        InetSocketAddress[] ids = announcements.isEmpty() ? null : announcements.get(token);
        for (MptcpAddress a : addresses) {
            if ((a.flags() & MptcpAddress.FLAG_SIGNAL) == 0 || a.port() == 0 || (ids != null && ids[a.id()] != null)) {
                continue;
            }
            InetSocketAddress key;
            try {
                key = prepare(a);
            } catch (MptcpException e) {
                if (e.errno() == Errno.EADDRINUSE) {
                    LOG.atDebug().log(() -> "connection " + EventFormat.token(token) + ": " + a
                            + " announced: another socket listens there");
                } else {
                    LOG.warn("connection " + EventFormat.token(token) + ": " + e.getMessage());
                }
                continue;
            }
            commit(token, a.id(), key);
            ids = announcements.get(token);
        }
    }

    /** The kernel accepted the announcement of {@code id} on {@code token}: it now holds {@code key}'s reference. */
    synchronized void commit(int token, int id, InetSocketAddress key) {
        InetSocketAddress[] ids = announcements.get(token);
        if (ids == null) {
            ids = new InetSocketAddress[256];
            announcements.put(token, ids);
        }
        InetSocketAddress previous = ids[id];
        ids[id] = key;
        if (previous != null) {
            drop(previous);
        }
    }

    /** The kernel refused the announcement: give back the reference {@link #prepare} took. */
    synchronized void abort(InetSocketAddress key) {
        drop(key);
    }

    /** The announcement of address {@code id} on connection {@code token} is gone. */
    synchronized void release(int token, int id) {
        InetSocketAddress[] ids = announcements.isEmpty() ? null : announcements.get(token);
        if (ids == null || ids[id] == null) {
            return;
        }
        InetSocketAddress key = ids[id];
        ids[id] = null;
        if (empty(ids)) {
            announcements.remove(token);
        }
        drop(key);
    }

    /** The connection closed: its announcements no longer need listeners. */
    synchronized void releaseConnection(int token) {
        InetSocketAddress[] ids = announcements.isEmpty() ? null : announcements.remove(token);
        if (ids != null) {
            for (InetSocketAddress key : ids) {
                if (key != null) {
                    drop(key);
                }
            }
        }
    }

    /** Releases the listeners of every connection for which {@code open} is false. */
    synchronized void releaseConnectionsNotOpen(IntPredicate open) {
        for (int token : announcements.tokens()) {
            if (!open.test(token)) {
                releaseConnection(token);
            }
        }
    }

    /** Listening sockets open now. */
    synchronized int size() {
        return listeners.size();
    }

    /** Connections holding an announcement. */
    synchronized int connections() {
        return announcements.size();
    }

    private static boolean empty(InetSocketAddress[] ids) {
        for (InetSocketAddress key : ids) {
            if (key != null) {
                return false;
            }
        }
        return true;
    }

    private void drop(InetSocketAddress key) {
        Listener listener = listeners.get(key);
        if (listener != null && --listener.users == 0) {
            listeners.remove(key);
            closeQuietly(listener);
        }
    }

    @Override
    public synchronized void close() {
        listeners.values().forEach(AnnouncedListeners::closeQuietly);
        listeners.clear();
        announcements.clear();
    }

    /**
     * Closes the socket and waits for its thread to leave accept(): only then is the port free
     * again, for the next announcement that listens there.
     */
    private static void closeQuietly(Listener listener) {
        if (listener.socket == null) {
            return;
        }
        try {
            listener.socket.close();
        } catch (IOException e) {
            // closing a listening socket fails only if it was already closed
        }
        try {
            listener.acceptor.join(ACCEPTOR_EXIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
