package org.mptcp4j.socket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import org.mptcp4j.netlink.SocketInfoLayout;

/**
 * One subflow of a connection: its addresses and the tcp_info fields a path manager reads.
 *
 * @param id the subflow's id within the connection
 * @param local local address and port
 * @param remote remote address and port
 * @param state TCP state (1 established)
 * @param rttMicros smoothed RTT
 * @param rtoMicros retransmission timeout
 * @param backoff RTO backoff exponent
 * @param retransmits retransmissions of the current segment
 * @param totalRetransmits retransmissions over the subflow's life
 * @param bytesSent bytes sent on this subflow (retransmissions included)
 * @param bytesAcked bytes acknowledged by the peer
 * @param bytesReceived bytes received
 * @param deliveryRate delivery rate estimate, bytes per second
 */
public record SubflowInfo(int id, InetSocketAddress local, InetSocketAddress remote, int state, long rttMicros,
        long rtoMicros, int backoff, int retransmits, long totalRetransmits, long bytesSent, long bytesAcked,
        long bytesReceived, long deliveryRate) {

    static SubflowInfo read(ByteBuffer b, int at) {
        int family = b.getShort(at + SocketInfoLayout.SF_FAMILY) & 0xffff;
        return new SubflowInfo(b.getInt(at + SocketInfoLayout.SF_ID),
                socketAddress(b, at + SocketInfoLayout.SF_LOCAL_ADDR, family,
                        b.getShort(at + SocketInfoLayout.SF_LOCAL_PORT) & 0xffff),
                socketAddress(b, at + SocketInfoLayout.SF_REMOTE_ADDR, family,
                        b.getShort(at + SocketInfoLayout.SF_REMOTE_PORT) & 0xffff),
                b.get(at + SocketInfoLayout.SF_STATE) & 0xff,
                b.getInt(at + SocketInfoLayout.SF_RTT_US) & 0xffffffffL,
                b.getInt(at + SocketInfoLayout.SF_RTO_US) & 0xffffffffL,
                b.get(at + SocketInfoLayout.SF_BACKOFF) & 0xff,
                b.get(at + SocketInfoLayout.SF_RETRANSMITS) & 0xff,
                b.getInt(at + SocketInfoLayout.SF_TOTAL_RETRANS) & 0xffffffffL,
                b.getLong(at + SocketInfoLayout.SF_BYTES_SENT),
                b.getLong(at + SocketInfoLayout.SF_BYTES_ACKED),
                b.getLong(at + SocketInfoLayout.SF_BYTES_RECEIVED),
                b.getLong(at + SocketInfoLayout.SF_DELIVERY_RATE));
    }

    private static InetSocketAddress socketAddress(ByteBuffer b, int at, int family, int port) {
        byte[] raw = new byte[family == MptcpSocket.AF_INET6 ? 16 : 4];
        b.get(at, raw, 0, raw.length);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(raw), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
