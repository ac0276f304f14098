package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpAttribute;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * Event records that mptcp4j makes itself (a subflow's retransmission timeout, seen through
 * sock_diag), in the layout of the kernel's, so that handlers read them with the same
 * {@link EventRecord} flyweight. The buffer is reused; nothing is allocated per record.
 */
public final class EventRecordWriter {
    private static final int SUBFLOW_ATTRIBUTES = bits(MptcpAttribute.TOKEN, MptcpAttribute.FAMILY,
            MptcpAttribute.LOC_ID, MptcpAttribute.REM_ID, MptcpAttribute.SPORT, MptcpAttribute.DPORT,
            MptcpAttribute.BACKUP, MptcpAttribute.IF_IDX);

    private final ByteBuffer buffer;
    private final EventRecord record;
    private final int capacity;
    private final byte[] address = new byte[16];
    private int count;

    public EventRecordWriter(int capacity) {
        this.capacity = capacity;
        this.buffer = ByteBuffer.allocateDirect(capacity * EventRecord.SIZE).order(ByteOrder.nativeOrder());
        this.record = new EventRecord(buffer);
    }

    /** Forgets the records written so far. */
    public void clear() {
        count = 0;
    }

    public int count() {
        return count;
    }

    public boolean isFull() {
        return count == capacity;
    }

    public EventRecord record(int index) {
        return record.wrap(index);
    }

    /**
     * Appends a {@link MptcpEventType#SUBFLOW_TIMEOUT} for the subflow {@code subflow}
     * describes, carrying its RTO.
     *
     * @throws IllegalStateException when full
     */
    public void appendSubflowTimeout(DiagRecord subflow, long rxNanos) {
        if (isFull()) {
            throw new IllegalStateException("event records full: " + capacity);
        }
        int base = count++ * EventRecord.SIZE;
        for (int i = 0; i < EventRecord.SIZE; i += Long.BYTES) {
            buffer.putLong(base + i, 0);
        }
        boolean ipv6 = subflow.family() == MptcpAddress.AF_INET6;
        buffer.putLong(base + EventRecord.RX_NANOS, rxNanos);
        buffer.putShort(base + EventRecord.TYPE, (short) MptcpEventType.SUBFLOW_TIMEOUT.id());
        buffer.putShort(base + EventRecord.FAMILY, (short) subflow.family());
        buffer.putInt(base + EventRecord.TOKEN, subflow.token());
        buffer.put(base + EventRecord.LOC_ID, (byte) subflow.localId());
        buffer.put(base + EventRecord.REM_ID, (byte) subflow.remoteId());
        buffer.put(base + EventRecord.BACKUP, (byte) (subflow.backup() ? 1 : 0));
        buffer.putShort(base + EventRecord.LOCAL_PORT, (short) subflow.localPort());
        buffer.putShort(base + EventRecord.REMOTE_PORT, (short) subflow.remotePort());
        buffer.putInt(base + EventRecord.IF_IDX, subflow.ifIndex());
        buffer.putInt(base + EventRecord.TIMEOUT, (int) Math.min(subflow.rtoMicros(), 0xffffffffL));
        int length = ipv6 ? 16 : 4;
        subflow.copyLocalAddress(address);
        buffer.put(base + EventRecord.LOCAL_ADDR, address, 0, length);
        subflow.copyRemoteAddress(address);
        buffer.put(base + EventRecord.REMOTE_ADDR, address, 0, length);
        int attributes = SUBFLOW_ATTRIBUTES | MptcpAttribute.TIMEOUT.bit()
                | (ipv6 ? MptcpAttribute.SADDR6.bit() | MptcpAttribute.DADDR6.bit()
                        : MptcpAttribute.SADDR4.bit() | MptcpAttribute.DADDR4.bit());
        buffer.putInt(base + EventRecord.ATTRS, attributes);
    }

    private static int bits(MptcpAttribute... attributes) {
        int bits = 0;
        for (MptcpAttribute a : attributes) {
            bits |= a.bit();
        }
        return bits;
    }
}
