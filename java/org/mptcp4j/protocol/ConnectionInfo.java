package org.mptcp4j.protocol;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * An MPTCP connection as the kernel reports it (struct mptcp_info, from sock_diag or the
 * socket's own MPTCP_FULL_INFO), with its subflows.
 *
 * @param token the local token, as events and {@code ss -M} name the connection
 * @param local the connection's local address and port (its first subflow's)
 * @param remote the remote address and port
 * @param state the connection's TCP-like state, a {@link TcpState}
 * @param serverSide whether this host accepted it (its initial subflow did not send MP_CAPABLE first)
 * @param flags MPTCP_INFO_FLAG_*: bit 0 fallback to TCP, bit 1 remote key received
 * @param extraSubflows subflows besides the initial one (mptcpi_subflows)
 * @param addAddrSignal ADD_ADDRs sent
 * @param addAddrAccepted ADD_ADDRs accepted
 * @param localAddressesUsed local addresses in use
 * @param retransmits MPTCP-level retransmissions
 * @param bytesSent bytes sent at the MPTCP level
 * @param bytesReceived bytes received at the MPTCP level
 * @param bytesAcked bytes acknowledged at the MPTCP level
 * @param bytesRetransmitted bytes retransmitted
 * @param subflows every subflow
 */
public record ConnectionInfo(int token, InetSocketAddress local, InetSocketAddress remote, int state, boolean serverSide,
        int flags, int extraSubflows, int addAddrSignal, int addAddrAccepted, int localAddressesUsed, long retransmits,
        long bytesSent, long bytesReceived, long bytesAcked, long bytesRetransmitted, List<SubflowInfo> subflows) {

    /**
     * MPTCP is fully established: a subflow completed its MPTCP handshake. Only then can new
     * subflows join (the kernel refuses them with ENOTCONN before); sock_diag's view only.
     *
     * @return whether MPTCP is fully established
     */
    public boolean fullyEstablished() {
        return subflows.stream().anyMatch(SubflowInfo::fullyEstablished);
    }

    /**
     * The kernel fell back to plain TCP (the peer does not speak MPTCP).
     *
     * @return whether the connection fell back to TCP
     */
    public boolean fallback() {
        return (flags & 1) != 0;
    }
}
