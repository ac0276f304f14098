package org.mptcp4j.protocol;

/**
 * The TCP states as Linux numbers them (include/net/tcp_states.h), which sock_diag and tcp_info
 * report in {@link ConnectionInfo#state()} and {@link SubflowInfo#state()}. Plain int constants,
 * so the event path compares without allocating.
 */
public final class TcpState {
    /** TCP_ESTABLISHED. */
    public static final int ESTABLISHED = 1;
    /** TCP_SYN_SENT: an outgoing subflow still opening. */
    public static final int SYN_SENT = 2;
    /** TCP_SYN_RECV. */
    public static final int SYN_RECV = 3;
    /** TCP_FIN_WAIT1. */
    public static final int FIN_WAIT1 = 4;
    /** TCP_FIN_WAIT2. */
    public static final int FIN_WAIT2 = 5;
    /** TCP_TIME_WAIT. */
    public static final int TIME_WAIT = 6;
    /** TCP_CLOSE. */
    public static final int CLOSE = 7;
    /** TCP_CLOSE_WAIT. */
    public static final int CLOSE_WAIT = 8;
    /** TCP_LAST_ACK. */
    public static final int LAST_ACK = 9;
    /** TCP_LISTEN. */
    public static final int LISTEN = 10;
    /** TCP_CLOSING. */
    public static final int CLOSING = 11;

    /** Indexed by state: the names {@code ss} prints, in lower case. */
    private static final String[] NAMES = {"?", "established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2",
        "time-wait", "closed", "close-wait", "last-ack", "listen", "closing"};

    private TcpState() {
    }

    /**
     * The state's name as {@code ss} prints it in lower case ("established"), "?" for 0, the number when unknown.
     *
     * @param state the TCP state's number
     * @return its name
     */
    public static String name(int state) {
        return state >= 0 && state < NAMES.length ? NAMES[state] : Integer.toString(state);
    }
}
