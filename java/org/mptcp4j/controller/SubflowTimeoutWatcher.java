package org.mptcp4j.controller;

import java.util.function.IntPredicate;
import org.mptcp4j.netlink.DiagRecord;
import org.mptcp4j.netlink.EventRecordWriter;
import org.mptcp4j.netlink.SockDiag;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.TokenMap;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.table.RowTable;

/**
 * The timeout event the kernel does not send (the SMAPP paper's {@code timeout}): at each look
 * it asks sock_diag for the watched subflows and reports one that had a retransmission timeout
 * since the previous look: its count of timeouts grew (tcpi_total_rto, Linux 6.7), or, on
 * older kernels, its RTO backoff or retransmission count did, which only a timeout does (fast
 * retransmits move neither; those two fall back to 0 once the peer acks, so there a single
 * timeout that recovers between two looks goes unseen). Several timeouts within one interval
 * make one report. Subflows are told apart by their socket cookie; nothing is allocated per
 * look once the tables have grown to the number of subflows.
 *
 * <p>A look asks for each watched subflow alone, by its addresses and ports ({@link SockDiag#lookUp}):
 * its cost follows the subflows watched, not the sockets of the host, which a dump of every TCP
 * socket walks (a dump with a bytecode filter too). The subflows come from the previous look's
 * answers (a subflow gone is answered no more), and new ones from the events that name them
 * ({@link #learn}). A connection first watched without such an event, and every connection
 * after a resync (events may have been lost), are found by one full dump at the next look.
 */
final class SubflowTimeoutWatcher implements AutoCloseable {
    private static final int MAX_REPORTS = 256;

    private final NetworkNamespace namespace;
    private SockDiag diag;
    private final EventRecordWriter timeouts = new EventRecordWriter(MAX_REPORTS);
    private final TokenMap<Boolean> watched = new TokenMap<>();
    private SubflowTable previous = new SubflowTable();
    private SubflowTable current = new SubflowTable();
    /** Whether the next look dumps every subflow: some watched ones are known by no event. */
    private boolean fullLook;
    /** Records the last look read: the watched subflows, or after a full one every socket's. */
    private volatile int answers;
    private volatile long fullLooks;

    SubflowTimeoutWatcher(NetworkNamespace namespace) {
        this.namespace = namespace;
    }

    /**
     * Watches connection {@code token}; {@code subflowsKnown}: its subflows come through
     * {@link #learn} (it is watched from the event that names its first subflow), else the next
     * look finds them in a full dump.
     */
    void watch(int token, boolean subflowsKnown) {
        if (watched.containsKey(token)) {
            return;
        }
        watched.put(token, Boolean.TRUE);
        fullLook |= !subflowsKnown;
    }

    /** A subflow event (ESTABLISHED, SUB_ESTABLISHED): a subflow of a watched connection is looked at from now on. */
    void learn(MptcpEvent subflow) {
        if (!watched.isEmpty() && watched.containsKey(subflow.token())) {
            diag().ask(subflow);
        }
    }

    /** Events may have been lost: the next look finds the watched connections' subflows in a full dump. */
    void lookFully() {
        fullLook = !watched.isEmpty();
    }

    void forget(int token) {
        watched.remove(token);
    }

    /** Stops watching the connections for which {@code open} is false. */
    void retain(IntPredicate open) {
        watched.retainTokens(open);
    }

    int watchedConnections() {
        return watched.size();
    }

    boolean isIdle() {
        return watched.isEmpty();
    }

    /** Looks at the watched subflows; the timeouts found are then {@link #reports()}. */
    void look() {
        timeouts.clear();
        current.clear();
        if (watched.isEmpty()) {
            fullLook = false;
            if (diag != null) {
                diag.clearAsked();
            }
            return;
        }
        SockDiag d = diag();
        boolean full = fullLook;
        fullLook = true; // until this look has succeeded: after a failure, the next one starts afresh
        int n;
        if (full) {
            d.clearAsked();
            n = d.dump();
            fullLooks++;
        } else {
            n = d.lookUp();
        }
        fullLook = false;
        answers = n;
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            DiagRecord r = d.record(i);
            // Once each (a subflow both learned and answered before is asked for twice).
            if (r.kind() != DiagRecord.SUBFLOW || !watched.containsKey(r.token()) || current.find(r.cookie()) >= 0) {
                continue;
            }
            d.ask(i);
            int backoff = r.backoff();
            long retransmits = r.retransmits();
            int rtoTimeouts = r.rtoTimeouts();
            int before = previous.find(r.cookie());
            // A subflow seen for the first time reports only a timeout in progress, not its past ones.
            boolean timedOut = before < 0 ? backoff > 0 || retransmits > 0
                    : rtoTimeouts > previous.rtoTimeouts(before) || backoff > previous.backoff(before)
                            || retransmits > previous.retransmits(before);
            current.put(r.cookie(), backoff, retransmits, rtoTimeouts);
            if (timedOut && !timeouts.isFull()) {
                timeouts.appendSubflowTimeout(r, now);
            }
        }
        SubflowTable swap = previous;
        previous = current;
        current = swap;
    }

    private SockDiag diag() {
        if (diag == null) {
            diag = SockDiag.open(namespace);
        }
        return diag;
    }

    int lastAnswers() {
        return answers;
    }

    /** Looks that dumped every socket of the namespace. */
    long fullLooks() {
        return fullLooks;
    }

    /** The SUBFLOW_TIMEOUT records of the last look. */
    EventRecordWriter reports() {
        return timeouts;
    }

    @Override
    public void close() {
        if (diag != null) {
            diag.close();
            diag = null;
        }
    }

    /** Backoff, retransmissions and timeouts by socket cookie. */
    static final class SubflowTable {
        private static final int BACKOFF = 0;
        private static final int RETRANSMITS = 1;
        private static final int RTO_TIMEOUTS = 2;

        private final RowTable rows = RowTable.keyedByLong(3, false, 32);

        /** Forgets every subflow: a pass over the table, which is sized by the subflows watched. */
        void clear() {
            rows.clear();
        }

        int size() {
            return rows.size();
        }

        /** The slot of {@code cookie}, or -1. */
        int find(long cookie) {
            return rows.find(cookie);
        }

        int backoff(int slot) {
            return (int) rows.field(slot, BACKOFF);
        }

        long retransmits(int slot) {
            return rows.field(slot, RETRANSMITS);
        }

        int rtoTimeouts(int slot) {
            return (int) rows.field(slot, RTO_TIMEOUTS);
        }

        void put(long cookie, int backoff, long retransmits, int rtoTimeouts) {
            int slot = rows.insert(cookie);
            rows.setField(slot, BACKOFF, backoff);
            rows.setField(slot, RETRANSMITS, retransmits);
            rows.setField(slot, RTO_TIMEOUTS, rtoTimeouts);
        }
    }
}
