package org.mptcp4j.text;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * IP addresses as people and {@code ss} write them: IPv6 in its short form (RFC 5952: lower
 * case, the longest run of zero groups as "::"), v4-mapped addresses as ::ffff:10.0.0.1.
 */
public final class AddressText {
    private AddressText() {}

    /** The text of {@code address}; "" for null. */
    public static String of(InetAddress address) {
        if (address == null) {
            return "";
        }
        return address instanceof Inet6Address ? ipv6(address.getAddress()) : address.getHostAddress();
    }

    /** The text of a 16-byte IPv6 address. */
    static String ipv6(byte[] a) {
        if (isV4Mapped(a)) {
            return "::ffff:" + (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
        }
        // The longest run of zero groups, at least two long, the first if tied.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8;) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
