package org.mptcp4j.protocol;

/** The attributes of MPTCP events, by their MPTCP_ATTR_* ids and their names in monitor output. */
public enum MptcpAttribute {
    TOKEN(1, "token"),
    FAMILY(2, "family"),
    LOC_ID(3, "loc_id"),
    REM_ID(4, "rem_id"),
    SADDR4(5, "saddr4"),
    SADDR6(6, "saddr6"),
    DADDR4(7, "daddr4"),
    DADDR6(8, "daddr6"),
    SPORT(9, "sport"),
    DPORT(10, "dport"),
    BACKUP(11, "backup"),
    ERROR(12, "error"),
    FLAGS(13, "flags"),
    TIMEOUT(14, "timeout"),
    IF_IDX(15, "if_idx"),
    RESET_REASON(16, "reset_reason"),
    RESET_FLAGS(17, "reset_flags"),
    SERVER_SIDE(18, "server_side");

    private final int id;
    private final String label;

    MptcpAttribute(int id, String label) {
        this.id = id;
        this.label = label;
    }

    /** The MPTCP_ATTR_* value. */
    public int id() {
        return id;
    }

    /** The name {@code ip mptcp monitor} and {@code pm_nl_ctl events} use. */
    public String label() {
        return label;
    }

    /** The bit of this attribute in {@link MptcpEvent#attributes()}. */
    public int bit() {
        return 1 << id;
    }
}
