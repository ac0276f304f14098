package org.mptcp4j.pm;

import org.mptcp4j.netlink.Errno;
import org.mptcp4j.netlink.KernelFeatureProbe;
import org.mptcp4j.netlink.NativeLibrary;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * The two generic-netlink path-manager interfaces a Linux kernel may offer. The upstream
 * {@code mptcp_pm} family (5.19 and later) is the one mptcp4j drives; the out-of-tree
 * multipath-tcp.org kernel (v0.95 and its 4.x releases) offers {@code mptcp}, which the SMAPP
 * paper introduced and upstream's descends from.
 *
 * <p>Their events have the same types and attribute numbers (token, family, ids, addresses,
 * ports, backup, error, flags, timeout, if_idx); what differs in an event is the byte order of
 * the ports (network order upstream, host order in v0.95) and that v0.95 always sends backup and
 * if_idx. Their commands differ in ids and layout (v0.95: flat attributes in the events' space;
 * upstream: nested addresses in a space of their own), and each has operations the other lacks.
 */
public enum Dialect {
    /** The upstream {@code mptcp_pm} family, events in group {@code mptcp_pm_events}. */
    UPSTREAM("mptcp_pm", "mptcp_pm_events", false),
    /** The multipath-tcp.org v0.95 {@code mptcp} family, events in group {@code mptcp_events}. */
    V095("mptcp", "mptcp_events", true);

    private final String family;
    private final String eventGroup;
    private final boolean hostOrderPorts;

    Dialect(String family, String eventGroup, boolean hostOrderPorts) {
        this.family = family;
        this.eventGroup = eventGroup;
        this.hostOrderPorts = hostOrderPorts;
    }

    /**
     * The dialect the kernel of {@code namespace} offers, upstream's when it has both.
     *
     * @throws MptcpException (ENOENT) naming both families when it has neither
     */
    public static Dialect detect(NetworkNamespace namespace) {
        NativeLibrary.ensureLoaded();
        for (Dialect d : values()) {
            if (KernelFeatureProbe.familyId(namespace.fd(), d.family) >= 0) {
                return d;
            }
        }
        throw new MptcpException("find the MPTCP path manager", Errno.ENOENT,
                "the kernel has neither the mptcp_pm family (Linux 5.19+) nor the multipath-tcp.org v0.95 mptcp family");
    }

    /**
     * As {@link #detect}, waiting up to {@code timeout} for a family to appear: v0.95's comes with
     * its netlink path manager's module, which may load after a daemon starts at boot. Looks
     * again every 100 ms; generic netlink announces new families, but a missing one costs only a start-up delay.
     *
     * @param timeout 0 (look once) to 1 day
     * @throws MptcpException (ENOENT) naming both families and the time waited when neither came
     * @throws IllegalArgumentException when the timeout is out of that range
     */
    public static Dialect await(NetworkNamespace namespace, java.time.Duration timeout) {
        return await(() -> detect(namespace), timeout);
    }

    /** The waiting of {@link #await(NetworkNamespace, java.time.Duration)} around any way of looking. */
    static Dialect await(java.util.function.Supplier<Dialect> look, java.time.Duration timeout) {
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
    private static final ValueRange WAIT = ValueRange.duration(java.time.Duration.ZERO, java.time.Duration.ofDays(1));

    /** The generic-netlink family's name. */
    public String family() {
        return family;
    }

    /** The multicast group its events come on. */
    public String eventGroup() {
        return eventGroup;
    }

    /** Whether event ports are in host byte order (v0.95 put {@code ntohs(port)} as a u16) rather than network order. */
    public boolean hostOrderPorts() {
        return hostOrderPorts;
    }
}
