package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * The pure-Java twin of native/event_decoder.c: raw netlink datagrams in, the same event
 * records out, with the same validation (a message is skipped and counted when its header,
 * an attribute's length or the attributes' end is wrong) and the same counters. The native
 * one is libnl's {@code genlmsg_parse} with an exact-length policy; this one checks the same
 * rules by hand. One test suite runs against both. Allocates nothing.
 */
final class JavaEventDecoder implements EventDatagramDecoder {
    private static final int NLMSG_HDRLEN = 16;
    private static final int GENL_HDRLEN = 4;
    private static final int NLA_HDRLEN = 4;
    private static final int NLA_TYPE_MASK = 0x3fff;
    private static final int ATTR_MAX = 18;

    /** Exact payload length of each MPTCP_ATTR_* (0: not an event attribute). */
    private static final int[] LENGTH = {0, 4, 2, 1, 1, 4, 16, 4, 16, 2, 2, 1, 1, 2, 4, 4, 4, 4, 1};

    private final int familyId;
    private final boolean hostOrderPorts;
    private final ByteBuffer records;
    private final ByteBuffer counters;
    /** Offset of each attribute of the message being decoded, 0 when absent. */
    private final int[] at = new int[ATTR_MAX + 1];
    private long typeMask = ~0L;
    private int consumed;

    /** Decodes upstream messages of {@code familyId} into {@code records}, counting in {@code counters}. */
    JavaEventDecoder(int familyId, ByteBuffer records, ByteBuffer counters) {
        this(familyId, records, counters, Dialect.UPSTREAM);
    }

    /** Decodes messages of {@code familyId}, in {@code dialect}, into {@code records}, counting in {@code counters}. */
    JavaEventDecoder(int familyId, ByteBuffer records, ByteBuffer counters, Dialect dialect) {
        this.familyId = familyId;
        this.hostOrderPorts = dialect.hostOrderPorts();
        this.records = records.duplicate().order(ByteOrder.nativeOrder());
        this.counters = counters.duplicate().order(ByteOrder.nativeOrder());
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
        int end = offset + length;
        int pos = offset;
        int n = index;
        while (pos < end && n < capacity) {
            int remaining = end - pos;
            int messageLength = remaining >= NLMSG_HDRLEN ? raw.getInt(pos) : 0;
            if (remaining < NLMSG_HDRLEN || messageLength < NLMSG_HDRLEN || messageLength > remaining) {
                count(EventCounter.TRUNCATED);
                pos = end;
                break;
            }
            count(EventCounter.MESSAGES);
            int next = Math.min(end, pos + align(messageLength));
            if (decodeMessage(raw, pos, messageLength, rxNanos, n)) {
                n++;
            }
            pos = next;
        }
        consumed = pos - offset;
        return n - index;
    }

    private boolean decodeMessage(ByteBuffer raw, int pos, int length, long rxNanos, int index) {
        if ((raw.getShort(pos + 4) & 0xffff) != familyId) {
            count(EventCounter.FOREIGN);
            return false;
        }
        if (length < NLMSG_HDRLEN + GENL_HDRLEN) {
            count(EventCounter.MALFORMED);
            return false;
        }
        int type = raw.get(pos + NLMSG_HDRLEN) & 0xff;
        if (type >= 64 || (typeMask & (1L << type)) == 0) {
            count(EventCounter.FILTERED);
            return false;
        }
        Arrays.fill(at, 0);
        int a = pos + NLMSG_HDRLEN + GENL_HDRLEN;
        int rem = length - NLMSG_HDRLEN - GENL_HDRLEN;
        while (rem >= NLA_HDRLEN) {
            int attributeLength = raw.getShort(a) & 0xffff;
            if (attributeLength < NLA_HDRLEN || attributeLength > rem) {
                break;
            }
            int attribute = raw.getShort(a + 2) & NLA_TYPE_MASK;
            if (attribute >= 1 && attribute <= ATTR_MAX) {
                if (attributeLength - NLA_HDRLEN != LENGTH[attribute]) {
                    count(EventCounter.MALFORMED);
                    return false;
                }
                at[attribute] = a + NLA_HDRLEN;
            }
            int step = align(attributeLength);
            rem -= step;
            a += step;
        }
        if (rem > 0) {
            count(EventCounter.TRUNCATED);
            return false;
        }
        write(raw, type, rxNanos, index * EventRecord.SIZE);
        count(EventCounter.RECORDS);
        return true;
    }

    /** Writes the EVENTS_LOST record at {@code index} of the native-order {@code records}: the kernel reported ENOBUFS here. */
    static void lost(ByteBuffer records, long rxNanos, int index) {
        int r = index * EventRecord.SIZE;
        for (int i = 0; i < EventRecord.SIZE; i += Long.BYTES) {
            records.putLong(r + i, 0L);
        }
        records.putLong(r + EventRecord.RX_NANOS, rxNanos);
        records.putShort(r + EventRecord.TYPE, (short) EventRecord.EVENTS_LOST_TYPE);
    }

    private void write(ByteBuffer raw, int type, long rxNanos, int r) {
        for (int i = 0; i < EventRecord.SIZE; i += Long.BYTES) {
            records.putLong(r + i, 0L);
        }
        int present = 0;
        for (int i = 1; i <= ATTR_MAX; i++) {
            if (at[i] != 0) {
                present |= 1 << i;
            }
        }
        records.putLong(r + EventRecord.RX_NANOS, rxNanos);
        records.putInt(r + EventRecord.ATTRS, present);
        records.putShort(r + EventRecord.TYPE, (short) type);
        int family = at[2] != 0 ? raw.getShort(at[2]) & 0xffff
                : at[5] != 0 || at[7] != 0 ? MptcpAddress.AF_INET : at[6] != 0 || at[8] != 0 ? MptcpAddress.AF_INET6 : 0;
        records.putShort(r + EventRecord.FAMILY, (short) family);
        if (at[1] != 0) {
            records.putInt(r + EventRecord.TOKEN, raw.getInt(at[1]));
        }
        copyByte(raw, 3, r + EventRecord.LOC_ID);
        copyByte(raw, 4, r + EventRecord.REM_ID);
        copyBytes(raw, 5, r + EventRecord.LOCAL_ADDR, 4);
        copyBytes(raw, 6, r + EventRecord.LOCAL_ADDR, 16);
        copyBytes(raw, 7, r + EventRecord.REMOTE_ADDR, 4);
        copyBytes(raw, 8, r + EventRecord.REMOTE_ADDR, 16);
        // Upstream event ports travel in network order, unlike its command attributes' ports; v0.95's in host order.
        if (at[9] != 0) {
            records.putShort(r + EventRecord.LOCAL_PORT, (short) port(raw, at[9]));
        }
        if (at[10] != 0) {
            records.putShort(r + EventRecord.REMOTE_PORT, (short) port(raw, at[10]));
        }
        copyByte(raw, 11, r + EventRecord.BACKUP);
        copyByte(raw, 12, r + EventRecord.ERROR);
        if (at[13] != 0) {
            records.putShort(r + EventRecord.FLAGS, raw.getShort(at[13]));
        }
        copyInt(raw, 14, r + EventRecord.TIMEOUT);
        copyInt(raw, 15, r + EventRecord.IF_IDX);
        copyInt(raw, 16, r + EventRecord.RESET_REASON);
        copyInt(raw, 17, r + EventRecord.RESET_FLAGS);
        copyByte(raw, 18, r + EventRecord.SERVER_SIDE);
    }

    private int port(ByteBuffer raw, int offset) {
        return hostOrderPorts ? raw.getShort(offset) & 0xffff : (raw.get(offset) & 0xff) << 8 | (raw.get(offset + 1) & 0xff);
    }

    private void copyByte(ByteBuffer raw, int attribute, int to) {
        if (at[attribute] != 0) {
            records.put(to, raw.get(at[attribute]));
        }
    }

    private void copyInt(ByteBuffer raw, int attribute, int to) {
        if (at[attribute] != 0) {
            records.putInt(to, raw.getInt(at[attribute]));
        }
    }

    private void copyBytes(ByteBuffer raw, int attribute, int to, int length) {
        if (at[attribute] != 0) {
            for (int i = 0; i < length; i++) {
                records.put(to + i, raw.get(at[attribute] + i));
            }
        }
    }

    private void count(EventCounter counter) {
        int offset = counter.ordinal() * Long.BYTES;
        counters.putLong(offset, counters.getLong(offset) + 1);
    }

    private static int align(int length) {
        return (length + 3) & ~3;
    }
}
