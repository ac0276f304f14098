package org.mptcp4j.protocol;

/**
 * The path-manager commands, as errors name them: those of the upstream mptcp_pm family
 * (MPTCP_PM_CMD_*, with their ids), and two only the multipath-tcp.org v0.95 mptcp family has,
 * under its ids for them (which upstream never used). On v0.95 the upstream ids are translated
 * to its own commands.
 */
public enum PmCommand {
    /** Add an in-kernel PM endpoint. */
    ADD_ADDR(1),
    /** Delete an in-kernel PM endpoint. */
    DEL_ADDR(2),
    /** Get one endpoint, or dump them; with a token, a userspace-PM connection's local addresses. */
    GET_ADDR(3),
    /** Delete every endpoint. */
    FLUSH_ADDRS(4),
    /** Set the in-kernel PM limits. */
    SET_LIMITS(5),
    /** Get the in-kernel PM limits. */
    GET_LIMITS(6),
    /** Change an endpoint's flags; with a token, a subflow's backup priority (MP_PRIO). */
    SET_FLAGS(7),
    /** Announce a local address to the peer (ADD_ADDR), userspace PM. */
    ANNOUNCE(8),
    /** Withdraw an announced address (RM_ADDR), userspace PM. */
    REMOVE(9),
    /** Open a subflow, userspace PM. */
    SUBFLOW_CREATE(10),
    /** Close a subflow, userspace PM. */
    SUBFLOW_DESTROY(11),
    /** v0.95 only (MPTCP_CMD_SET_FILTER): which event types the kernel sends to every listener. */
    SET_FILTER(14),
    /** v0.95 only (MPTCP_CMD_EXIST): whether a token names a live connection. */
    EXIST(15);

    private final int id;

    PmCommand(int id) {
        this.id = id;
    }

    /**
     * The command's number in the family.
     *
     * @return the command's id
     */
    public int id() {
        return id;
    }
}
