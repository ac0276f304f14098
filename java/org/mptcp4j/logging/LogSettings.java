package org.mptcp4j.logging;

import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.event.Level;

/**
 * What the daemon's log prints and how: the lowest level printed, the line format, and
 * where lines go. Changed at any time (a configuration reload); read per record.
 */
public final class LogSettings {
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
    private static volatile boolean enabled = true;

    private LogSettings() {}

    /** Records below {@code level} are not printed. */
    public static void level(Level level) {
        LogSettings.level = level;
    }

    public static Level level() {
        return level;
    }

    public static void format(Format format) {
        LogSettings.format = format;
    }

    public static Format format() {
        return format;
    }

    /** false: nothing is printed (mptcpd's {@code log=null}). */
    public static void enabled(boolean enabled) {
        LogSettings.enabled = enabled;
    }

    /** Where lines go (standard error by default). */
    public static void output(PrintStream stream) {
        out = stream;
    }

    static PrintStream output() {
        return out;
    }

    static boolean prints(Level l) {
        return enabled && l.toInt() >= level.toInt();
    }

    /**
     * A level by its name: error, warn, info, debug or trace.
     *
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
     * A format by its name: logfmt or json.
     *
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
