package org.mptcp4j.protocol;

/** The attributes of MPTCP events, by their MPTCP_ATTR_* ids and their names in monitor output. */
public enum MptcpAttribute {
    /** MPTCP_ATTR_TOKEN: the connection's token. */
    TOKEN(1, "token"),
    /** MPTCP_ATTR_FAMILY: AF_INET or AF_INET6. */
    FAMILY(2, "family"),
    /** MPTCP_ATTR_LOC_ID: the local address id. */
    LOC_ID(3, "loc_id"),
    /** MPTCP_ATTR_REM_ID: the peer's address id. */
    REM_ID(4, "rem_id"),
    /** MPTCP_ATTR_SADDR4: the local IPv4 address. */
    SADDR4(5, "saddr4"),
    /** MPTCP_ATTR_SADDR6: the local IPv6 address. */
    SADDR6(6, "saddr6"),
    /** MPTCP_ATTR_DADDR4: the remote IPv4 address. */
    DADDR4(7, "daddr4"),
    /** MPTCP_ATTR_DADDR6: the remote IPv6 address. */
    DADDR6(8, "daddr6"),
    /** MPTCP_ATTR_SPORT: the local port. */
    SPORT(9, "sport"),
    /** MPTCP_ATTR_DPORT: the remote port. */
    DPORT(10, "dport"),
    /** MPTCP_ATTR_BACKUP: the subflow's backup bit, as the peer set it. */
    BACKUP(11, "backup"),
    /** MPTCP_ATTR_ERROR: the error of a subflow that closed (the socket's sk_err). */
    ERROR(12, "error"),
    /** MPTCP_ATTR_FLAGS: the connection's flags (deny join to id 0; server side, 6.18). */
    FLAGS(13, "flags"),
    /** MPTCP_ATTR_TIMEOUT: defined by the interface, never sent by upstream Linux. */
    TIMEOUT(14, "timeout"),
    /** MPTCP_ATTR_IF_IDX: the device the subflow is bound to, when it is. */
    IF_IDX(15, "if_idx"),
    /** MPTCP_ATTR_RESET_REASON: why the peer reset a subflow (MP_TCPRST). */
    RESET_REASON(16, "reset_reason"),
    /** MPTCP_ATTR_RESET_FLAGS: the flags of that reset (transient). */
    RESET_FLAGS(17, "reset_flags"),
    /** MPTCP_ATTR_SERVER_SIDE: the connection was accepted here. */
    SERVER_SIDE(18, "server_side");

    private final int id;
    private final String label;

    MptcpAttribute(int id, String label) {
        this.id = id;
        this.label = label;
    }

    /**
     * The MPTCP_ATTR_* value.
     *
     * @return the attribute's id
     */
    public int id() {
        return id;
    }

    /**
     * The name {@code ip mptcp monitor} and {@code pm_nl_ctl events} use.
     *
     * @return the attribute's label
     */
    public String label() {
        return label;
    }

    /**
     * The bit of this attribute in {@link MptcpEvent#attributes()}.
     *
     * @return the bit
     */
    public int bit() {
        return 1 << id;
    }
}
