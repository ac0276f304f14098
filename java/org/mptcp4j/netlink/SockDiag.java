package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Dumps a namespace's MPTCP connections, listeners and subflows from sock_diag into diag
 * records: connections and listeners first, then subflows. The buffer grows when a dump
 * does not fit; it is reused otherwise.
 */
public final class SockDiag {
    private ByteBuffer records = ByteBuffer.allocateDirect(256 * DiagRecord.SIZE).order(ByteOrder.nativeOrder());
    private DiagRecord record = new DiagRecord(records);
    private int count;

    public SockDiag() {
        NativeLibrary.ensureLoaded();
    }

    /** Dumps the namespace open at {@code netnsFd} (-1: the caller's); returns the number of records. */
    public int dump(int netnsFd) {
        while (true) {
            int n = dump(netnsFd, records);
            if (n != -Errno.ENOSPC) {
                count = n;
                return n;
            }
            records = ByteBuffer.allocateDirect(records.capacity() * 2).order(ByteOrder.nativeOrder());
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

    private static native int dump(int netnsFd, ByteBuffer out);
}
