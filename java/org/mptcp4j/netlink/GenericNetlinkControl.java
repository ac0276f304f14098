package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The generic netlink control family's CTRL_CMD_GETFAMILY: the request, and its answer read. */
final class GenericNetlinkControl {
    private static final int GENL_ID_CTRL = 0x10;
    private static final int CTRL_CMD_GETFAMILY = 3;
    private static final int CTRL_ATTR_FAMILY_ID = 1;
    private static final int CTRL_ATTR_FAMILY_NAME = 2;
    private static final int CTRL_ATTR_MCAST_GROUPS = 7;
    private static final int CTRL_ATTR_MCAST_GRP_NAME = 1;
    private static final int CTRL_ATTR_MCAST_GRP_ID = 2;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLA_TYPE_MASK = 0x3fff;

    /** A family as the kernel described it, or the error it answered. */
    record Family(int error, int id, String[] groupNames, int[] groupIds) {
        /** The id of multicast group {@code name}, or -1. */
        int group(String name) {
            for (int i = 0; i < groupNames.length; i++) {
                if (groupNames[i].equals(name)) {
                    return groupIds[i];
                }
            }
            return -1;
        }
    }

    private GenericNetlinkControl() {}

    /** Writes CTRL_CMD_GETFAMILY for {@code family} at 0 of {@code out}; its length. */
    static int writeGetFamily(ByteBuffer out, String family, int seq, int portId) {
        ByteBuffer b = out.duplicate().order(ByteOrder.nativeOrder());
        byte[] name = family.getBytes(StandardCharsets.UTF_8);
        int attribute = 4 + name.length + 1;
        int length = 16 + 4 + align(attribute);
        for (int i = 0; i < length; i++) {
            b.put(i, (byte) 0);
        }
        b.putInt(0, length);
        b.putShort(4, (short) GENL_ID_CTRL);
        b.putShort(6, (short) NLM_F_REQUEST); // no ACK: the answer or the error comes alone, nothing left queued
        b.putInt(8, seq);
        b.putInt(12, portId);
        b.put(16, (byte) CTRL_CMD_GETFAMILY);
        b.put(17, (byte) 1);
        b.putShort(20, (short) attribute);
        b.putShort(22, (short) CTRL_ATTR_FAMILY_NAME);
        b.put(24, name);
        return length;
    }

    /** The answer to request {@code seq} among the messages of a datagram, or null when it holds none. */
    static Family parse(ByteBuffer in, int offset, int length, int seq) {
        ByteBuffer b = in.duplicate().order(ByteOrder.nativeOrder());
        int end = offset + length;
        for (int at = offset; at + 16 <= end;) {
            int messageLength = b.getInt(at);
            if (messageLength < 16 || messageLength > end - at) {
                return null;
            }
            int type = b.getShort(at + 4) & 0xffff;
            if (b.getInt(at + 8) == seq) {
                if (type == NLMSG_ERROR && messageLength >= 20) {
                    int error = b.getInt(at + 16);
                    if (error != 0) {
                        return new Family(error, 0, new String[0], new int[0]);
                    }
                } else if (type == GENL_ID_CTRL) {
                    return family(b, at + 20, at + messageLength);
                }
            }
            at += align(messageLength);
        }
        return null;
    }

    private static Family family(ByteBuffer b, int from, int end) {
        int id = -1;
        String[] names = new String[0];
        int[] ids = new int[0];
        for (int at = from; at + 4 <= end;) {
            int length = b.getShort(at) & 0xffff;
            if (length < 4 || length > end - at) {
                break;
            }
            int type = b.getShort(at + 2) & NLA_TYPE_MASK;
            if (type == CTRL_ATTR_FAMILY_ID && length >= 6) {
                id = b.getShort(at + 4) & 0xffff;
            } else if (type == CTRL_ATTR_MCAST_GROUPS) {
                int count = 0;
                for (int g = at + 4; g + 4 <= at + length; g += align(Math.max(4, b.getShort(g) & 0xffff))) {
                    count++;
                }
                names = new String[count];
                ids = new int[count];
                int i = 0;
                for (int g = at + 4; g + 4 <= at + length && i < count; i++) {
                    int groupLength = Math.max(4, b.getShort(g) & 0xffff);
                    names[i] = "";
                    ids[i] = -1;
                    for (int a = g + 4; a + 4 <= Math.min(g + groupLength, at + length);) {
                        int aLength = b.getShort(a) & 0xffff;
                        if (aLength < 4 || a + aLength > g + groupLength) {
                            break;
                        }
                        int aType = b.getShort(a + 2) & NLA_TYPE_MASK;
                        if (aType == CTRL_ATTR_MCAST_GRP_NAME) {
                            int n = 0;
                            while (n < aLength - 4 && b.get(a + 4 + n) != 0) {
                                n++;
                            }
                            byte[] bytes = new byte[n];
                            b.get(a + 4, bytes);
                            names[i] = new String(bytes, StandardCharsets.UTF_8);
                        } else if (aType == CTRL_ATTR_MCAST_GRP_ID && aLength >= 8) {
                            ids[i] = b.getInt(a + 4);
                        }
                        a += align(aLength);
                    }
                    g += align(groupLength);
                }
            }
            at += align(length);
        }
        return new Family(id < 0 ? -22 : 0, id, names, ids);
    }

    private static int align(int length) {
        return (length + 3) & ~3;
    }
}
