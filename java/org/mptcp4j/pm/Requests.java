package org.mptcp4j.pm;

import org.mptcp4j.netlink.CommandRequest;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.PmCommand;

/**
 * The one place each path-manager command is written into a request, shared by
 * {@link PathManager} and {@link AsyncPathManager}. Nothing here allocates.
 */
final class Requests {
    private Requests() {}

    static void announce(CommandRequest r, int token, MptcpAddress address) {
        r.reset(PmCommand.ANNOUNCE.id()).token(token).address(address, address.flags() | MptcpAddress.FLAG_SIGNAL);
    }

    static void remove(CommandRequest r, int token, int localId) {
        r.reset(PmCommand.REMOVE.id()).token(token).localId(localId);
    }

    static void createSubflow(CommandRequest r, int token, MptcpAddress local, MptcpAddress remote) {
        r.reset(PmCommand.SUBFLOW_CREATE.id()).token(token).address(local).remote(remote);
    }

    static void destroySubflow(CommandRequest r, int token, MptcpAddress local, MptcpAddress remote) {
        r.reset(PmCommand.SUBFLOW_DESTROY.id()).token(token).address(local).remote(remote);
    }

    /** SET_FLAGS with a token: only BACKUP counts; the kernel sends MP_PRIO on the subflow. */
    static void setBackup(CommandRequest r, int token, MptcpAddress local, MptcpAddress remote, boolean backup) {
        r.reset(PmCommand.SET_FLAGS.id()).token(token).remote(remote)
                .address(local, backup ? MptcpAddress.FLAG_BACKUP : 0);
    }

    /** GET_ADDR with a token: one local address of a connection (do) or all of them (dump). */
    static void connectionAddresses(CommandRequest r, int token, int id) {
        r.reset(PmCommand.GET_ADDR.id()).token(token);
        if (id >= 0) {
            r.address(new MptcpAddress().id(id));
        } else {
            r.dump();
        }
    }

    static void addEndpoint(CommandRequest r, MptcpAddress endpoint) {
        r.reset(PmCommand.ADD_ADDR.id()).address(endpoint);
    }

    /** DEL_ADDR by id; id 0 needs the address too (the initial subflows' address). */
    static void deleteEndpoint(CommandRequest r, MptcpAddress endpoint) {
        r.reset(PmCommand.DEL_ADDR.id()).address(endpoint);
    }

    /** GET_ADDR of one endpoint (id set) or a dump of all (id -1). */
    static void endpoints(CommandRequest r, int id) {
        r.reset(PmCommand.GET_ADDR.id());
        if (id >= 0) {
            r.address(new MptcpAddress().id(id));
        } else {
            r.dump();
        }
    }

    static void flushEndpoints(CommandRequest r) {
        r.reset(PmCommand.FLUSH_ADDRS.id());
    }

    /** SET_FLAGS without a token: an endpoint's flags, by id or address. */
    static void setEndpointFlags(CommandRequest r, MptcpAddress endpoint) {
        r.reset(PmCommand.SET_FLAGS.id()).address(endpoint);
    }

    /** v0.95 SET_FILTER: its MPTCPF_EVENT_* bits. */
    static void setEventFilter(CommandRequest r, int eventFlags) {
        r.reset(PmCommand.SET_FILTER.id()).eventFlags(eventFlags);
    }

    /** v0.95 EXIST. */
    static void exist(CommandRequest r, int token) {
        r.reset(PmCommand.EXIST.id()).token(token);
    }

    static void limits(CommandRequest r) {
        r.reset(PmCommand.GET_LIMITS.id());
    }

    static void setLimits(CommandRequest r, Limits limits) {
        r.reset(PmCommand.SET_LIMITS.id()).receiveAddAddrs(limits.addAddrAccepted()).subflows(limits.subflows());
    }
}
