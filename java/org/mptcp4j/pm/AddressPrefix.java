package org.mptcp4j.pm;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.text.AddressText;

/**
 * An IP prefix such as {@code 10.0.0.0/8} or {@code fd00::/16}, for rules that pick
 * connections, subflows or interfaces by address. An IPv4 prefix also contains the v4-mapped
 * form of its addresses (the kernel treats them as one). Checking an {@link MptcpAddress}
 * allocates nothing.
 */
public final class AddressPrefix {
    private final byte[] bytes;
    private final int length;

    private AddressPrefix(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /**
     * Parses {@code ADDRESS/LENGTH}, or a bare address (a prefix of one address).
     *
     * @param text the prefix's text
     * @return the prefix
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AddressPrefix parse(String text) {
        int slash = text.indexOf('/');
        InetAddress address = MptcpAddress.literal(slash < 0 ? text : text.substring(0, slash));
        byte[] raw = address.getAddress();
        int max = raw.length * 8;
        int length = slash < 0 ? max
                : ValueRange.count(0, max).parseInt("the prefix length of '" + text + "'", text.substring(slash + 1));
        if (raw.length == 16 && length >= 96 && MptcpAddress.of(address, 0).isV4Mapped()) {
            // ::ffff:a.b.c.d/N is the IPv4 prefix a.b.c.d/(N-96), which contains the mapped form too.
            raw = Arrays.copyOfRange(raw, 12, 16);
            length -= 96;
        }
        // Host bits cleared: 10.1.2.3/8 is 10.0.0.0/8.
        for (int bit = length; bit < raw.length * 8; bit++) {
            raw[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new AddressPrefix(raw, length);
    }

    /**
     * Whether {@code address}'s IP (port aside) is in this prefix.
     *
     * @param address the address
     * @return whether its IP is in this prefix
     */
    public boolean contains(MptcpAddress address) {
        boolean mapped = address.isV4Mapped();
        int addressLength = address.family() == MptcpAddress.AF_INET || mapped ? 4 : 16;
        if (addressLength != bytes.length) {
            return false;
        }
        int offset = mapped ? 12 : 0;
        int full = length / 8;
        for (int i = 0; i < full; i++) {
            if (address.addressByte(offset + i) != bytes[i]) {
                return false;
            }
        }
        int rest = length % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (address.addressByte(offset + full) & mask) == (bytes[full] & mask);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressPrefix p && p.length == length && Arrays.equals(p.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + length;
    }

    @Override
    public String toString() {
        try {
            return AddressText.of(InetAddress.getByAddress(bytes)) + "/" + length;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
