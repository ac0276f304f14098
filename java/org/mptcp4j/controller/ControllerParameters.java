package org.mptcp4j.controller;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * The parameters a controller is made with ({@code name=value} pairs from the command line, a
 * policy file or code), read with the type each needs, numbers within the {@link ValueRange} the
 * controller declares for each. A value that does not parse or is out of its range, and a name
 * the controller does not know, fail with a {@link ParameterException} that names the
 * controller, the parameter, the value and what is accepted.
 */
public final class ControllerParameters {
    private final String controller;
    private final Map<String, String> values;
    private final Set<String> read = new TreeSet<>();

    private ControllerParameters(String controller, Map<String, String> values) {
        this.controller = controller;
        this.values = new LinkedHashMap<>(values);
    }

    /**
     * The parameters {@code values} for the controller named {@code controller}.
     *
     * @param controller the controller's name, for errors
     * @param values the parameters by name
     * @return the parameters
     */
    public static ControllerParameters of(String controller, Map<String, String> values) {
        return new ControllerParameters(controller, values);
    }

    private String raw(String name) {
        read.add(name);
        return values.get(name);
    }

    private ParameterException invalid(String name, String value, String expected) {
        return new ParameterException(name, named(name) + " must be " + expected + ", not '" + value + "'");
    }

    /** {@code parse} applied to {@code name}'s value {@code v}, its refusal a {@link ParameterException}. */
    private <T> T parsed(String name, String v, BiFunction<String, String, T> parse) {
        try {
            return parse.apply(named(name), v);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(name, e.getMessage());
        }
    }

    /**
     * Parameter {@code name}'s value, or {@code defaultValue} when it is not given.
     *
     * @param name the parameter's name
     * @param defaultValue the value when it is not given
     * @return the value
     */
    public String string(String name, String defaultValue) {
        String v = raw(name);
        return v == null ? defaultValue : v;
    }

    /** Parameter {@code name} in messages. */
    private String named(String name) {
        return controller + ": parameter '" + name + "'";
    }

    /**
     * A whole number in {@code range}.
     *
     * @param name the parameter's name
     * @param defaultValue the value when it is not given
     * @param range the values allowed
     * @return the value
     */
    public int integer(String name, int defaultValue, ValueRange range) {
        String v = raw(name);
        return v == null ? defaultValue : parsed(name, v, range::parseInt);
    }

    /**
     * A decimal number in {@code range} (made with {@link ValueRange#decimal(double, double)}).
     *
     * @param name the parameter's name
     * @param defaultValue the value when it is not given
     * @param range the values allowed
     * @return the value
     */
    public double decimal(String name, double defaultValue, ValueRange range) {
        String v = raw(name);
        return v == null ? defaultValue : parsed(name, v, range::decimal);
    }

    /**
     * A duration such as {@code 250ms}, {@code 2s}, {@code 1m} in {@code range}.
     *
     * @param name the parameter's name
     * @param defaultValue the value when it is not given
     * @param range the durations allowed
     * @return the duration
     */
    public Duration duration(String name, Duration defaultValue, ValueRange range) {
        String v = raw(name);
        return v == null ? defaultValue : parsed(name, v, range::duration);
    }

    /**
     * {@code true}/{@code false} (also yes/no, on/off, 1/0).
     *
     * @param name the parameter's name
     * @param defaultValue the value when it is not given
     * @return the value
     */
    public boolean bool(String name, boolean defaultValue) {
        String v = raw(name);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(name, v, "true or false");
        };
    }

    /**
     * A rate such as {@code 20mbit}, {@code 500kbit}, {@code 2gbit} in {@code range}; in bits per second.
     *
     * @param name the parameter's name
     * @param defaultValue the rate when it is not given, bits per second
     * @param range the rates allowed
     * @return the rate, bits per second
     */
    public long bitRate(String name, long defaultValue, ValueRange range) {
        String v = raw(name);
        return v == null ? defaultValue : parsed(name, v, range::parse);
    }

    /**
     * A comma-separated list of IP addresses (empty when absent).
     *
     * @param name the parameter's name
     * @return the addresses
     */
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

    /**
     * A port range {@code FIRST-LAST} (or one port) within 1..65535, as {first, last}; null when absent.
     *
     * @param name the parameter's name
     * @return {first, last}, or null
     */
    public int[] portRange(String name) {
        String v = raw(name);
        if (v == null) {
            return null;
        }
        String[] range = v.split("-", -1);
        if (range.length <= 2) {
            int first = parsed(name, range[0], ValueRange.PORT::parseInt);
            int last = range.length == 2 ? parsed(name, range[1], ValueRange.PORT::parseInt) : first;
            if (first <= last) {
                return new int[] {first, last};
            }
        }
        throw invalid(name, v, "a port range FIRST-LAST within " + ValueRange.PORT);
    }

    /**
     * Fails on a parameter the controller never read: a misspelt name would otherwise be
     * ignored silently. Providers call it once they have read every parameter.
     */
    public void requireAllRead() {
        for (String name : values.keySet()) {
            if (!read.contains(name)) {
                throw new ParameterException(name, controller + ": unknown parameter '" + name + "'"
                        + (read.isEmpty() ? " (it takes none)" : " (it takes " + String.join(", ", read) + ")"));
            }
        }
    }

    @Override
    public String toString() {
        return controller + values;
    }
}
