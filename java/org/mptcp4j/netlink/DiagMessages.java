package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import org.mptcp4j.protocol.Errno;

/**
 * The messages of sock_diag: a dump's request, each answer into a diag record, a subflow's
 * lookup request and its answer; no I/O (that is {@link JavaSockDiag}'s). libnl's bounds: an
 * attribute that overruns its message ends the parse, one that breaks the policy makes the
 * ULP info no subflow's. One thread uses an instance: it keeps the attributes it found.
 */
final class DiagMessages {
    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_MPTCP = 262;
    private static final int TCP_LISTEN = 10;
    static final int EPROTO = 71;
    /** struct inet_diag_req_v2. */
    private static final int REQUEST_SIZE = 56;
    /** A lookup request: its netlink header and struct inet_diag_req_v2. */
    static final int LOOKUP_SIZE = NLMSG_HDRLEN + REQUEST_SIZE;
    /** A dump request: a lookup's, and the protocol attribute. */
    static final int DUMP_REQUEST_SIZE = LOOKUP_SIZE + 8;
    /** struct inet_diag_msg; its inet_diag_sockid is at 4 as the request's is at 8. */
    private static final int DIAG_MSG_SIZE = 72;
    private static final int INET_DIAG_INFO = 2;
    private static final int INET_DIAG_REQ_PROTOCOL = 3;
    private static final int INET_DIAG_ULP_INFO = 19;
    private static final int INET_ULP_INFO_NAME = 1;
    private static final int INET_ULP_INFO_MPTCP = 3;
    private static final int MPTCP_SUBFLOW_ATTR_TOKEN_REM = 1;
    private static final int MPTCP_SUBFLOW_ATTR_TOKEN_LOC = 2;
    private static final int MPTCP_SUBFLOW_ATTR_FLAGS = 8;
    private static final int MPTCP_SUBFLOW_ATTR_ID_REM = 9;
    private static final int MPTCP_SUBFLOW_ATTR_ID_LOC = 10;
    /** The highest attribute type a message is parsed with: INET_DIAG_MAX, INET_DIAG_SOCKOPT. */
    private static final int INET_DIAG_MAX = 22;
    private static final byte[] MPTCP = {'m', 'p', 't', 'c', 'p', 0};

    private final DiagRecordWriter writer = new DiagRecordWriter();
    private final NetlinkAttributes diag = new NetlinkAttributes(INET_DIAG_MAX);
    /** The policies: the ULP's name a string, the subflow's numbers at least their size. */
    private final NetlinkAttributes ulp =
            new NetlinkAttributes(new int[] {0, 1, 0, 0}, new int[4]).nulTerminated(INET_ULP_INFO_NAME);
    private final NetlinkAttributes subflow =
            new NetlinkAttributes(new int[] {0, 4, 4, 0, 0, 0, 0, 0, 4, 1, 1}, new int[MPTCP_SUBFLOW_ATTR_ID_LOC + 1]);

    /** The answer to a lookup: 1 with the record written, 0 for nothing to read (gone, no subflow, malformed), or a negative errno. */
    int lookupAnswer(ByteBuffer message, int at, ByteBuffer records, int record) {
        if ((message.getShort(at + 4) & 0xffff) == NLMSG_ERROR) {
            if (message.getInt(at) < NLMSG_HDRLEN + 20) {
                return 0;
            }
            int error = message.getInt(at + NLMSG_HDRLEN);
            // A socket that closed since it was asked for is no error.
            if (error == -Errno.ENOENT || error == 0) {
                return 0;
            }
            return error < 0 && error > -4096 ? error : -EPROTO;
        }
        return parse(message, at, IPPROTO_TCP, records, record) ? 1 : 0;
    }

    /**
     * The request for a dump of every {@code protocol} socket of {@code family} in all states,
     * with its INET_DIAG_INFO, at 0 of {@code out} with sequence number {@code seq}; its length.
     */
    static int writeDumpRequest(ByteBuffer out, int family, int protocol, int seq) {
        int length = writeRequest(out, 0, family, seq, NLM_F_REQUEST | NLM_F_DUMP);
        if (protocol != IPPROTO_TCP) {
            // IPPROTO_MPTCP does not fit the u8 sdiag_protocol: it goes in an attribute (5.9).
            out.putShort(length, (short) 8);
            out.putShort(length + 2, (short) INET_DIAG_REQ_PROTOCOL);
            out.putInt(length + 4, protocol);
            length += 8;
            out.putInt(0, length);
        }
        return length;
    }

    /** A request header and struct inet_diag_req_v2 at {@code at} for TCP sockets of {@code family}, all states, with INET_DIAG_INFO; its length. */
    private static int writeRequest(ByteBuffer out, int at, int family, int seq, int flags) {
        for (int i = 0; i < LOOKUP_SIZE; i += Long.BYTES) {
            out.putLong(at + i, 0);
        }
        out.putInt(at, LOOKUP_SIZE);
        out.putShort(at + 4, (short) SOCK_DIAG_BY_FAMILY);
        out.putShort(at + 6, (short) flags);
        out.putInt(at + 8, seq);
        int req = at + NLMSG_HDRLEN;
        out.put(req, (byte) family);
        out.put(req + 1, (byte) IPPROTO_TCP);
        out.put(req + 2, (byte) (1 << (INET_DIAG_INFO - 1)));
        out.putInt(req + 4, ~0);
        return LOOKUP_SIZE;
    }

    /**
     * The lookup request for the one TCP socket the record at {@code subflow} names (family,
     * addresses, ports, interface, and cookie: all ones when unknown), without NLM_F_DUMP, at
     * {@code at} of {@code out} with sequence number {@code seq}, {@link #LOOKUP_SIZE} bytes;
     * false when the family is neither AF_INET nor AF_INET6.
     */
    static boolean writeLookup(ByteBuffer asks, int subflow, int seq, ByteBuffer out, int at) {
        int family = asks.getShort(subflow + DiagRecordWriter.FAMILY) & 0xffff;
        if (family != AF_INET && family != AF_INET6) {
            return false;
        }
        writeRequest(out, at, family, seq, NLM_F_REQUEST);
        int id = at + NLMSG_HDRLEN + 8;
        putBigEndianU16(out, id, asks.getShort(subflow + DiagRecordWriter.LOCAL_PORT) & 0xffff);
        putBigEndianU16(out, id + 2, asks.getShort(subflow + DiagRecordWriter.REMOTE_PORT) & 0xffff);
        // Raw addresses of either family: IPv4 in the first 4 bytes, the rest zero in both.
        out.put(id + 4, asks, subflow + DiagRecordWriter.LOCAL_ADDR, 16);
        out.put(id + 20, asks, subflow + DiagRecordWriter.REMOTE_ADDR, 16);
        out.putInt(id + 36, asks.getInt(subflow + DiagRecordWriter.IF_INDEX));
        out.put(id + 40, asks, subflow + DiagRecordWriter.COOKIE, 8);
        return true;
    }

    /**
     * Reads a SOCK_DIAG_BY_FAMILY message at {@code at} of a dump of {@code protocol} sockets
     * (IPPROTO_MPTCP: connections and listeners; IPPROTO_TCP: the subflows among TCP sockets)
     * into the record at {@code record}; false for a message to pass over: malformed, or a
     * plain TCP socket.
     */
    boolean parse(ByteBuffer message, int at, int protocol, ByteBuffer records, int record) {
        int length = message.getInt(at);
        if ((message.getShort(at + 4) & 0xffff) != SOCK_DIAG_BY_FAMILY || length < NLMSG_HDRLEN + DIAG_MSG_SIZE) {
            return false;
        }
        int msg = at + NLMSG_HDRLEN;
        int attributes = msg + DIAG_MSG_SIZE;
        diag.parse(message, attributes, at + length - attributes); // no policy: it cannot fail
        DiagRecordWriter.clear(records, record);
        int state = message.get(msg + 1) & 0xff;
        if (protocol == IPPROTO_TCP) {
            if (!readSubflow(message, records, record)) {
                return false; // a plain TCP socket
            }
        } else {
            records.put(record + DiagRecordWriter.KIND,
                    (byte) (state == TCP_LISTEN ? DiagRecord.LISTENER : DiagRecord.CONNECTION));
        }
        if (diag.has(INET_DIAG_INFO)) {
            int info = diag.payload(INET_DIAG_INFO);
            int infoLength = diag.length(INET_DIAG_INFO);
            if (protocol == IPPROTO_TCP) {
                writer.tcp(records, record, message, info, infoLength);
            } else {
                writer.mptcp(records, record, message, info, infoLength);
            }
        }
        int family = message.get(msg) & 0xff;
        int id = msg + 4;
        int addressLength = family == AF_INET ? 4 : 16;
        records.putShort(record + DiagRecordWriter.FAMILY, (short) family);
        records.putShort(record + DiagRecordWriter.LOCAL_PORT, (short) DiagRecordWriter.bigEndianU16(message, id));
        records.putShort(record + DiagRecordWriter.REMOTE_PORT, (short) DiagRecordWriter.bigEndianU16(message, id + 2));
        records.put(record + DiagRecordWriter.LOCAL_ADDR, message, id + 4, addressLength);
        records.put(record + DiagRecordWriter.REMOTE_ADDR, message, id + 20, addressLength);
        records.putInt(record + DiagRecordWriter.IF_INDEX, message.getInt(id + 36));
        records.put(record + DiagRecordWriter.COOKIE, message, id + 40, 8);
        records.put(record + DiagRecordWriter.STATE, (byte) state);
        return true;
    }

    /**
     * The ULP info of {@code message}, just parsed into {@link #diag}: its tokens, flags and
     * ids into the record; false when it is no MPTCP subflow, or an attribute breaks
     * the policy (a name not NUL-terminated, a number shorter than its type).
     */
    private boolean readSubflow(ByteBuffer message, ByteBuffer records, int record) {
        if (!diag.has(INET_DIAG_ULP_INFO) || !ulp.parseNested(diag, INET_DIAG_ULP_INFO) || !ulp.has(INET_ULP_INFO_NAME)
                || !ulp.has(INET_ULP_INFO_MPTCP) || !isMptcp(message) || !subflow.parseNested(ulp, INET_ULP_INFO_MPTCP)) {
            return false;
        }
        records.put(record + DiagRecordWriter.KIND, (byte) DiagRecord.SUBFLOW);
        if (subflow.has(MPTCP_SUBFLOW_ATTR_TOKEN_LOC)) {
            records.putInt(record + DiagRecordWriter.TOKEN, message.getInt(subflow.payload(MPTCP_SUBFLOW_ATTR_TOKEN_LOC)));
        }
        if (subflow.has(MPTCP_SUBFLOW_ATTR_TOKEN_REM)) {
            records.putInt(record + DiagRecordWriter.REMOTE_TOKEN, message.getInt(subflow.payload(MPTCP_SUBFLOW_ATTR_TOKEN_REM)));
        }
        if (subflow.has(MPTCP_SUBFLOW_ATTR_FLAGS)) {
            records.putInt(record + DiagRecordWriter.FLAGS, message.getInt(subflow.payload(MPTCP_SUBFLOW_ATTR_FLAGS)));
        }
        if (subflow.has(MPTCP_SUBFLOW_ATTR_ID_LOC)) {
            records.put(record + DiagRecordWriter.LOC_ID, message.get(subflow.payload(MPTCP_SUBFLOW_ATTR_ID_LOC)));
        }
        if (subflow.has(MPTCP_SUBFLOW_ATTR_ID_REM)) {
            records.put(record + DiagRecordWriter.REM_ID, message.get(subflow.payload(MPTCP_SUBFLOW_ATTR_ID_REM)));
        }
        return true;
    }

    /** Whether the ULP's name (NUL-terminated: the policy checked) reads "mptcp", as strcmp sees it. */
    private boolean isMptcp(ByteBuffer message) {
        int name = ulp.payload(INET_ULP_INFO_NAME);
        int length = ulp.length(INET_ULP_INFO_NAME);
        for (int i = 0; i < MPTCP.length; i++) {
            if (i >= length || message.get(name + i) != MPTCP[i]) {
                return false;
            }
        }
        return true;
    }

    private static void putBigEndianU16(ByteBuffer out, int at, int value) {
        out.put(at, (byte) (value >>> 8));
        out.put(at + 1, (byte) value);
    }
}
