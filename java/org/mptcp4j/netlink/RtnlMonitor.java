package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * A namespace's local address and link changes from rtnetlink, decoded natively into event
 * records read with the same flyweight as the MPTCP events. Its socket is waited on in the
 * event socket's poll (see {@link EventSocket#attach}); {@link #poll()} never blocks. One
 * thread polls; close after it stopped. Links are known by name up to 4,096 of them, whatever
 * their indices: the address events of links beyond carry no name. Only the kernel's messages
 * are read: the namespace's other processes can send to the socket too.
 */
public final class RtnlMonitor implements AutoCloseable {
    private final ByteBuffer records;
    private final EventRecord record;
    private long handle;

    private RtnlMonitor(NetworkNamespace namespace, int capacity) {
        NativeLibrary.ensureLoaded();
        this.records = ByteBuffer.allocateDirect(capacity * EventRecord.SIZE).order(ByteOrder.nativeOrder());
        this.record = new EventRecord(records);
        this.handle = open(namespace.fd(), records);
    }

    public static RtnlMonitor open(NetworkNamespace namespace, int capacity) {
        return new RtnlMonitor(namespace, capacity);
    }

    /** Reads what changed since the last poll; the number of records. */
    public int poll() {
        int n = poll(handle());
        if (n < 0) {
            throw new org.mptcp4j.pm.MptcpException("receive rtnetlink changes", -n, null);
        }
        return n;
    }

    public EventRecord record(int index) {
        return record.wrap(index);
    }

    /** The socket's descriptor, for the event socket's poll. */
    public int fd() {
        return fd(handle());
    }

    private long handle() {
        if (handle == 0) {
            throw new IllegalStateException("rtnetlink monitor is closed");
        }
        return handle;
    }

    @Override
    public void close() {
        if (handle != 0) {
            long h = handle;
            handle = 0;
            close(h);
        }
    }

    private static native long open(int netnsFd, ByteBuffer records);

    private static native int poll(long handle);

    private static native int fd(long handle);

    private static native void close(long handle);
}
