package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpException;

/**
 * An rtnetlink socket that receives as a libnl socket does (nl_recvmsgs): the same messages
 * reach the handler, a dump is read to its NLMSG_DONE, and failures come as libnl's codes,
 * so that {@link RtnlMonitor} and {@link LocalAddressDump} throw the texts they did when libnl
 * read for them. Only the kernel's datagrams are read (see {@link JavaNetlinkSocket}).
 */
final class JavaRtnlSocket implements AutoCloseable {
    /** libnl's error codes (netlink/errno.h) that callers tell apart. */
    static final int NLE_AGAIN = 4;
    static final int NLE_NOMEM = 5;
    static final int NLE_DUMP_INTR = 33;
    /** What a failure the kernel gave no errno for is reported as. */
    static final int EPROTO = 71;

    /** A message handler's answer: go on, or stop reading (libnl's NL_OK and NL_STOP). */
    interface Handler {
        /** The valid message at {@code at} of {@code buffer}; false stops the receive. */
        boolean message(ByteBuffer buffer, int at);
    }

    private static final int NLE_FAILURE = 1;
    private static final int NLE_SEQ_MISMATCH = 16;
    private static final int NLE_MSG_OVERFLOW = 17;
    private static final int NLE_MSG_TRUNC = 18;
    private static final String[] NLE_TEXT = {
        "Success", "Unspecific failure", "Interrupted system call", "Bad socket", "Try again", "Out of memory",
        "Object exists", "Invalid input data or parameter", "Input data out of range", "Message size not sufficient",
        "Operation not supported", "Address family not supported", "Object not found", "Attribute not available",
        "Missing attribute", "Address family mismatch", "Message sequence number mismatch",
        "Kernel reported message overflow", "Kernel reported truncated message",
        "Invalid address for specified address family", "Source based routing not supported",
        "Netlink message is too short", "Netlink message type is not supported", "Object type does not match cache",
        "Unknown or invalid cache type", "Object busy", "Protocol mismatch", "No Access", "Operation not permitted",
        "Unable to open packet location file", "Unable to parse object", "No such device", "Immutable attribute",
        "Dump inconsistency detected, interrupted", "Attribute max length exceeded",
    };

    private static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_NOOP = 1;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLMSG_OVERRUN = 4;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_MULTI = 0x2;
    private static final int NLM_F_ACK = 0x4;
    private static final int NLM_F_DUMP_INTR = 0x10;
    private static final int NLM_F_DUMP = 0x300;
    private static final int NLM_F_CAPPED = 0x100;
    private static final int NLM_F_ACK_TLVS = 0x200;
    private static final int NLMSGERR_SIZE = 20;
    private static final int NLMSGERR_ATTR_MSG = 1;
    private static final int NLMSGERR_ATTR_MISS_TYPE = 5;
    private static final int NLMSGERR_ATTR_MISS_NEST = 6;
    /** The longest extended-ack text kept: 256 bytes, a NUL included. */
    private static final int EXTACK_TEXT_MAX = 255;
    private static final int SO_SNDBUF = 7;
    /** What libnl's nl_connect sets both buffers to. */
    private static final int LIBNL_BUFFER = 32768;
    /**
     * Rtnetlink datagrams: dumps fill up to 32 KiB, changes are one message each. A longer one
     * is counted as lost changes (libnl would have read it whole).
     */
    private static final int DATAGRAM_MAX = 65536;

    private final JavaNetlinkSocket socket;
    private final boolean sequenceCheck;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(DATAGRAM_MAX).order(ByteOrder.nativeOrder());
    /** libnl's s_seq_next and s_seq_expect: starting at the time, as libnl's do. */
    private int nextSeq = (int) (System.currentTimeMillis() / 1000);
    private int expectedSeq = nextSeq;
    /** The errno and extended-ack text of the kernel's last NLMSG_ERROR when capturing. */
    private boolean capture;
    private int error;
    private String errorText = "";
    private final NetlinkAttributes extack = new NetlinkAttributes(NLMSGERR_ATTR_MISS_NEST);

    private JavaRtnlSocket(JavaNetlinkSocket socket, boolean sequenceCheck) {
        this.socket = socket;
        this.sequenceCheck = sequenceCheck;
    }

    /**
     * An rtnetlink socket in the namespace open at {@code netnsFd} (-1: the caller's), with
     * libnl's buffer sizes; {@code sequenceCheck}: answers must carry the sequence number of
     * the request (off for a socket that also hears multicast changes).
     */
    static JavaRtnlSocket open(int netnsFd, boolean sequenceCheck) {
        JavaNetlinkSocket socket = JavaNetlinkSocket.open(netnsFd, LinuxCalls.NETLINK_ROUTE, "rtnetlink");
        LinuxCalls linux = socket.linux();
        int rc = linux.setIntOption(socket.fd(), LinuxCalls.SOL_SOCKET, SO_SNDBUF, LIBNL_BUFFER);
        if (rc >= 0) {
            rc = linux.setIntOption(socket.fd(), LinuxCalls.SOL_SOCKET, LinuxCalls.SO_RCVBUF, LIBNL_BUFFER);
        }
        if (rc < 0) {
            socket.close();
            throw new MptcpException("connect rtnetlink socket", -rc, text(-libnlCode(-rc)));
        }
        return new JavaRtnlSocket(socket, sequenceCheck);
    }

    int fd() {
        return socket.fd();
    }

    /** Records the errno and text of the kernel's NLMSG_ERROR answers; asks for extended acks. */
    void captureErrors() {
        capture = true;
        // Without extended acks the errno alone still comes: not worth failing for.
        socket.setNetlinkOption(LinuxCalls.NETLINK_EXT_ACK, 1);
    }

    /** The errno of the last NLMSG_ERROR captured (1..4095, EPROTO for others), 0 when none; {@link #clearError}. */
    int error() {
        return error;
    }

    /** The extended-ack text of the last NLMSG_ERROR captured, empty when none. */
    String errorText() {
        return errorText;
    }

    void clearError() {
        error = 0;
        errorText = "";
    }

    /** Joins rtnetlink multicast group {@code group} (RTNLGRP_*): 0 or a negative libnl code. */
    int join(int group) {
        int rc = socket.setNetlinkOption(LinuxCalls.NETLINK_ADD_MEMBERSHIP, group);
        return rc < 0 ? -libnlCode(-rc) : 0;
    }

    /**
     * Sends a dump request of {@code type} whose family header is {@code headerLength} zero
     * bytes: libnl's nl_send_simple (an ack asked, the next sequence number). 0 or a negative
     * libnl code.
     */
    int sendDump(int type, int headerLength) {
        int length = NLMSG_HDRLEN + ((headerLength + 3) & ~3);
        for (int i = 0; i < length; i++) {
            buffer.put(i, (byte) 0);
        }
        buffer.putInt(0, length);
        buffer.putShort(4, (short) type);
        buffer.putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK));
        buffer.putInt(8, nextSeq++);
        buffer.putInt(12, socket.portId());
        int rc = socket.send(buffer, 0, length);
        return rc < 0 ? -libnlCode(-rc) : 0;
    }

    /**
     * libnl's nl_recvmsgs: receives datagrams (waiting for them when {@code wait}) and hands
     * each valid message to {@code handler}, until a datagram leaves no dump part pending or
     * the handler stops. The number of messages read (0 or more), or a negative libnl code:
     * -NLE_AGAIN when nothing waits, -NLE_NOMEM when changes were lost (ENOBUFS), the
     * kernel's error, -NLE_DUMP_INTR when the dump was inconsistent.
     */
    int receive(Handler handler, boolean wait) {
        // A dump's parts may come in many datagrams: read on until its NLMSG_DONE.
        boolean multipart = false;
        boolean interrupted = false;
        int messages = 0;
        int err = 0;
        read:
        do {
            int n = socket.receive(buffer, 0, DATAGRAM_MAX);
            while (n == 0 && wait) {
                int ready = socket.poll(-1, -1, -1);
                if (ready < 0 && ready != -Errno.EINTR) {
                    return -libnlCode(-ready);
                }
                n = socket.receive(buffer, 0, DATAGRAM_MAX);
            }
            if (n == 0) {
                return -NLE_AGAIN;
            }
            if (n == JavaNetlinkSocket.SKIPPED) {
                continue; // every message of another port's datagram is skipped
            }
            if (n == JavaNetlinkSocket.TRUNCATED) {
                return -NLE_NOMEM;
            }
            if (n < 0) {
                return -libnlCode(-n);
            }
            for (int at = 0, rem = n; messageOk(at, rem);) {
                int length = buffer.getInt(at);
                int type = buffer.getShort(at + 4) & 0xffff;
                int flags = buffer.getShort(at + 6) & 0xffff;
                messages++;
                if (sequenceCheck && buffer.getInt(at + 8) != expectedSeq) {
                    err = -NLE_SEQ_MISMATCH;
                    break read;
                }
                if (type == NLMSG_DONE || type == NLMSG_ERROR || type == NLMSG_NOOP || type == NLMSG_OVERRUN) {
                    expectedSeq++;
                }
                if ((flags & NLM_F_MULTI) != 0) {
                    multipart = true;
                }
                if ((flags & NLM_F_DUMP_INTR) != 0) {
                    interrupted = true; // read on to NLMSG_DONE, then say so
                }
                if (type == NLMSG_DONE) {
                    multipart = false;
                } else if (type == NLMSG_OVERRUN) {
                    err = -NLE_MSG_OVERFLOW;
                    break read;
                } else if (type == NLMSG_ERROR) {
                    if (length < NLMSG_HDRLEN + NLMSGERR_SIZE) {
                        err = -NLE_MSG_TRUNC;
                        break read;
                    }
                    int kernelError = buffer.getInt(at + NLMSG_HDRLEN);
                    if (kernelError != 0) {
                        if (capture) {
                            captureError(at, kernelError);
                        }
                        err = -libnlCode(kernelError == Integer.MIN_VALUE ? Integer.MAX_VALUE : Math.abs(kernelError));
                        break read;
                    }
                } else if (type != NLMSG_NOOP && !handler.message(buffer, at)) {
                    break read;
                }
                int step = (length + 3) & ~3;
                at += step;
                rem -= step;
            }
        } while (multipart);
        if (interrupted) {
            err = -NLE_DUMP_INTR;
        }
        return err != 0 ? err : messages;
    }

    private boolean messageOk(int at, int rem) {
        if (rem < NLMSG_HDRLEN) {
            return false;
        }
        int length = buffer.getInt(at);
        return length >= NLMSG_HDRLEN && length <= rem;
    }

    /** The errno of an NLMSG_ERROR, and the kernel's text when it sent one. */
    private void captureError(int at, int kernelError) {
        error = kernelError < 0 && kernelError >= -4095 ? -kernelError : EPROTO;
        errorText = "";
        int length = buffer.getInt(at);
        int flags = buffer.getShort(at + 6) & 0xffff;
        long tlv = NLMSG_HDRLEN + NLMSGERR_SIZE;
        if ((flags & NLM_F_CAPPED) == 0) {
            // The request echoed whole: its length is the kernel's word, any u32.
            tlv += ((Integer.toUnsignedLong(buffer.getInt(at + NLMSG_HDRLEN + 4)) + 3) & ~3L) - NLMSG_HDRLEN;
        }
        if ((flags & NLM_F_ACK_TLVS) == 0 || tlv >= length) {
            return;
        }
        if (!extack.parse(buffer, at + (int) tlv, length - (int) tlv)) {
            return;
        }
        if (extack.has(NLMSGERR_ATTR_MSG)) {
            int text = extack.payload(NLMSGERR_ATTR_MSG);
            int max = Math.min(extack.length(NLMSGERR_ATTR_MSG), EXTACK_TEXT_MAX);
            int n = 0;
            while (n < max && buffer.get(text + n) != 0) {
                n++;
            }
            byte[] bytes = new byte[n];
            buffer.get(text, bytes);
            errorText = new String(bytes, StandardCharsets.UTF_8);
        } else if (extack.has(NLMSGERR_ATTR_MISS_TYPE) && extack.length(NLMSGERR_ATTR_MISS_TYPE) >= 4) {
            int missing = buffer.getInt(extack.payload(NLMSGERR_ATTR_MISS_TYPE));
            errorText = "missing attribute " + Integer.toUnsignedString(missing)
                    + (extack.has(NLMSGERR_ATTR_MISS_NEST) ? " in a nested address" : "");
        }
    }

    /** libnl's nl_syserr2nlerr: the libnl code (positive) for a positive errno. */
    static int libnlCode(int errno) {
        return switch (errno) {
            case Errno.EBADF, 88 /* ENOTSOCK */ -> 3;
            case Errno.EADDRINUSE, Errno.EEXIST -> 6;
            case Errno.EADDRNOTAVAIL -> 19;
            case Errno.ESRCH, Errno.ENOENT -> 12;
            case Errno.EINTR -> 2;
            case Errno.EAGAIN -> NLE_AGAIN;
            case Errno.ENOPROTOOPT, 14 /* EFAULT */, Errno.EINVAL -> 7;
            case Errno.EACCES -> 27;
            case Errno.ENOBUFS, Errno.ENOMEM -> NLE_NOMEM;
            case 97 /* EAFNOSUPPORT */ -> 11;
            case Errno.EPROTONOSUPPORT -> 26;
            case Errno.EOPNOTSUPP -> 10;
            case Errno.EPERM -> 28;
            case Errno.EBUSY -> 25;
            case 34 /* ERANGE */ -> 8;
            case 19 /* ENODEV */ -> 31;
            default -> NLE_FAILURE;
        };
    }

    /** libnl's nl_geterror: the text of a libnl code. */
    static String text(int code) {
        int c = Math.abs(code);
        return NLE_TEXT[c < 0 || c >= NLE_TEXT.length ? NLE_FAILURE : c];
    }

    @Override
    public void close() {
        socket.close();
    }
}
