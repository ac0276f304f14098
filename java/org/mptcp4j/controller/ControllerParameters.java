package org.mptcp4j.controller;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mptcp4j.pm.MptcpAddress;

/**
 * The parameters a controller is made with ({@code name=value} pairs from the command line, a
 * policy file or code), read with the type each needs. A value that does not parse, and a name
 * the controller does not know, fail with an {@link IllegalArgumentException} that names the
 * controller and the parameter.
 */
public final class ControllerParameters {
    private final String controller;
    private final Map<String, String> values;
    private final Set<String> read = new TreeSet<>();

    private ControllerParameters(String controller, Map<String, String> values) {
        this.controller = controller;
        this.values = new LinkedHashMap<>(values);
    }

    /** The parameters {@code values} for the controller named {@code controller}. */
    public static ControllerParameters of(String controller, Map<String, String> values) {
        return new ControllerParameters(controller, values);
    }

    private String raw(String name) {
        read.add(name);
        return values.get(name);
    }

    private IllegalArgumentException invalid(String name, String value, String expected) {
        return new IllegalArgumentException(controller + ": parameter '" + name + "' must be " + expected + ", not '"
                + value + "'");
    }

    public String string(String name, String defaultValue) {
        String v = raw(name);
        return v == null ? defaultValue : v;
    }

    /** A whole number in {@code min..max}. */
    public int integer(String name, int defaultValue, int min, int max) {
        String v = raw(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw invalid(name, v, min + ".." + max);
    }

    /** A decimal number in {@code min..max}. */
    public double decimal(String name, double defaultValue, double min, double max) {
        String v = raw(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (d >= min && d <= max) {
                return d;
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw invalid(name, v, "a number in " + min + ".." + max);
    }

    /** A duration such as {@code 250ms}, {@code 2s}, {@code 1m}, at least {@code min}. */
    public Duration duration(String name, Duration defaultValue, Duration min) {
        String v = raw(name);
        if (v == null) {
            return defaultValue;
        }
        Duration d = parseDuration(v.trim());
        if (d == null || d.compareTo(min) < 0) {
            throw invalid(name, v, "a duration of at least " + text(min) + " (e.g. 500ms, 2s, 1m)");
        }
        return d;
    }

    /** {@code true}/{@code false} (also yes/no, on/off, 1/0). */
    public boolean bool(String name, boolean defaultValue) {
        String v = raw(name);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(name, v, "true or false");
        };
    }

    /** A rate such as {@code 20mbit}, {@code 500kbit}, {@code 2gbit} or bits per second; in bits per second. */
    public long bitRate(String name, long defaultValue) {
        String v = raw(name);
        if (v == null) {
            return defaultValue;
        }
        String t = v.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        for (String[] suffix : new String[][] {{"gbit", "1000000000"}, {"mbit", "1000000"}, {"kbit", "1000"}, {"bit", "1"}}) {
            if (t.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                t = t.substring(0, t.length() - suffix[0].length());
                break;
            }
        }
        try {
            double rate = Double.parseDouble(t) * unit;
            if (rate > 0 && rate < Long.MAX_VALUE) {
                return (long) rate;
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw invalid(name, v, "a rate such as 20mbit, 500kbit or 1000000");
    }

    /** A comma-separated list of IP addresses (empty when absent). */
    public List<InetAddress> addresses(String name) {
        String v = raw(name);
        List<InetAddress> addresses = new ArrayList<>();
        if (v == null || v.isBlank()) {
            return addresses;
        }
        for (String part : v.split(",")) {
            try {
                addresses.add(MptcpAddress.literal(part.trim()));
            } catch (IllegalArgumentException e) {
                throw invalid(name, v, "a comma-separated list of IP addresses");
            }
        }
        return addresses;
    }

    /** A port range {@code FIRST-LAST} (or one port) within 1..65535, as {first, last}; null when absent. */
    public int[] portRange(String name) {
        String v = raw(name);
        if (v == null) {
            return null;
        }
        String[] range = v.trim().split("-", -1);
        try {
            int first = Integer.parseInt(range[0].trim());
            int last = range.length == 2 ? Integer.parseInt(range[1].trim()) : first;
            if (range.length <= 2 && first >= 1 && first <= last && last <= 65535) {
                return new int[] {first, last};
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw invalid(name, v, "a port range FIRST-LAST within 1..65535");
    }

    /**
     * Fails on a parameter the controller never read: a misspelt name would otherwise be
     * ignored silently. Providers call it once they have read every parameter.
     */
    public void requireAllRead() {
        for (String name : values.keySet()) {
            if (!read.contains(name)) {
                throw new IllegalArgumentException(controller + ": unknown parameter '" + name + "'"
                        + (read.isEmpty() ? " (it takes none)" : " (it takes " + String.join(", ", read) + ")"));
            }
        }
    }

    /** A duration like {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}; null if it is not one. */
    public static Duration parseDuration(String v) {
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}};
        for (String[] unit : units) {
            if (v.endsWith(unit[0])) {
                String number = v.substring(0, v.length() - unit[0].length());
                try {
                    double millis = Double.parseDouble(number) * Long.parseLong(unit[1]);
                    return millis >= 0 ? Duration.ofNanos((long) (millis * 1_000_000)) : null;
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    @Override
    public String toString() {
        return controller + values;
    }
}
