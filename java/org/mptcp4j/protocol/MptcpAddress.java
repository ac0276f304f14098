package org.mptcp4j.protocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.mptcp4j.text.AddressText;

/**
 * An MPTCP address as the path manager speaks of it: IP address and port, and optionally the
 * address id, the endpoint flags and the interface index. Mutable, so controllers can keep one
 * per use and fill it from events without allocating.
 *
 * <p>Unset parts are not sent to the kernel: an id below 0, a port of 0, flags of 0 and an
 * ifindex of 0 mean "not given".
 */
public final class MptcpAddress {
    /** The IPv4 address family, as the kernel's FAMILY attributes carry it. */
    public static final int AF_INET = 2;
    /** The IPv6 address family. */
    public static final int AF_INET6 = 10;

    /** Announce this address to the peer (ADD_ADDR). */
    public static final int FLAG_SIGNAL = 0x1;
    /** Create subflows from this address (in-kernel PM endpoints). */
    public static final int FLAG_SUBFLOW = 0x2;
    /** Subflows on this address are backup (MP_JOIN / MP_PRIO backup bit). */
    public static final int FLAG_BACKUP = 0x4;
    /** In-kernel PM: a subflow to every announced address (Linux 5.15). */
    public static final int FLAG_FULLMESH = 0x8;
    /** Endpoint created by the kernel itself (Linux 5.18). */
    public static final int FLAG_IMPLICIT = 0x10;
    /** In-kernel PM: laminar endpoint (Linux 6.18). */
    public static final int FLAG_LAMINAR = 0x20;

    private int family;
    private final byte[] address = new byte[16];
    private int port;
    private int id = -1;
    private int flags;
    private int ifIndex;

    /** An empty address; set it before use. */
    public MptcpAddress() {}

    /**
     * The address and port given.
     *
     * @param address the IP address
     * @param port the port, 0..65535 (0: none)
     * @return a new address, with no id
     */
    public static MptcpAddress of(InetAddress address, int port) {
        return new MptcpAddress().set(address, port);
    }

    /**
     * Parses "10.0.1.1" or "fd00::1" (no name lookup) with a port.
     *
     * @param literal an IPv4 or IPv6 literal
     * @param port the port, 0..65535 (0: none)
     * @return a new address, with no id
     */
    public static MptcpAddress parse(String literal, int port) {
        return of(literal(literal), port);
    }

    /**
     * An IP literal as an InetAddress, refusing host names (no DNS on a control path). A
     * v4-mapped literal ("::ffff:10.0.0.1") stays an IPv6 address, unlike the JDK's parsing.
     *
     * @param text an IPv4 or IPv6 literal
     * @return the address
     */
    public static InetAddress literal(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean ipv6 = t.indexOf(':') >= 0;
        boolean looksIp = !t.isEmpty() && (ipv6 || t.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
        if (!looksIp) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        try {
            InetAddress parsed = InetAddress.getByName(t);
            return ipv6 && parsed instanceof Inet4Address ? v4Mapped(parsed.getAddress()) : parsed;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'", e);
        }
    }

    private static Inet6Address v4Mapped(byte[] ipv4) throws UnknownHostException {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(ipv4, 0, mapped, 12, 4);
        return Inet6Address.getByAddress(null, mapped, -1);
    }

    /**
     * Sets the IP address and port; keeps id, flags and ifindex.
     *
     * @param inet the IP address
     * @param port the port, 0..65535 (0: none)
     * @return this address
     */
    public MptcpAddress set(InetAddress inet, int port) {
        byte[] raw = inet.getAddress();
        Arrays.fill(address, (byte) 0);
        System.arraycopy(raw, 0, address, 0, raw.length);
        this.family = inet instanceof Inet6Address ? AF_INET6 : AF_INET;
        return port(port);
    }

    /**
     * Sets an IPv4 address (big-endian int, 10.0.1.1 is 0x0a000101) and port.
     *
     * @param addressBigEndian the IPv4 address, big-endian
     * @param port the port, 0..65535 (0: none)
     * @return this address
     */
    public MptcpAddress setIpv4(int addressBigEndian, int port) {
        Arrays.fill(address, (byte) 0);
        address[0] = (byte) (addressBigEndian >>> 24);
        address[1] = (byte) (addressBigEndian >>> 16);
        address[2] = (byte) (addressBigEndian >>> 8);
        address[3] = (byte) addressBigEndian;
        this.family = AF_INET;
        return port(port);
    }

    /**
     * Sets family and raw address bytes (4 or 16 by family) from {@code src} at {@code offset}.
     *
     * @param family AF_INET or AF_INET6
     * @param src the bytes to read
     * @param offset where the address starts in {@code src}
     * @return this address
     */
    public MptcpAddress setRaw(int family, byte[] src, int offset) {
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("family must be AF_INET or AF_INET6: " + family);
        }
        Arrays.fill(address, (byte) 0);
        System.arraycopy(src, offset, address, 0, family == AF_INET ? 4 : 16);
        this.family = family;
        return this;
    }

    /**
     * Sets family and raw address bytes (4 or 16 by family) from {@code src} at {@code offset}.
     *
     * @param family AF_INET or AF_INET6
     * @param src the bytes to read
     * @param offset where the address starts in {@code src}
     * @return this address
     */
    public MptcpAddress setRaw(int family, ByteBuffer src, int offset) {
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("family must be AF_INET or AF_INET6: " + family);
        }
        Arrays.fill(address, (byte) 0);
        src.get(offset, address, 0, family == AF_INET ? 4 : 16);
        this.family = family;
        return this;
    }

    /**
     * Turns an IPv4 address into its v4-mapped IPv6 form (::ffff:a.b.c.d); others stay as they are.
     *
     * @return this address
     */
    public MptcpAddress toV4Mapped() {
        if (family == AF_INET) {
            System.arraycopy(address, 0, address, 12, 4);
            Arrays.fill(address, 0, 10, (byte) 0);
            address[10] = (byte) 0xff;
            address[11] = (byte) 0xff;
            family = AF_INET6;
        }
        return this;
    }

    /**
     * Whether this is an IPv6 address of the form ::ffff:a.b.c.d.
     *
     * @return whether the address is v4-mapped
     */
    public boolean isV4Mapped() {
        if (family != AF_INET6 || address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies everything from {@code other}.
     *
     * @param other the address to copy
     * @return this address
     */
    public MptcpAddress set(MptcpAddress other) {
        family = other.family;
        System.arraycopy(other.address, 0, address, 0, 16);
        port = other.port;
        id = other.id;
        flags = other.flags;
        ifIndex = other.ifIndex;
        return this;
    }

    /**
     * Sets the port (0: none); returns this address.
     *
     * @param port the port, 0..65535
     * @return this address
     */
    public MptcpAddress port(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.port = port;
        return this;
    }

    /**
     * Sets the address id, 0..255.
     *
     * @param id the address id, 0..255
     * @return this address
     */
    public MptcpAddress id(int id) {
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("address id out of range 0..255: " + id);
        }
        this.id = id;
        return this;
    }

    /**
     * Forgets the IP address (family 0): none is sent. Allocates nothing.
     *
     * @return this address
     */
    public MptcpAddress clearAddress() {
        Arrays.fill(address, (byte) 0);
        this.family = 0;
        return this;
    }

    /**
     * Forgets the id: none is sent.
     *
     * @return this address
     */
    public MptcpAddress clearId() {
        this.id = -1;
        return this;
    }

    /**
     * Sets the flags ({@code FLAG_*}); returns this address.
     *
     * @param flags the flags, {@code FLAG_*} or'ed
     * @return this address
     */
    public MptcpAddress flags(int flags) {
        this.flags = flags;
        return this;
    }

    /**
     * Sets the interface index (0: none); returns this address.
     *
     * @param ifIndex the interface index (0: none)
     * @return this address
     */
    public MptcpAddress ifIndex(int ifIndex) {
        this.ifIndex = ifIndex;
        return this;
    }

    /**
     * AF_INET, AF_INET6, or 0 when no address was set.
     *
     * @return the address family
     */
    public int family() {
        return family;
    }

    /**
     * Whether the address is IPv6.
     *
     * @return whether the address is IPv6
     */
    public boolean isIpv6() {
        return family == AF_INET6;
    }

    /**
     * 0 when not set.
     *
     * @return the port, 0..65535
     */
    public int port() {
        return port;
    }

    /**
     * The id, or -1 when not set.
     *
     * @return the address id, 0..255, or -1
     */
    public int id() {
        return id;
    }

    /**
     * Whether the address has an id.
     *
     * @return whether an id is set
     */
    public boolean hasId() {
        return id >= 0;
    }

    /**
     * The flags, {@code FLAG_*}.
     *
     * @return the flags
     */
    public int flags() {
        return flags;
    }

    /**
     * The interface index, 0 when none.
     *
     * @return the interface index
     */
    public int ifIndex() {
        return ifIndex;
    }

    /**
     * The byte at {@code index} of the raw address (16 bytes, IPv4 in the first four).
     *
     * @param index the byte's index, 0..15
     * @return that byte
     */
    public byte addressByte(int index) {
        return address[index];
    }

    /**
     * Copies the raw address (4 or 16 bytes by family) into {@code dst}.
     *
     * @param dst where to copy the address to
     * @param offset where in {@code dst} it starts
     */
    public void copyAddress(byte[] dst, int offset) {
        System.arraycopy(address, 0, dst, offset, family == AF_INET6 ? 16 : 4);
    }

    /**
     * Whether both hold the same IP address, ports, ids and flags aside, as the kernel compares
     * addresses: an IPv4 address and its v4-mapped form (::ffff:a.b.c.d) are the same.
     *
     * @param other the address to compare with
     * @return whether the IP addresses are the same
     */
    public boolean sameAddress(MptcpAddress other) {
        if (family == other.family) {
            return Arrays.equals(address, other.address);
        }
        MptcpAddress v4 = family == AF_INET ? this : other;
        MptcpAddress mapped = v4 == this ? other : this;
        return v4.family == AF_INET && mapped.isV4Mapped()
                && Arrays.equals(v4.address, 0, 4, mapped.address, 12, 16);
    }

    /**
     * The IP address as an InetAddress (allocates); a v4-mapped address stays an Inet6Address.
     *
     * @return the IP address
     */
    public InetAddress inetAddress() {
        try {
            if (family == AF_INET6) {
                return Inet6Address.getByAddress(null, address.clone(), -1);
            }
            return family == AF_INET ? InetAddress.getByAddress(Arrays.copyOf(address, 4)) : null;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Address and port as a socket address (allocates).
     *
     * @return the socket address
     */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(inetAddress(), port);
    }

    /** Every part equal, the form of the address included (unlike {@link #sameAddress}). */
    @Override
    public boolean equals(Object o) {
        return o instanceof MptcpAddress a && family == a.family && Arrays.equals(address, a.address)
                && port == a.port && id == a.id && flags == a.flags && ifIndex == a.ifIndex;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + port;
    }

    /** "10.0.1.1:5201 id 3 flags backup dev 4" style, as {@code ip mptcp} prints addresses. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        InetAddress inet = inetAddress();
        if (inet == null) {
            s.append("(no address)");
        } else if (inet instanceof Inet4Address) {
            s.append(inet.getHostAddress());
        } else {
            s.append('[').append(AddressText.of(inet)).append(']');
        }
        if (port != 0) {
            s.append(':').append(port);
        }
        if (id >= 0) {
            s.append(" id ").append(id);
        }
        if (flags != 0) {
            s.append(" flags ").append(flagNames(flags));
        }
        if (ifIndex != 0) {
            s.append(" dev ").append(ifIndex);
        }
        return s.toString();
    }

    /**
     * "signal,backup" for 0x5, the words {@code ip mptcp endpoint} uses.
     *
     * @param flags the flags, {@code FLAG_*} or'ed
     * @return their names, comma-separated
     */
    public static String flagNames(int flags) {
        String[] names = {"signal", "subflow", "backup", "fullmesh", "implicit", "laminar"};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                s.append(s.length() == 0 ? "" : ",").append(names[i]);
            }
        }
        int unknown = flags & ~0x3f;
        if (unknown != 0) {
            s.append(s.length() == 0 ? "" : ",").append("0x").append(Integer.toHexString(unknown));
        }
        return s.toString();
    }
}
