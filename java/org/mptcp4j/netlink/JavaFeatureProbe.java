package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.protocol.MptcpException;

/**
 * What {@link KernelFeatureProbe} reads, over a {@link JavaNetlinkSocket} on either transport.
 * The operations of mptcp_pm come from CTRL_CMD_GETFAMILY, the attributes each accepts from the
 * CTRL_CMD_GETPOLICY dump (Linux 5.10; an older kernel's operations are known, their
 * attributes not).
 */
final class JavaFeatureProbe {
    private static final String MPTCP_PM = "mptcp_pm";
    /** Policies are numbered per dump; a family has a handful. */
    private static final int MAX_POLICIES = 64;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int CTRL_ATTR_POLICY = 8;
    private static final int CTRL_ATTR_OP_POLICY = 9;
    private static final int CTRL_ATTR_POLICY_DO = 1;
    private static final int CTRL_ATTR_POLICY_DUMP = 2;
    private static final int NLA_TYPE_MASK = 0x3fff;

    private JavaFeatureProbe() {}

    /** {@code int[3][OPS]}: flags, do-attributes, dump-attributes, as {@link KernelFeatureProbe#probe}. */
    static int[][] probe(int netnsFd) {
        int[][] table = new int[3][KernelFeatureProbe.OPS];
        try (JavaNetlinkSocket socket = JavaNetlinkSocket.open(netnsFd, LinuxCalls.NETLINK_GENERIC, "generic netlink")) {
            GenericNetlinkControl.Family family = socket.family(MPTCP_PM);
            if (family.error() != 0) {
                throw new MptcpException(family.error() == -2 ? "resolve generic netlink family " + MPTCP_PM
                        : "read the operations of mptcp_pm (CTRL_CMD_GETFAMILY)", -family.error(), null);
            }
            int[] ops = family.operations();
            for (int i = 0; i < ops.length; i++) {
                if (ops[i] >= 0 && ops[i] < KernelFeatureProbe.OPS) {
                    table[0][ops[i]] = KernelFeatureProbe.PRESENT
                            | family.operationFlags()[i] & ~(KernelFeatureProbe.PRESENT | KernelFeatureProbe.POLICY_KNOWN);
                }
            }
            readPolicies(socket, table);
        }
        return table;
    }

    /** The policy dump into the attribute masks; nothing when the kernel has none. */
    private static void readPolicies(JavaNetlinkSocket socket, int[][] table) {
        int[] doPolicy = new int[KernelFeatureProbe.OPS];
        int[] dumpPolicy = new int[KernelFeatureProbe.OPS];
        Arrays.fill(doPolicy, -1);
        Arrays.fill(dumpPolicy, -1);
        int[] policyAttributes = new int[MAX_POLICIES];
        ByteBuffer buffer = ByteBuffer.allocateDirect(32768).order(ByteOrder.nativeOrder());
        int seq = 2;
        socket.request(buffer, GenericNetlinkControl.writeGetPolicy(buffer, MPTCP_PM, seq, socket.portId()),
                "read the attributes of mptcp_pm (CTRL_CMD_GETPOLICY)");
        NetlinkAttributes top = new NetlinkAttributes(CTRL_ATTR_OP_POLICY);
        for (boolean done = false; !done; ) {
            int length = socket.await(buffer, "read the attributes of mptcp_pm (CTRL_CMD_GETPOLICY)");
            int pos = 0;
            for (int size; (size = ReplyDecoder.messageLength(buffer, pos, length - pos)) > 0; pos += NetlinkWriter.align(size)) {
                if (buffer.getInt(pos + 8) != seq) {
                    continue;
                }
                int type = buffer.getShort(pos + 4) & 0xffff;
                if (type == NLMSG_ERROR) {
                    return; // a kernel before 5.10: no policy dump
                }
                if (type == NLMSG_DONE) {
                    done = true;
                    break;
                }
                int attributes = NetlinkWriter.NLMSG_HDRLEN + NetlinkWriter.GENL_HDRLEN;
                if (size < attributes || !top.parse(buffer, pos + attributes, size - attributes)) {
                    continue;
                }
                if (top.has(CTRL_ATTR_OP_POLICY)) {
                    forEach(buffer, top.payload(CTRL_ATTR_OP_POLICY), top.length(CTRL_ATTR_OP_POLICY), (op, at, len) -> {
                        if (op >= KernelFeatureProbe.OPS) {
                            return;
                        }
                        forEach(buffer, at, len, (kind, p, plen) -> {
                            if (plen >= 4 && kind == CTRL_ATTR_POLICY_DO) {
                                doPolicy[op] = buffer.getInt(p);
                            } else if (plen >= 4 && kind == CTRL_ATTR_POLICY_DUMP) {
                                dumpPolicy[op] = buffer.getInt(p);
                            }
                        });
                    });
                }
                if (top.has(CTRL_ATTR_POLICY)) {
                    forEach(buffer, top.payload(CTRL_ATTR_POLICY), top.length(CTRL_ATTR_POLICY), (index, at, len) -> {
                        if (index >= MAX_POLICIES) {
                            return;
                        }
                        forEach(buffer, at, len, (attribute, p, plen) -> {
                            if (attribute > 0 && attribute < 32) {
                                policyAttributes[index] |= 1 << attribute;
                            }
                        });
                    });
                }
            }
        }
        for (int op = 0; op < KernelFeatureProbe.OPS; op++) {
            if ((table[0][op] & KernelFeatureProbe.PRESENT) == 0) {
                continue;
            }
            table[0][op] |= KernelFeatureProbe.POLICY_KNOWN;
            if (doPolicy[op] >= 0 && doPolicy[op] < MAX_POLICIES) {
                table[1][op] = policyAttributes[doPolicy[op]];
            }
            if (dumpPolicy[op] >= 0 && dumpPolicy[op] < MAX_POLICIES) {
                table[2][op] = policyAttributes[dumpPolicy[op]];
            }
        }
    }

    /** Told of each attribute of a nest: its type, where its payload starts, its payload length. */
    @FunctionalInterface
    private interface AttributeVisitor {
        void visit(int type, int payload, int length);
    }

    /** nla_for_each_nested over {@code b[at, at + length)}. */
    private static void forEach(ByteBuffer b, int at, int length, AttributeVisitor visitor) {
        int end = at + length;
        for (int total; (total = NetlinkAttributes.lengthAt(b, at, end - at)) > 0; at += NetlinkWriter.align(total)) {
            visitor.visit(b.getShort(at + 2) & NLA_TYPE_MASK, at + NetlinkAttributes.NLA_HDRLEN,
                    total - NetlinkAttributes.NLA_HDRLEN);
        }
    }

    /** The id of family {@code name}, or -ENOENT: {@link KernelFeatureProbe#familyId}. */
    static int familyId(int netnsFd, String name) {
        if (name.isEmpty() || name.length() >= GenericNetlinkControl.NAME_SIZE) {
            return -2;
        }
        try (JavaNetlinkSocket socket = JavaNetlinkSocket.open(netnsFd, LinuxCalls.NETLINK_GENERIC, "generic netlink")) {
            GenericNetlinkControl.Family family = socket.family(name);
            if (family.error() == -2) {
                return -2;
            }
            if (family.error() != 0) {
                throw new MptcpException("resolve a generic netlink family", -family.error(), null);
            }
            return family.id();
        }
    }
}
