package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * The flyweight over one decoded answer of the kernel to a path-manager command; the layout
 * is this class's constants (written by ReplyDecoder).
 *
 * <pre>
 *  0 seq u32 | 4 kind u8 | 5 present u8 | 6 text_len u16 | 8 error s32 | 12 text_off u32
 * 16 rcv_add_addrs u32 | 20 subflows u32 | 24 addr (request address layout, 32) | 56
 * </pre>
 */
public final class ReplyRecord {
    public static final int ACK = 1;
    public static final int DATA = 2;
    public static final int DONE = 3;
    static final int SIZE = 56;
    static final int SEQ = 0;
    static final int KIND = 4;
    static final int PRESENT = 5;
    static final int TEXT_LEN = 6;
    static final int ERROR = 8;
    static final int TEXT_OFF = 12;
    static final int RCV_ADD_ADDRS = 16;
    static final int SUBFLOWS = 20;
    static final int ADDR = 24;
    static final int CAPACITY = 2048;
    static final int TEXT_SIZE = 32768;

    private static final int HAS_ADDR = 0x1;
    private static final int HAS_RCV_ADD_ADDRS = 0x2;
    private static final int HAS_SUBFLOWS = 0x4;

    private final ByteBuffer records;
    private final ByteBuffer texts;
    private int base;

    ReplyRecord(ByteBuffer records, ByteBuffer texts) {
        this.records = records.duplicate().order(ByteOrder.nativeOrder());
        this.texts = texts.duplicate();
    }

    ReplyRecord wrap(int index) {
        base = index * SIZE;
        return this;
    }

    /** The sequence number of the request this answers. */
    public int seq() {
        return records.getInt(base + SEQ);
    }

    /** {@link #ACK}, {@link #DATA} or {@link #DONE}. */
    public int kind() {
        return records.get(base + KIND);
    }

    /** Whether this record ends its request: an acknowledgement, an error, or the end of a dump. */
    public boolean isFinal() {
        return kind() != DATA;
    }

    /** 0, or the negative errno the kernel answered. */
    public int error() {
        return records.getInt(base + ERROR);
    }

    /** The kernel's extended-ack message, or null (allocates). */
    public String text() {
        int length = records.getShort(base + TEXT_LEN) & 0xffff;
        if (length == 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        texts.get(records.getInt(base + TEXT_OFF), bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public boolean hasAddress() {
        return (records.get(base + PRESENT) & HAS_ADDR) != 0;
    }

    /** Copies the address this DATA record carries into {@code dst}. */
    public void copyAddress(MptcpAddress dst) {
        CommandRequest.readAddress(records, base + ADDR, dst);
    }

    public boolean hasLimits() {
        return (records.get(base + PRESENT) & (HAS_RCV_ADD_ADDRS | HAS_SUBFLOWS)) != 0;
    }

    public int receiveAddAddrs() {
        return records.getInt(base + RCV_ADD_ADDRS);
    }

    public int subflows() {
        return records.getInt(base + SUBFLOWS);
    }

    /** The record's bytes as the decoder wrote them, into {@code dst}: how two decoders are compared. */
    void copyRaw(byte[] dst) {
        records.get(base, dst, 0, SIZE);
    }
}
