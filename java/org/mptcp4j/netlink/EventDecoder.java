package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.EventCounter;

/**
 * An event decoder applied to bytes given from Java instead of a socket, for tests and
 * benchmarks of decoding on its own: either decoder {@link EventSocket#poll} runs, the C one
 * (JNI transport) or the pure-Java one.
 */
public final class EventDecoder {
    private final ByteBuffer records;
    private final ByteBuffer counters;
    private final EventRecord record;
    private final int capacity;
    private final EventDatagramDecoder decoder;

    /** A native decoder for messages of generic-netlink family {@code familyId}. */
    public EventDecoder(int familyId, int recordCapacity) {
        this(familyId, recordCapacity, false);
    }

    /** A decoder for messages of {@code familyId}: the pure-Java one when {@code java}, else the native one. */
    public EventDecoder(int familyId, int recordCapacity, boolean java) {
        this(familyId, recordCapacity, java, Dialect.UPSTREAM);
    }

    /** A decoder for messages of {@code familyId} in {@code dialect}. */
    public EventDecoder(int familyId, int recordCapacity, boolean java, Dialect dialect) {
        this.capacity = recordCapacity;
        this.records = ByteBuffer.allocateDirect(recordCapacity * EventRecord.SIZE).order(ByteOrder.nativeOrder());
        this.counters = ByteBuffer.allocateDirect(EventRecord.COUNTER_COUNT * Long.BYTES).order(ByteOrder.nativeOrder());
        this.record = new EventRecord(records);
        this.decoder = java ? new JavaEventDecoder(familyId, records, counters, dialect)
                : new NativeEventDecoder(familyId, records, counters, dialect);
    }

    public EventDecoder typeMask(long mask) {
        decoder.typeMask(mask);
        return this;
    }

    /** Decodes one datagram: the first {@code length} bytes of the direct, native-order buffer {@code raw}. */
    public int decode(ByteBuffer raw, int length) {
        return decoder.decode(raw, 0, length, 0, 0, capacity);
    }

    public EventRecord record(int index) {
        return record.wrap(index);
    }

    public long counter(EventCounter counter) {
        return counters.getLong(counter.ordinal() * Long.BYTES);
    }
}
