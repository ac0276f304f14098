package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One datagram of the kernel's answers to a {@link CommandSocket} into {@link ReplyRecord}s and
 * error texts, with the sender check of its receive. Malformed input follows libnl's rules, as
 * the C decoder it was ported from did: a message whose header does not fit ends the datagram,
 * one for another port is counted as foreign, one of an unknown type is skipped, a data message
 * whose attributes break the policy becomes an EPROTO acknowledgement. Reads only within the
 * datagram; allocates nothing.
 */
final class ReplyDecoder {
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_CAPPED = 0x100;
    static final int NLM_F_ACK_TLVS = 0x200;
    private static final int NLMSG_HDRLEN = NetlinkWriter.NLMSG_HDRLEN;
    private static final int GENL_HDRLEN = NetlinkWriter.GENL_HDRLEN;
    /** struct nlmsgerr: the error, then the header of the request it answers. */
    private static final int NLMSGERR_SIZE = 4 + NLMSG_HDRLEN;
    private static final int EPROTO = 71;
    /** The kernel's errors are the last 4095 values below 0 (MAX_ERRNO). */
    private static final int MAX_ERRNO = 4095;
    /** An extended-ack text keeps at most 511 bytes (512 with its NUL, as netlink_extack_text). */
    private static final int EXTACK_TEXT_MAX = 511;

    private static final int ATTR_ADDR = 1;
    private static final int ATTR_RCV_ADD_ADDRS = 2;
    private static final int ATTR_SUBFLOWS = 3;
    private static final int ADDR_ATTR_FAMILY = 1;
    private static final int ADDR_ATTR_ID = 2;
    private static final int ADDR_ATTR_ADDR4 = 3;
    private static final int ADDR_ATTR_ADDR6 = 4;
    private static final int ADDR_ATTR_PORT = 5;
    private static final int ADDR_ATTR_FLAGS = 6;
    private static final int ADDR_ATTR_IF_IDX = 7;
    private static final int NLMSGERR_ATTR_MSG = 1;
    private static final int NLMSGERR_ATTR_MISS_TYPE = 5;
    private static final int NLMSGERR_ATTR_MISS_NEST = 6;

    private static final int HAS_ADDR = 0x1;
    private static final int HAS_RCV_ADD_ADDRS = 0x2;
    private static final int HAS_SUBFLOWS = 0x4;

    private static final byte[] TRUNCATED = ascii("truncated acknowledgement");
    private static final byte[] MISSING = ascii("missing attribute ");
    private static final byte[] IN_NEST = ascii(" in a nested address");

    /** The policies: exact lengths, a nest of any length, MPTCP_PM_ATTR_ADDR_REMOTE the highest. */
    private final NetlinkAttributes reply = new NetlinkAttributes(
            new int[] {0, 0, 4, 4, 0, 0, 0}, new int[] {0, 0, 4, 4, 0, 0, 0});
    private final NetlinkAttributes address = new NetlinkAttributes(
            new int[] {0, 2, 1, 4, 16, 2, 4, 4}, new int[] {0, 2, 1, 4, 16, 2, 4, 4});
    private final NetlinkAttributes extack = new NetlinkAttributes(NLMSGERR_ATTR_MISS_NEST);

    private final ByteBuffer records;
    private final ByteBuffer texts;
    private final int familyId;
    private final int portId;
    /** Where a text is composed before it is placed: "missing attribute 4294967295 in a nested address" fits. */
    private final byte[] scratch = new byte[64];
    private long foreign;
    private int textUsed;

    /**
     * Decodes into {@code records} ({@link ReplyRecord#CAPACITY} records) and {@code texts}
     * ({@link ReplyRecord#TEXT_SIZE} bytes) the answers of family {@code familyId} to port {@code portId}.
     */
    ReplyDecoder(ByteBuffer records, ByteBuffer texts, int familyId, int portId) {
        if (records.capacity() < ReplyRecord.CAPACITY * ReplyRecord.SIZE || texts.capacity() < ReplyRecord.TEXT_SIZE) {
            throw new IllegalArgumentException("room for " + ReplyRecord.CAPACITY + " records and "
                    + ReplyRecord.TEXT_SIZE + " bytes of text is needed");
        }
        this.records = records.duplicate().order(ByteOrder.nativeOrder());
        this.texts = texts.duplicate();
        this.familyId = familyId;
        this.portId = portId;
    }

    /** Messages dropped because they were not the kernel's answers to this socket. */
    long foreignMessages() {
        return foreign;
    }

    /**
     * Decodes the first {@code length} bytes of {@code datagram} (host order), received from
     * netlink port {@code sender} (0: the kernel; any other's datagram is dropped whole as
     * foreign). Returns the number of records written from index 0.
     */
    int decode(ByteBuffer datagram, int length, int sender) {
        if (datagram.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("the datagram must be in the host's byte order");
        }
        if (length < 0 || length > datagram.capacity()) {
            throw new IllegalArgumentException("length " + length + " outside the buffer of " + datagram.capacity());
        }
        if (sender != 0) {
            foreign++;
            return 0;
        }
        int n = 0;
        textUsed = 0;
        int pos = 0;
        int remaining = length;
        for (int size; (size = messageLength(datagram, pos, remaining)) > 0; ) {
            if (datagram.getInt(pos + 12) != portId || n >= ReplyRecord.CAPACITY) {
                foreign++;
            } else if (decodeMessage(datagram, pos, size, n)) {
                n++;
            }
            int aligned = NetlinkWriter.align(size);
            remaining -= aligned;
            pos += aligned;
        }
        return n;
    }

    /**
     * The length of the message at {@code pos} with {@code remaining} bytes left (nlmsg_ok), or
     * -1 where the datagram ends; the next one starts that length aligned to four bytes further.
     */
    static int messageLength(ByteBuffer d, int pos, int remaining) {
        if (remaining < NLMSG_HDRLEN) {
            return -1;
        }
        long length = d.getInt(pos) & 0xffffffffL;
        return length < NLMSG_HDRLEN || length > remaining ? -1 : (int) length;
    }

    /** The message of {@code size} bytes at {@code pos} into record {@code n}; false when it is of no known type. */
    private boolean decodeMessage(ByteBuffer d, int pos, int size, int n) {
        int base = n * ReplyRecord.SIZE;
        for (int i = 0; i < ReplyRecord.SIZE; i += Long.BYTES) {
            records.putLong(base + i, 0L);
        }
        records.putInt(base + ReplyRecord.SEQ, d.getInt(pos + 8));
        int type = d.getShort(pos + 4) & 0xffff;
        if (type == NLMSG_ERROR) {
            ack(d, pos, size, base);
        } else if (type == NLMSG_DONE) {
            done(d, pos, size, base);
        } else if (type == familyId) {
            data(d, pos, size, base);
        } else {
            return false;
        }
        return true;
    }

    /** NLMSG_ERROR ends a plain request: error 0 is the acknowledgement. */
    private void ack(ByteBuffer d, int pos, int size, int base) {
        records.put(base + ReplyRecord.KIND, (byte) ReplyRecord.ACK);
        if (size < NLMSG_HDRLEN + NLMSGERR_SIZE) {
            records.putInt(base + ReplyRecord.ERROR, -EPROTO);
            text(base, TRUNCATED, TRUNCATED.length);
            return;
        }
        int error = d.getInt(pos + NLMSG_HDRLEN);
        if (error == 0) {
            return;
        }
        records.putInt(base + ReplyRecord.ERROR, -errno(error));
        // With NETLINK_CAP_ACK the request is not echoed, only its header. The echoed length is
        // aligned and reduced in 32 bits, as C does, so a lying one points past the message.
        long tlvOffset = NLMSG_HDRLEN + NLMSGERR_SIZE;
        if ((d.getShort(pos + 6) & NLM_F_CAPPED) == 0) {
            int echoed = d.getInt(pos + NLMSG_HDRLEN + 4);
            tlvOffset += (((echoed + 3) & ~3) - NLMSG_HDRLEN) & 0xffffffffL;
        }
        extendedAck(d, pos, size, tlvOffset, base);
    }

    /** NLMSG_DONE ends a dump; a dump that failed carries the error in it, then the extended ack. */
    private void done(ByteBuffer d, int pos, int size, int base) {
        records.put(base + ReplyRecord.KIND, (byte) ReplyRecord.DONE);
        if (size >= NLMSG_HDRLEN + 4) {
            int error = d.getInt(pos + NLMSG_HDRLEN);
            if (error < 0) {
                records.putInt(base + ReplyRecord.ERROR, -errno(error));
                extendedAck(d, pos, size, NLMSG_HDRLEN + 4, base);
            }
        }
    }

    /** A reply carrying data: GET_ADDR's address, GET_LIMITS's limits. */
    private void data(ByteBuffer d, int pos, int size, int base) {
        int attributes = NLMSG_HDRLEN + GENL_HDRLEN;
        if (size < attributes || !reply.parse(d, pos + attributes, size - attributes)) {
            records.put(base + ReplyRecord.KIND, (byte) ReplyRecord.ACK);
            records.putInt(base + ReplyRecord.ERROR, -EPROTO);
            return;
        }
        records.put(base + ReplyRecord.KIND, (byte) ReplyRecord.DATA);
        int present = 0;
        if (reply.has(ATTR_ADDR) && address.parseNested(reply, ATTR_ADDR)) {
            address(d, base + ReplyRecord.ADDR);
            present |= HAS_ADDR;
        }
        if (reply.has(ATTR_RCV_ADD_ADDRS)) {
            records.putInt(base + ReplyRecord.RCV_ADD_ADDRS, d.getInt(reply.payload(ATTR_RCV_ADD_ADDRS)));
            present |= HAS_RCV_ADD_ADDRS;
        }
        if (reply.has(ATTR_SUBFLOWS)) {
            records.putInt(base + ReplyRecord.SUBFLOWS, d.getInt(reply.payload(ATTR_SUBFLOWS)));
            present |= HAS_SUBFLOWS;
        }
        records.put(base + ReplyRecord.PRESENT, (byte) present);
    }

    /** The address just parsed into the request address layout at {@code at}. */
    private void address(ByteBuffer d, int at) {
        int present = 0;
        if (address.has(ADDR_ATTR_FAMILY)) {
            records.putShort(at + CommandRequest.A_FAMILY, d.getShort(address.payload(ADDR_ATTR_FAMILY)));
        }
        if (address.has(ADDR_ATTR_ADDR4)) {
            records.put(at + CommandRequest.A_ADDR, d, address.payload(ADDR_ATTR_ADDR4), 4);
            present |= CommandRequest.ADDR_HAS_ADDR;
        } else if (address.has(ADDR_ATTR_ADDR6)) {
            records.put(at + CommandRequest.A_ADDR, d, address.payload(ADDR_ATTR_ADDR6), 16);
            present |= CommandRequest.ADDR_HAS_ADDR;
        }
        if (address.has(ADDR_ATTR_ID)) {
            records.put(at + CommandRequest.A_ID, d.get(address.payload(ADDR_ATTR_ID)));
            present |= CommandRequest.ADDR_HAS_ID;
        }
        if (address.has(ADDR_ATTR_PORT)) {
            records.putShort(at + CommandRequest.A_PORT, d.getShort(address.payload(ADDR_ATTR_PORT)));
            present |= CommandRequest.ADDR_HAS_PORT;
        }
        if (address.has(ADDR_ATTR_FLAGS)) {
            records.putInt(at + CommandRequest.A_FLAGS, d.getInt(address.payload(ADDR_ATTR_FLAGS)));
            present |= CommandRequest.ADDR_HAS_FLAGS;
        }
        if (address.has(ADDR_ATTR_IF_IDX)) {
            records.putInt(at + CommandRequest.A_IF_IDX, d.getInt(address.payload(ADDR_ATTR_IF_IDX)));
            present |= CommandRequest.ADDR_HAS_IF_IDX;
        }
        records.put(at + CommandRequest.A_PRESENT, (byte) present);
    }

    /**
     * The extended-ack text of a final message whose attributes start at {@code tlvOffset}: the
     * kernel's message up to its NUL, or which attribute was missing (netlink_extack_text).
     */
    private void extendedAck(ByteBuffer d, int pos, int size, long tlvOffset, int base) {
        if ((d.getShort(pos + 6) & NLM_F_ACK_TLVS) == 0 || tlvOffset >= size) {
            return;
        }
        int tlv = (int) tlvOffset;
        if (!extack.parse(d, pos + tlv, size - tlv)) {
            return;
        }
        if (extack.has(NLMSGERR_ATTR_MSG)) {
            int at = extack.payload(NLMSGERR_ATTR_MSG);
            int end = at + extack.length(NLMSGERR_ATTR_MSG);
            int length = 0;
            while (at + length < end && length < EXTACK_TEXT_MAX && d.get(at + length) != 0) {
                length++;
            }
            if (length > 0) {
                int start = textUsed;
                texts.put(start, d, at, placeText(base, length));
            }
        } else if (extack.has(NLMSGERR_ATTR_MISS_TYPE) && extack.length(NLMSGERR_ATTR_MISS_TYPE) >= 4) {
            int length = missingAttribute(d.getInt(extack.payload(NLMSGERR_ATTR_MISS_TYPE)), extack.has(NLMSGERR_ATTR_MISS_NEST));
            text(base, scratch, length);
        }
    }

    /** "missing attribute %u", and " in a nested address" when in a nest, into the scratch: its length. */
    private int missingAttribute(int type, boolean nested) {
        System.arraycopy(MISSING, 0, scratch, 0, MISSING.length);
        int length = MISSING.length;
        long value = type & 0xffffffffL;
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = length + digits - 1; i >= length; i--) {
            scratch[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += digits;
        if (nested) {
            System.arraycopy(IN_NEST, 0, scratch, length, IN_NEST.length);
            length += IN_NEST.length;
        }
        return length;
    }

    /** The first {@code length} bytes of {@code text} as the text of the record at {@code base}. */
    private void text(int base, byte[] text, int length) {
        int start = textUsed;
        texts.put(start, text, 0, placeText(base, length));
    }

    /**
     * Places a text of {@code length} bytes after those already used, cut to the room left,
     * and records where and how long: the length kept.
     */
    private int placeText(int base, int length) {
        int kept = Math.min(length, ReplyRecord.TEXT_SIZE - textUsed);
        records.putInt(base + ReplyRecord.TEXT_OFF, textUsed);
        records.putShort(base + ReplyRecord.TEXT_LEN, (short) kept);
        textUsed += kept;
        return kept;
    }

    /** The errno an error carries as -errno, made positive: EPROTO when it is not one the kernel sends. */
    private static int errno(int error) {
        return error < 0 && error >= -MAX_ERRNO ? -error : EPROTO;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
