package org.mptcp4j.protocol;

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
 *
 * <p>{@code KernelFeatures.detectDialect} finds the one a namespace's kernel offers.
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
     * The generic-netlink family's name.
     *
     * @return the family's name
     */
    public String family() {
        return family;
    }

    /**
     * The multicast group its events come on.
     *
     * @return the event group's name
     */
    public String eventGroup() {
        return eventGroup;
    }

    /**
     * Whether event ports are in host byte order (v0.95 put {@code ntohs(port)} as a u16) rather than network order.
     *
     * @return whether event ports are in host order
     */
    public boolean hostOrderPorts() {
        return hostOrderPorts;
    }
}
