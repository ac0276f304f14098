package org.mptcp4j.pm;

import java.util.EnumSet;
import java.util.Set;
import org.mptcp4j.netlink.Errno;
import org.mptcp4j.netlink.KernelFeatureProbe;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * What the running kernel's mptcp_pm family offers, read once from the family's operations and
 * policies. {@link #require} is a table lookup, cheap enough for every command.
 */
public final class KernelFeatures {
    private static final int GENL_ADMIN_PERM = 0x01;
    private static final int GENL_UNS_ADMIN_PERM = 0x10;

    private final int[] flags;
    private final int[] doAttributes;
    private final int[] dumpAttributes;
    private final boolean[] supported = new boolean[KernelFeature.values().length];

    KernelFeatures(int[] flags, int[] doAttributes, int[] dumpAttributes) {
        this.flags = flags.clone();
        this.doAttributes = doAttributes.clone();
        this.dumpAttributes = dumpAttributes.clone();
        for (KernelFeature feature : KernelFeature.values()) {
            supported[feature.ordinal()] = computeSupports(feature);
        }
    }

    /** Reads the features of the kernel as seen from {@code namespace}. */
    public static KernelFeatures probe(NetworkNamespace namespace) {
        int[][] table = KernelFeatureProbe.probe(namespace.fd());
        return new KernelFeatures(table[0], table[1], table[2]);
    }

    /** Whether the kernel has the command at all. */
    public boolean has(PmCommand command) {
        return (flags[command.id()] & KernelFeatureProbe.PRESENT) != 0;
    }

    /** Whether the command's policy lists MPTCP_PM_ATTR_{@code attribute} (unknown policies count as yes). */
    public boolean accepts(PmCommand command, int attribute, boolean dump) {
        int f = flags[command.id()];
        if ((f & KernelFeatureProbe.POLICY_KNOWN) == 0) {
            return (f & KernelFeatureProbe.PRESENT) != 0;
        }
        int mask = dump ? dumpAttributes[command.id()] : doAttributes[command.id()];
        return (mask & (1 << attribute)) != 0;
    }

    /** Whether the kernel asks for CAP_NET_ADMIN for the command. */
    public boolean needsNetAdmin(PmCommand command) {
        return (flags[command.id()] & (GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM)) != 0;
    }

    public boolean supports(KernelFeature feature) {
        return supported[feature.ordinal()];
    }

    private boolean computeSupports(KernelFeature feature) {
        return has(feature.command())
                && (feature.attribute() == 0 || accepts(feature.command(), feature.attribute(), feature.dump()));
    }

    /** Every supported feature. */
    public Set<KernelFeature> supported() {
        EnumSet<KernelFeature> set = EnumSet.noneOf(KernelFeature.class);
        for (KernelFeature feature : KernelFeature.values()) {
            if (supports(feature)) {
                set.add(feature);
            }
        }
        return set;
    }

    /**
     * Returns quietly when the kernel has {@code feature}; else throws an MptcpException
     * (EOPNOTSUPP) naming the release that brought it.
     */
    public void require(KernelFeature feature) {
        if (!supported[feature.ordinal()]) {
            throw new MptcpException(feature.command().name(), Errno.EOPNOTSUPP, "this kernel does not support "
                    + feature.description() + ": it came with Linux " + feature.since());
        }
    }
}
