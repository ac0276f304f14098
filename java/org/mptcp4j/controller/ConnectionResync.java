package org.mptcp4j.controller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.protocol.TcpState;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.LocalAddressIds;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ControllerHost}'s resyncs: finding every established connection of the namespace
 * again (sock_diag, and GET_ADDR by token for the ids the userspace path manager holds), taking
 * their local address ids into the host's allocator and their listeners back, and when to do it
 * after lost events: a loss only marks a resync as needed, and it runs once the loop has caught
 * up with its socket, at most once per interval (see {@link ControllerHost}). The host then
 * reports what was found. From the loop's thread.
 */
final class ConnectionResync {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionResync.class);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);

    private final ControllerHost host;
    private final PathManager pathManager;
    private long intervalNanos = ControllerHost.DEFAULT_RESYNC_INTERVAL.toNanos();
    private boolean listsConnections = true;
    private EventLoop loop;
    /** Events were lost since the last resync began (or it was taken with events pending). */
    private boolean pending;
    /** When the pending resync was first needed, and when the last one ended (System.nanoTime). */
    private long neededNanos;
    private long lastNanos;
    private EventLoop.Scheduled timer;
    private final Runnable timerAction = this::onTimer;
    private boolean noSockDiagSaid;
    private long resyncs;

    ConnectionResync(ControllerHost host, PathManager pathManager) {
        this.host = host;
        this.pathManager = pathManager;
    }

    void interval(Duration interval) {
        if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("resync interval outside 1 ms..1 h: " + interval);
        }
        this.intervalNanos = interval.toNanos();
    }

    void listsConnections(boolean lists) {
        this.listsConnections = lists;
    }

    void loop(EventLoop eventLoop) {
        this.loop = eventLoop;
    }

    /** Events were lost: a resync is needed. */
    void needed() {
        if (!pending) {
            pending = true;
            neededNanos = System.nanoTime();
        }
    }

    /** At the end of a batch: resyncs if one is needed and it is time. */
    void ifNeeded() {
        if (pending) {
            ifDue();
        }
    }

    /**
     * Resyncs now when the last resync ended an interval ago and either the loop has caught up
     * or the resync has been needed for an interval; otherwise makes sure a timer looks again
     * when one of those comes.
     */
    private void ifDue() {
        if (loop == null) { // a host driven by hand: nothing to wait for
            run();
            return;
        }
        long now = System.nanoTime();
        boolean caughtUp = !loop.eventsPending();
        long earliest = lastNanos + intervalNanos;
        long latest = Math.max(earliest, neededNanos + intervalNanos);
        if (now - earliest >= 0 && (caughtUp || now - latest >= 0)) {
            run();
            if (!caughtUp) {
                // The events still pending are older than this look: once handled they may speak
                // of connections it found gone, whose CLOSED was lost. One more look when caught up.
                needed();
                ifDue();
            }
        } else if (timer == null) {
            timer = loop.runLater(Duration.ofNanos((caughtUp ? earliest : latest) - now), timerAction);
        }
    }

    private void onTimer() {
        timer = null;
        ifNeeded();
    }

    /** Resyncs now: finds the connections and has the host report them. */
    List<DiscoveredConnection> run() {
        pending = false;
        resyncs++;
        cancelTimer();
        try {
            return find();
        } finally {
            lastNanos = System.nanoTime();
        }
    }

    private List<DiscoveredConnection> find() {
        if (!host.hasConnectionInfo()) {
            // Nothing to look at: connections are known from their events, none is forgotten.
            if (!noSockDiagSaid) {
                noSockDiagSaid = true;
                LOG.info("resync: " + ControllerHost.NO_SOCK_DIAG + ": connections are known from their events only");
            }
            host.start();
            return List.of();
        }
        List<ConnectionInfo> all;
        try {
            all = listsConnections ? Connections.list(host.namespace()) : List.of();
        } catch (MptcpException e) {
            // Nothing is forgotten on a failed look: the state stays as the events left it.
            LOG.warn("resync: " + e.getMessage());
            host.start();
            return List.of();
        }
        List<DiscoveredConnection> found = new ArrayList<>();
        Set<Integer> open = new HashSet<>();
        for (ConnectionInfo c : all) {
            open.add(c.token());
            // Not yet fully established: its ESTABLISHED event is still to come.
            if (c.state() == TcpState.ESTABLISHED && !c.fallback() && c.fullyEstablished()) {
                // The kernel counts the userspace path manager's addresses of a connection in
                // mptcpi_local_addr_used: none, no GET_ADDR (a round trip per connection).
                DiscoveredConnection d = new DiscoveredConnection(c,
                        c.localAddressesUsed() == 0 ? List.of() : userspaceAddresses(c.token()));
                adoptIds(d);
                // Announcements made before this host started (a restarted daemon) get their listeners back.
                pathManager.restoreListeners(d.token(), d.localAddresses());
                found.add(d);
            }
        }
        host.resynced(found, open::contains);
        LOG.atDebug().log(() -> "resync: " + found.size() + " connection(s)");
        return found;
    }

    /**
     * Connection {@code c} as a resync would report it, its ids taken into the host's allocator
     * (a connection handed to a controller by name).
     */
    DiscoveredConnection discover(ConnectionInfo c) {
        DiscoveredConnection d = new DiscoveredConnection(c, userspaceAddresses(c.token()));
        adoptIds(d);
        return d;
    }

    /** GET_ADDR by token; nothing for connections the userspace path manager does not run. */
    private List<MptcpAddress> userspaceAddresses(int token) {
        try {
            return pathManager.localAddresses(token);
        } catch (MptcpException e) {
            LOG.atDebug().log(() -> "resync: no userspace addresses for " + EventFormat.token(token) + ": "
                    + e.getMessage());
            return List.of();
        }
    }

    /** The ids connection {@code token} uses now stay with their addresses. */
    void adoptAddresses(int token) {
        LocalAddressIds ids = host.localAddressIds();
        for (MptcpAddress a : userspaceAddresses(token)) {
            adopt(ids, a, token);
        }
    }

    /** The ids a connection uses stay with their addresses, so new subflows agree with them. */
    private void adoptIds(DiscoveredConnection d) {
        LocalAddressIds ids = host.localAddressIds();
        for (MptcpAddress a : d.localAddresses()) {
            adopt(ids, a, d.token());
        }
        for (SubflowInfo s : d.connection().subflows()) {
            if (s.localId() != 0) {
                adopt(ids, MptcpAddress.of(s.local().getAddress(), 0).id(s.localId()), d.token());
            }
        }
    }

    private static void adopt(LocalAddressIds ids, MptcpAddress a, int token) {
        if (a.id() != 0 && !ids.adopt(a)) {
            LOG.atWarn().log(() -> "resync: connection " + EventFormat.token(token) + " uses id " + a.id()
                    + " for " + a + ", which this host gave another address");
        }
    }

    long resyncs() {
        return resyncs;
    }

    /** The loop is ending: no resync waits any more. */
    void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
