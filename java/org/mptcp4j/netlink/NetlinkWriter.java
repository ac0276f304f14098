package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * Writes one generic-netlink message at the start of a buffer the way libnl lays it out, so
 * that the Java encoders produce libnl's bytes: every attribute is padded with zeros to four
 * bytes, a nest carries NLA_F_NESTED and a nest left empty is taken back out
 * ({@code nla_nest_end}). Absolute writes only; running out of room is remembered and
 * reported once, by {@link #end()}. Allocates nothing. Public for the kernel stand-in's
 * answers ({@code org.mptcp4j.standin.Answers}); the package is not exported.
 */
public final class NetlinkWriter {
    static final int NLMSG_HDRLEN = 16;
    static final int GENL_HDRLEN = 4;
    static final int NLA_HDRLEN = 4;
    static final int NLA_F_NESTED = 0x8000;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_DUMP = 0x300;

    private final ByteBuffer out;
    private int position;
    private boolean full;

    /**
     * Writes into {@code out}, whose order is set to the host's.
     *
     * @param out the buffer the message is written at the start of
     */
    public NetlinkWriter(ByteBuffer out) {
        this.out = out.order(ByteOrder.nativeOrder());
    }

    /**
     * Starts a message: nlmsghdr (its length written by {@link #end()}) and genlmsghdr.
     *
     * @param type nlmsg_type, the family's id
     * @param flags nlmsg_flags
     * @param seq nlmsg_seq
     * @param portId nlmsg_pid
     * @param command genlmsghdr's cmd
     * @param version genlmsghdr's version
     */
    public void start(int type, int flags, int seq, int portId, int command, int version) {
        position = 0;
        full = out.capacity() < NLMSG_HDRLEN + GENL_HDRLEN;
        if (full) {
            return;
        }
        out.putShort(4, (short) type).putShort(6, (short) flags).putInt(8, seq).putInt(12, portId);
        out.put(16, (byte) command).put(17, (byte) version).putShort(18, (short) 0);
        position = NLMSG_HDRLEN + GENL_HDRLEN;
    }

    /**
     * Ends the message.
     *
     * @return its length, or -EMSGSIZE when it did not fit
     */
    public int end() {
        if (full) {
            return -Errno.EMSGSIZE;
        }
        out.putInt(0, position);
        return position;
    }

    /**
     * An attribute of 8 bits, in the host's order.
     *
     * @param type the attribute's type
     * @param value its value
     */
    public void u8(int type, int value) {
        int at = reserve(type, 1);
        if (at >= 0) {
            out.put(at, (byte) value);
        }
    }

    /**
     * An attribute of 16 bits, in the host's order.
     *
     * @param type the attribute's type
     * @param value its value
     */
    public void u16(int type, int value) {
        int at = reserve(type, 2);
        if (at >= 0) {
            out.putShort(at, (short) value);
        }
    }

    /**
     * An attribute of 32 bits, in the host's order.
     *
     * @param type the attribute's type
     * @param value its value
     */
    public void u32(int type, int value) {
        int at = reserve(type, 4);
        if (at >= 0) {
            out.putInt(at, value);
        }
    }

    /** {@code length} bytes of {@code src} from {@code offset}. */
    void bytes(int type, ByteBuffer src, int offset, int length) {
        int at = reserve(type, length);
        if (at >= 0) {
            out.put(at, src, offset, length);
        }
    }

    /**
     * The address bytes of {@code a}: 4 for IPv4, 16 for IPv6, as on the wire.
     *
     * @param type the attribute's type
     * @param a the address
     */
    public void address(int type, MptcpAddress a) {
        int length = a.isIpv6() ? 16 : 4;
        int at = reserve(type, length);
        for (int i = 0; at >= 0 && i < length; i++) {
            out.put(at + i, a.addressByte(i));
        }
    }

    /** A NUL-terminated string of ASCII {@code text}. */
    void string(int type, String text) {
        int at = reserve(type, text.length() + 1);
        for (int i = 0; at >= 0 && i < text.length(); i++) {
            out.put(at + i, (byte) text.charAt(i));
        }
        if (at >= 0) {
            out.put(at + text.length(), (byte) 0);
        }
    }

    /**
     * Opens a nest of attributes.
     *
     * @param type the nest's type (NLA_F_NESTED is added)
     * @return what {@link #nestEnd} takes
     */
    public int nestStart(int type) {
        int start = position;
        reserve(type | NLA_F_NESTED, 0);
        return start;
    }

    /**
     * Closes the nest opened at {@code start}: its length, or nothing at all when it holds no attribute.
     *
     * @param start what {@link #nestStart} returned
     */
    public void nestEnd(int start) {
        if (full) {
            return;
        }
        int length = position - start;
        if (length == NLA_HDRLEN) {
            position = start;
            return;
        }
        out.putShort(start, (short) length);
    }

    /** The header of an attribute of {@code length} bytes and its zeroed padding: where its payload goes, or -1. */
    private int reserve(int type, int length) {
        int total = align(NLA_HDRLEN + length);
        if (full || position + total > out.capacity()) {
            full = true;
            return -1;
        }
        int at = position;
        out.putShort(at, (short) (NLA_HDRLEN + length)).putShort(at + 2, (short) type);
        for (int i = at + NLA_HDRLEN + length; i < at + total; i++) {
            out.put(i, (byte) 0);
        }
        position = at + total;
        return at + NLA_HDRLEN;
    }

    static int align(int length) {
        return (length + 3) & ~3;
    }
}
