package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.mptcp4j.protocol.MptcpException;

/**
 * The addresses of a network namespace from one rtnetlink RTM_GETADDR dump, decoded by
 * {@link RtnlDecoder}, into records laid out as this class's constants say.
 *
 * <pre>0 family u8 | 1 prefix_len u8 | 2 scope u8 | 4 flags u32 | 8 if_index u32 | 12 addr[16] | 28</pre>
 */
public final class LocalAddressDump {
    public static final int SIZE = 28;
    public static final int FAMILY = 0;
    public static final int PREFIX_LEN = 1;
    public static final int SCOPE = 2;
    public static final int FLAGS = 4;
    public static final int IF_INDEX = 8;
    public static final int ADDR = 12;

    /** A Java array holds at most Integer.MAX_VALUE bytes. */
    private static final int MAX_LIMIT = Integer.MAX_VALUE / SIZE - 1;
    /** A dump the namespace's changes interrupted is made again, this many times at most. */
    private static final int DUMP_ATTEMPTS = 3;
    private static final int IFADDRMSG_SIZE = 8;
    private static final int ENOMEM = 12;

    private LocalAddressDump() {}

    /**
     * Dumps the addresses of the namespace open at {@code netnsFd} (-1: the caller's) into a
     * buffer positioned at 0 with its limit after the last record, 28 bytes an address: at
     * most {@code max + 1} of them, in the kernel's order. One more than {@code max} says the
     * namespace has more; the dump stops there, unread, so that time and memory follow
     * {@code max}, not what the namespace's root configured. Answers that are not an address
     * the kernel could have sent (a prefix longer than the address, an interface index that is
     * not a positive int) are left out.
     *
     * @throws IllegalArgumentException when {@code max} is not positive or a Java array could
     *     not hold {@code max + 1} records
     */
    public static ByteBuffer dump(int netnsFd, int max) {
        return ByteBuffer.wrap(new Dump(max).run(netnsFd)).order(ByteOrder.nativeOrder());
    }

    /**
     * The addresses, up to one past the limit the caller set, in an array that doubles as they
     * come, so that memory follows the addresses read, never what a namespace's root configured.
     */
    private static final class Dump {
        private final int limit;
        private byte[] out = new byte[0];
        private ByteBuffer view = ByteBuffer.wrap(out);
        private final RtnlDecoder decoder = new RtnlDecoder();
        private int count;
        /** ENOMEM: the dump stopped there. */
        private int error;

        Dump(int max) {
            if (max < 1 || max > MAX_LIMIT) {
                throw new IllegalArgumentException("address limit out of range");
            }
            this.limit = max + 1;
        }

        byte[] run(int netnsFd) {
            int rc;
            try (JavaRtnlSocket socket = JavaRtnlSocket.open(netnsFd, true)) {
                rc = dumpInto(socket);
            }
            if (error != 0) {
                throw new MptcpException("dump local addresses (RTM_GETADDR)", error, null);
            }
            if (rc < 0) {
                throw new MptcpException("dump local addresses (RTM_GETADDR)", 0, JavaRtnlSocket.text(rc));
            }
            return Arrays.copyOf(out, count * SIZE);
        }

        /** The dump: 0 or a negative libnl code. */
        private int dumpInto(JavaRtnlSocket socket) {
            int rc = 0;
            for (int attempt = 0; rc >= 0 && attempt < DUMP_ATTEMPTS; attempt++) {
                count = 0;
                rc = socket.sendDump(RtnlDecoder.RTM_GETADDR, IFADDRMSG_SIZE);
                if (rc >= 0) {
                    rc = socket.receive(this::onAddress, true);
                }
                // An interrupted dump was read to its end, which leaves the socket ready for
                // another; one stopped at the limit was not read to its end, and is not made again.
                if (rc != -JavaRtnlSocket.NLE_DUMP_INTR || count == limit) {
                    break;
                }
            }
            return count == limit ? 0 : rc;
        }

        /** Only the kernel's answers come this far; false stops the dump, its rest left unread. */
        private boolean onAddress(ByteBuffer buffer, int at) {
            if ((buffer.getShort(at + 4) & 0xffff) != RtnlDecoder.RTM_NEWADDR) {
                return true;
            }
            if (!makeRoom()) {
                return false;
            }
            if (decoder.decodeAddress(buffer, at, view, count * SIZE)) {
                count++;
            }
            return count < limit;
        }

        private boolean makeRoom() {
            if (count < out.length / SIZE) {
                return true;
            }
            int capacity = out.length == 0 ? 64 : out.length / SIZE * 2;
            capacity = Math.min(capacity, limit);
            try {
                out = Arrays.copyOf(out, capacity * SIZE);
            } catch (OutOfMemoryError e) {
                error = ENOMEM;
                return false;
            }
            view = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
            return true;
        }
    }
}
