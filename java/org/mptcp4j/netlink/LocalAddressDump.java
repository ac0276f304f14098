package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The addresses of a network namespace from one rtnetlink RTM_GETADDR dump; the record layout
 * is include/mptcp4j/local_address.h, checked at load.
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
    static final int[] LAYOUT = {SIZE, FAMILY, PREFIX_LEN, SCOPE, FLAGS, IF_INDEX, ADDR};

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
        RecordLayouts.ensureChecked();
        return ByteBuffer.wrap(dumpRecords(netnsFd, max)).order(ByteOrder.nativeOrder());
    }

    private static native byte[] dumpRecords(int netnsFd, int max);
}
