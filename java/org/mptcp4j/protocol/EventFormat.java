package org.mptcp4j.protocol;

import java.net.InetAddress;
import org.mptcp4j.text.AddressText;

/**
 * Text forms of an event: one line with every attribute the kernel sent, in the style of
 * {@code ip mptcp monitor}, or one JSON object. Both allocate; not for the hot path.
 */
public final class EventFormat {
    private EventFormat() {}

    /**
     * {@code [   ESTABLISHED] token=1c0ffee5 family=2 saddr4=10.0.1.1 ... dport=5201}.
     *
     * @param event the event
     * @return one line of text
     */
    public static String line(MptcpEvent event) {
        StringBuilder s = new StringBuilder(160);
        String name = typeName(event);
        s.append('[');
        for (int pad = name.length(); pad < 16; pad++) {
            s.append(' ');
        }
        s.append(name).append(']');
        for (MptcpAttribute attribute : MptcpAttribute.values()) {
            if (event.has(attribute)) {
                s.append(' ').append(attribute.label()).append('=').append(value(event, attribute));
            }
        }
        if (isLocal(event)) {
            if (isAddress(event)) {
                s.append(" prefixlen=").append(event.prefixLength());
            }
            s.append(" dev=").append(event.interfaceName());
        }
        return s.toString();
    }

    /**
     * {@code {"type":"ESTABLISHED","token":"1c0ffee5","family":2,...}}: every string escaped (docs/json.md).
     *
     * @param event the event
     * @return one JSON object
     */
    public static String json(MptcpEvent event) {
        StringBuilder s = new StringBuilder(200);
        s.append("{\"type\":").append(jsonString(typeName(event)));
        for (MptcpAttribute attribute : MptcpAttribute.values()) {
            if (event.has(attribute)) {
                // Flags are hex in text, plain numbers in JSON (which has no hex).
                String value = switch (attribute) {
                    case FLAGS -> Integer.toString(event.flags());
                    case RESET_FLAGS -> Integer.toUnsignedString(event.resetFlags());
                    default -> value(event, attribute);
                };
                boolean quoted = attribute == MptcpAttribute.TOKEN || attribute.label().contains("addr");
                s.append(",\"").append(attribute.label()).append("\":");
                s.append(quoted ? jsonString(value) : value);
            }
        }
        if (isLocal(event)) {
            if (isAddress(event)) {
                s.append(",\"prefixlen\":").append(event.prefixLength());
            }
            // A namespace's root names its interfaces: any byte but '/', ':', NUL and white space.
            s.append(",\"dev\":").append(jsonString(event.interfaceName()));
        }
        return s.append('}').toString();
    }

    /** A local address or link change (rtnetlink), which names its interface. */
    private static boolean isLocal(MptcpEvent event) {
        return isAddress(event) || event.type() == MptcpEventType.LINK_UP || event.type() == MptcpEventType.LINK_DOWN;
    }

    private static boolean isAddress(MptcpEvent event) {
        return event.type() == MptcpEventType.LOCAL_ADDRESS_ADDED || event.type() == MptcpEventType.LOCAL_ADDRESS_REMOVED;
    }

    private static String typeName(MptcpEvent event) {
        MptcpEventType type = event.type();
        return type != null ? type.name() : "EVENT_" + event.typeId();
    }

    /**
     * The token as {@code ip mptcp monitor} and {@code ss -M} print it, 8 hex digits: the one
     * form of a token in mptcp4j's output and logs.
     *
     * @param token the connection's token
     * @return 8 hex digits
     */
    public static String token(int token) {
        String hex = Integer.toHexString(token);
        return "0".repeat(8 - hex.length()) + hex;
    }

    private static String value(MptcpEvent e, MptcpAttribute attribute) {
        return switch (attribute) {
            case TOKEN -> token(e.token());
            case FAMILY -> Integer.toString(e.family());
            case LOC_ID -> Integer.toString(e.localId());
            case REM_ID -> Integer.toString(e.remoteId());
            case SADDR4, SADDR6 -> host(e.localAddress());
            case DADDR4, DADDR6 -> host(e.remoteAddress());
            case SPORT -> Integer.toString(e.localPort());
            case DPORT -> Integer.toString(e.remotePort());
            case BACKUP -> e.backup() ? "1" : "0";
            case ERROR -> Integer.toString(e.error());
            case FLAGS -> "0x" + Integer.toHexString(e.flags());
            case TIMEOUT -> Long.toString(e.timeout());
            case IF_IDX -> Integer.toString(e.ifIndex());
            case RESET_REASON -> Long.toString(e.resetReason());
            case RESET_FLAGS -> "0x" + Integer.toHexString(e.resetFlags());
            case SERVER_SIDE -> e.serverSide() ? "1" : "0";
        };
    }

    private static String host(InetAddress address) {
        return AddressText.of(address);
    }

    /**
     * {@code text} as a JSON string literal: quoted, with quotes, backslashes and control characters escaped.
     *
     * @param text the text
     * @return the JSON string literal
     */
    public static String jsonString(String text) {
        StringBuilder s = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
