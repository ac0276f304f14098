package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpException;

/**
 * The receiving half of {@link EventSocket}, over {@link org.mptcp4j.natives.Transport#linux}'s
 * system calls (either transport). The datagrams go undecoded into the raw buffer, each behind
 * a 16-byte header (length, reserved, CLOCK_MONOTONIC time of receipt), for the socket's
 * {@link EventDatagramDecoder}; the waiting is one poll(2) over the socket, a wake-up eventfd
 * and an attached descriptor.
 */
final class JavaEventChannel implements AutoCloseable {
    /** Kernel events are a few hundred bytes; a larger datagram is counted as truncated. */
    private static final int DATAGRAM_MAX = 32768;
    /** How many lone datagrams are taken one by one before a burst is taken whole. */
    static final int SINGLES_BEFORE_BATCHES = 4;
    /** Skipped datagrams taken in one drain at most. */
    static final int MAX_SKIPPED = 256;
    /** A result no receive gives: drain makes the first receive itself. */
    private static final int NOT_RECEIVED = JavaNetlinkSocket.TRUNCATED + 1;

    private final JavaNetlinkSocket socket;
    private final LinuxCalls linux;
    private final int wakeFd;
    private final ByteBuffer counters;
    private final int familyId;
    private final int receiveBuffer;
    private int attachedFd = -1;
    /** Receives in a row, without a wait, that found a datagram. */
    private int singles;

    private JavaEventChannel(JavaNetlinkSocket socket, int familyId, int receiveBuffer, ByteBuffer counters) {
        this.socket = socket;
        this.linux = socket.linux();
        this.familyId = familyId;
        this.receiveBuffer = receiveBuffer;
        this.counters = counters.duplicate().order(ByteOrder.nativeOrder());
        int wake = linux.eventfd(LinuxCalls.EFD_CLOEXEC | LinuxCalls.EFD_NONBLOCK);
        if (wake < 0) {
            socket.close();
            throw new MptcpException("create eventfd", -wake, null);
        }
        this.wakeFd = wake;
    }

    /** Joins {@code group} of {@code family} in the namespace open at {@code netnsFd}. */
    static JavaEventChannel open(int netnsFd, String family, String group, int receiveBuffer, ByteBuffer counters) {
        JavaNetlinkSocket socket = JavaNetlinkSocket.open(netnsFd, LinuxCalls.NETLINK_GENERIC, "generic netlink");
        try {
            int[] ids = socket.resolve(family, group);
            int size = socket.setReceiveBuffer(receiveBuffer);
            if (size < 0) {
                throw new MptcpException("set event socket receive buffer", -size, null);
            }
            int rc = socket.setNetlinkOption(LinuxCalls.NETLINK_ADD_MEMBERSHIP, ids[1]);
            if (rc < 0) {
                throw new MptcpException("join multicast group " + group, -rc, null);
            }
            return new JavaEventChannel(socket, ids[0], size, counters);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Over {@code fd}, a socket pair's end whose peer sends events of {@code familyId} in the kernel's place. */
    static JavaEventChannel adopt(int fd, int familyId, ByteBuffer counters) {
        JavaNetlinkSocket socket = JavaNetlinkSocket.adopt(fd);
        return new JavaEventChannel(socket, familyId, Math.max(socket.receiveBufferSize(), 0), counters);
    }

    int familyId() {
        return familyId;
    }

    int receiveBufferSize() {
        return receiveBuffer;
    }

    /**
     * Takes what is pending into {@code raw}; when nothing is and {@code timeoutMillis} is not
     * 0, waits for an event or a wake-up first, then takes one datagram, so that the event that
     * woke the loop reaches its handler with no receive that finds nothing before it. Events
     * that come a few at a time (a connection's CREATED and ESTABLISHED) are taken one by one
     * for the same reason: the ESTABLISHED behind a CREATED reaches its handler before the
     * receive that finds the socket empty. From the {@value #SINGLES_BEFORE_BATCHES}th in a
     * row that found one waiting, everything pending is taken at once, for throughput. The
     * bytes of {@code raw} used, or a negative errno.
     */
    int pollRaw(ByteBuffer raw, int timeoutMillis) {
        int used = drain(raw, 0, singles < SINGLES_BEFORE_BATCHES ? 1 : Integer.MAX_VALUE);
        if (used != 0) {
            singles++;
            return used;
        }
        singles = 0;
        if (timeoutMillis == 0) {
            return 0;
        }
        long r = socket.pollThenReceive(wakeFd, attachedFd, timeoutMillis, raw, EventRecord.RAW_HEADER_SIZE,
                DATAGRAM_MAX);
        if (r < 0) {
            return r == -Errno.EINTR ? 0 : (int) r;
        }
        int ready = (int) (r >>> 32);
        if ((ready & 0b010) != 0) {
            int rc = linux.readCounter(wakeFd);
            if (rc < 0) {
                return rc;
            }
        }
        return (ready & 0b001) != 0 ? drain(raw, 0, 1, (int) r) : 0;
    }

    /**
     * Receives datagrams behind their headers while a whole one still fits, at most {@code
     * datagrams}, and at most {@value #MAX_SKIPPED} skipped ones (another sender's, or cut): a
     * namespace's root multicasting to the group as fast as it can does not keep the loop from
     * its timers and tasks, since a skipped datagram takes no room in {@code raw}.
     */
    private int drain(ByteBuffer raw, int used, int datagrams) {
        return drain(raw, used, datagrams, NOT_RECEIVED);
    }

    /** As {@link #drain(ByteBuffer, int, int)}, the first receive's result already in: {@code first}, unless NOT_RECEIVED. */
    private int drain(ByteBuffer raw, int used, int datagrams, int first) {
        int skipped = 0;
        while (raw.capacity() - used >= EventRecord.RAW_HEADER_SIZE + DATAGRAM_MAX && datagrams-- > 0
                && skipped < MAX_SKIPPED) {
            int n = first != NOT_RECEIVED ? first : socket.receive(raw, used + EventRecord.RAW_HEADER_SIZE, DATAGRAM_MAX);
            first = NOT_RECEIVED;
            if (n == 0) {
                break;
            }
            if (n == JavaNetlinkSocket.SKIPPED || n == JavaNetlinkSocket.TRUNCATED) {
                skipped++;
                count(EventCounter.DATAGRAMS);
                count(n == JavaNetlinkSocket.SKIPPED ? EventCounter.FOREIGN : EventCounter.TRUNCATED);
                continue;
            }
            raw.putInt(used + 4, 0);
            raw.putLong(used + 8, System.nanoTime());
            if (n == -Errno.ENOBUFS) {
                raw.putInt(used, EventRecord.RAW_EVENTS_LOST);
                count(EventCounter.LOST);
                used += EventRecord.RAW_HEADER_SIZE;
                continue;
            }
            if (n < 0) {
                return used > 0 ? used : n;
            }
            count(EventCounter.DATAGRAMS);
            raw.putInt(used, n);
            used += EventRecord.RAW_HEADER_SIZE + ((n + 7) & ~7);
        }
        return used;
    }

    /** Whether anything waits in the socket, an ENOBUFS report included; a failed look says yes. */
    boolean pending() {
        int ready = socket.poll(-1, -1, 0);
        return ready != 0;
    }

    /** Makes a blocked {@link #pollRaw} return. */
    void wakeup() {
        int rc = linux.writeCounter(wakeFd, 1);
        if (rc < 0 && rc != -Errno.EAGAIN) {
            throw new MptcpException("wake event loop", -rc, null);
        }
    }

    /** Has the kernel drop the events whose bit of {@code mask} is clear ({@link EventTypeFilter}); 0 or a negative errno. */
    int filter(long mask) {
        return linux.attachFilter(socket.fd(), EventTypeFilter.program(familyId, mask));
    }

    /** Removes the kernel's filter: every datagram is queued again; 0 or a negative errno. */
    int unfilter() {
        int rc = linux.setIntOption(socket.fd(), LinuxCalls.SOL_SOCKET, LinuxCalls.SO_DETACH_FILTER, 0);
        return rc == -Errno.ENOENT ? 0 : rc; // there was none
    }

    /** The wait also ends when {@code fd} is readable (-1: no other descriptor). */
    void attach(int fd) {
        attachedFd = fd;
    }

    private void count(EventCounter counter) {
        int offset = counter.ordinal() * Long.BYTES;
        counters.putLong(offset, counters.getLong(offset) + 1);
    }

    @Override
    public void close() {
        socket.close();
        linux.close(wakeFd);
    }
}
