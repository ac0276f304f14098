package org.mptcp4j.protocol;

/**
 * What the decoder (native or Java) counts on an event socket, in the order of enum
 * mptcp4j_event_counter (include/mptcp4j/event_record.h).
 */
public enum EventCounter {
    /** Datagrams received from the socket. */
    DATAGRAMS,
    /** Netlink messages seen in them. */
    MESSAGES,
    /** Event records handed to Java. */
    RECORDS,
    /** Datagrams or messages cut short; skipped. */
    TRUNCATED,
    /** Messages with a bad generic-netlink header or attribute; skipped. */
    MALFORMED,
    /** Messages not from the kernel or not of the mptcp_pm family; skipped. */
    FOREIGN,
    /** Events of a type no one asked for, unknown types included; dropped by the decoder. */
    FILTERED,
    /** Times the kernel reported ENOBUFS: events were lost. */
    LOST
}
