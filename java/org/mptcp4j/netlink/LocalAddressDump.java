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
     * Dumps every address of the namespace open at {@code netnsFd} (-1: the caller's), however
     * many, into a buffer positioned at 0 with its limit after the last record: 28 bytes an
     * address. Answers that are not an address the kernel could have sent (a prefix longer
     * than the address, an interface index that is not a positive int) are left out.
     */
    public static ByteBuffer dump(int netnsFd) {
        NativeLibrary.ensureLoaded();
        return ByteBuffer.wrap(dumpRecords(netnsFd)).order(ByteOrder.nativeOrder());
    }

    private static native byte[] dumpRecords(int netnsFd);
}
