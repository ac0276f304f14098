package org.mptcp4j.protocol;

import java.net.InetSocketAddress;

/**
 * One subflow of a connection: its addresses and ids and the tcp_info fields a path manager
 * reads, as sock_diag ({@link org.mptcp4j.diag.Connections}) or the socket itself ({@code MptcpSocket.info()})
 * report it. Ids and tokens are 0 when the source does not tell them (the socket's own view).
 *
 * @param local local address and port
 * @param remote remote address and port
 * @param state TCP state, a {@link TcpState}
 * @param localId the local address id
 * @param remoteId the remote address id
 * @param token the connection's local token
 * @param remoteToken the peer's token
 * @param flags MPTCP_SUBFLOW_FLAG_* (join, backup, fully established...)
 * @param rttMicros smoothed RTT
 * @param rtoMicros retransmission timeout
 * @param backoff RTO backoff exponent: more than 0 while retransmission timeouts repeat
 * @param retransmits retransmissions of the current segment
 * @param totalRetransmits retransmissions over the subflow's life
 * @param rtoTimeouts retransmission timeouts over the subflow's life (Linux 6.7; 0 before, and
 *     in the socket's own view)
 * @param bytesSent bytes sent (retransmissions included)
 * @param bytesAcked bytes acknowledged by the peer
 * @param bytesReceived bytes received
 * @param deliveryRate delivery rate estimate, bytes per second
 * @param ifIndex the interface the subflow is bound to, 0 when none
 */
public record SubflowInfo(InetSocketAddress local, InetSocketAddress remote, int state, int localId, int remoteId,
        int token, int remoteToken, int flags, long rttMicros, long rtoMicros, int backoff, long retransmits,
        long totalRetransmits, int rtoTimeouts, long bytesSent, long bytesAcked, long bytesReceived, long deliveryRate, int ifIndex) {

    private static final int BACKUP_LOCAL = 1 << 5;
    private static final int FULLY_ESTABLISHED = 1 << 6;
    private static final int BACKUP_REMOTE = 1 << 4;

    /**
     * The MPTCP handshake of this subflow is complete (MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED).
     *
     * @return whether the subflow is fully established
     */
    public boolean fullyEstablished() {
        return (flags & FULLY_ESTABLISHED) != 0;
    }

    /**
     * This host marked the subflow as backup.
     *
     * @return whether this host marked it backup
     */
    public boolean backup() {
        return (flags & BACKUP_LOCAL) != 0;
    }

    /**
     * The peer marked the subflow as backup.
     *
     * @return whether the peer marked it backup
     */
    public boolean peerBackup() {
        return (flags & BACKUP_REMOTE) != 0;
    }
}
