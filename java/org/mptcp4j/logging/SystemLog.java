package org.mptcp4j.logging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.mptcp4j.natives.UnixDatagram;
import org.slf4j.event.Level;

/**
 * Records as the system's log takes them, one datagram each: entries of the journal's native
 * protocol, or syslog messages as syslog(3) writes them to {@code /dev/log} (RFC 3164, facility
 * daemon). Either carries the level as a syslog priority, so that {@code journalctl -p warning}
 * filters.
 */
final class SystemLog {
    /** The journal's socket, when not /run/systemd/journal/socket. */
    static final String JOURNAL_PROPERTY = "mptcp4j.journal.socket";
    /** The syslog socket, when not /dev/log. */
    static final String SYSLOG_PROPERTY = "mptcp4j.syslog.socket";
    static final String IDENTIFIER = "mptcp4j";
    /** LOG_DAEMON. */
    static final int FACILITY = 3;
    private static final DateTimeFormatter SYSLOG_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

    /** Opened on the first record sent; null until then, or after it could not be. */
    private static UnixDatagram socket;
    private static boolean failureSaid;

    private SystemLog() {}

    /** The syslog severity of a level. */
    static int priority(Level level) {
        return switch (level) {
            case ERROR -> 3;
            case WARN -> 4;
            case INFO -> 6;
            case DEBUG, TRACE -> 7;
        };
    }

    /**
     * A journal entry: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, SYSLOG_FACILITY, then {@code fields}
     * named as the journal wants ({@link #fieldName}); a value holding a newline in the protocol's
     * binary form.
     */
    static byte[] journalEntry(Level level, String message, Map<String, String> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        journalField(out, "MESSAGE", message);
        journalField(out, "PRIORITY", Integer.toString(priority(level)));
        journalField(out, "SYSLOG_IDENTIFIER", IDENTIFIER);
        journalField(out, "SYSLOG_FACILITY", Integer.toString(FACILITY));
        fields.forEach((k, v) -> journalField(out, fieldName(k), v));
        return out.toByteArray();
    }

    private static void journalField(ByteArrayOutputStream out, String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        if (value.indexOf('\n') < 0) {
            out.write('=');
        } else {
            out.write('\n');
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length).array());
        }
        out.writeBytes(bytes);
        out.write('\n');
    }

    /**
     * A key as a journal field's name: upper case letters, digits and '_', not starting with
     * '_' (the journal's own fields) or a digit, at most 64 characters.
     */
    static String fieldName(String key) {
        StringBuilder name = new StringBuilder(key.length());
        for (int i = 0; i < key.length() && name.length() < 64; i++) {
            char c = Character.toUpperCase(key.charAt(i));
            name.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
        }
        if (name.length() == 0 || name.charAt(0) == '_' || Character.isDigit(name.charAt(0))) {
            name.insert(0, 'F');
            name.setLength(Math.min(name.length(), 64));
        }
        return name.toString();
    }

    /** A syslog message: {@code <PRI>Mmm dd hh:mm:ss mptcp4j[PID]: text}, in local time as syslog(3) writes it. */
    static byte[] syslogMessage(Level level, String text, LocalDateTime time) {
        return ("<" + (FACILITY * 8 + priority(level)) + ">" + SYSLOG_TIME.format(time) + " " + IDENTIFIER + "["
                + ProcessHandle.current().pid() + "]: " + text).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sends {@code datagram} to the journal or syslog, as {@code destination} says.
     *
     * @return false when it could not be sent (the caller writes the record on standard error);
     *     the first failure is said there once
     */
    static synchronized boolean send(LogSettings.Destination destination, byte[] datagram) {
        String address = destination == LogSettings.Destination.JOURNAL
                ? System.getProperty(JOURNAL_PROPERTY, "/run/systemd/journal/socket")
                : System.getProperty(SYSLOG_PROPERTY, "/dev/log");
        try {
            if (socket == null) {
                socket = UnixDatagram.open();
            }
            socket.send(address, ByteBuffer.allocateDirect(datagram.length).put(datagram).flip());
            failureSaid = false;
            return true;
        } catch (IOException | RuntimeException e) { // RuntimeException: no transport to reach the socket
            if (!failureSaid) {
                failureSaid = true;
                LogSettings.output().println("mptcp4j: cannot log to " + destination.name().toLowerCase(Locale.ROOT)
                        + " at " + address + " (" + e.getMessage() + "): records go to standard error");
            }
            return false;
        }
    }
}
