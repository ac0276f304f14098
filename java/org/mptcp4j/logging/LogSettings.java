package org.mptcp4j.logging;

import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.event.Level;

/**
 * What the daemon's log prints and how: the lowest level printed, the line format, and
 * where records go. Changed at any time (a configuration reload); read per record.
 */
public final class LogSettings {
    /** Where records go: mptcpd's {@code log} values. */
    public enum Destination {
        /** One line per record on standard error, in the {@link Format}. */
        STDERR,
        /**
         * A datagram per record to syslog ({@code /dev/log}, or the property
         * {@value SystemLog#SYSLOG_PROPERTY}): facility daemon, the level as its priority.
         */
        SYSLOG,
        /**
         * An entry per record to the systemd journal's native socket
         * ({@code /run/systemd/journal/socket}, or the property {@value SystemLog#JOURNAL_PROPERTY}):
         * PRIORITY, SYSLOG_IDENTIFIER, and each of the record's fields (NETNS, TOKEN, CONTROLLER...).
         */
        JOURNAL,
        /** Nothing. */
        NULL
    }

    /** One line per record. */
    public enum Format {
        /** {@code key=value} pairs, values quoted when they hold spaces. */
        LOGFMT,
        /** One JSON object. */
        JSON
    }

    private static volatile Level level = Level.INFO;
    private static volatile Format format = Format.LOGFMT;
    private static volatile PrintStream out = System.err;
    private static volatile Destination destination = Destination.STDERR;
    /** Set on a thread whose records below ERROR are dropped, and on the threads it starts. */
    private static final InheritableThreadLocal<Boolean> QUIET = new InheritableThreadLocal<>();

    private LogSettings() {}

    /**
     * Records below {@code level} are not printed.
     *
     * @param level the lowest level printed
     */
    public static void level(Level level) {
        LogSettings.level = level;
    }

    /**
     * The lowest level printed.
     *
     * @return the level
     */
    public static Level level() {
        return level;
    }

    /**
     * Sets the format of the records.
     *
     * @param format the format
     */
    public static void format(Format format) {
        LogSettings.format = format;
    }

    /**
     * The format of the records.
     *
     * @return the format
     */
    public static Format format() {
        return format;
    }

    /**
     * Where records go from now on. A record the journal or syslog cannot take (no socket
     * there) goes to standard error instead, so that none is lost.
     *
     * @param destination where records go
     */
    public static void destination(Destination destination) {
        LogSettings.destination = destination;
    }

    /**
     * Where records go now.
     *
     * @return the destination
     */
    public static Destination destination() {
        return destination;
    }

    /**
     * Where lines go (standard error by default).
     *
     * @param stream where lines go
     */
    public static void output(PrintStream stream) {
        out = stream;
    }

    static PrintStream output() {
        return out;
    }

    /**
     * Drops the records below ERROR of the calling thread and of the threads it starts from now
     * on, or stops dropping them: work made up to warm the JVM up says nothing, while the other
     * threads log as they are set to. The records are still made (levels are enabled as for any
     * thread), so that this work runs the code real work runs; only their lines are not written.
     *
     * @param quiet whether to drop them
     */
    public static void quietThisThread(boolean quiet) {
        if (quiet) {
            QUIET.set(Boolean.TRUE);
        } else {
            QUIET.remove();
        }
    }

    static boolean prints(Level l) {
        return destination != Destination.NULL && l.toInt() >= level.toInt();
    }

    /** Whether a record of {@code l} the calling thread made is dropped rather than written. */
    static boolean quiet(Level l) {
        return l != Level.ERROR && QUIET.get() != null;
    }

    /**
     * A level by its name: error, warn, info, debug or trace.
     *
     * @param name the level's name
     * @return the level
     * @throws IllegalArgumentException naming the accepted names
     */
    public static Level parseLevel(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.ERROR;
            case "warn", "warning" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            default -> throw new IllegalArgumentException("'" + name + "' is not a log level (error, warn, info, debug, trace)");
        };
    }

    /**
     * A destination by its name, as mptcpd's {@code log}: stderr, syslog, journal or null.
     *
     * @param name the destination's name
     * @return the destination
     * @throws IllegalArgumentException naming the accepted names
     */
    public static Destination parseDestination(String name) {
        return switch (name) {
            case "stderr" -> Destination.STDERR;
            case "syslog" -> Destination.SYSLOG;
            case "journal" -> Destination.JOURNAL;
            case "null" -> Destination.NULL;
            default -> throw new IllegalArgumentException("'" + name + "' is not accepted (stderr, syslog, journal, null)");
        };
    }

    /**
     * A format by its name: logfmt or json.
     *
     * @param name the format's name
     * @return the format
     * @throws IllegalArgumentException naming the accepted names
     */
    public static Format parseFormat(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "logfmt" -> Format.LOGFMT;
            case "json" -> Format.JSON;
            default -> throw new IllegalArgumentException("'" + name + "' is not a log format (logfmt, json)");
        };
    }
}
