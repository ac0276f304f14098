package org.mptcp4j.diag;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.mptcp4j.netlink.EventRecord;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * Which local address and link events reach a controller: loopback and link-local addresses
 * are left out unless asked for, and interfaces can be allowed or denied by name. Checking
 * the event loop's own events allocates nothing.
 */
public final class LocalAddressFilter {
    private final boolean loopback;
    private final boolean linkLocal;
    private final List<String> allowed;
    private final List<String> denied;
    private final byte[][] allowedBytes;
    private final byte[][] deniedBytes;

    private LocalAddressFilter(boolean loopback, boolean linkLocal, List<String> allowed, List<String> denied) {
        this.loopback = loopback;
        this.linkLocal = linkLocal;
        this.allowed = List.copyOf(allowed);
        this.denied = List.copyOf(denied);
        this.allowedBytes = bytes(allowed);
        this.deniedBytes = bytes(denied);
    }

    /**
     * Every interface; loopback and link-local addresses left out.
     *
     * @return the filter
     */
    public static LocalAddressFilter standard() {
        return new LocalAddressFilter(false, false, List.of(), List.of());
    }

    /**
     * Also loopback addresses (127.0.0.0/8, ::1).
     *
     * @return a new filter
     */
    public LocalAddressFilter withLoopback() {
        return new LocalAddressFilter(true, linkLocal, allowed, denied);
    }

    /**
     * Also link-local addresses (169.254.0.0/16, fe80::/10).
     *
     * @return a new filter
     */
    public LocalAddressFilter withLinkLocal() {
        return new LocalAddressFilter(loopback, true, allowed, denied);
    }

    /**
     * Only these interfaces (empty: all).
     *
     * @param interfaces the interfaces' names
     * @return a new filter
     */
    public LocalAddressFilter allow(List<String> interfaces) {
        return new LocalAddressFilter(loopback, linkLocal, interfaces, denied);
    }

    /**
     * Never these interfaces.
     *
     * @param interfaces the interfaces' names
     * @return a new filter
     */
    public LocalAddressFilter deny(List<String> interfaces) {
        return new LocalAddressFilter(loopback, linkLocal, allowed, interfaces);
    }

    /**
     * Whether {@code address}, on the interface named {@code interfaceName}, passes: for the
     * addresses there already, which no event announced.
     *
     * @param address the address
     * @param interfaceName its interface's name
     * @return whether it passes
     */
    public boolean accepts(InetAddress address, String interfaceName) {
        if ((!denied.isEmpty() && denied.contains(interfaceName)) || (!allowed.isEmpty() && !allowed.contains(interfaceName))) {
            return false;
        }
        return (loopback || !address.isLoopbackAddress()) && (linkLocal || !address.isLinkLocalAddress());
    }

    /**
     * Whether {@code event}, a local address or link event, passes.
     *
     * @param event the event
     * @return whether it passes
     */
    public boolean accepts(MptcpEvent event) {
        if ((deniedBytes.length > 0 && named(event, denied, deniedBytes))
                || (allowedBytes.length > 0 && !named(event, allowed, allowedBytes))) {
            return false;
        }
        MptcpEventType type = event.type();
        if (type != MptcpEventType.LOCAL_ADDRESS_ADDED && type != MptcpEventType.LOCAL_ADDRESS_REMOVED) {
            return true;
        }
        int firstByte = addressByte(event, 0);
        int secondByte = addressByte(event, 1);
        boolean isLoopback;
        boolean isLinkLocal;
        if (event.isIpv6()) {
            isLoopback = ipv6Loopback(event);
            isLinkLocal = firstByte == 0xfe && (secondByte & 0xc0) == 0x80;
        } else {
            isLoopback = firstByte == 127;
            isLinkLocal = firstByte == 169 && secondByte == 254;
        }
        return (loopback || !isLoopback) && (linkLocal || !isLinkLocal);
    }

    private static boolean named(MptcpEvent event, List<String> names, byte[][] bytes) {
        if (event instanceof EventRecord r) {
            for (byte[] name : bytes) {
                if (r.interfaceNameIs(name)) {
                    return true;
                }
            }
            return false;
        }
        return names.contains(event.interfaceName());
    }

    private static boolean ipv6Loopback(MptcpEvent event) {
        for (int i = 0; i < 15; i++) {
            if (addressByte(event, i) != 0) {
                return false;
            }
        }
        return addressByte(event, 15) == 1;
    }

    private static int addressByte(MptcpEvent event, int index) {
        if (event instanceof EventRecord r) {
            return r.localAddressByte(index);
        }
        InetAddress address = event.localAddress();
        return address == null ? 0 : address.getAddress()[index] & 0xff;
    }

    private static byte[][] bytes(List<String> names) {
        return names.stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    @Override
    public String toString() {
        return "local addresses" + (loopback ? " with loopback" : "") + (linkLocal ? " with link-local" : "")
                + (allowed.isEmpty() ? "" : " on " + allowed) + (denied.isEmpty() ? "" : " not on " + denied);
    }
}
