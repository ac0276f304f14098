package org.mptcp4j.protocol;

import java.net.InetAddress;

/**
 * One MPTCP event as the kernel reported it, read in place from the event loop's buffer.
 *
 * <p>An event is a view, valid only during the callback that receives it: the next poll
 * overwrites it. Copy what must outlive the callback ({@link #copyLocal}, {@link #token}...).
 * Every accessor but {@link #localAddress()} and {@link #remoteAddress()} is allocation-free.
 *
 * <p>"Local" and "remote" are from this host's side: the kernel's saddr / sport are the local
 * address and port, daddr / dport the remote ones. For {@link MptcpEventType#ANNOUNCED} the
 * remote address is the one the peer announced; for listener events only the local side is set.
 * Local address and link events (from rtnetlink) carry the address as the local one, its
 * prefix length, the interface's index and name, and IFA_F_* or IFF_* flags.
 * Fields whose attribute was absent read as 0; {@link #has} tells absent from zero.
 */
public interface MptcpEvent {
    /**
     * The event type; never null for records the loop delivers.
     *
     * @return the event type
     */
    MptcpEventType type();

    /**
     * The raw MPTCP_EVENT_* id.
     *
     * @return the event type's id
     */
    int typeId();

    /**
     * Bit {@code 1 << MPTCP_ATTR_n} set for each attribute the kernel sent.
     *
     * @return the attributes' bits
     */
    int attributes();

    /**
     * Whether the kernel sent this attribute.
     *
     * @param attribute the attribute
     * @return whether it was sent
     */
    default boolean has(MptcpAttribute attribute) {
        return (attributes() & attribute.bit()) != 0;
    }

    /**
     * The connection's local token (what {@code ss -M} shows in hex), as an unsigned 32-bit value.
     *
     * @return the connection's token
     */
    int token();

    /**
     * AF_INET (2) or AF_INET6 (10); derived from the addresses when the kernel sent no family.
     *
     * @return the address family
     */
    int family();

    /**
     * Whether {@link #family()} is AF_INET6.
     *
     * @return whether the addresses are IPv6
     */
    default boolean isIpv6() {
        return family() == MptcpAddress.AF_INET6;
    }

    /**
     * The local address id (loc_id).
     *
     * @return the local address id, 0..255
     */
    int localId();

    /**
     * The remote address id (rem_id).
     *
     * @return the remote address id, 0..255
     */
    int remoteId();

    /**
     * The local port (sport), host order.
     *
     * @return the local port, 0..65535
     */
    int localPort();

    /**
     * The remote port (dport), host order.
     *
     * @return the remote port, 0..65535
     */
    int remotePort();

    /**
     * The local IPv4 address as a big-endian int (10.0.1.1 is 0x0a000101); 0 for IPv6.
     *
     * @return the local IPv4 address, or 0
     */
    int localAddressIpv4();

    /**
     * The remote IPv4 address as a big-endian int; 0 for IPv6.
     *
     * @return the remote IPv4 address, or 0
     */
    int remoteAddressIpv4();

    /**
     * Copies the local address (4 or 16 bytes by family) into {@code dst} at {@code offset}.
     *
     * @param dst where to copy the address to
     * @param offset where in {@code dst} it starts
     */
    void copyLocalAddress(byte[] dst, int offset);

    /**
     * Copies the remote address (4 or 16 bytes by family) into {@code dst} at {@code offset}.
     *
     * @param dst where to copy the address to
     * @param offset where in {@code dst} it starts
     */
    void copyRemoteAddress(byte[] dst, int offset);

    /**
     * Sets {@code dst} to the local address and port; its id, flags and ifindex are left as they are.
     *
     * @param dst the address to set
     */
    void copyLocal(MptcpAddress dst);

    /**
     * Sets {@code dst} to the remote address and port; its id, flags and ifindex are left as they are.
     *
     * @param dst the address to set
     */
    void copyRemote(MptcpAddress dst);

    /**
     * The local address as an InetAddress (allocates), or null when absent.
     *
     * @return the local address, or null
     */
    InetAddress localAddress();

    /**
     * The remote address as an InetAddress (allocates), or null when absent.
     *
     * @return the remote address, or null
     */
    InetAddress remoteAddress();

    /**
     * MPTCP_ATTR_BACKUP as the kernel sends it: whether the <em>peer</em> marked the subflow as
     * backup (in its MP_JOIN or MP_PRIO). The backup bit this host requested is not reported:
     * a subflow created here with {@code FLAG_BACKUP} shows backup=0 in this host's events and
     * backup=1 in the peer's (observed on Linux 6.18).
     *
     * @return whether the peer marked the subflow as backup
     */
    boolean backup();

    /**
     * The subflow's sk_err copy (SUB_CLOSED), 0 when none.
     *
     * @return the subflow's error, an errno value, or 0
     */
    int error();

    /**
     * MPTCP_ATTR_FLAGS: bit 0 deny-join-id0 (6.17), bit 1 server side (6.18).
     *
     * @return the flags
     */
    int flags();

    /**
     * Whether this host is the server side of the connection (either way the kernel says it).
     *
     * @return whether this host is the server side
     */
    boolean serverSide();

    /**
     * The peer refuses joins to its initial address and port (MP_CAPABLE C flag).
     *
     * @return whether the peer refuses joins to its initial address
     */
    boolean denyJoinId0();

    /**
     * The interface the subflow is bound to, 0 when none.
     *
     * @return the interface index, or 0
     */
    int ifIndex();

    /**
     * MPTCP_ATTR_TIMEOUT (unsigned).
     *
     * @return the timeout; for SUBFLOW_TIMEOUT the RTO, in microseconds
     */
    long timeout();

    /**
     * The MP_TCPRST reason code received (unsigned).
     *
     * @return the reset reason
     */
    long resetReason();

    /**
     * The MP_TCPRST flags received.
     *
     * @return the reset flags
     */
    int resetFlags();

    /**
     * Local address events: the address's prefix length, at most 32 for IPv4 and 128 for IPv6.
     *
     * @return the prefix length, 0..128
     */
    int prefixLength();

    /**
     * Local address and link events: the interface's name (allocates), its bytes read as UTF-8;
     * empty when the link is not known by name (an address event of a link beyond the 4,096 an
     * event loop tracks in its namespace).
     *
     * @return the interface's name, or empty
     */
    String interfaceName();

    /**
     * CLOCK_MONOTONIC nanoseconds when the event's datagram was received (or the loop made it).
     *
     * @return the receive time, in nanoseconds
     */
    long receivedNanos();
}
