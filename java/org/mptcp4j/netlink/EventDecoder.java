package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.pm.EventCounter;

/**
 * The native event decoder applied to bytes given from Java instead of a socket: the same C
 * code {@link EventSocket#poll} runs, for tests and benchmarks of the decoder on its own.
 */
public final class EventDecoder {
    private final ByteBuffer records;
    private final ByteBuffer counters;
    private final EventRecord record;
    private final int familyId;
    private long typeMask = ~0L;

    /** A decoder for messages of generic-netlink family {@code familyId}. */
    public EventDecoder(int familyId, int recordCapacity) {
        NativeLibrary.ensureLoaded();
        this.familyId = familyId;
        this.records = ByteBuffer.allocateDirect(recordCapacity * EventRecord.SIZE).order(ByteOrder.nativeOrder());
        this.counters = ByteBuffer.allocateDirect(EventRecord.COUNTER_COUNT * Long.BYTES).order(ByteOrder.nativeOrder());
        this.record = new EventRecord(records);
    }

    public EventDecoder typeMask(long mask) {
        this.typeMask = mask;
        return this;
    }

    /** Decodes one datagram: the first {@code length} bytes of the direct buffer {@code raw}. */
    public int decode(ByteBuffer raw, int length) {
        return decode(raw, length, records, counters, familyId, typeMask);
    }

    public EventRecord record(int index) {
        return record.wrap(index);
    }

    public long counter(EventCounter counter) {
        return counters.getLong(counter.ordinal() * Long.BYTES);
    }

    private static native int decode(ByteBuffer raw, int length, ByteBuffer records, ByteBuffer counters,
            int familyId, long typeMask);
}
