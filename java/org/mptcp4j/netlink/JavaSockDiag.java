package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpException;

/**
 * {@link SockDiag}'s sockets, over the transport's {@link LinuxCalls}: the requests and
 * answers are {@link DiagMessages}'. One socket dumps; one beside it looks subflows up in
 * batches, read and written directly. One thread uses it.
 */
final class JavaSockDiag implements AutoCloseable {
    /**
     * Lookup requests sent in one datagram: the kernel answers each into the receive buffer
     * before send() returns, one datagram each (~2 KiB of buffer), so a batch must fit there.
     */
    private static final int LOOKUP_BATCH = 64;
    private static final int LOOKUP_RCVBUF = 1 << 20;
    private static final String DUMP = "dump sockets (SOCK_DIAG_BY_FAMILY)";
    private static final String LOOKUP = "look up subflows (SOCK_DIAG_BY_FAMILY)";

    private static final int NLMSG_NOOP = 1;
    private static final int NLMSG_DONE = 3;
    private static final int NLMSG_OVERRUN = 4;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int[] PROTOCOLS = {DiagMessages.IPPROTO_MPTCP, DiagMessages.IPPROTO_TCP};
    private static final int[] FAMILIES = {AF_INET, AF_INET6};

    private final JavaNetlinkSocket dumps;
    private final JavaNetlinkSocket lookups;
    private final DiagMessages messages = new DiagMessages();
    private final ByteBuffer request = direct(DiagMessages.DUMP_REQUEST_SIZE);
    private final ByteBuffer requests = direct(LOOKUP_BATCH * DiagMessages.LOOKUP_SIZE);
    /** A dump's datagrams: the kernel makes none larger than 32 KiB. */
    private final ByteBuffer datagram = direct(32768);
    private final ByteBuffer answer = direct(8192);
    /** Where a record goes that is counted but has no room in the caller's buffer. */
    private final ByteBuffer scratch = direct(DiagRecord.SIZE);
    private int dumpSeq;
    private int lookupSeq;

    private JavaSockDiag(JavaNetlinkSocket dumps, JavaNetlinkSocket lookups) {
        this.dumps = dumps;
        this.lookups = lookups;
    }

    static JavaSockDiag open(int netnsFd) {
        JavaNetlinkSocket dumps = JavaNetlinkSocket.open(netnsFd, LinuxCalls.NETLINK_SOCK_DIAG, "sock_diag");
        JavaNetlinkSocket lookups;
        try {
            lookups = JavaNetlinkSocket.open(netnsFd, LinuxCalls.NETLINK_SOCK_DIAG, "sock_diag lookup");
        } catch (RuntimeException e) {
            dumps.close();
            throw e;
        }
        // Beyond net.core.rmem_max with CAP_NET_ADMIN; without it, what rmem_max allows holds a batch too.
        int rc = lookups.setReceiveBuffer(LOOKUP_RCVBUF);
        if (rc < 0) {
            lookups.close();
            dumps.close();
            throw new MptcpException("size sock_diag lookup socket", -rc, null);
        }
        return new JavaSockDiag(dumps, lookups);
    }

    /** Fills {@code out}: the record count, or -count when they did not all fit. */
    int dump(ByteBuffer out) {
        ByteBuffer records = out.duplicate().order(ByteOrder.nativeOrder());
        int capacity = records.capacity() / DiagRecord.SIZE;
        int count = 0;
        // Connections and listeners first, then the subflows that refer to them.
        for (int protocol : PROTOCOLS) {
            for (int family : FAMILIES) {
                count = dumpFamily(family, protocol, records, capacity, count);
            }
        }
        return count > capacity ? -count : count;
    }

    /** One dump of {@code protocol} sockets of {@code family}; the count after its records. */
    private int dumpFamily(int family, int protocol, ByteBuffer records, int capacity, int count) {
        int seq = ++dumpSeq;
        int length = DiagMessages.writeDumpRequest(request, family, protocol, seq);
        int rc = dumps.send(request, 0, length);
        if (rc < 0) {
            throw new MptcpException(DUMP, -rc, null);
        }
        for (;;) {
            int ready = dumps.poll(-1, -1, -1);
            if (ready == -Errno.EINTR) {
                continue;
            }
            if (ready < 0) {
                throw new MptcpException(DUMP, -ready, null);
            }
            int n = dumps.receive(datagram, 0, datagram.capacity());
            if (n == 0 || n == JavaNetlinkSocket.SKIPPED) {
                continue;
            }
            if (n < 0) {
                throw new MptcpException(DUMP, n == JavaNetlinkSocket.TRUNCATED ? Errno.EMSGSIZE : -n, null);
            }
            for (int at = 0, remaining = n; ReplyDecoder.messageLength(datagram, at, remaining) > 0;) {
                int messageLength = datagram.getInt(at);
                int type = datagram.getShort(at + 4) & 0xffff;
                if (datagram.getInt(at + 8) == seq) {
                    if (type == NLMSG_DONE) {
                        return count;
                    }
                    if (type == DiagMessages.NLMSG_ERROR) {
                        if (messageLength < DiagMessages.NLMSG_HDRLEN + 20) {
                            throw new MptcpException(DUMP, DiagMessages.EPROTO, null);
                        }
                        int error = datagram.getInt(at + DiagMessages.NLMSG_HDRLEN);
                        if (error == 0) {
                            return count;
                        }
                        // sock_diag sets no extended-ack text: the errno is all there is.
                        throw new MptcpException(DUMP, error < 0 && error >= -4095 ? -error : DiagMessages.EPROTO, null);
                    }
                    if (type == NLMSG_OVERRUN) {
                        throw new MptcpException(DUMP, Errno.ENOBUFS, null);
                    }
                    if (type != NLMSG_NOOP) {
                        ByteBuffer to = count < capacity ? records : scratch;
                        if (messages.parse(datagram, at, protocol, to, count < capacity ? count * DiagRecord.SIZE : 0)) {
                            count++; // past the buffer's end too, so Java sizes the next buffer once
                        }
                    }
                }
                int step = NetlinkWriter.align(messageLength);
                at += step;
                remaining -= step;
            }
        }
    }

    /**
     * Looks up each of the {@code asked} subflow records in {@code asks}, writes the answers of
     * those still open into {@code out}; returns their count.
     */
    int lookUp(ByteBuffer asks, int asked, ByteBuffer out) {
        ByteBuffer in = asks.duplicate().order(ByteOrder.nativeOrder());
        ByteBuffer records = out.duplicate().order(ByteOrder.nativeOrder());
        int capacity = records.capacity() / DiagRecord.SIZE;
        int count = 0;
        for (int first = 0; first < asked;) {
            int length = 0;
            int batch = 0;
            int firstSeq = lookupSeq + 1;
            for (; batch < LOOKUP_BATCH && first + batch < asked; batch++) {
                if (!DiagMessages.writeLookup(in, (first + batch) * DiagRecord.SIZE, ++lookupSeq, requests, length)) {
                    throw new IllegalArgumentException("subflow to look up: not an AF_INET or AF_INET6 record");
                }
                length += DiagMessages.LOOKUP_SIZE;
            }
            int rc = lookups.send(requests, 0, length);
            if (rc >= 0) {
                rc = readAnswers(records, capacity, count, firstSeq, batch);
            }
            if (rc < 0) {
                drainAnswers();
                throw new MptcpException(LOOKUP, -rc, null);
            }
            count = rc;
            first += batch;
        }
        return count;
    }

    /**
     * Reads every answer the kernel queued for the batch of {@code asked} requests numbered
     * from {@code firstSeq} (all of them by now: it answers within send()); returns the count
     * of records after them, or a negative errno. A datagram of another sequence number (left
     * by a failed batch) is passed over; one too big for the buffer counts as an answer with
     * nothing to read.
     */
    private int readAnswers(ByteBuffer records, int capacity, int count, int firstSeq, int asked) {
        for (int answered = 0; answered < asked;) {
            int n = lookups.receive(answer, 0, answer.capacity());
            if (n == 0) {
                return -Errno.ENOBUFS; // answers missing, dropped when the buffer was full
            }
            if (n == JavaNetlinkSocket.TRUNCATED) {
                answered++;
                continue;
            }
            if (n == JavaNetlinkSocket.SKIPPED) {
                continue;
            }
            if (n < 0) {
                return n;
            }
            for (int at = 0, remaining = n; ReplyDecoder.messageLength(answer, at, remaining) > 0;) {
                int messageLength = answer.getInt(at);
                if (Integer.compareUnsigned(answer.getInt(at + 8) - firstSeq, asked) < 0) {
                    answered++;
                    int rc = messages.lookupAnswer(answer, at, count < capacity ? records : scratch,
                            count < capacity ? count * DiagRecord.SIZE : 0);
                    if (rc < 0) {
                        return rc;
                    }
                    if (rc > 0 && count < capacity) {
                        count++;
                    }
                }
                int step = NetlinkWriter.align(messageLength);
                at += step;
                remaining -= step;
            }
        }
        return count;
    }

    /**
     * After a failed batch: reads what is left, so that the kernel, which drops every answer to a
     * socket it found full until that socket's queue is empty again, answers the next batch.
     */
    private void drainAnswers() {
        int n;
        do {
            n = lookups.receive(answer, 0, answer.capacity());
        } while (n > 0 || n == JavaNetlinkSocket.SKIPPED || n == JavaNetlinkSocket.TRUNCATED);
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    @Override
    public void close() {
        lookups.close();
        dumps.close();
    }
}
