package org.mptcp4j.diag;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.mptcp4j.netlink.LocalAddressDump;
import org.mptcp4j.netns.NetworkNamespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of a network namespace, read from rtnetlink inside it: at most
 * {@link #MAX_ADDRESSES}. A namespace's root (a container's, with CAP_NET_ADMIN there) may
 * configure a million addresses; reading them all would take the daemon's memory and time for
 * every namespace it manages. Past the bound the list holds the first {@value #MAX_ADDRESSES}
 * in the kernel's order and the rest of the dump is not read; that is logged once per
 * namespace and counted ({@link #truncatedLists()}).
 */
public final class LocalAddresses {
    /** Addresses listed for one namespace at most: 1.8 MB natively while the dump is read. */
    public static final int MAX_ADDRESSES = 65_536;

    private static final Logger LOG = LoggerFactory.getLogger(LocalAddresses.class);
    private static final AtomicLong TRUNCATED = new AtomicLong();
    /** Namespaces whose list was cut, each logged once while it is open. */
    private static final Set<NetworkNamespace> LOGGED = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    private LocalAddresses() {}

    /**
     * The addresses of {@code namespace}, IPv4 and IPv6, in the kernel's order: every one, or
     * the first {@value #MAX_ADDRESSES} when it has more.
     *
     * @param namespace the network namespace
     * @return the addresses
     */
    public static List<LocalAddress> list(NetworkNamespace namespace) {
        ByteBuffer records = LocalAddressDump.dump(namespace.fd(), MAX_ADDRESSES);
        int count = records.limit() / LocalAddressDump.SIZE;
        if (count > MAX_ADDRESSES) {
            count = MAX_ADDRESSES;
            TRUNCATED.incrementAndGet();
            if (LOGGED.add(namespace)) {
                LOG.warn("namespace " + namespace.name() + " has more than " + MAX_ADDRESSES
                        + " addresses: only the first " + MAX_ADDRESSES + " are listed (said once while it is open)");
            }
        }
        List<LocalAddress> addresses = new ArrayList<>(count);
        for (int at = 0; at < count * LocalAddressDump.SIZE; at += LocalAddressDump.SIZE) {
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

    /**
     * The addresses new subflows can start from (see {@link LocalAddress#usableForSubflows()}),
     * among those {@link #list} returns.
     *
     * @param namespace the network namespace
     * @return the usable addresses
     */
    public static List<LocalAddress> usableForSubflows(NetworkNamespace namespace) {
        return list(namespace).stream().filter(LocalAddress::usableForSubflows).toList();
    }

    /**
     * Lists cut at {@value #MAX_ADDRESSES} addresses since this class loaded, in every namespace.
     *
     * @return the count of truncated lists
     */
    public static long truncatedLists() {
        return TRUNCATED.get();
    }
}
