package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.protocol.MptcpException;

/**
 * {@link RtnlMonitor}'s socket steps, over the transport's LinuxCalls: the records and the
 * untracked-links counter, decoded by {@link RtnlDecoder}.
 */
final class JavaRtnlMonitor implements AutoCloseable {
    /** Datagrams read in one {@link #poll} at most; the rest wait for the next. */
    static final int MAX_DATAGRAMS_PER_POLL = 256;

    /** RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR. */
    private static final int[] GROUPS = {1, 5, 9};
    /** struct rtgenmsg: the family alone (AF_UNSPEC). */
    private static final int RTGENMSG_SIZE = 1;

    private final JavaRtnlSocket socket;
    private final RtnlDecoder decoder;
    private final int capacity;
    /** Java's copy of the decoder's untracked count, brought up to date when open and poll return. */
    private final ByteBuffer untracked;
    private final JavaRtnlSocket.Handler onMessage = this::onMessage;
    /** Records written while the monitor opened, handed out by the first poll. */
    private int undelivered;

    private JavaRtnlMonitor(JavaRtnlSocket socket, ByteBuffer records, ByteBuffer untracked) {
        this.socket = socket;
        this.decoder = new RtnlDecoder(records);
        this.capacity = records.capacity() / EventRecord.SIZE;
        this.untracked = untracked.duplicate().order(ByteOrder.nativeOrder());
    }

    /**
     * Joins the groups first, then seeds what each link is now from a dump: a change during
     * the dump is reported rather than lost.
     */
    static JavaRtnlMonitor open(int netnsFd, ByteBuffer records, ByteBuffer untracked) {
        JavaRtnlSocket socket = JavaRtnlSocket.open(netnsFd, false);
        JavaRtnlMonitor m = new JavaRtnlMonitor(socket, records, untracked);
        socket.captureErrors();
        int rc = 0;
        for (int i = 0; i < GROUPS.length && rc >= 0; i++) {
            rc = socket.join(GROUPS[i]);
        }
        if (rc >= 0) {
            rc = socket.sendDump(RtnlDecoder.RTM_GETLINK, RTGENMSG_SIZE);
        }
        if (rc >= 0) {
            rc = socket.receive(m.onMessage, true);
        }
        if (rc < 0 || socket.error() != 0) {
            socket.close();
            String operation = "listen to rtnetlink address and link changes";
            if (socket.error() != 0) {
                throw new MptcpException(operation, socket.error(),
                        socket.errorText().isEmpty() ? null : socket.errorText());
            }
            throw new MptcpException(operation, 0, JavaRtnlSocket.text(rc));
        }
        m.undelivered = m.decoder.recordCount();
        m.untracked.putLong(0, m.decoder.untracked());
        return m;
    }

    /** The seed dump's answers carry its sequence number; changes multicast meanwhile carry 0. */
    private boolean onMessage(ByteBuffer buffer, int at) {
        decoder.read(buffer, at, buffer.getInt(at + 8) != 0, System.nanoTime());
        return true;
    }

    /** Reads every pending change into the records; how many, or a negative errno. */
    int poll() {
        decoder.recordCount(undelivered);
        undelivered = 0;
        socket.clearError();
        int failed = 0;
        // Datagrams that give no record (another sender's, or changes nobody asks for) are
        // bounded too: a namespace's root flooding the socket cannot keep the loop here.
        for (int datagrams = 0; decoder.recordCount() < capacity && datagrams < MAX_DATAGRAMS_PER_POLL; datagrams++) {
            int rc = socket.receive(onMessage, false);
            if (rc == -JavaRtnlSocket.NLE_AGAIN) {
                break;
            }
            if (rc == -JavaRtnlSocket.NLE_NOMEM) {
                decoder.lost(System.nanoTime());
            } else if (rc < 0) {
                // The records read before go out first; the error when none were.
                if (decoder.recordCount() == 0) {
                    failed = socket.error() != 0 ? socket.error() : JavaRtnlSocket.EPROTO;
                }
                break;
            }
        }
        untracked.putLong(0, decoder.untracked());
        return failed != 0 ? -failed : decoder.recordCount();
    }

    int fd() {
        return socket.fd();
    }

    @Override
    public void close() {
        socket.close();
    }
}
