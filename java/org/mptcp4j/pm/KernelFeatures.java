package org.mptcp4j.pm;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mptcp4j.netlink.KernelFeatureProbe;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.protocol.PmCommand;

/**
 * What the running kernel's path manager offers: for the upstream mptcp_pm family, read once
 * from the family's operations and policies; for the v0.95 mptcp family, its fixed command set.
 * {@link #require} is a table lookup, cheap enough for every command.
 */
public final class KernelFeatures {
    private static final int GENL_ADMIN_PERM = 0x01;
    private static final int GENL_UNS_ADMIN_PERM = 0x10;

    private final int[] flags;
    private final int[] doAttributes;
    private final int[] dumpAttributes;
    /** The running kernel's release, major and minor, as uname reports it. */
    private final int[] release;
    private final boolean[] supported = new boolean[KernelFeature.values().length];
    private final Dialect dialect;

    KernelFeatures(int[] flags, int[] doAttributes, int[] dumpAttributes, int[] release) {
        this(Dialect.UPSTREAM, flags, doAttributes, dumpAttributes, release);
    }

    private KernelFeatures(Dialect dialect, int[] flags, int[] doAttributes, int[] dumpAttributes, int[] release) {
        this.dialect = dialect;
        this.flags = flags.clone();
        this.doAttributes = doAttributes.clone();
        this.dumpAttributes = dumpAttributes.clone();
        this.release = release.clone();
        for (KernelFeature feature : KernelFeature.values()) {
            supported[feature.ordinal()] = computeSupports(feature);
        }
    }

    /**
     * The dialect the kernel of {@code namespace} offers, upstream's when it has both.
     *
     * @param namespace the network namespace
     * @return the dialect
     * @throws MptcpException (ENOENT) naming both families when it has neither
     */
    public static Dialect detectDialect(NetworkNamespace namespace) {
        for (Dialect d : Dialect.values()) {
            if (KernelFeatureProbe.familyId(namespace.fd(), d.family()) >= 0) {
                return d;
            }
        }
        throw new MptcpException("find the MPTCP path manager", Errno.ENOENT,
                "the kernel has neither the mptcp_pm family (Linux 5.19+) nor the multipath-tcp.org v0.95 mptcp family");
    }

    /**
     * As {@link #detectDialect}, waiting up to {@code timeout} for a family to appear: v0.95's comes with
     * its netlink path manager's module, which may load after a daemon starts at boot. Looks
     * again every 100 ms; generic netlink announces new families, but a missing one costs only a start-up delay.
     *
     * @param namespace the network namespace
     * @param timeout 0 (look once) to 1 day
     * @return the dialect
     * @throws MptcpException (ENOENT) naming both families and the time waited when neither came
     * @throws IllegalArgumentException when the timeout is out of that range
     */
    public static Dialect awaitDialect(NetworkNamespace namespace, Duration timeout) {
        return awaitDialect(() -> detectDialect(namespace), timeout);
    }

    /** The waiting of {@link #awaitDialect(NetworkNamespace, Duration)} around any way of looking. */
    static Dialect awaitDialect(Supplier<Dialect> look, Duration timeout) {
        long deadline = System.nanoTime() + WAIT.check("timeout", timeout).toNanos();
        while (true) {
            try {
                return look.get();
            } catch (MptcpException e) {
                if (e.errno() != Errno.ENOENT || timeout.isZero()) {
                    throw e;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new MptcpException("find the MPTCP path manager", Errno.ENOENT, e.detail()
                            + " (waited " + timeout.toMillis() + " ms)");
                }
            }
            try {
                Thread.sleep(LOOK_AGAIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MptcpException("find the MPTCP path manager", Errno.EINTR, "interrupted while waiting");
            }
        }
    }

    private static final long LOOK_AGAIN_MILLIS = 100;
    private static final ValueRange WAIT = ValueRange.duration(Duration.ZERO, Duration.ofDays(1));

    /**
     * Reads the features of the kernel's mptcp_pm family as seen from {@code namespace}.
     *
     * @param namespace the network namespace
     * @return the features
     */
    public static KernelFeatures probe(NetworkNamespace namespace) {
        int[][] table = KernelFeatureProbe.probe(namespace.fd());
        return new KernelFeatures(table[0], table[1], table[2], release(System.getProperty("os.version", "")));
    }

    /**
     * The features of {@code dialect} in the kernel of {@code namespace}: probed upstream, fixed on v0.95.
     *
     * @param namespace the network namespace
     * @param dialect the family to probe
     * @return the features
     */
    public static KernelFeatures probe(NetworkNamespace namespace, Dialect dialect) {
        return dialect == Dialect.UPSTREAM ? probe(namespace) : assumed(Dialect.V095);
    }

    /**
     * What a kernel of {@code dialect} offers without asking one: every command of v0.95, or of
     * the latest upstream release. For a path manager whose kernel is a stand-in replaying
     * recorded traffic ({@code org.mptcp4j.standin.KernelStandIn}).
     *
     * @param dialect the family
     * @return the features
     */
    public static KernelFeatures assumed(Dialect dialect) {
        int[] flags = new int[KernelFeatureProbe.OPS];
        int[] none = new int[KernelFeatureProbe.OPS];
        for (KernelFeature feature : KernelFeature.values()) {
            if (feature.in(dialect)) {
                // Every v0.95 command is GENL_ADMIN_PERM; upstream's permissions are only known by probing.
                flags[feature.command().id()] = KernelFeatureProbe.PRESENT | (dialect == Dialect.V095 ? GENL_ADMIN_PERM : 0);
            }
        }
        return new KernelFeatures(dialect, flags, none, none, new int[] {Integer.MAX_VALUE, 0});
    }

    /**
     * The family these features are of.
     *
     * @return the dialect
     */
    public Dialect dialect() {
        return dialect;
    }

    /** "6.18.44-fc" to {6, 18}; {0, 0} when unreadable. */
    static int[] release(String version) {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(version);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[] {0, 0};
    }

    /**
     * Whether the command policies say per command which attributes each takes. Before 5.10
     * there is no policy dump; from 5.19 to 6.6 the family had one policy for all its commands,
     * so every command seems to take every attribute (GET_ADDR listing the limits gives it away).
     */
    private boolean perCommandPolicies() {
        int getAddr = PmCommand.GET_ADDR.id();
        return (flags[getAddr] & KernelFeatureProbe.POLICY_KNOWN) != 0 && (doAttributes[getAddr] & 0b1100) == 0;
    }

    /**
     * Whether the kernel has the command at all.
     *
     * @param command the command
     * @return whether the kernel has it
     */
    public boolean has(PmCommand command) {
        return (flags[command.id()] & KernelFeatureProbe.PRESENT) != 0;
    }

    /**
     * Whether the command's policy lists MPTCP_PM_ATTR_{@code attribute}. Only meaningful with
     * per-command policies (Linux 6.7 and later); see {@link #supports} for the answer that
     * falls back to the release number.
     *
     * @param command the command
     * @param attribute the attribute's number, MPTCP_PM_ATTR_*
     * @param dump whether the policy of its dump (true) or of its do request (false)
     * @return whether the policy lists the attribute
     */
    public boolean accepts(PmCommand command, int attribute, boolean dump) {
        int mask = dump ? dumpAttributes[command.id()] : doAttributes[command.id()];
        return (mask & (1 << attribute)) != 0;
    }

    /**
     * Whether the kernel asks for CAP_NET_ADMIN for the command.
     *
     * @param command the command
     * @return whether it needs CAP_NET_ADMIN
     */
    public boolean needsNetAdmin(PmCommand command) {
        return (flags[command.id()] & (GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM)) != 0;
    }

    /**
     * Whether the kernel has {@code feature}: the command, and the attribute it needs.
     *
     * @param feature the feature
     * @return whether the kernel supports it
     */
    public boolean supports(KernelFeature feature) {
        return supported[feature.ordinal()];
    }

    private boolean computeSupports(KernelFeature feature) {
        if (!feature.in(dialect) || !has(feature.command())) {
            return false;
        }
        if (dialect == Dialect.V095) {
            return true;
        }
        if (feature.attribute() == 0) {
            return true;
        }
        if (perCommandPolicies()) {
            return accepts(feature.command(), feature.attribute(), feature.dump());
        }
        int[] since = release(feature.since());
        return release[0] > since[0] || (release[0] == since[0] && release[1] >= since[1]);
    }

    /**
     * Every supported feature.
     *
     * @return the supported features
     */
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
     * (EOPNOTSUPP) naming the release that brought it, or the family that lacks it.
     *
     * @param feature the feature
     */
    public void require(KernelFeature feature) {
        if (!supported[feature.ordinal()]) {
            throw new MptcpException(feature.command().name(), Errno.EOPNOTSUPP, unsupported(feature));
        }
    }

    private String unsupported(KernelFeature feature) {
        if (dialect == Dialect.V095) {
            return "the multipath-tcp.org v0.95 mptcp family has no command for " + feature.description()
                    + (feature.inUpstream() ? ": only upstream's mptcp_pm (Linux " + feature.since() + ") has" : "");
        }
        if (!feature.inUpstream()) {
            return "the upstream mptcp_pm family has no command for " + feature.description()
                    + ": only the multipath-tcp.org v0.95 mptcp family has";
        }
        return "this kernel does not support " + feature.description() + ": it came with Linux " + feature.since();
    }
}
