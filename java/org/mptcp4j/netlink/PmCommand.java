package org.mptcp4j.netlink;

/** The commands of the kernel's mptcp_pm family (MPTCP_PM_CMD_*). */
public enum PmCommand {
    ADD_ADDR(1),
    DEL_ADDR(2),
    GET_ADDR(3),
    FLUSH_ADDRS(4),
    SET_LIMITS(5),
    GET_LIMITS(6),
    SET_FLAGS(7),
    ANNOUNCE(8),
    REMOVE(9),
    SUBFLOW_CREATE(10),
    SUBFLOW_DESTROY(11);

    private final int id;

    PmCommand(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }
}
