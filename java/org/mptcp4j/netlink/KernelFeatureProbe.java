package org.mptcp4j.netlink;

/**
 * Reads which operations of mptcp_pm the running kernel has and which attributes each accepts
 * (CTRL_CMD_GETFAMILY, CTRL_CMD_GETPOLICY).
 *
 * <pre>per operation 0..31: 0 flags u32 | 4 do_attrs u32 | 8 dump_attrs u32 | 12</pre>
 */
public final class KernelFeatureProbe {
    public static final int OPS = 32;
    /** Set in flags when the kernel has the operation. */
    public static final int PRESENT = 1 << 31;
    /** Set in flags when the attribute masks are known (Linux 5.10 and later). */
    public static final int POLICY_KNOWN = 1 << 30;
    static final int SIZE = 12;
    static final int FLAGS = 0;
    static final int DO_ATTRS = 4;
    static final int DUMP_ATTRS = 8;

    private KernelFeatureProbe() {}

    /** Probes the namespace open at {@code netnsFd}: {@code int[3][OPS]} of flags, do-attributes, dump-attributes. */
    public static int[][] probe(int netnsFd) {
        return JavaFeatureProbe.probe(netnsFd);
    }

    /**
     * The id of generic-netlink family {@code name} in the namespace, or a negative number when
     * the kernel has no such family.
     */
    public static int familyId(int netnsFd, String name) {
        return JavaFeatureProbe.familyId(netnsFd, name);
    }
}
