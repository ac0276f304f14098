package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.MptcpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A namespace's local address and link changes from rtnetlink, decoded ({@link RtnlDecoder})
 * into event records read with the same flyweight as the MPTCP events.
 * Its socket is waited on in the event socket's poll (see {@link EventSocket#attach});
 * {@link #poll()} never blocks. One thread polls; close after it stopped. Links are known by
 * name up to 4,096 of them, whatever their indices: the address events of links beyond carry
 * no name, which is logged once per monitor and counted ({@link #untrackedLinkMessages()}).
 * Only the kernel's messages are read: the namespace's other processes can send to the
 * socket too.
 */
public final class RtnlMonitor implements AutoCloseable {
    /** Links tracked with their names at most: RtnlDecoder's bound. */
    static final int LINKS_MAX = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(RtnlMonitor.class);

    private final ByteBuffer records;
    private final EventRecord record;
    /** One counter the monitor keeps up to date: link messages about untracked links. */
    private final ByteBuffer untracked;
    private final String namespace;
    private boolean untrackedLogged;
    /** The socket and its decoder, null once closed. */
    private JavaRtnlMonitor javaMonitor;

    private RtnlMonitor(NetworkNamespace namespace, int capacity) {
        this.records = ByteBuffer.allocateDirect(capacity * EventRecord.SIZE).order(ByteOrder.nativeOrder());
        this.record = new EventRecord(records);
        this.untracked = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder());
        this.namespace = namespace.name();
        this.javaMonitor = JavaRtnlMonitor.open(namespace.fd(), records, untracked);
    }

    public static RtnlMonitor open(NetworkNamespace namespace, int capacity) {
        return new RtnlMonitor(namespace, capacity);
    }

    /** Reads what changed since the last poll; the number of records. */
    public int poll() {
        ensureOpen();
        int n = javaMonitor.poll();
        if (!untrackedLogged && untrackedLinkMessages() > 0) {
            untrackedLogged = true;
            LOG.warn("namespace " + namespace + " has more than " + LINKS_MAX + " links: those beyond are not "
                    + "tracked, and their address events carry no interface name");
        }
        if (n < 0) {
            throw new MptcpException("receive rtnetlink changes", -n, null);
        }
        return n;
    }

    /**
     * Link messages about links that found no room among the 4,096 tracked, since the monitor
     * opened (its first dump of the links included).
     */
    public long untrackedLinkMessages() {
        return untracked.getLong(0);
    }

    public EventRecord record(int index) {
        return record.wrap(index);
    }

    /** The socket's descriptor, for the event socket's poll. */
    public int fd() {
        ensureOpen();
        return javaMonitor.fd();
    }

    private void ensureOpen() {
        if (javaMonitor == null) {
            throw new IllegalStateException("rtnetlink monitor is closed");
        }
    }

    @Override
    public void close() {
        if (javaMonitor != null) {
            JavaRtnlMonitor m = javaMonitor;
            javaMonitor = null;
            m.close();
        }
    }
}
