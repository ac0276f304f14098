package org.mptcp4j.netlink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;

/**
 * The flyweight over one diag record (laid out by DiagRecordWriter's constants): a
 * connection, a listener or a subflow as sock_diag or MPTCP_FULL_INFO report it. Accessors
 * allocate nothing but {@link #local()} and {@link #remote()}.
 *
 * <pre>
 *   0 kind u8 | 1 state u8 | 2 family u16 | 4 local_port u16 | 6 remote_port u16 | 8 token u32
 *  12 remote_token u32 | 16 flags u32 | 20 loc_id | 21 rem_id | 22 subflows | 23 subflows_total
 *  24 add_addr_signal | 25 add_addr_accepted | 26 local_addr_used | 27 backoff | 28 retransmits u32
 *  32 rtt_us | 36 rttvar_us | 40 rto_us | 44 total_retrans | 48 snd_cwnd | 52 lost | 56 if_index | 60 rto_timeouts
 *  64 bytes_sent u64 | 72 bytes_received | 80 bytes_acked | 88 bytes_retrans | 96 delivery_rate
 * 104 cookie u64 | 112 local_addr[16] | 128 remote_addr[16] | 144
 * </pre>
 */
public final class DiagRecord {
    public static final int SIZE = 144;
    public static final int CONNECTION = 1;
    public static final int SUBFLOW = 2;
    public static final int LISTENER = 3;

    private final ByteBuffer buffer;
    private int base;

    public DiagRecord(ByteBuffer records) {
        this.buffer = records.duplicate().order(ByteOrder.nativeOrder());
    }

    public DiagRecord wrap(int index) {
        base = index * SIZE;
        return this;
    }

    /** {@link #CONNECTION}, {@link #SUBFLOW} or {@link #LISTENER}. */
    public int kind() {
        return buffer.get(base) & 0xff;
    }

    /** The TCP state (1 established, 7 close, 10 listen...). */
    public int state() {
        return buffer.get(base + 1) & 0xff;
    }

    public int family() {
        return buffer.getShort(base + 2) & 0xffff;
    }

    public int localPort() {
        return buffer.getShort(base + 4) & 0xffff;
    }

    public int remotePort() {
        return buffer.getShort(base + 6) & 0xffff;
    }

    /** The connection's local token (for a subflow: its connection's). */
    public int token() {
        return buffer.getInt(base + 8);
    }

    /** A subflow's peer token. */
    public int remoteToken() {
        return buffer.getInt(base + 12);
    }

    /** Connection: MPTCP_INFO_FLAG_*; subflow: MPTCP_SUBFLOW_FLAG_*. */
    public int flags() {
        return buffer.getInt(base + 16);
    }

    /** A subflow this host marked as backup (MPTCP_SUBFLOW_FLAG_BKUP_LOC). */
    public boolean backup() {
        return (flags() & 0x20) != 0;
    }

    public int localId() {
        return buffer.get(base + 20) & 0xff;
    }

    public int remoteId() {
        return buffer.get(base + 21) & 0xff;
    }

    public int subflows() {
        return buffer.get(base + 22) & 0xff;
    }

    public int subflowsTotal() {
        return buffer.get(base + 23) & 0xff;
    }

    public int addAddrSignal() {
        return buffer.get(base + 24) & 0xff;
    }

    public int addAddrAccepted() {
        return buffer.get(base + 25) & 0xff;
    }

    public int localAddressesUsed() {
        return buffer.get(base + 26) & 0xff;
    }

    public int backoff() {
        return buffer.get(base + 27) & 0xff;
    }

    public long retransmits() {
        return buffer.getInt(base + 28) & 0xffffffffL;
    }

    public long rttMicros() {
        return buffer.getInt(base + 32) & 0xffffffffL;
    }

    public long rttvarMicros() {
        return buffer.getInt(base + 36) & 0xffffffffL;
    }

    public long rtoMicros() {
        return buffer.getInt(base + 40) & 0xffffffffL;
    }

    public long totalRetransmits() {
        return buffer.getInt(base + 44) & 0xffffffffL;
    }

    public long sendCongestionWindow() {
        return buffer.getInt(base + 48) & 0xffffffffL;
    }

    public long lost() {
        return buffer.getInt(base + 52) & 0xffffffffL;
    }

    public int ifIndex() {
        return buffer.getInt(base + 56);
    }

    /** Retransmission timeouts over the subflow's life (tcpi_total_rto, Linux 6.7; 0 before). */
    public int rtoTimeouts() {
        return buffer.getInt(base + 60);
    }

    public long bytesSent() {
        return buffer.getLong(base + 64);
    }

    public long bytesReceived() {
        return buffer.getLong(base + 72);
    }

    public long bytesAcked() {
        return buffer.getLong(base + 80);
    }

    public long bytesRetransmitted() {
        return buffer.getLong(base + 88);
    }

    public long deliveryRate() {
        return buffer.getLong(base + 96);
    }

    /** sock_diag's identity of the socket, 0 for MPTCP_FULL_INFO records. */
    public long cookie() {
        return buffer.getLong(base + 104);
    }

    /** Copies the local address (4 or 16 bytes by family) into {@code dst}. */
    public void copyLocalAddress(byte[] dst) {
        buffer.get(base + 112, dst, 0, family() == 10 ? 16 : 4);
    }

    /** Copies the remote address (4 or 16 bytes by family) into {@code dst}. */
    public void copyRemoteAddress(byte[] dst) {
        buffer.get(base + 128, dst, 0, family() == 10 ? 16 : 4);
    }

    /** The subflow this record describes (allocates). */
    public SubflowInfo subflowInfo() {
        return new SubflowInfo(local(), remote(), state(), localId(), remoteId(), token(), remoteToken(), flags(),
                rttMicros(), rtoMicros(), backoff(), retransmits(), totalRetransmits(), rtoTimeouts(), bytesSent(),
                bytesAcked(), bytesReceived(), deliveryRate(), ifIndex());
    }

    /** The connection this record describes, with these subflows (allocates). */
    public ConnectionInfo connectionInfo(boolean serverSide, List<SubflowInfo> subflows) {
        return connectionInfo(state(), serverSide, subflows);
    }

    /** As {@link #connectionInfo(boolean, List)}, in {@code state} (a source that has none of its own). */
    public ConnectionInfo connectionInfo(int state, boolean serverSide, List<SubflowInfo> subflows) {
        return new ConnectionInfo(token(), local(), remote(), state, serverSide, flags(), subflows(), addAddrSignal(),
                addAddrAccepted(), localAddressesUsed(), retransmits(), bytesSent(), bytesReceived(), bytesAcked(),
                bytesRetransmitted(), List.copyOf(subflows));
    }

    public InetSocketAddress local() {
        return socketAddress(base + 112, localPort());
    }

    public InetSocketAddress remote() {
        return socketAddress(base + 128, remotePort());
    }

    private InetSocketAddress socketAddress(int at, int port) {
        byte[] raw = new byte[family() == 10 ? 16 : 4];
        buffer.get(at, raw, 0, raw.length);
        try {
            InetAddress address = raw.length == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
            return new InetSocketAddress(address, port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
