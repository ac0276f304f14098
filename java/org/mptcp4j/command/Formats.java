package org.mptcp4j.command;

import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.text.AddressText;

/** How the command line prints addresses: {@code ip mptcp endpoint show}'s words, or JSON. */
public final class Formats {
    private Formats() {}

    /** {@code 10.0.2.1 port 8080 id 2 signal backup dev eth1}. */
    public static String text(MptcpAddress a, NetworkNamespace ns) {
        StringBuilder s = new StringBuilder(host(a));
        if (a.port() != 0) {
            s.append(" port ").append(a.port());
        }
        if (a.hasId()) {
            s.append(" id ").append(a.id());
        }
        if (a.flags() != 0) {
            s.append(' ').append(MptcpAddress.flagNames(a.flags()).replace(',', ' '));
        }
        if (a.ifIndex() != 0) {
            s.append(" dev ").append(device(a, ns));
        }
        return s.toString();
    }

    /** {@code {"address":"10.0.2.1","id":2,"port":8080,"flags":["signal"],"dev":"eth1"}}: every string escaped. */
    public static String json(MptcpAddress a, NetworkNamespace ns) {
        StringBuilder s = new StringBuilder("{\"address\":").append(EventFormat.jsonString(host(a)));
        if (a.hasId()) {
            s.append(",\"id\":").append(a.id());
        }
        if (a.port() != 0) {
            s.append(",\"port\":").append(a.port());
        }
        s.append(",\"flags\":[");
        if (a.flags() != 0) {
            String[] names = MptcpAddress.flagNames(a.flags()).split(",");
            for (int i = 0; i < names.length; i++) {
                s.append(i > 0 ? "," : "").append(EventFormat.jsonString(names[i]));
            }
        }
        s.append(']');
        if (a.ifIndex() != 0) {
            // A namespace's root names its interfaces: any byte but '/', ':', NUL and white space.
            s.append(",\"dev\":").append(EventFormat.jsonString(device(a, ns)));
        }
        return s.append('}').toString();
    }

    private static String host(MptcpAddress a) {
        return AddressText.of(a.inetAddress());
    }

    private static String device(MptcpAddress a, NetworkNamespace ns) {
        String name = ns.interfaceName(a.ifIndex());
        return name != null ? name : Integer.toString(a.ifIndex());
    }
}
