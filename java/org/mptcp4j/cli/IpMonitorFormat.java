package org.mptcp4j.cli;

import java.util.function.IntFunction;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAttribute;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.text.AddressText;

/**
 * {@code monitor --ip-format}: an event as {@code ip mptcp monitor} prints it (iproute2's
 * mptcp_monitor_msg, 7.x), word for word, so that scripts reading ip's lines read these.
 */
final class IpMonitorFormat {
    /** MPTCP_PM_EV_FLAG_DENY_JOIN_ID0 and MPTCP_PM_EV_FLAG_SERVER_SIDE of MPTCP_ATTR_FLAGS. */
    private static final int DENY_JOIN_ID0 = 1;
    private static final int SERVER_SIDE = 2;

    private IpMonitorFormat() {}

    /**
     * {@code [  SF_ESTABLISHED] token=1c0ffee5 remid=0 locid=2 saddr4=... dport=5201 ...}; null
     * for what ip does not hear (local address and link changes, mptcp4j's own events).
     *
     * @param interfaceName the name of an interface index in the event's namespace, null when it has none
     */
    static String line(MptcpEvent e, IntFunction<String> interfaceName) {
        String name = name(e.type());
        if (name == null) {
            return null;
        }
        StringBuilder s = new StringBuilder(160).append('[').append(" ".repeat(Math.max(0, 16 - name.length())))
                .append(name).append(']');
        if (e.has(MptcpAttribute.TOKEN)) {
            s.append(" token=").append(EventFormat.token(e.token()));
        }
        if (e.has(MptcpAttribute.REM_ID)) {
            s.append(" remid=").append(e.remoteId());
        }
        if (e.has(MptcpAttribute.LOC_ID)) {
            s.append(" locid=").append(e.localId());
        }
        if (e.has(MptcpAttribute.SADDR4)) {
            s.append(" saddr4=").append(AddressText.of(e.localAddress()));
        }
        if (e.has(MptcpAttribute.DADDR4)) {
            s.append(" daddr4=").append(AddressText.of(e.remoteAddress()));
        }
        if (e.has(MptcpAttribute.SADDR6)) {
            s.append(" saddr6=").append(AddressText.of(e.localAddress()));
        }
        if (e.has(MptcpAttribute.DADDR6)) {
            s.append(" daddr6=").append(AddressText.of(e.remoteAddress()));
        }
        if (e.has(MptcpAttribute.SPORT)) {
            s.append(" sport=").append(e.localPort());
        }
        if (e.has(MptcpAttribute.DPORT)) {
            s.append(" dport=").append(e.remotePort());
        }
        if (e.has(MptcpAttribute.BACKUP)) {
            s.append(" backup=").append(e.backup() ? 1 : 0);
        }
        if (e.has(MptcpAttribute.ERROR)) {
            s.append(" error=").append(e.error() & 0xff); // a u8 attribute
        }
        if (e.has(MptcpAttribute.TIMEOUT)) {
            s.append(" timeout=").append(e.timeout());
        }
        if (e.has(MptcpAttribute.IF_IDX)) {
            int index = e.ifIndex();
            s.append(" ifindex=").append(index);
            if (index != 0) {
                String device = interfaceName.apply(index);
                s.append(" dev=").append(device != null ? device : "if" + Integer.toUnsignedString(index));
            }
        }
        if (e.has(MptcpAttribute.RESET_REASON)) {
            s.append(" reset_reason=").append(e.resetReason());
        }
        if (e.has(MptcpAttribute.RESET_FLAGS)) {
            s.append(" reset_flags=").append(alternateHex(e.resetFlags()));
        }
        int flags = e.has(MptcpAttribute.FLAGS) ? e.flags() & 0xffff : 0;
        if ((flags & SERVER_SIDE) != 0 || e.has(MptcpAttribute.SERVER_SIDE) && e.serverSide()) {
            flags &= ~SERVER_SIDE;
            s.append(" server_side");
        }
        if ((flags & DENY_JOIN_ID0) != 0) {
            flags &= ~DENY_JOIN_ID0;
            s.append(" deny_join_id0");
        }
        if (flags != 0) {
            s.append(" flags=").append(alternateHex(flags));
        }
        return s.toString();
    }

    /** ip's event_to_str. */
    private static String name(MptcpEventType type) {
        return switch (type) {
            case CREATED, ESTABLISHED, CLOSED, ANNOUNCED, REMOVED, LISTENER_CREATED, LISTENER_CLOSED -> type.name();
            case SUB_ESTABLISHED -> "SF_ESTABLISHED";
            case SUB_CLOSED -> "SF_CLOSED";
            case SUB_PRIORITY -> "SF_PRIO";
            default -> null;
        };
    }

    /** printf's %#x: 0x before a value other than 0. */
    private static String alternateHex(int value) {
        return value == 0 ? "0" : "0x" + Integer.toHexString(value);
    }
}
