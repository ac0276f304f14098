package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * A sock_diag socket in one network namespace, dumping its MPTCP connections, listeners and
 * subflows into diag records: connections and listeners first, then subflows. The socket and
 * the buffer are kept from one dump to the next (the buffer grows when a dump does not fit),
 * so a periodic dump allocates nothing. One thread uses it; close it after.
 */
public final class SockDiag implements AutoCloseable {
    private ByteBuffer records = ByteBuffer.allocateDirect(256 * DiagRecord.SIZE).order(ByteOrder.nativeOrder());
    private DiagRecord record = new DiagRecord(records);
    private int count;
    private long handle;

    private SockDiag(NetworkNamespace namespace) {
        NativeLibrary.ensureLoaded();
        this.handle = open(namespace.fd());
    }

    /** Opens the socket in {@code namespace}. */
    public static SockDiag open(NetworkNamespace namespace) {
        return new SockDiag(namespace);
    }

    /**
     * Dumps every MPTCP socket and subflow of the namespace now; returns the number of records.
     *
     * @throws org.mptcp4j.pm.MptcpException with the kernel's errno and text when the dump fails
     */
    public int dump() {
        if (handle == 0) {
            throw new IllegalStateException("sock_diag socket is closed");
        }
        while (true) {
            int n = dump(handle, records);
            if (n >= 0) {
                count = n;
                return n;
            }
            // -n records were there: room for them and some more, then again.
            int needed = -n + (-n >> 1) + 16;
            records = ByteBuffer.allocateDirect(needed * DiagRecord.SIZE).order(ByteOrder.nativeOrder());
            record = new DiagRecord(records);
        }
    }

    public int count() {
        return count;
    }

    /** The flyweight pointed at record {@code index} of the last dump. */
    public DiagRecord record(int index) {
        return record.wrap(index);
    }

    @Override
    public void close() {
        if (handle != 0) {
            long h = handle;
            handle = 0;
            close(h);
        }
    }

    private static native long open(int netnsFd);

    private static native int dump(long handle, ByteBuffer out);

    private static native void close(long handle);
}
