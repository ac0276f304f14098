package org.mptcp4j.protocol;

/** The events of the kernel's mptcp_pm family, by their MPTCP_EVENT_* ids. */
public enum MptcpEventType {
    /** A connection was created (client: MP_CAPABLE SYN/ACK received; server: handshake done). */
    CREATED(1),
    /** The connection is fully established: subflows may be created now. */
    ESTABLISHED(2),
    /** The connection closed. */
    CLOSED(3),
    /** The peer announced an address (ADD_ADDR). */
    ANNOUNCED(6),
    /** The peer removed an address (RM_ADDR). */
    REMOVED(7),
    /** An MP_JOIN subflow is up. */
    SUB_ESTABLISHED(10),
    /** A subflow closed or failed to open; see error and reset reason. */
    SUB_CLOSED(11),
    /** The peer changed a subflow's priority (MP_PRIO received). */
    SUB_PRIORITY(13),
    /** An MPTCP listening socket was created in the namespace (Linux 6.2). */
    LISTENER_CREATED(15),
    /** An MPTCP listening socket was closed (Linux 6.2). */
    LISTENER_CLOSED(16),
    /**
     * Not a kernel event: the kernel reported ENOBUFS here, events were dropped (MPTCP events,
     * or local address and link changes when the loop watches them). State learned from events
     * may be stale and must be rebuilt.
     */
    EVENTS_LOST(0x8001),
    /** Not from mptcp_pm: an address was added to an interface of the namespace (rtnetlink, the paper's new_local_addr). */
    LOCAL_ADDRESS_ADDED(0x8010),
    /** Not from mptcp_pm: an address was removed (rtnetlink, del_local_addr). */
    LOCAL_ADDRESS_REMOVED(0x8011),
    /** Not from mptcp_pm: an interface is up and running. */
    LINK_UP(0x8012),
    /** Not from mptcp_pm: an interface went down or away. */
    LINK_DOWN(0x8013),
    /**
     * Not from the kernel: a retransmission timeout fired on a watched subflow (its backoff or
     * retransmissions grew between two looks through sock_diag); {@code timeout()} is the
     * subflow's RTO in microseconds.
     */
    SUBFLOW_TIMEOUT(0x8020);

    private static final MptcpEventType[] BY_ID = new MptcpEventType[17];

    static {
        for (MptcpEventType type : values()) {
            if (type.id < BY_ID.length) {
                BY_ID[type.id] = type;
            }
        }
    }

    private final int id;

    MptcpEventType(int id) {
        this.id = id;
    }

    /**
     * The MPTCP_EVENT_* value.
     *
     * @return the event type's id
     */
    public int id() {
        return id;
    }

    /**
     * The bit of this type in an event filter mask.
     *
     * @return the bit
     */
    public long mask() {
        return id < 64 ? 1L << id : 0;
    }

    /**
     * The type with this id, or null if the kernel sent one this version does not know.
     *
     * @param id the event type's id
     * @return the type, or null
     */
    public static MptcpEventType of(int id) {
        if (id >= 0 && id < BY_ID.length) {
            return BY_ID[id];
        }
        return switch (id) {
            case 0x8001 -> EVENTS_LOST;
            case 0x8010 -> LOCAL_ADDRESS_ADDED;
            case 0x8011 -> LOCAL_ADDRESS_REMOVED;
            case 0x8012 -> LINK_UP;
            case 0x8013 -> LINK_DOWN;
            case 0x8020 -> SUBFLOW_TIMEOUT;
            default -> null;
        };
    }

    /**
     * Whether the kernel's mptcp_pm family sends it (rather than mptcp4j or rtnetlink).
     *
     * @return whether the kernel sends it
     */
    public boolean fromKernel() {
        return id < 64;
    }
}
