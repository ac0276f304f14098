package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.MptcpEvent;

/**
 * A sock_diag socket in one network namespace, dumping its MPTCP connections, listeners and
 * subflows into diag records: connections and listeners first, then subflows. Or, for chosen
 * subflows, looking up each by its addresses and ports ({@link #ask}, {@link #lookUp}): the
 * kernel then finds each in its hash table, at a cost that does not grow with the other
 * sockets of the host, where a dump walks them all. The socket and the buffers are kept from
 * one look to the next (they grow when a look does not fit), so a periodic look allocates
 * nothing. One thread uses it; close it after.
 */
public final class SockDiag implements AutoCloseable {
    /** What a subflow record holds for its cookie when it is not known: INET_DIAG_NOCOOKIE, any socket. */
    private static final long NO_COOKIE = -1;

    private ByteBuffer records = ByteBuffer.allocateDirect(256 * DiagRecord.SIZE).order(ByteOrder.nativeOrder());
    private DiagRecord record = new DiagRecord(records);
    private int count;
    /** The subflows the next lookUp asks for, as records. */
    private ByteBuffer asks = ByteBuffer.allocateDirect(64 * DiagRecord.SIZE).order(ByteOrder.nativeOrder());
    private int asked;
    private final byte[] address = new byte[16];
    private final JavaSockDiag sockets;
    private boolean closed;

    private SockDiag(NetworkNamespace namespace) {
        this.sockets = JavaSockDiag.open(namespace.fd());
    }

    /** Opens the socket in {@code namespace}. */
    public static SockDiag open(NetworkNamespace namespace) {
        return new SockDiag(namespace);
    }

    /**
     * Dumps every MPTCP socket and subflow of the namespace now; returns the number of records.
     *
     * @throws org.mptcp4j.protocol.MptcpException with the kernel's errno and text when the dump fails
     */
    public int dump() {
        ensureOpen();
        while (true) {
            int n = sockets.dump(records);
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

    /**
     * Asks, at the next {@link #lookUp}, for the subflow that record {@code index} of the last
     * dump or lookup describes: the socket with the same addresses, ports, interface and cookie.
     */
    public void ask(int index) {
        int at = askRoom();
        asks.put(at, records, index * DiagRecord.SIZE, DiagRecord.SIZE);
    }

    /**
     * Asks, at the next {@link #lookUp}, for the subflow a subflow event (ESTABLISHED for the
     * initial one, SUB_ESTABLISHED) names: whichever socket has its addresses and ports.
     */
    public void ask(MptcpEvent subflow) {
        int at = askRoom();
        for (int i = 0; i < DiagRecord.SIZE; i += Long.BYTES) {
            asks.putLong(at + i, 0);
        }
        asks.put(at, (byte) DiagRecord.SUBFLOW);
        asks.putShort(at + 2, (short) subflow.family());
        asks.putShort(at + 4, (short) subflow.localPort());
        asks.putShort(at + 6, (short) subflow.remotePort());
        asks.putInt(at + 8, subflow.token());
        asks.putInt(at + 56, subflow.ifIndex());
        asks.putLong(at + 104, NO_COOKIE);
        int length = subflow.isIpv6() ? 16 : 4;
        subflow.copyLocalAddress(address, 0);
        asks.put(at + 112, address, 0, length);
        subflow.copyRemoteAddress(address, 0);
        asks.put(at + 128, address, 0, length);
    }

    /** Forgets the subflows asked for. */
    public void clearAsked() {
        asked = 0;
    }

    /**
     * Looks up every subflow asked for since the last call, then forgets them; returns the
     * number of records: one for each still open (those gone are left out), in no set order.
     *
     * @throws org.mptcp4j.protocol.MptcpException with the kernel's errno when a lookup fails
     */
    public int lookUp() {
        ensureOpen();
        if (records.capacity() < asked * DiagRecord.SIZE) {
            records = ByteBuffer.allocateDirect(asked * 2 * DiagRecord.SIZE).order(ByteOrder.nativeOrder());
            record = new DiagRecord(records);
        }
        int n = asked;
        asked = 0;
        count = sockets.lookUp(asks, n, records);
        return count;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("sock_diag socket is closed");
        }
    }

    /** Where the next asked record goes, the buffer grown when full. */
    private int askRoom() {
        if ((asked + 1) * DiagRecord.SIZE > asks.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(asks.capacity() * 2).order(ByteOrder.nativeOrder());
            bigger.put(0, asks, 0, asked * DiagRecord.SIZE);
            asks = bigger;
        }
        return asked++ * DiagRecord.SIZE;
    }

    /** The flyweight pointed at record {@code index} of the last dump. */
    public DiagRecord record(int index) {
        return record.wrap(index);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sockets.close();
        }
    }
}
