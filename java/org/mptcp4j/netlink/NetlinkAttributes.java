package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * libnl's {@code nla_parse}, so that Java decoders accept and refuse what the native ones do:
 * attributes are walked while a whole header and a length within what remains are left (the
 * rest is ignored, not an error); types above the highest are skipped; the last of a type
 * wins; a policy bounds each type's payload length, and one attribute outside it fails the
 * whole parse. Reads only within the range given. Allocates nothing after construction.
 */
final class NetlinkAttributes {
    static final int NLA_HDRLEN = 4;
    private static final int NLA_TYPE_MASK = 0x3fff;

    private final int maxType;
    private final int[] minLength;
    private final int[] maxLength;
    /** The types libnl's policy calls NLA_STRING: their payload must end in a NUL. */
    private final boolean[] nulTerminated;
    /** Where each type's attribute starts, -1 when absent. */
    private final int[] at;
    private ByteBuffer buffer;

    /** Attributes up to {@code maxType}, unchecked. */
    NetlinkAttributes(int maxType) {
        this(new int[maxType + 1], new int[maxType + 1]);
    }

    /**
     * Attributes up to {@code minLength.length - 1} whose payload must hold at least
     * {@code minLength[type]} bytes and, where {@code maxLength[type]} is not 0, at most that.
     */
    NetlinkAttributes(int[] minLength, int[] maxLength) {
        this.maxType = minLength.length - 1;
        this.minLength = minLength.clone();
        this.maxLength = maxLength.clone();
        this.nulTerminated = new boolean[maxType + 1];
        this.at = new int[maxType + 1];
    }

    /** Also refuses an attribute of {@code type} whose payload does not end in a NUL (NLA_STRING); this. */
    NetlinkAttributes nulTerminated(int type) {
        nulTerminated[type] = true;
        return this;
    }

    /** Parses the attributes of {@code b[offset, offset + length)}; false when one breaks the policy. */
    boolean parse(ByteBuffer b, int offset, int length) {
        buffer = b;
        Arrays.fill(at, -1);
        int pos = offset;
        int remaining = length;
        for (int total; (total = lengthAt(b, pos, remaining)) > 0; ) {
            int type = b.getShort(pos + 2) & NLA_TYPE_MASK;
            if (type <= maxType) {
                int payload = total - NLA_HDRLEN;
                if (payload < minLength[type] || (maxLength[type] != 0 && payload > maxLength[type])
                        || nulTerminated[type] && (payload == 0 || b.get(pos + total - 1) != 0)) {
                    return false;
                }
                at[type] = pos;
            }
            int aligned = NetlinkWriter.align(total);
            remaining -= aligned;
            pos += aligned;
        }
        return true;
    }

    /**
     * The length of the attribute at {@code pos} with {@code remaining} bytes left (nla_ok), or
     * -1 where the walk ends; the next one starts that length aligned to four bytes further.
     */
    static int lengthAt(ByteBuffer b, int pos, int remaining) {
        if (remaining < NLA_HDRLEN) {
            return -1;
        }
        int total = b.getShort(pos) & 0xffff;
        return total < NLA_HDRLEN || total > remaining ? -1 : total;
    }

    /** Parses the payload of the nest found as {@code type} by the last parse of {@code outer}. */
    boolean parseNested(NetlinkAttributes outer, int type) {
        return parse(outer.buffer, outer.payload(type), outer.length(type));
    }

    boolean has(int type) {
        return at[type] >= 0;
    }

    /** Where the payload of {@code type} starts in the buffer parsed. */
    int payload(int type) {
        return at[type] + NLA_HDRLEN;
    }

    /** The payload length of {@code type}. */
    int length(int type) {
        return (buffer.getShort(at[type]) & 0xffff) - NLA_HDRLEN;
    }
}
