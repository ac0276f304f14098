package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.PmCommand;

/**
 * The commands of the multipath-tcp.org v0.95 {@code mptcp} family, as complete netlink
 * messages: flat attributes in the events' attribute space, integers and ports in host order
 * (the kernel applies {@code htons} to the ports it reads), IPv4 addresses as on the wire.
 * Attribute and command numbers from v0.95's include/uapi/linux/mptcp.h.
 */
final class V095CommandEncoder {
    static final int CMD_ANNOUNCE = 4;
    static final int CMD_REMOVE = 5;
    static final int CMD_SUB_CREATE = 8;
    static final int CMD_SUB_DESTROY = 9;
    static final int CMD_SUB_PRIORITY = 12;
    static final int CMD_SET_FILTER = 14;
    static final int CMD_EXIST = 15;
    static final int VERSION = 1;

    private static final int ATTR_TOKEN = 1;
    private static final int ATTR_FAMILY = 2;
    private static final int ATTR_LOC_ID = 3;
    private static final int ATTR_REM_ID = 4;
    private static final int ATTR_SADDR4 = 5;
    private static final int ATTR_SADDR6 = 6;
    private static final int ATTR_DADDR4 = 7;
    private static final int ATTR_DADDR6 = 8;
    private static final int ATTR_SPORT = 9;
    private static final int ATTR_DPORT = 10;
    private static final int ATTR_BACKUP = 11;
    private static final int ATTR_FLAGS = 13;
    private static final int ATTR_IF_IDX = 15;

    private final NetlinkWriter out;
    private final int familyId;
    /** Scratch for {@link #encode(ByteBuffer)}: the request's addresses. */
    private final MptcpAddress local = new MptcpAddress();
    private final MptcpAddress remote = new MptcpAddress();

    /** Writes into {@code out} (its order set to the host's) messages to family {@code familyId}. */
    V095CommandEncoder(ByteBuffer out, int familyId) {
        this.out = new NetlinkWriter(out);
        this.familyId = familyId;
    }

    /**
     * Encodes the request written in {@code request} (the {@link CommandRequest} layout, upstream
     * command ids) as the v0.95 command that does the same. Returns the message's length,
     * -EOPNOTSUPP for a command v0.95 lacks (endpoints, limits, listing a connection's
     * addresses), or -EDESTADDRREQ for an ANNOUNCE or SUB_CREATE whose local address has no id,
     * which v0.95 requires. Allocates nothing.
     */
    int encode(ByteBuffer request) {
        int command = request.get(CommandRequest.CMD) & 0xff;
        int token = request.getInt(CommandRequest.TOKEN);
        CommandRequest.readAddress(request, CommandRequest.ADDR, local);
        CommandRequest.readAddress(request, CommandRequest.REMOTE, remote);
        // The remote id travels without its presence bit (upstream has none on the wire).
        remote.id(request.get(CommandRequest.REMOTE + CommandRequest.A_ID) & 0xff);
        boolean backup = (local.flags() & MptcpAddress.FLAG_BACKUP) != 0;
        if ((command == PmCommand.ANNOUNCE.id() || command == PmCommand.SUBFLOW_CREATE.id()) && !local.hasId()) {
            return -Errno.EDESTADDRREQ;
        }
        if (command == PmCommand.ANNOUNCE.id()) {
            return announce(token, local, backup);
        } else if (command == PmCommand.REMOVE.id()) {
            return remove(token, request.get(CommandRequest.LOC_ID) & 0xff);
        } else if (command == PmCommand.SUBFLOW_CREATE.id()) {
            return subflowCreate(token, local, remote, backup);
        } else if (command == PmCommand.SUBFLOW_DESTROY.id()) {
            return subflowDestroy(token, local, remote);
        } else if (command == PmCommand.SET_FLAGS.id()
                && (request.getShort(CommandRequest.PRESENT) & CommandRequest.HAS_TOKEN) != 0) {
            return subflowPriority(token, local, remote, backup);
        } else if (command == PmCommand.SET_FILTER.id()) {
            return setFilter(request.getInt(CommandRequest.EVENT_FLAGS));
        } else if (command == PmCommand.EXIST.id()) {
            return exist(token);
        }
        return -Errno.EOPNOTSUPP;
    }

    /** MPTCP_CMD_ANNOUNCE: announce {@code local} (its id, optional port, backup flag, interface). */
    int announce(int token, MptcpAddress local, boolean backup) {
        start(CMD_ANNOUNCE);
        out.u32(ATTR_TOKEN, token);
        out.u8(ATTR_LOC_ID, local.id());
        address(local, ATTR_SADDR4, ATTR_SADDR6);
        return localOptions(local, backup);
    }

    /** MPTCP_CMD_REMOVE: withdraw local address {@code localId}. */
    int remove(int token, int localId) {
        start(CMD_REMOVE);
        out.u32(ATTR_TOKEN, token);
        out.u8(ATTR_LOC_ID, localId);
        return end();
    }

    /** MPTCP_CMD_SUB_CREATE: a subflow from {@code local} (id, optional address and port) to {@code remote} (id, address, port). */
    int subflowCreate(int token, MptcpAddress local, MptcpAddress remote, boolean backup) {
        start(CMD_SUB_CREATE);
        out.u32(ATTR_TOKEN, token);
        out.u8(ATTR_LOC_ID, local.id());
        out.u8(ATTR_REM_ID, remote.id());
        address(remote, ATTR_DADDR4, ATTR_DADDR6);
        out.u16(ATTR_DPORT, remote.port());
        if (local.family() != 0) { // without it the kernel takes the address it holds for the id
            out.address(local.isIpv6() ? ATTR_SADDR6 : ATTR_SADDR4, local);
        }
        return localOptions(local, backup);
    }

    /** MPTCP_CMD_SUB_DESTROY: the subflow with this 4-tuple. */
    int subflowDestroy(int token, MptcpAddress local, MptcpAddress remote) {
        start(CMD_SUB_DESTROY);
        fourTuple(token, local, remote);
        return end();
    }

    /** MPTCP_CMD_SUB_PRIORITY: the subflow with this 4-tuple becomes backup or not (MP_PRIO). */
    int subflowPriority(int token, MptcpAddress local, MptcpAddress remote, boolean backup) {
        start(CMD_SUB_PRIORITY);
        fourTuple(token, local, remote);
        out.u8(ATTR_BACKUP, backup ? 1 : 0);
        return end();
    }

    /** MPTCP_CMD_SET_FILTER: the events wanted, MPTCPF_EVENT_* bits (the kernel drops the others for every listener). */
    int setFilter(int eventFlags) {
        start(CMD_SET_FILTER);
        out.u16(ATTR_FLAGS, eventFlags);
        return end();
    }

    /** MPTCP_CMD_EXIST: answered 0 when {@code token} is a live connection, ENOTCONN otherwise. */
    int exist(int token) {
        start(CMD_EXIST);
        out.u32(ATTR_TOKEN, token);
        return end();
    }

    /** The local side's optional port, its backup flag and optional interface; ends the message. */
    private int localOptions(MptcpAddress local, boolean backup) {
        if (local.port() != 0) {
            out.u16(ATTR_SPORT, local.port());
        }
        out.u8(ATTR_BACKUP, backup ? 1 : 0);
        if (local.ifIndex() != 0) {
            out.u32(ATTR_IF_IDX, local.ifIndex());
        }
        return end();
    }

    private void fourTuple(int token, MptcpAddress local, MptcpAddress remote) {
        out.u32(ATTR_TOKEN, token);
        out.u16(ATTR_FAMILY, local.family());
        out.address(local.isIpv6() ? ATTR_SADDR6 : ATTR_SADDR4, local);
        out.address(remote.isIpv6() ? ATTR_DADDR6 : ATTR_DADDR4, remote);
        out.u16(ATTR_SPORT, local.port());
        out.u16(ATTR_DPORT, remote.port());
    }

    private void address(MptcpAddress a, int v4, int v6) {
        out.u16(ATTR_FAMILY, a.family());
        out.address(a.isIpv6() ? v6 : v4, a);
    }

    /** The headers, sequence number and port id 0: the command socket writes them as it sends. */
    private void start(int command) {
        out.start(familyId, NetlinkWriter.NLM_F_REQUEST | NetlinkWriter.NLM_F_ACK, 0, 0, command, VERSION);
    }

    private int end() {
        return out.end();
    }
}
