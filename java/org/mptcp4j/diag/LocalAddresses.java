package org.mptcp4j.diag;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.netlink.LocalAddressDump;
import org.mptcp4j.netns.NetworkNamespace;

/** The addresses of a network namespace, read from rtnetlink inside it. */
public final class LocalAddresses {
    private LocalAddresses() {}

    /** Every address of {@code namespace}, IPv4 and IPv6, in the kernel's order. */
    public static List<LocalAddress> list(NetworkNamespace namespace) {
        ByteBuffer records = LocalAddressDump.dump(namespace.fd());
        List<LocalAddress> addresses = new ArrayList<>();
        for (int at = 0; at < records.limit(); at += LocalAddressDump.SIZE) {
            int family = records.get(at + LocalAddressDump.FAMILY) & 0xff;
            byte[] raw = new byte[family == 10 ? 16 : 4];
            records.get(at + LocalAddressDump.ADDR, raw, 0, raw.length);
            try {
                addresses.add(new LocalAddress(InetAddress.getByAddress(raw),
                        records.get(at + LocalAddressDump.PREFIX_LEN) & 0xff,
                        records.getInt(at + LocalAddressDump.IF_INDEX),
                        records.get(at + LocalAddressDump.SCOPE) & 0xff,
                        records.getInt(at + LocalAddressDump.FLAGS)));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return addresses;
    }

    /** The addresses new subflows can start from (see {@link LocalAddress#usableForSubflows()}). */
    public static List<LocalAddress> usableForSubflows(NetworkNamespace namespace) {
        return list(namespace).stream().filter(LocalAddress::usableForSubflows).toList();
    }
}
