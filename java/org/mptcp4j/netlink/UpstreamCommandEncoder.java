package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@link CommandRequest} into the upstream {@code mptcp_pm} message libnl writes for it, byte
 * for byte (checked against libnl by src/test/c/libnl_command_encoder.c). The attribute order,
 * the NLA_F_NESTED on address nests, the nest dropped when an address says nothing, and IPv4
 * bytes for any family but AF_INET6 are libnl's. Allocates nothing.
 */
final class UpstreamCommandEncoder {
    static final int MPTCP_PM_VER = 1;
    private static final int AF_INET6 = 10;

    private static final int ATTR_ADDR = 1;
    private static final int ATTR_RCV_ADD_ADDRS = 2;
    private static final int ATTR_SUBFLOWS = 3;
    private static final int ATTR_TOKEN = 4;
    private static final int ATTR_LOC_ID = 5;
    private static final int ATTR_ADDR_REMOTE = 6;

    private static final int ADDR_ATTR_FAMILY = 1;
    private static final int ADDR_ATTR_ID = 2;
    private static final int ADDR_ATTR_ADDR4 = 3;
    private static final int ADDR_ATTR_ADDR6 = 4;
    private static final int ADDR_ATTR_PORT = 5;
    private static final int ADDR_ATTR_FLAGS = 6;
    private static final int ADDR_ATTR_IF_IDX = 7;

    private final NetlinkWriter out;
    private final int familyId;
    private final int portId;

    /** Writes into {@code out} (its order set to the host's) requests to family {@code familyId} from port {@code portId}. */
    UpstreamCommandEncoder(ByteBuffer out, int familyId, int portId) {
        this.out = new NetlinkWriter(out);
        this.familyId = familyId;
        this.portId = portId;
    }

    /**
     * Encodes {@code request} (the {@link CommandRequest} layout, host order) under sequence
     * number {@code seq}. Returns the message's length, or -EMSGSIZE when the buffer is too small.
     */
    int encode(ByteBuffer request, int seq) {
        ByteBuffer r = request.order() == ByteOrder.nativeOrder() ? request : request.duplicate().order(ByteOrder.nativeOrder());
        int present = r.getShort(CommandRequest.PRESENT);
        // Plain requests are acknowledged; a dump ends with NLMSG_DONE instead.
        int flags = NetlinkWriter.NLM_F_REQUEST
                | ((present & CommandRequest.DUMP) != 0 ? NetlinkWriter.NLM_F_DUMP : NetlinkWriter.NLM_F_ACK);
        out.start(familyId, flags, seq, portId, r.get(CommandRequest.CMD), MPTCP_PM_VER);
        if ((present & CommandRequest.HAS_TOKEN) != 0) {
            out.u32(ATTR_TOKEN, r.getInt(CommandRequest.TOKEN));
        }
        if ((present & CommandRequest.HAS_LOC_ID) != 0) {
            out.u8(ATTR_LOC_ID, r.get(CommandRequest.LOC_ID));
        }
        if ((present & CommandRequest.HAS_RCV_ADD_ADDRS) != 0) {
            out.u32(ATTR_RCV_ADD_ADDRS, r.getInt(CommandRequest.RCV_ADD_ADDRS));
        }
        if ((present & CommandRequest.HAS_SUBFLOWS) != 0) {
            out.u32(ATTR_SUBFLOWS, r.getInt(CommandRequest.SUBFLOWS));
        }
        if ((present & CommandRequest.HAS_ADDR) != 0) {
            address(ATTR_ADDR, r, CommandRequest.ADDR);
        }
        if ((present & CommandRequest.HAS_REMOTE) != 0) {
            address(ATTR_ADDR_REMOTE, r, CommandRequest.REMOTE);
        }
        return out.end();
    }

    /** The address at {@code at} of the request as a nest of MPTCP_PM_ADDR_ATTR_*; ports in host order. */
    private void address(int type, ByteBuffer r, int at) {
        int family = r.getShort(at + CommandRequest.A_FAMILY) & 0xffff;
        int present = r.get(at + CommandRequest.A_PRESENT);
        int nest = out.nestStart(type);
        if (family != 0) {
            out.u16(ADDR_ATTR_FAMILY, family);
        }
        if ((present & CommandRequest.ADDR_HAS_ID) != 0) {
            out.u8(ADDR_ATTR_ID, r.get(at + CommandRequest.A_ID));
        }
        if ((present & CommandRequest.ADDR_HAS_ADDR) != 0) {
            boolean v6 = family == AF_INET6;
            out.bytes(v6 ? ADDR_ATTR_ADDR6 : ADDR_ATTR_ADDR4, r, at + CommandRequest.A_ADDR, v6 ? 16 : 4);
        }
        if ((present & CommandRequest.ADDR_HAS_PORT) != 0) {
            out.u16(ADDR_ATTR_PORT, r.getShort(at + CommandRequest.A_PORT));
        }
        if ((present & CommandRequest.ADDR_HAS_FLAGS) != 0) {
            out.u32(ADDR_ATTR_FLAGS, r.getInt(at + CommandRequest.A_FLAGS));
        }
        if ((present & CommandRequest.ADDR_HAS_IF_IDX) != 0) {
            out.u32(ADDR_ATTR_IF_IDX, r.getInt(at + CommandRequest.A_IF_IDX));
        }
        out.nestEnd(nest);
    }
}
