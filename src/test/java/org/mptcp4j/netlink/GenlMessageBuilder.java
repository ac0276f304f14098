package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds raw netlink datagrams byte by byte, the way the kernel lays them out, for decoder tests. */
final class GenlMessageBuilder {
    static final int NLMSG_HDRLEN = 16;
    static final int GENL_HDRLEN = 4;

    private final ByteBuffer buffer = ByteBuffer.allocate(65536).order(ByteOrder.nativeOrder());
    private int messageStart = -1;

    /** Starts a message: nlmsghdr (type = family id) and genlmsghdr (cmd = event type). */
    GenlMessageBuilder message(int familyId, int eventType) {
        end();
        messageStart = buffer.position();
        buffer.putInt(0).putShort((short) familyId).putShort((short) 0).putInt(0).putInt(0);
        buffer.put((byte) eventType).put((byte) 1).putShort((short) 0);
        return this;
    }

    /** Starts a message of any type (NLMSG_ERROR, NLMSG_DONE ...) with its header filled in, and no genlmsghdr. */
    GenlMessageBuilder netlink(int type, int flags, int seq, int portId) {
        end();
        messageStart = buffer.position();
        buffer.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId);
        return this;
    }

    /** Starts a generic-netlink message with its header's flags, sequence number and port id. */
    GenlMessageBuilder message(int familyId, int command, int flags, int seq, int portId) {
        netlink(familyId, flags, seq, portId);
        buffer.put((byte) command).put((byte) 1).putShort((short) 0);
        return this;
    }

    /** A 32-bit value in host order, outside any attribute (an error code). */
    GenlMessageBuilder i32(int value) {
        buffer.putInt(value);
        return this;
    }

    GenlMessageBuilder u8(int type, int value) {
        return attribute(type, new byte[] {(byte) value});
    }

    GenlMessageBuilder u16(int type, int value) {
        return attribute(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) value).array());
    }

    /** A 16-bit value in network order, as the kernel sends event ports. */
    GenlMessageBuilder be16(int type, int value) {
        return attribute(type, new byte[] {(byte) (value >>> 8), (byte) value});
    }

    GenlMessageBuilder u32(int type, int value) {
        return attribute(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    GenlMessageBuilder attribute(int type, byte[] payload) {
        buffer.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
        pad();
        return this;
    }

    /** Bytes as they are, to build broken messages. */
    GenlMessageBuilder raw(byte... bytes) {
        buffer.put(bytes);
        return this;
    }

    private void pad() {
        while (buffer.position() % 4 != 0) {
            buffer.put((byte) 0);
        }
    }

    /** Closes the current message: writes its nlmsg_len. */
    GenlMessageBuilder end() {
        if (messageStart >= 0) {
            buffer.putInt(messageStart, buffer.position() - messageStart);
            messageStart = -1;
        }
        return this;
    }

    /** Overrides the current message's nlmsg_len (before end()). */
    GenlMessageBuilder lengthOverride(int length) {
        int start = messageStart;
        end();
        buffer.putInt(start, length);
        return this;
    }

    int length() {
        end();
        return buffer.position();
    }

    /** The datagram in a direct buffer, cut to {@code length} bytes. */
    ByteBuffer direct(int length) {
        end();
        ByteBuffer direct = ByteBuffer.allocateDirect(Math.max(length, 1)).order(ByteOrder.nativeOrder());
        direct.put(buffer.array(), 0, length).clear();
        return direct;
    }

    ByteBuffer direct() {
        return direct(length());
    }

    /** The datagram's bytes. */
    byte[] bytes() {
        return java.util.Arrays.copyOf(buffer.array(), length());
    }
}
