package org.mptcp4j.socket;

import java.nio.ByteBuffer;
import java.util.List;
import org.mptcp4j.netlink.SocketInfoLayout;

/**
 * An MPTCP connection's state as its own socket sees it (MPTCP_INFO within MPTCP_FULL_INFO).
 *
 * @param token the local token, as events and {@code ss -M} name the connection
 * @param flags MPTCP_INFO_FLAG_*: bit 0 fallback to TCP, bit 1 remote key received
 * @param extraSubflows subflows besides the initial one (mptcpi_subflows)
 * @param bytesSent bytes sent at the MPTCP level
 * @param bytesReceived bytes received at the MPTCP level
 * @param bytesAcked bytes acknowledged at the MPTCP level
 * @param bytesRetransmitted bytes retransmitted
 * @param subflows every subflow with its addresses and tcp_info
 */
public record MptcpInfo(int token, int flags, int extraSubflows, long bytesSent, long bytesReceived,
        long bytesAcked, long bytesRetransmitted, List<SubflowInfo> subflows) {

    /** The kernel fell back to plain TCP (the peer does not speak MPTCP). */
    public boolean fallback() {
        return (flags & 1) != 0;
    }

    static MptcpInfo read(ByteBuffer b, List<SubflowInfo> subflows) {
        return new MptcpInfo(b.getInt(SocketInfoLayout.CONN_TOKEN), b.getInt(SocketInfoLayout.CONN_FLAGS),
                b.get(SocketInfoLayout.CONN_SUBFLOWS) & 0xff, b.getLong(SocketInfoLayout.CONN_BYTES_SENT),
                b.getLong(SocketInfoLayout.CONN_BYTES_RECEIVED), b.getLong(SocketInfoLayout.CONN_BYTES_ACKED),
                b.getLong(SocketInfoLayout.CONN_BYTES_RETRANS), List.copyOf(subflows));
    }
}
