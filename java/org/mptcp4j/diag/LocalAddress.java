package org.mptcp4j.diag;

import java.net.InetAddress;

/**
 * An address configured on an interface of a network namespace, as {@code ip addr} shows it.
 *
 * @param address the IP address
 * @param prefixLength the prefix length
 * @param ifIndex the interface index
 * @param scope the rtnetlink scope: 0 global, 253 link, 254 host
 * @param flags the IFA_F_* flags (tentative, deprecated, ...)
 */
public record LocalAddress(InetAddress address, int prefixLength, int ifIndex, int scope, int flags) {
    /** RT_SCOPE_UNIVERSE: a global address. */
    public static final int SCOPE_GLOBAL = 0;
    /** RT_SCOPE_LINK: valid on its link only. */
    public static final int SCOPE_LINK = 253;
    /** RT_SCOPE_HOST: valid on this host only. */
    public static final int SCOPE_HOST = 254;
    static final int IFA_F_DADFAILED = 0x08;
    static final int IFA_F_DEPRECATED = 0x20;
    static final int IFA_F_TENTATIVE = 0x40;

    /**
     * Global scope and ready for new connections: not loopback, link-local, tentative or deprecated.
     *
     * @return whether new subflows can start from it
     */
    public boolean usableForSubflows() {
        return scope == SCOPE_GLOBAL && !address.isLoopbackAddress() && !address.isLinkLocalAddress()
                && (flags & (IFA_F_DADFAILED | IFA_F_DEPRECATED | IFA_F_TENTATIVE)) == 0;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength + " dev " + ifIndex;
    }
}
