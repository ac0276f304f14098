package org.mptcp4j.netlink;

/**
 * Offsets of the connection and subflow records that getsockopt(MPTCP_FULL_INFO) is turned
 * into; mirrors include/mptcp4j/socket_info.h and is checked against it at load.
 */
public final class SocketInfoLayout {
    public static final int CONNECTION_SIZE = 48;
    public static final int SUBFLOW_SIZE = 96;

    public static final int CONN_TOKEN = 0;
    public static final int CONN_FLAGS = 4;
    public static final int CONN_SUBFLOWS = 8;
    public static final int CONN_SUBFLOWS_TOTAL = 9;
    public static final int CONN_RETRANSMITS = 12;
    public static final int CONN_BYTES_SENT = 16;
    public static final int CONN_BYTES_RECEIVED = 24;
    public static final int CONN_BYTES_ACKED = 32;
    public static final int CONN_BYTES_RETRANS = 40;

    public static final int SF_ID = 0;
    public static final int SF_FAMILY = 4;
    public static final int SF_LOCAL_PORT = 6;
    public static final int SF_REMOTE_PORT = 8;
    public static final int SF_STATE = 10;
    public static final int SF_RTT_US = 12;
    public static final int SF_RTO_US = 16;
    public static final int SF_BACKOFF = 20;
    public static final int SF_RETRANSMITS = 21;
    public static final int SF_TOTAL_RETRANS = 24;
    public static final int SF_BYTES_SENT = 32;
    public static final int SF_BYTES_ACKED = 40;
    public static final int SF_BYTES_RECEIVED = 48;
    public static final int SF_DELIVERY_RATE = 56;
    public static final int SF_LOCAL_ADDR = 64;
    public static final int SF_REMOTE_ADDR = 80;

    static final int[] LAYOUT = {
        CONNECTION_SIZE, SUBFLOW_SIZE,
        CONN_TOKEN, CONN_FLAGS, CONN_SUBFLOWS, CONN_SUBFLOWS_TOTAL, CONN_RETRANSMITS,
        CONN_BYTES_SENT, CONN_BYTES_RECEIVED, CONN_BYTES_ACKED, CONN_BYTES_RETRANS,
        SF_ID, SF_FAMILY, SF_LOCAL_PORT, SF_REMOTE_PORT, SF_STATE, SF_RTT_US, SF_RTO_US,
        SF_BACKOFF, SF_RETRANSMITS, SF_TOTAL_RETRANS, SF_BYTES_SENT, SF_BYTES_ACKED,
        SF_BYTES_RECEIVED, SF_DELIVERY_RATE, SF_LOCAL_ADDR, SF_REMOTE_ADDR,
    };

    private SocketInfoLayout() {}
}
