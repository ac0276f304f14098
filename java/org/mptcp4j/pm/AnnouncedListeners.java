package org.mptcp4j.pm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.socket.MptcpServerSocket;

/**
 * The MPTCP listening sockets opened for announced addresses: the kernel accepts a peer's
 * MP_JOIN to an announced address and port only if an MPTCP socket listens there. One socket
 * per address and port, counted by the (connection, address id) announcements that use it and
 * closed when the last is removed or its connection closes.
 *
 * <p>An announcement takes a reference with {@link #prepare} before its request goes out, then
 * {@link #commit}s it once the kernel accepted, or {@link #abort}s it: a refused announcement
 * never changes what the others hold. Lookups by token box nothing.
 */
final class AnnouncedListeners implements AutoCloseable {
    private static final int BACKLOG = 64;

    private final NetworkNamespace namespace;
    private final Map<InetSocketAddress, Listener> listeners = new HashMap<>();
    /** token -> the listener each local address id's announcement uses (index = id). */
    private final TokenMap<InetSocketAddress[]> announcements = new TokenMap<>();

    private static final class Listener {
        final MptcpServerSocket socket;
        int users;

        Listener(MptcpServerSocket socket) {
            this.socket = socket;
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
            try {
                listener = new Listener(MptcpServerSocket.bind(namespace, key, BACKLOG));
            } catch (IOException e) {
                throw new MptcpException("listen on announced address " + key, 0, e.getMessage()
                        + (e.getMessage().contains("EADDRINUSE")
                                ? " - if an MPTCP socket already listens there, announce without a listener" : ""));
            }
            listeners.put(key, listener);
        }
        listener.users++;
        return key;
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
    synchronized void releaseConnectionsNotOpen(java.util.function.IntPredicate open) {
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
            closeQuietly(listener.socket);
        }
    }

    @Override
    public synchronized void close() {
        listeners.values().forEach(listener -> closeQuietly(listener.socket));
        listeners.clear();
        announcements.clear();
    }

    private static void closeQuietly(MptcpServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a listening socket fails only if it was already closed
        }
    }
}
