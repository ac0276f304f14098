package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import org.mptcp4j.protocol.Dialect;

/**
 * native/event_decoder.c, libnl's {@code genlmsg_parse} with an exact-length policy, over the
 * same buffers as {@link JavaEventDecoder}: what {@code EventDecoding.NATIVE} runs. The JNI
 * transport only (the code is in libmptcp4j.so); one JNI call per datagram, nothing allocated.
 */
final class NativeEventDecoder implements EventDatagramDecoder {
    private final int familyId;
    private final boolean hostOrderPorts;
    private final ByteBuffer records;
    private final ByteBuffer counters;
    private long typeMask = ~0L;
    private int consumed;

    /** Decodes messages of {@code familyId}, in {@code dialect}, into {@code records}, counting in {@code counters}. */
    NativeEventDecoder(int familyId, ByteBuffer records, ByteBuffer counters, Dialect dialect) {
        RecordLayouts.ensureChecked(); // the records this decoder writes are laid out by the library's C
        this.familyId = familyId;
        this.hostOrderPorts = dialect.hostOrderPorts();
        this.records = records;
        this.counters = counters;
    }

    @Override
    public void typeMask(long mask) {
        this.typeMask = mask;
    }

    @Override
    public int consumed() {
        return consumed;
    }

    @Override
    public int decode(ByteBuffer raw, int offset, int length, long rxNanos, int index, int capacity) {
        long result = decode(raw, offset, length, rxNanos, records, index, capacity, counters, familyId, typeMask,
                hostOrderPorts);
        consumed = (int) (result >>> 32);
        return (int) result;
    }

    /**
     * The C decoder on the direct buffers: the records it wrote in the low 32 bits, the bytes
     * of the datagram it used in the high 32 bits (two results without an allocation).
     *
     * @throws IllegalArgumentException when a buffer is not direct, or the datagram or the
     *     records lie outside their buffers
     */
    static native long decode(ByteBuffer raw, int offset, int length, long rxNanos, ByteBuffer records, int index,
            int capacity, ByteBuffer counters, int familyId, long typeMask, boolean hostOrderPorts);
}
