package org.mptcp4j.pm;

/** The commands of the kernel's mptcp_pm family (MPTCP_PM_CMD_*), as errors name them. */
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
    SUBFLOW_DESTROY(11);

    private final int id;

    PmCommand(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }
}
