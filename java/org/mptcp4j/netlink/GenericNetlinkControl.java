package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The generic-netlink controller (family {@code nlctrl}, id GENL_ID_CTRL): the CTRL_CMD_GETFAMILY
 * request that resolves a family by name, and its answer read into a {@link Family}. What a family offers is read from the answer, not
 * assumed: its version, its multicast groups and the commands it has (CTRL_ATTR_OPS; a kernel
 * without a command lists no such op). An answer that is malformed is refused as a whole
 * (EPROTO) rather than read in part. Reads only within the datagram.
 */
final class GenericNetlinkControl {
    static final int GENL_ID_CTRL = 0x10;
    static final int CTRL_CMD_NEWFAMILY = 1;
    static final int CTRL_CMD_GETFAMILY = 3;
    /** The version libnl's controller requests carry too. */
    static final int CTRL_VERSION = 1;
    /** GENL_NAMSIZ: family and group names, their NUL included. */
    static final int NAME_SIZE = 16;

    private static final int CTRL_ATTR_FAMILY_ID = 1;
    private static final int CTRL_ATTR_FAMILY_NAME = 2;
    private static final int CTRL_ATTR_VERSION = 3;
    private static final int CTRL_ATTR_OPS = 6;
    private static final int CTRL_ATTR_MCAST_GROUPS = 7;
    private static final int CTRL_ATTR_OP_ID = 1;
    private static final int CTRL_ATTR_OP_FLAGS = 2;
    static final int CTRL_CMD_GETPOLICY = 10;
    private static final int CTRL_ATTR_MCAST_GRP_NAME = 1;
    private static final int CTRL_ATTR_MCAST_GRP_ID = 2;
    private static final int NLMSG_ERROR = 2;
    private static final int EPROTO = 71;

    /**
     * A family as the controller describes it. {@code error} is 0 when it was found, else the
     * negative errno of the answer (-ENOENT: no such family here; -EPROTO: a malformed answer),
     * and the rest is empty.
     */
    record Family(int error, int id, String name, int version, Map<String, Integer> groups, int[] operations,
            int[] operationFlags) {
        static Family failed(int error) {
            return new Family(error, 0, "", 0, Map.of(), new int[0], new int[0]);
        }

        /** The id of multicast group {@code name}, or -1. */
        int group(String name) {
            return groups.getOrDefault(name, -1);
        }

        /** Whether the family has command {@code op}. */
        boolean hasOperation(int op) {
            return Arrays.stream(operations).anyMatch(id -> id == op);
        }
    }

    private final NetlinkAttributes family = new NetlinkAttributes(
            new int[] {0, 2, 1, 4, 0, 0, 0, 0}, new int[] {0, 2, NAME_SIZE, 4, 0, 0, 0, 0});
    private final NetlinkAttributes group = new NetlinkAttributes(new int[] {0, 1, 4}, new int[] {0, NAME_SIZE, 4});
    private final NetlinkAttributes operation = new NetlinkAttributes(new int[] {0, 4, 4}, new int[] {0, 4, 4});

    /** One per answer read: the parsers' state. */
    private GenericNetlinkControl() {
    }

    /**
     * Writes at 0 of {@code out} the request for family {@code name} (ASCII, at most 15 bytes)
     * from port {@code portId} under {@code seq}: its length, or -EMSGSIZE. Unlike libnl's it asks
     * for no acknowledgement: the answer or the error comes alone, and nothing is left queued.
     */
    static int writeGetFamily(ByteBuffer out, String name, int seq, int portId) {
        if (name.isEmpty() || name.length() >= NAME_SIZE || !StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
            throw new IllegalArgumentException("not a generic netlink family name: " + name);
        }
        NetlinkWriter writer = new NetlinkWriter(out);
        writer.start(GENL_ID_CTRL, NetlinkWriter.NLM_F_REQUEST, seq, portId,
                CTRL_CMD_GETFAMILY, CTRL_VERSION);
        writer.string(CTRL_ATTR_FAMILY_NAME, name);
        return writer.end();
    }

    /**
     * Writes at 0 of {@code out} CTRL_CMD_GETPOLICY for family {@code name}, a dump of the
     * attribute policies of each of its commands (Linux 5.10): its length, or -EMSGSIZE.
     */
    static int writeGetPolicy(ByteBuffer out, String name, int seq, int portId) {
        NetlinkWriter writer = new NetlinkWriter(out);
        writer.start(GENL_ID_CTRL, NetlinkWriter.NLM_F_REQUEST | NetlinkWriter.NLM_F_DUMP, seq, portId,
                CTRL_CMD_GETPOLICY, CTRL_VERSION);
        writer.string(CTRL_ATTR_FAMILY_NAME, name);
        return writer.end();
    }

    /**
     * Reads the answer to request {@code seq} among the messages of {@code in[offset, offset + length)}:
     * the family, a failed one, or null when they hold no answer to it (an acknowledgement, or
     * answers to other requests).
     */
    static Family parse(ByteBuffer in, int offset, int length, int seq) {
        return new GenericNetlinkControl().decode(in, offset, length, seq);
    }

    private Family decode(ByteBuffer in, int offset, int length, int seq) {
        ByteBuffer d = in.duplicate().order(ByteOrder.nativeOrder());
        if (offset < 0 || length < 0 || offset > d.capacity() - length) {
            return null;
        }
        int pos = offset;
        int remaining = length;
        for (int size; (size = ReplyDecoder.messageLength(d, pos, remaining)) > 0; ) {
            int type = d.getShort(pos + 4) & 0xffff;
            if (d.getInt(pos + 8) == seq) {
                if (type == NLMSG_ERROR && size >= NetlinkWriter.NLMSG_HDRLEN + 4) {
                    int error = d.getInt(pos + NetlinkWriter.NLMSG_HDRLEN);
                    if (error != 0) {
                        return Family.failed(error < 0 && error >= -4095 ? error : -EPROTO);
                    }
                } else if (type == GENL_ID_CTRL) {
                    return family(d, pos, size);
                }
            }
            int aligned = NetlinkWriter.align(size);
            remaining -= aligned;
            pos += aligned;
        }
        return null;
    }

    /** A CTRL_CMD_NEWFAMILY message of {@code size} bytes at {@code pos}. */
    private Family family(ByteBuffer d, int pos, int size) {
        int attributes = NetlinkWriter.NLMSG_HDRLEN + NetlinkWriter.GENL_HDRLEN;
        if (size < attributes || d.get(pos + NetlinkWriter.NLMSG_HDRLEN) != CTRL_CMD_NEWFAMILY
                || !family.parse(d, pos + attributes, size - attributes)
                || !family.has(CTRL_ATTR_FAMILY_ID) || !family.has(CTRL_ATTR_FAMILY_NAME)) {
            return Family.failed(-EPROTO);
        }
        String name = string(d, family.payload(CTRL_ATTR_FAMILY_NAME), family.length(CTRL_ATTR_FAMILY_NAME));
        if (name == null) {
            return Family.failed(-EPROTO);
        }
        int id = d.getShort(family.payload(CTRL_ATTR_FAMILY_ID)) & 0xffff;
        int version = family.has(CTRL_ATTR_VERSION) ? d.getInt(family.payload(CTRL_ATTR_VERSION)) : 0;
        Map<String, Integer> groups = new LinkedHashMap<>();
        int[] operations = new int[0];
        int[] flags = new int[0];
        if (family.has(CTRL_ATTR_MCAST_GROUPS)) {
            int at = family.payload(CTRL_ATTR_MCAST_GROUPS);
            int end = at + family.length(CTRL_ATTR_MCAST_GROUPS);
            for (int total; (total = NetlinkAttributes.lengthAt(d, at, end - at)) > 0; at += NetlinkWriter.align(total)) {
                if (!group.parse(d, at + NetlinkAttributes.NLA_HDRLEN, total - NetlinkAttributes.NLA_HDRLEN)
                        || !group.has(CTRL_ATTR_MCAST_GRP_NAME) || !group.has(CTRL_ATTR_MCAST_GRP_ID)) {
                    return Family.failed(-EPROTO);
                }
                String groupName = string(d, group.payload(CTRL_ATTR_MCAST_GRP_NAME), group.length(CTRL_ATTR_MCAST_GRP_NAME));
                if (groupName == null) {
                    return Family.failed(-EPROTO);
                }
                groups.put(groupName, d.getInt(group.payload(CTRL_ATTR_MCAST_GRP_ID)));
            }
        }
        if (family.has(CTRL_ATTR_OPS)) {
            int at = family.payload(CTRL_ATTR_OPS);
            int end = at + family.length(CTRL_ATTR_OPS);
            int n = 0;
            operations = new int[(end - at) / (2 * NetlinkAttributes.NLA_HDRLEN + 4)];
            flags = new int[operations.length];
            for (int total; (total = NetlinkAttributes.lengthAt(d, at, end - at)) > 0; at += NetlinkWriter.align(total)) {
                if (!operation.parse(d, at + NetlinkAttributes.NLA_HDRLEN, total - NetlinkAttributes.NLA_HDRLEN)
                        || !operation.has(CTRL_ATTR_OP_ID)) {
                    return Family.failed(-EPROTO);
                }
                flags[n] = operation.has(CTRL_ATTR_OP_FLAGS) ? d.getInt(operation.payload(CTRL_ATTR_OP_FLAGS)) : 0;
                operations[n++] = d.getInt(operation.payload(CTRL_ATTR_OP_ID));
            }
            operations = Arrays.copyOf(operations, n);
            flags = Arrays.copyOf(flags, n);
        }
        return new Family(0, id, name, version, Collections.unmodifiableMap(groups), operations, flags);
    }

    /** A NUL-terminated ASCII name of at most {@code length} bytes, or null when it is none. */
    private static String string(ByteBuffer d, int at, int length) {
        int n = 0;
        while (n < length && d.get(at + n) != 0) {
            n++;
        }
        if (n == 0 || n == length) {
            return null;
        }
        byte[] bytes = new byte[n];
        d.get(at, bytes);
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                return null;
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
