package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.mptcp4j.protocol.Errno;

/**
 * The messages of sock_diag as native/diag_message.c reads and writes them: a dump's request,
 * each answer into a diag record, a subflow's lookup request and its answer; no I/O (that is
 * {@link JavaSockDiag}'s). The same bounds as the C, and libnl's: an attribute that overruns
 * its message ends the parse, one that breaks diag_message.c's policy makes the ULP info no
 * subflow's. One thread uses an instance: it keeps the attributes it found.
 */
final class DiagMessages {
    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int NLA_TYPE_MASK = 0x3fff;
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_MPTCP = 262;
    private static final int TCP_LISTEN = 10;
    static final int EPROTO = 71;
    /** struct inet_diag_req_v2. */
    private static final int REQUEST_SIZE = 56;
    /** A lookup request: its netlink header and struct inet_diag_req_v2 (DIAG_MESSAGE_LOOKUP_SIZE). */
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
    /** The highest attribute types diag_message.c parses the nests with (nla_parse's maxtype). */
    private static final int INET_ULP_INFO_MAX = 3;
    private static final int MPTCP_SUBFLOW_ATTR_MAX = 10;
    private static final byte[] MPTCP = {'m', 'p', 't', 'c', 'p', 0};
    /** The checks libnl makes of each attribute as diag_message.c's nla_policy tables ask. */
    private static final int NO_POLICY = 0;
    private static final int ULP_POLICY = 1;
    private static final int SUBFLOW_POLICY = 2;

    private final DiagRecordWriter writer = new DiagRecordWriter();
    /** Attributes found by {@link #attributes}: each type's offset (0: absent). */
    private final int[] found = new int[INET_DIAG_ULP_INFO + 1];

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
        attributes(message, attributes, at + length - attributes, INET_DIAG_ULP_INFO, NO_POLICY);
        int info = found[INET_DIAG_INFO];
        int ulp = found[INET_DIAG_ULP_INFO];
        DiagRecordWriter.clear(records, record);
        int state = message.get(msg + 1) & 0xff;
        if (protocol == IPPROTO_TCP) {
            if (!readSubflow(message, ulp, records, record)) {
                return false; // a plain TCP socket
            }
        } else {
            records.put(record + DiagRecordWriter.KIND,
                    (byte) (state == TCP_LISTEN ? DiagRecord.LISTENER : DiagRecord.CONNECTION));
        }
        if (info != 0) {
            int infoLength = (message.getShort(info) & 0xffff) - 4;
            if (protocol == IPPROTO_TCP) {
                writer.tcp(records, record, message, info + 4, infoLength);
            } else {
                writer.mptcp(records, record, message, info + 4, infoLength);
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
     * A TCP socket's ULP info (the attribute at {@code ulp}, 0: none): its tokens, flags and
     * ids into the record; false when it is no MPTCP subflow, or an attribute breaks libnl's
     * policy (a string not NUL-terminated, a number shorter than its type).
     */
    private boolean readSubflow(ByteBuffer message, int ulp, ByteBuffer records, int record) {
        if (ulp == 0 || !attributes(message, ulp + 4, (message.getShort(ulp) & 0xffff) - 4, INET_ULP_INFO_MAX, ULP_POLICY)) {
            return false;
        }
        int name = found[INET_ULP_INFO_NAME];
        int nested = found[INET_ULP_INFO_MPTCP];
        if (name == 0 || nested == 0 || !isMptcp(message, name)) {
            return false;
        }
        if (!attributes(message, nested + 4, (message.getShort(nested) & 0xffff) - 4, MPTCP_SUBFLOW_ATTR_MAX,
                SUBFLOW_POLICY)) {
            return false;
        }
        records.put(record + DiagRecordWriter.KIND, (byte) DiagRecord.SUBFLOW);
        if (found[MPTCP_SUBFLOW_ATTR_TOKEN_LOC] != 0) {
            records.putInt(record + DiagRecordWriter.TOKEN, message.getInt(found[MPTCP_SUBFLOW_ATTR_TOKEN_LOC] + 4));
        }
        if (found[MPTCP_SUBFLOW_ATTR_TOKEN_REM] != 0) {
            records.putInt(record + DiagRecordWriter.REMOTE_TOKEN, message.getInt(found[MPTCP_SUBFLOW_ATTR_TOKEN_REM] + 4));
        }
        if (found[MPTCP_SUBFLOW_ATTR_FLAGS] != 0) {
            records.putInt(record + DiagRecordWriter.FLAGS, message.getInt(found[MPTCP_SUBFLOW_ATTR_FLAGS] + 4));
        }
        if (found[MPTCP_SUBFLOW_ATTR_ID_LOC] != 0) {
            records.put(record + DiagRecordWriter.LOC_ID, message.get(found[MPTCP_SUBFLOW_ATTR_ID_LOC] + 4));
        }
        if (found[MPTCP_SUBFLOW_ATTR_ID_REM] != 0) {
            records.put(record + DiagRecordWriter.REM_ID, message.get(found[MPTCP_SUBFLOW_ATTR_ID_REM] + 4));
        }
        return true;
    }

    /** Whether the string attribute at {@code name} (NUL-terminated, checked) reads "mptcp". */
    private static boolean isMptcp(ByteBuffer message, int name) {
        int length = (message.getShort(name) & 0xffff) - 4;
        for (int i = 0; i < MPTCP.length; i++) {
            if (i >= length || message.get(name + 4 + i) != MPTCP[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The attributes of types up to {@code maxType} in {@code length} bytes at {@code from}
     * into {@link #found} (the last of a type wins), as libnl's nla_parse finds them, each
     * checked against {@code policy}: false when one breaks it.
     */
    private boolean attributes(ByteBuffer message, int from, int length, int maxType, int policy) {
        Arrays.fill(found, 0);
        for (int at = from, remaining = length; remaining >= 4;) {
            int attributeLength = message.getShort(at) & 0xffff;
            if (attributeLength < 4 || attributeLength > remaining) {
                break;
            }
            int type = message.getShort(at + 2) & NLA_TYPE_MASK;
            if (type <= maxType) {
                if (!withinPolicy(message, at, attributeLength - 4, policy, type)) {
                    return false;
                }
                if (type < found.length) {
                    found[type] = at;
                }
            }
            int step = align(attributeLength);
            at += step;
            remaining -= step;
        }
        return true;
    }

    /** diag_message.c's policies: the ULP info's name a NUL-terminated string, the subflow's numbers at least their size. */
    private static boolean withinPolicy(ByteBuffer message, int at, int payload, int policy, int type) {
        if (policy == NO_POLICY) {
            return true;
        }
        if (policy == ULP_POLICY) {
            return type != INET_ULP_INFO_NAME || payload >= 1 && message.get(at + 4 + payload - 1) == 0;
        }
        switch (type) {
            case MPTCP_SUBFLOW_ATTR_TOKEN_REM:
            case MPTCP_SUBFLOW_ATTR_TOKEN_LOC:
            case MPTCP_SUBFLOW_ATTR_FLAGS:
                return payload >= 4;
            case MPTCP_SUBFLOW_ATTR_ID_REM:
            case MPTCP_SUBFLOW_ATTR_ID_LOC:
                return payload >= 1;
            default:
                return true;
        }
    }

    /** nlmsg_ok: a whole netlink message at {@code at} with {@code remaining} bytes left. */
    static boolean messageOk(ByteBuffer buffer, int at, int remaining) {
        if (remaining < NLMSG_HDRLEN) {
            return false;
        }
        int length = buffer.getInt(at);
        return length >= NLMSG_HDRLEN && length <= remaining;
    }

    private static void putBigEndianU16(ByteBuffer out, int at, int value) {
        out.put(at, (byte) (value >>> 8));
        out.put(at + 1, (byte) value);
    }

    static int align(int length) {
        return (length + 3) & ~3;
    }
}
