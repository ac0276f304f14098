package org.mptcp4j.controller;

import java.util.Arrays;
import org.mptcp4j.netlink.DiagRecord;
import org.mptcp4j.netlink.EventRecordWriter;
import org.mptcp4j.netlink.SockDiag;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.TokenMap;

/**
 * The timeout event the kernel does not send (the SMAPP paper's {@code timeout}): at each look
 * it dumps the namespace's subflows through sock_diag and reports a watched subflow that had a
 * retransmission timeout since the previous look: its count of timeouts grew (tcpi_total_rto,
 * Linux 6.7), or, on older kernels, its RTO backoff or retransmission count did, which only a
 * timeout does (fast retransmits move neither; those two fall back to 0 once the peer acks,
 * so there a single timeout that recovers between two looks goes unseen). Several timeouts
 * within one interval make one report. Subflows are told apart by their socket cookie;
 * nothing is allocated per look once the tables have grown to the number of subflows.
 */
final class SubflowTimeoutWatcher implements AutoCloseable {
    private static final int MAX_REPORTS = 256;

    private final NetworkNamespace namespace;
    private SockDiag diag;
    private final EventRecordWriter timeouts = new EventRecordWriter(MAX_REPORTS);
    private final TokenMap<Boolean> watched = new TokenMap<>();
    private SubflowTable previous = new SubflowTable();
    private SubflowTable current = new SubflowTable();

    SubflowTimeoutWatcher(NetworkNamespace namespace) {
        this.namespace = namespace;
    }

    void watch(int token) {
        watched.put(token, Boolean.TRUE);
    }

    void forget(int token) {
        watched.remove(token);
    }

    /** Stops watching the connections for which {@code open} is false. */
    void retain(java.util.function.IntPredicate open) {
        watched.retainTokens(open);
    }

    boolean isIdle() {
        return watched.isEmpty();
    }

    /** Looks at the subflows of the namespace; the timeouts found are then {@link #reports()}. */
    void look() {
        timeouts.clear();
        current.clear();
        if (watched.isEmpty()) {
            return;
        }
        if (diag == null) {
            diag = SockDiag.open(namespace);
        }
        int n = diag.dump();
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            DiagRecord r = diag.record(i);
            if (r.kind() != DiagRecord.SUBFLOW || !watched.containsKey(r.token())) {
                continue;
            }
            int backoff = r.backoff();
            long retransmits = r.retransmits();
            int rtoTimeouts = r.rtoTimeouts();
            int before = previous.find(r.cookie());
            // A subflow seen for the first time reports only a timeout in progress, not its past ones.
            boolean timedOut = before < 0 ? backoff > 0 || retransmits > 0
                    : rtoTimeouts > previous.rtoTimeouts[before] || backoff > previous.backoff[before]
                            || retransmits > previous.retransmits[before];
            current.put(r.cookie(), backoff, retransmits, rtoTimeouts);
            if (timedOut && !timeouts.isFull()) {
                timeouts.appendSubflowTimeout(r, now);
            }
        }
        SubflowTable swap = previous;
        previous = current;
        current = swap;
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

    /** Backoff, retransmissions and timeouts by socket cookie; cleared in O(1) by a generation count. */
    static final class SubflowTable {
        long[] cookies = new long[64];
        int[] backoff = new int[64];
        long[] retransmits = new long[64];
        int[] rtoTimeouts = new int[64];
        int[] generation = new int[64];
        int currentGeneration = 1;
        int size;

        void clear() {
            if (++currentGeneration == 0) {
                // After 2^32 clears a slot's stale generation could look current again.
                Arrays.fill(generation, 0);
                currentGeneration = 1;
            }
            size = 0;
        }

        int find(long cookie) {
            int mask = cookies.length - 1;
            for (int slot = slotOf(cookie, mask); generation[slot] == currentGeneration; slot = (slot + 1) & mask) {
                if (cookies[slot] == cookie) {
                    return slot;
                }
            }
            return -1;
        }

        void put(long cookie, int backoffValue, long retransmitsValue, int rtoTimeoutsValue) {
            if ((size + 1) * 2 > cookies.length) {
                grow();
            }
            int mask = cookies.length - 1;
            int slot = slotOf(cookie, mask);
            while (generation[slot] == currentGeneration && cookies[slot] != cookie) {
                slot = (slot + 1) & mask;
            }
            if (generation[slot] != currentGeneration) {
                size++;
            }
            generation[slot] = currentGeneration;
            cookies[slot] = cookie;
            backoff[slot] = backoffValue;
            retransmits[slot] = retransmitsValue;
            rtoTimeouts[slot] = rtoTimeoutsValue;
        }

        private void grow() {
            long[] oldCookies = cookies;
            int[] oldBackoff = backoff;
            long[] oldRetransmits = retransmits;
            int[] oldRtoTimeouts = rtoTimeouts;
            int[] oldGeneration = generation;
            int live = currentGeneration;
            cookies = new long[oldCookies.length * 2];
            backoff = new int[cookies.length];
            retransmits = new long[cookies.length];
            rtoTimeouts = new int[cookies.length];
            generation = new int[cookies.length];
            currentGeneration = 1;
            size = 0;
            for (int i = 0; i < oldCookies.length; i++) {
                if (oldGeneration[i] == live) {
                    put(oldCookies[i], oldBackoff[i], oldRetransmits[i], oldRtoTimeouts[i]);
                }
            }
        }

        private static int slotOf(long cookie, int mask) {
            long h = cookie * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 40) & mask;
        }
    }
}
