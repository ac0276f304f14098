package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.protocol.TrafficTap;

/**
 * The socket joined to the kernel's path-manager events group of one network namespace
 * ({@code mptcp_pm_events}, or {@code mptcp_events} of the v0.95 {@link Dialect}).
 * {@link #poll} receives every pending datagram into one buffer ({@link JavaEventChannel}, over
 * the system calls of either transport) and decodes them into records that {@link #record}
 * reads in place, in Java or, on JNI when asked, by the C decoder: nothing is copied or
 * allocated per event.
 *
 * <p>One thread polls at a time; {@link #wakeup} and {@link #close} may come from any thread:
 * close wakes a blocked poll and closes the socket only once no poll is running.
 */
public final class EventSocket implements AutoCloseable {
    /** 2 MiB: about two thousand events of backlog before the kernel drops any. */
    public static final int DEFAULT_RECEIVE_BUFFER = 2 << 20;
    public static final int DEFAULT_RECORD_CAPACITY = 256;
    /** Receives in one {@link #poll} while what arrives is all dropped by the type mask. */
    private static final int FILTERED_ROUNDS = 4;

    /** Room for several full datagrams (32 KiB each at most). */
    private static final int RAW_BUFFER_SIZE = 256 << 10;

    private final ByteBuffer records;
    private final ByteBuffer counters;
    private final EventRecord record;
    private final int capacity;
    /** The datagrams received, each behind its header, and the decoder that reads them. */
    private final ByteBuffer raw;
    private final EventDatagramDecoder decoder;
    private final boolean javaDecoding;
    private int rawPosition;
    private int rawLimit;
    /** Also told of each datagram {@link #poll} receives, when recording; else null. */
    private volatile DatagramSink tapSink;
    /** Bytes of the datagram at rawPosition already decoded when the records ran out. */
    private int datagramDone;
    private final NetworkNamespace namespace;
    private final Dialect dialect;
    /** Held while the socket is used; close takes it before closing. */
    private final ReentrantLock pollLock = new ReentrantLock();
    private final JavaEventChannel channel;
    private volatile boolean closed;
    /** The types asked for ({@link #setTypeMask}). */
    private volatile long typeMask = ~0L;
    /** Whether the kernel drops the types not asked for ({@link EventTypeFilter}). */
    private volatile boolean kernelFiltering;

    /** Opens in {@code namespace} when {@code fd} is -1, else adopts {@code fd}. */
    private EventSocket(Dialect dialect, NetworkNamespace namespace, int fd, int familyId, int receiveBuffer,
            int recordCapacity, boolean javaDecoding) {
        if (recordCapacity < 1) {
            throw new IllegalArgumentException("record capacity must be at least 1: " + recordCapacity);
        }
        if (receiveBuffer < 4096) {
            throw new IllegalArgumentException("receive buffer below 4096 bytes: " + receiveBuffer);
        }
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.namespace = namespace;
        this.records = ByteBuffer.allocateDirect(recordCapacity * EventRecord.SIZE).order(ByteOrder.nativeOrder());
        this.counters = ByteBuffer.allocateDirect(EventRecord.COUNTER_COUNT * Long.BYTES).order(ByteOrder.nativeOrder());
        this.record = new EventRecord(records);
        this.capacity = recordCapacity;
        // Without the native library the datagrams are decoded in Java whatever was asked.
        this.javaDecoding = javaDecoding || Transport.foreign();
        this.raw = ByteBuffer.allocateDirect(RAW_BUFFER_SIZE).order(ByteOrder.nativeOrder());
        this.channel = fd < 0
                ? JavaEventChannel.open(namespace.fd(), dialect.family(), dialect.eventGroup(), receiveBuffer, counters)
                : JavaEventChannel.adopt(fd, familyId, counters);
        int id = channel.familyId();
        this.decoder = this.javaDecoding ? new JavaEventDecoder(id, records, counters, dialect)
                : new NativeEventDecoder(id, records, counters, dialect);
    }

    /**
     * Opens the socket in {@code namespace} and joins the events group.
     *
     * @throws MptcpException when the kernel has no mptcp_pm family, or joining needs
     *     CAP_NET_ADMIN the caller lacks
     */
    public static EventSocket open(NetworkNamespace namespace, int receiveBuffer, int recordCapacity) {
        return open(namespace, receiveBuffer, recordCapacity, false);
    }

    /**
     * As {@link #open(NetworkNamespace, int, int)}; with {@code javaDecoding} the datagrams are
     * decoded in Java ({@link JavaEventDecoder}), else by the C decoder of the JNI transport
     * (in Java on FFM, which has none).
     */
    public static EventSocket open(NetworkNamespace namespace, int receiveBuffer, int recordCapacity,
            boolean javaDecoding) {
        return open(namespace, Dialect.UPSTREAM, receiveBuffer, recordCapacity, javaDecoding);
    }

    /** As {@link #open(NetworkNamespace, int, int, boolean)}, for the events of {@code dialect}'s family. */
    public static EventSocket open(NetworkNamespace namespace, Dialect dialect, int receiveBuffer, int recordCapacity,
            boolean javaDecoding) {
        return new EventSocket(dialect, Objects.requireNonNull(namespace, "namespace"), -1, 0, receiveBuffer,
                recordCapacity, javaDecoding);
    }

    /**
     * An event socket over {@code fd}, one end of a connected datagram socket pair whose other
     * end sends event messages of family {@code familyId} in the kernel's place (a
     * {@link org.mptcp4j.standin.KernelStandIn} replaying recorded traffic). {@link #namespace()} is then the
     * caller's. The socket owns {@code fd} from now on.
     */
    public static EventSocket adopt(int fd, Dialect dialect, int familyId, int recordCapacity, boolean javaDecoding) {
        if (recordCapacity < 1 || dialect == null) {
            Transport.linux().close(fd); // owned from the call on, refused or not
        }
        return new EventSocket(dialect, NetworkNamespace.current(), fd, familyId, DEFAULT_RECEIVE_BUFFER, recordCapacity,
                javaDecoding);
    }

    /** The family whose events this socket receives. */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * Receives and decodes what is pending; when nothing is and {@code timeoutMillis} is not
     * 0, first waits up to that long (-1: until an event or a {@link #wakeup}).
     *
     * @return the number of records now readable with {@link #record}
     */
    public int poll(int timeoutMillis) {
        int n = decodeRaw();
        if (n > 0) {
            return n;
        }
        n = pollAndDecodeRaw(timeoutMillis);
        // Datagrams whose events the type mask drops give no record (a CREATED where only
        // ESTABLISHED is wanted, when the kernel's filter is off: a tap, or a type above 31):
        // take what waits behind them at once, without a wait, rather
        // than hand the caller nothing and have the event behind them wait a round of its loop.
        for (int round = 1; n == 0 && rawLimit > 0 && round < FILTERED_ROUNDS; round++) {
            n = pollAndDecodeRaw(0);
        }
        return n;
    }

    private int pollAndDecodeRaw(int timeoutMillis) {
        int used = receiveRaw(timeoutMillis);
        rawPosition = 0;
        rawLimit = used;
        datagramDone = 0;
        DatagramSink t = tapSink;
        if (t != null) {
            handOver(used, t);
        }
        return decodeRaw();
    }

    /** Waits up to {@code timeoutMillis} and receives the pending datagrams undecoded: their bytes. */
    private int receiveRaw(int timeoutMillis) {
        int used;
        pollLock.lock();
        try {
            checkOpen();
            used = channel.pollRaw(raw, timeoutMillis);
        } finally {
            pollLock.unlock();
        }
        if (used < 0) {
            throw new MptcpException("receive MPTCP events", -used, null);
        }
        return used;
    }

    /** Decodes received datagrams into records until they or the records run out. */
    private int decodeRaw() {
        int n = 0;
        while (rawPosition < rawLimit && n < capacity) {
            int length = raw.getInt(rawPosition);
            long rxNanos = raw.getLong(rawPosition + 8);
            if (length == EventRecord.RAW_EVENTS_LOST) {
                JavaEventDecoder.lost(records, rxNanos, n++);
                rawPosition += EventRecord.RAW_HEADER_SIZE;
                continue;
            }
            int start = rawPosition + EventRecord.RAW_HEADER_SIZE;
            n += decoder.decode(raw, start + datagramDone, length - datagramDone, rxNanos, n, capacity);
            datagramDone += decoder.consumed();
            if (datagramDone < length) {
                break; // the records are full: the rest of this datagram comes next poll
            }
            datagramDone = 0;
            rawPosition = start + ((length + 7) & ~7);
        }
        return n;
    }

    /** Told of each datagram {@link #receiveDatagrams} received. */
    @FunctionalInterface
    public interface DatagramSink {
        /**
         * @param raw the datagram's bytes are at {@code offset} of it, valid during the call
         * @param length the datagram's size; -1 where the kernel dropped events (ENOBUFS)
         * @param receivedNanos when it was received, on System.nanoTime's clock (CLOCK_MONOTONIC)
         */
        void datagram(ByteBuffer raw, int offset, int length, long receivedNanos);
    }

    /**
     * Receives what is pending, waiting as {@link #poll} does when nothing is, and hands each
     * datagram to {@code sink} undecoded, every event type included unless {@link #setTypeMask}
     * narrowed them (the kernel then drops the others, while {@link #kernelFiltering}): in place
     * of {@link #poll} (to record the kernel's messages as they came).
     *
     * @return the datagrams handed over
     */
    public int receiveDatagrams(int timeoutMillis, DatagramSink sink) {
        return handOver(receiveRaw(timeoutMillis), sink);
    }

    /**
     * Hands every datagram {@link #poll} receives to {@code tap} too, undecoded, before it is
     * decoded (null: no more): how a daemon records its events, whichever decoder reads them.
     * While a tap is set the kernel's filter of unwanted types is off, so that it sees them all.
     */
    public void tap(TrafficTap tap) {
        this.tapSink = tap == null ? null : tap::events; // made once, not per poll
        filterInKernel();
    }

    /** Hands the datagrams of the {@code used} bytes received to {@code sink}; how many. */
    private int handOver(int used, DatagramSink sink) {
        int n = 0;
        for (int at = 0; at < used; n++) {
            int length = raw.getInt(at);
            long rxNanos = raw.getLong(at + 8);
            if (length == EventRecord.RAW_EVENTS_LOST) {
                sink.datagram(raw, at, -1, rxNanos);
                at += EventRecord.RAW_HEADER_SIZE;
            } else {
                sink.datagram(raw, at + EventRecord.RAW_HEADER_SIZE, length, rxNanos);
                at += EventRecord.RAW_HEADER_SIZE + ((length + 7) & ~7);
            }
        }
        return n;
    }

    /**
     * Whether events wait to be handed out: received and not yet decoded into records, or
     * queued in the socket (an ENOBUFS report too). Does not wait; from the polling thread.
     */
    public boolean pending() {
        if (rawPosition < rawLimit) {
            return true;
        }
        pollLock.lock();
        try {
            checkOpen();
            return channel.pending();
        } finally {
            pollLock.unlock();
        }
    }

    /** The flyweight pointed at record {@code index} of the last poll. */
    public EventRecord record(int index) {
        return record.wrap(index);
    }

    /** Makes a blocked {@link #poll} return; from any thread, harmless after close. */
    public synchronized void wakeup() {
        if (!closed) {
            channel.wakeup();
        }
    }

    /**
     * Delivers only events whose {@code MptcpEventType.mask()} bit is set. The kernel drops the
     * rest before they are queued, so that they neither wake a blocked poll nor cost a receive,
     * unless a {@link #tap} records every datagram or the filter could not be attached; the
     * decoder, native or Java, drops what still comes.
     */
    public synchronized void setTypeMask(long mask) {
        checkOpen();
        decoder.typeMask(mask);
        typeMask = mask;
        filterInKernel();
    }

    /**
     * Whether the kernel drops the event types not asked for before they reach this socket: the
     * decoder then counts none of them ({@link EventCounter#FILTERED}, {@link EventCounter#DATAGRAMS}).
     */
    public boolean kernelFiltering() {
        return kernelFiltering;
    }

    /**
     * Attaches the kernel's filter for the mask, or removes it when everything is wanted. A
     * refused filter is removed, so that no earlier one keeps dropping what is now wanted, and
     * the decoder filters alone.
     */
    private synchronized void filterInKernel() {
        if (closed) {
            return;
        }
        boolean wanted = tapSink == null && (int) typeMask != -1;
        int rc = wanted ? channel.filter(typeMask) : channel.unfilter();
        if (rc != 0 && wanted) {
            channel.unfilter();
        }
        kernelFiltering = wanted && rc == 0;
    }

    /** Makes a blocking {@link #poll} also return when {@code fd} is readable (-1: no other socket). */
    public void attach(int fd) {
        checkOpen();
        channel.attach(fd);
    }

    /** Whether the datagrams are decoded in Java, not by the C decoder. */
    public boolean javaDecoding() {
        return javaDecoding;
    }

    public long counter(EventCounter counter) {
        return counters.getLong(counter.ordinal() * Long.BYTES);
    }

    /** SO_RCVBUF in effect (the kernel doubles what is asked). */
    public int receiveBufferSize() {
        checkOpen();
        return channel.receiveBufferSize();
    }

    /** The path-manager family's id resolved in this namespace. */
    public int familyId() {
        checkOpen();
        return channel.familyId();
    }

    public NetworkNamespace namespace() {
        return namespace;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("event socket is closed");
        }
    }

    /** Wakes a blocked poll, waits for it to return, then closes the socket; later polls fail. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            channel.wakeup();
        }
        pollLock.lock();
        try {
            channel.close();
        } finally {
            pollLock.unlock();
        }
    }
}
