package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.ReentrantLock;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.EventCounter;
import org.mptcp4j.pm.MptcpException;

/**
 * The socket joined to the kernel's {@code mptcp_pm_events} group of one network namespace.
 * {@link #poll} receives every pending event in one native call and decodes it into records
 * that {@link #record} reads in place: nothing is copied or allocated per event.
 *
 * <p>One thread polls at a time; {@link #wakeup} and {@link #close} may come from any thread:
 * close wakes a blocked poll and frees the native socket only once no poll is running.
 */
public final class EventSocket implements AutoCloseable {
    /** 2 MiB: about two thousand events of backlog before the kernel drops any. */
    public static final int DEFAULT_RECEIVE_BUFFER = 2 << 20;
    public static final int DEFAULT_RECORD_CAPACITY = 256;

    private final ByteBuffer records;
    private final ByteBuffer counters;
    private final EventRecord record;
    private final NetworkNamespace namespace;
    /** Held while native code uses the socket; close takes it before freeing. */
    private final ReentrantLock pollLock = new ReentrantLock();
    private volatile long handle;

    private EventSocket(NetworkNamespace namespace, int receiveBuffer, int recordCapacity) {
        if (recordCapacity < 1) {
            throw new IllegalArgumentException("record capacity must be at least 1: " + recordCapacity);
        }
        if (receiveBuffer < 4096) {
            throw new IllegalArgumentException("receive buffer below 4096 bytes: " + receiveBuffer);
        }
        NativeLibrary.ensureLoaded();
        this.namespace = namespace;
        this.records = ByteBuffer.allocateDirect(recordCapacity * EventRecord.SIZE).order(ByteOrder.nativeOrder());
        this.counters = ByteBuffer.allocateDirect(EventRecord.COUNTER_COUNT * Long.BYTES).order(ByteOrder.nativeOrder());
        this.record = new EventRecord(records);
        this.handle = open(namespace.fd(), receiveBuffer, records, counters);
    }

    /**
     * Opens the socket in {@code namespace} and joins the events group.
     *
     * @throws MptcpException when the kernel has no mptcp_pm family, or joining needs
     *     CAP_NET_ADMIN the caller lacks
     */
    public static EventSocket open(NetworkNamespace namespace, int receiveBuffer, int recordCapacity) {
        return new EventSocket(namespace, receiveBuffer, recordCapacity);
    }

    /**
     * Receives and decodes what is pending; when nothing is and {@code timeoutMillis} is not
     * 0, first waits up to that long (-1: until an event or a {@link #wakeup}).
     *
     * @return the number of records now readable with {@link #record}
     */
    public int poll(int timeoutMillis) {
        int n;
        pollLock.lock();
        try {
            n = poll(handle(), timeoutMillis);
        } finally {
            pollLock.unlock();
        }
        if (n < 0) {
            throw new MptcpException("receive MPTCP events", -n, null);
        }
        return n;
    }

    /** The flyweight pointed at record {@code index} of the last poll. */
    public EventRecord record(int index) {
        return record.wrap(index);
    }

    /** Makes a blocked {@link #poll} return; from any thread, harmless after close. */
    public synchronized void wakeup() {
        if (handle != 0) {
            wakeup(handle);
        }
    }

    /** Delivers only events whose {@code MptcpEventType.mask()} bit is set; the rest are dropped natively. */
    public void setTypeMask(long mask) {
        setTypeMask(handle(), mask);
    }

    public long counter(EventCounter counter) {
        return counters.getLong(counter.ordinal() * Long.BYTES);
    }

    /** SO_RCVBUF in effect (the kernel doubles what is asked). */
    public int receiveBufferSize() {
        return receiveBufferSize(handle());
    }

    /** The mptcp_pm family id resolved in this namespace. */
    public int familyId() {
        return familyId(handle());
    }

    public NetworkNamespace namespace() {
        return namespace;
    }

    private long handle() {
        long h = handle;
        if (h == 0) {
            throw new IllegalStateException("event socket is closed");
        }
        return h;
    }

    /** Wakes a blocked poll, waits for it to return, then frees the socket; later polls fail. */
    @Override
    public void close() {
        long h;
        synchronized (this) {
            h = handle;
            if (h == 0) {
                return;
            }
            handle = 0;
            wakeup(h);
        }
        pollLock.lock();
        try {
            close(h);
        } finally {
            pollLock.unlock();
        }
    }

    private static native long open(int netnsFd, int receiveBuffer, ByteBuffer records, ByteBuffer counters);

    private static native int poll(long handle, int timeoutMillis);

    private static native void wakeup(long handle);

    private static native void setTypeMask(long handle, long mask);

    private static native int receiveBufferSize(long handle);

    private static native int familyId(long handle);

    private static native void close(long handle);
}
