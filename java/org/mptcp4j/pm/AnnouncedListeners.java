package org.mptcp4j.pm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.socket.MptcpServerSocket;

/**
 * The MPTCP listening sockets opened for announced addresses: the kernel accepts a peer's
 * MP_JOIN to an announced address and port only if an MPTCP socket listens there. One socket
 * per address and port, counted by the (connection, address id) announcements that use it and
 * closed when the last is removed or its connection closes.
 */
final class AnnouncedListeners implements AutoCloseable {
    private static final int BACKLOG = 64;

    private final NetworkNamespace namespace;
    private final Map<InetSocketAddress, Listener> listeners = new HashMap<>();
    /** token -> address id -> the listener that announcement uses. */
    private final Map<Integer, Map<Integer, InetSocketAddress>> announcements = new HashMap<>();

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

    /** Makes sure an MPTCP socket listens on the address's IP and port for this announcement. */
    synchronized void acquire(int token, MptcpAddress address) {
        if (address.port() == 0) {
            throw new IllegalArgumentException("a listener for an announced address needs the port peers will"
                    + " join: set the port of " + address);
        }
        InetSocketAddress key = address.socketAddress();
        Map<Integer, InetSocketAddress> ids = announcements.computeIfAbsent(token, t -> new HashMap<>());
        InetSocketAddress previous = ids.get(address.id());
        if (key.equals(previous)) {
            return;
        }
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
        ids.put(address.id(), key);
        if (previous != null) {
            drop(previous);
        }
    }

    /** The announcement of address {@code id} on connection {@code token} is gone. */
    synchronized void release(int token, int id) {
        if (announcements.isEmpty()) {
            return; // no boxing on the common path
        }
        Map<Integer, InetSocketAddress> ids = announcements.get(token);
        if (ids != null) {
            InetSocketAddress key = ids.remove(id);
            if (ids.isEmpty()) {
                announcements.remove(token);
            }
            if (key != null) {
                drop(key);
            }
        }
    }

    /** The connection closed: its announcements no longer need listeners. */
    synchronized void releaseConnection(int token) {
        if (announcements.isEmpty()) {
            return;
        }
        Map<Integer, InetSocketAddress> ids = announcements.remove(token);
        if (ids != null) {
            ids.values().forEach(this::drop);
        }
    }

    /** Listening sockets open now. */
    synchronized int size() {
        return listeners.size();
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
        for (Iterator<Listener> it = listeners.values().iterator(); it.hasNext();) {
            closeQuietly(it.next().socket);
            it.remove();
        }
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
