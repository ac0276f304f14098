package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.natives.LinuxCalls;

/**
 * Diag records written from what the kernel hands out: for
 * sock_diag's answers ({@link JavaSockDiag}) and a socket's own MPTCP_FULL_INFO
 * ({@link #fullInfo}). A struct the kernel sent shorter than the one read (an older kernel)
 * reads as if zero-filled past its end. One thread uses a writer: it keeps one scratch struct.
 */
public final class DiagRecordWriter {
    /**
     * The struct tcp_info read at its offsets, zero-filled past what the kernel sent: up to
     * tcpi_snd_wnd (5.4).
     */
    public static final int TCP_INFO_SIZE = 232;
    /** struct mptcp_info as of 6.10. */
    static final int MPTCP_INFO_SIZE = 96;
    /** tcpi_total_rto (u16, 6.7): past TCP_INFO_SIZE, read where the kernel sent that much. */
    private static final int TCPI_TOTAL_RTO_OFFSET = 240;
    /**
     * How much tcp_info MPTCP_FULL_INFO asks per subflow (the stride of its array): through
     * tcpi_total_rto_time (6.7), so that the count of timeouts comes with it.
     */
    public static final int FULL_INFO_TCP_INFO_SIZE = 248;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    // The record's fields: offsets in a record, which DiagRecord reads.
    static final int KIND = 0;
    static final int STATE = 1;
    static final int FAMILY = 2;
    static final int LOCAL_PORT = 4;
    static final int REMOTE_PORT = 6;
    static final int TOKEN = 8;
    static final int REMOTE_TOKEN = 12;
    static final int FLAGS = 16;
    static final int LOC_ID = 20;
    static final int REM_ID = 21;
    private static final int SUBFLOWS = 22;
    private static final int SUBFLOWS_TOTAL = 23;
    private static final int ADD_ADDR_SIGNAL = 24;
    private static final int ADD_ADDR_ACCEPTED = 25;
    private static final int LOCAL_ADDR_USED = 26;
    private static final int BACKOFF = 27;
    private static final int RETRANSMITS = 28;
    private static final int RTT_US = 32;
    private static final int RTTVAR_US = 36;
    private static final int RTO_US = 40;
    private static final int TOTAL_RETRANS = 44;
    private static final int SND_CWND = 48;
    private static final int LOST = 52;
    static final int IF_INDEX = 56;
    private static final int RTO_TIMEOUTS = 60;
    private static final int BYTES_SENT = 64;
    private static final int BYTES_RECEIVED = 72;
    private static final int BYTES_ACKED = 80;
    private static final int BYTES_RETRANS = 88;
    private static final int DELIVERY_RATE = 96;
    static final int COOKIE = 104;
    static final int LOCAL_ADDR = 112;
    static final int REMOTE_ADDR = 128;

    // struct mptcp_full_info and struct mptcp_subflow_info (mptcp_uapi.h).
    private static final int FULL_TCPINFO_KERNEL = 0;
    private static final int FULL_NUM_SUBFLOWS = 16;
    private static final int FULL_MPTCP_INFO = 40;
    private static final int SUBFLOW_INFO_LOCAL = 8;
    private static final int SUBFLOW_INFO_REMOTE = 8 + 128;

    /** The struct read, zero past what the kernel sent. */
    private final ByteBuffer scratch = ByteBuffer.allocate(TCP_INFO_SIZE).order(ByteOrder.nativeOrder());

    /** The bytes a {@link LinuxCalls#mptcpFullInfo} buffer needs for {@code subflows} subflows. */
    public static int fullInfoSize(int subflows) {
        return LinuxCalls.MPTCP_FULL_INFO_SIZE + subflows * (LinuxCalls.MPTCP_SUBFLOW_INFO_SIZE + FULL_INFO_TCP_INFO_SIZE);
    }

    /**
     * The records of an MPTCP_FULL_INFO answer ({@link LinuxCalls#mptcpFullInfo} with room for
     * {@code subflows} subflows and {@link #FULL_INFO_TCP_INFO_SIZE} bytes of tcp_info each) into
     * {@code out}: the connection first, then one per subflow, as many as fit; their count.
     * The connection's addresses are its first subflow's; its state is none (0).
     */
    public int fullInfo(ByteBuffer info, int subflows, ByteBuffer out) {
        ByteBuffer in = info.duplicate().order(ByteOrder.nativeOrder());
        ByteBuffer records = out.duplicate().order(ByteOrder.nativeOrder());
        clear(records, 0);
        records.put(KIND, (byte) DiagRecord.CONNECTION);
        mptcp(records, 0, in, FULL_MPTCP_INFO, MPTCP_INFO_SIZE);
        long count = Math.min(Integer.toUnsignedLong(in.getInt(FULL_NUM_SUBFLOWS)), subflows);
        count = Math.min(count, records.capacity() / DiagRecord.SIZE - 1);
        int tcpLength = (int) Math.min(Integer.toUnsignedLong(in.getInt(FULL_TCPINFO_KERNEL)), FULL_INFO_TCP_INFO_SIZE);
        int subflowInfos = LinuxCalls.MPTCP_FULL_INFO_SIZE;
        int tcpInfos = subflowInfos + subflows * LinuxCalls.MPTCP_SUBFLOW_INFO_SIZE;
        for (int i = 0; i < count; i++) {
            int at = (1 + i) * DiagRecord.SIZE;
            int subflow = subflowInfos + i * LinuxCalls.MPTCP_SUBFLOW_INFO_SIZE;
            clear(records, at);
            records.put(at + KIND, (byte) DiagRecord.SUBFLOW);
            records.putInt(at + TOKEN, records.getInt(TOKEN));
            records.putShort(at + FAMILY, in.getShort(subflow + SUBFLOW_INFO_LOCAL));
            records.putShort(at + LOCAL_PORT, (short) address(records, at + LOCAL_ADDR, in, subflow + SUBFLOW_INFO_LOCAL));
            records.putShort(at + REMOTE_PORT, (short) address(records, at + REMOTE_ADDR, in, subflow + SUBFLOW_INFO_REMOTE));
            tcp(records, at, in, tcpInfos + i * FULL_INFO_TCP_INFO_SIZE, tcpLength);
        }
        if (count > 0) {
            records.putShort(FAMILY, records.getShort(DiagRecord.SIZE + FAMILY));
            records.putShort(LOCAL_PORT, records.getShort(DiagRecord.SIZE + LOCAL_PORT));
            records.putShort(REMOTE_PORT, records.getShort(DiagRecord.SIZE + REMOTE_PORT));
            records.put(LOCAL_ADDR, records, DiagRecord.SIZE + LOCAL_ADDR, 32); // both addresses
        }
        return (int) count + 1;
    }

    /** Zeroes the record at {@code at}. */
    static void clear(ByteBuffer records, int at) {
        for (int i = 0; i < DiagRecord.SIZE; i += Long.BYTES) {
            records.putLong(at + i, 0);
        }
    }

    /** The tcp_info fields into the record at {@code at}: {@code length} bytes at {@code from} are what the kernel filled. */
    void tcp(ByteBuffer records, int at, ByteBuffer info, int from, int length) {
        ByteBuffer ti = fill(info, from, length, TCP_INFO_SIZE);
        records.put(at + STATE, ti.get(0));
        records.put(at + BACKOFF, ti.get(4));
        records.putInt(at + RETRANSMITS, ti.get(2) & 0xff);
        records.putInt(at + RTT_US, ti.getInt(68));
        records.putInt(at + RTTVAR_US, ti.getInt(72));
        records.putInt(at + RTO_US, ti.getInt(8));
        records.putInt(at + TOTAL_RETRANS, ti.getInt(100));
        records.putInt(at + SND_CWND, ti.getInt(80));
        records.putInt(at + LOST, ti.getInt(32));
        records.putLong(at + BYTES_ACKED, ti.getLong(120));
        records.putLong(at + BYTES_RECEIVED, ti.getLong(128));
        records.putLong(at + BYTES_SENT, ti.getLong(200));
        records.putLong(at + BYTES_RETRANS, ti.getLong(208));
        records.putLong(at + DELIVERY_RATE, ti.getLong(160));
        if (length >= TCPI_TOTAL_RTO_OFFSET + Short.BYTES) {
            records.putInt(at + RTO_TIMEOUTS, info.getShort(from + TCPI_TOTAL_RTO_OFFSET) & 0xffff);
        }
    }

    /** The mptcp_info fields into the record at {@code at}; {@code length} as for {@link #tcp}. */
    void mptcp(ByteBuffer records, int at, ByteBuffer info, int from, int length) {
        ByteBuffer mi = fill(info, from, length, MPTCP_INFO_SIZE);
        records.putInt(at + TOKEN, mi.getInt(12));
        records.putInt(at + FLAGS, mi.getInt(8));
        records.put(at + SUBFLOWS, mi.get(0));
        records.put(at + SUBFLOWS_TOTAL, mi.get(80));
        records.put(at + ADD_ADDR_SIGNAL, mi.get(1));
        records.put(at + ADD_ADDR_ACCEPTED, mi.get(2));
        records.put(at + LOCAL_ADDR_USED, mi.get(40));
        records.putInt(at + RETRANSMITS, mi.getInt(44));
        records.putLong(at + BYTES_SENT, mi.getLong(56));
        records.putLong(at + BYTES_RECEIVED, mi.getLong(64));
        records.putLong(at + BYTES_ACKED, mi.getLong(72));
        records.putLong(at + BYTES_RETRANS, mi.getLong(48));
    }

    /** The scratch struct of {@code size} bytes: the first {@code length} bytes at {@code from}, zero after. */
    private ByteBuffer fill(ByteBuffer info, int from, int length, int size) {
        int copied = Math.max(0, Math.min(length, size));
        scratch.put(0, info, from, copied);
        for (int i = copied; i < size; i++) {
            scratch.put(i, (byte) 0);
        }
        return scratch;
    }

    /** A sockaddr_in or sockaddr_in6's IP into the 16 bytes at {@code to} (zero for another family); its port, host order. */
    static int address(ByteBuffer records, int to, ByteBuffer in, int sockaddr) {
        for (int i = 0; i < 16; i += Long.BYTES) {
            records.putLong(to + i, 0);
        }
        int family = in.getShort(sockaddr) & 0xffff;
        if (family == AF_INET) {
            records.put(to, in, sockaddr + 4, 4);
        } else if (family == AF_INET6) {
            records.put(to, in, sockaddr + 8, 16);
        } else {
            return 0;
        }
        return bigEndianU16(in, sockaddr + 2);
    }

    /** A port as the network orders it. */
    static int bigEndianU16(ByteBuffer in, int at) {
        return (in.get(at) & 0xff) << 8 | in.get(at + 1) & 0xff;
    }
}
