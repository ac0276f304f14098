package org.mptcp4j.pm;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kind of value people write in the configuration file, controller parameters, control
 * requests and flags, with the range one setting accepts: each kind has one parser, here.
 *
 * <ul>
 *   <li>a duration: a number and {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}
 *       ({@code 500ms}, {@code 1.5s}, {@code 5m});</li>
 *   <li>a rate: a number and {@code bit}, {@code kbit}, {@code mbit}, {@code gbit} or
 *       {@code tbit}, per second ({@code 20mbit}, tc's words; a bare number is refused, since
 *       tc reads it as bytes);</li>
 *   <li>a size: bytes, or a number and {@code K}, {@code M} or {@code G} (powers of 1024);</li>
 *   <li>a whole number (a count, a port, an id), and a decimal number.</li>
 * </ul>
 *
 * Numbers are plain decimals ({@code 12}, {@code 0.5}): no sign, no exponent, no
 * {@code Infinity} or {@code NaN}. Whatever is empty, not such a number, without the unit its
 * kind needs, or outside the range (however large) is refused with an
 * {@link IllegalArgumentException} that names the setting, the value and the range:
 * {@code backoff must be a duration in 10ms..1h (...), not 'Infinity'}.
 */
public final class ValueRange {
    /** Longer text is refused unread: no accepted value is this long. */
    private static final int MAX_TEXT = 64;
    private static final Pattern NUMBER = Pattern.compile("([0-9]+)(\\.[0-9]+)?([A-Za-z]*)");
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f-\\x9f]");

    private record Unit(String name, long factor) {}

    private enum Kind {
        DURATION("a duration", " (a number and ms, s, m, h or d: 500ms, 1.5s, 5m)", "0s", false, true,
                new Unit("d", 86_400_000_000_000L), new Unit("h", 3_600_000_000_000L), new Unit("m", 60_000_000_000L),
                new Unit("s", 1_000_000_000L), new Unit("ms", 1_000_000L)),
        RATE("a rate", " (a number and bit, kbit, mbit, gbit or tbit: 20mbit)", "0bit", true, true,
                new Unit("tbit", 1_000_000_000_000L), new Unit("gbit", 1_000_000_000L), new Unit("mbit", 1_000_000L),
                new Unit("kbit", 1_000L), new Unit("bit", 1L)),
        SIZE("a size", " (bytes, or a number and K, M or G: 512K, 2M)", "0", true, true,
                new Unit("G", 1L << 30), new Unit("M", 1L << 20), new Unit("K", 1L << 10), new Unit("", 1L)),
        COUNT("a whole number", "", "0", false, false, new Unit("", 1L)),
        DECIMAL("a number", "", "0", false, true, new Unit("", 1L));

        final String noun;
        final String hint;
        final String zero;
        final boolean ignoreCase;
        final boolean fractions;
        /** Largest first; the last is the base unit (nanoseconds for durations). */
        final Unit[] units;

        Kind(String noun, String hint, String zero, boolean ignoreCase, boolean fractions, Unit... units) {
            this.noun = noun;
            this.hint = hint;
            this.zero = zero;
            this.ignoreCase = ignoreCase;
            this.fractions = fractions;
            this.units = units;
        }

        Unit unit(String name) {
            for (Unit u : units) {
                if (ignoreCase ? u.name.equalsIgnoreCase(name) : u.name.equals(name)) {
                    return u;
                }
            }
            return null;
        }
    }

    /** A TCP port. */
    public static final ValueRange PORT = count(1, 65535);

    private final Kind kind;
    /** In the kind's base unit: nanoseconds, bits per second, bytes, or the number itself. */
    private final BigDecimal min;
    private final BigDecimal max;
    /** The bounds as a {@link Duration} and a long, for checks that allocate nothing. */
    private final Duration shortest;
    private final Duration longest;
    private final long lowest;
    private final long highest;
    /** {@link #toString()}, made once. */
    private final String text;

    private ValueRange(Kind kind, BigDecimal min, BigDecimal max) {
        if (min.signum() < 0 || min.compareTo(max) > 0 || max.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("not a range of " + kind.noun + ": " + min + ".." + max);
        }
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.lowest = min.longValue();
        this.highest = max.longValue();
        this.shortest = Duration.ofNanos(lowest);
        this.longest = Duration.ofNanos(highest);
        this.text = text(min) + ".." + text(max);
    }

    /**
     * Durations from {@code min} to {@code max}, read in nanoseconds or as a {@link Duration}.
     *
     * @param min the least duration
     * @param max the greatest duration
     * @return the range
     */
    public static ValueRange duration(Duration min, Duration max) {
        return new ValueRange(Kind.DURATION, nanos(min), nanos(max));
    }

    /**
     * Rates from {@code min} to {@code max} bits per second.
     *
     * @param min the least rate, bits per second
     * @param max the greatest rate, bits per second
     * @return the range
     */
    public static ValueRange rate(long min, long max) {
        return new ValueRange(Kind.RATE, BigDecimal.valueOf(min), BigDecimal.valueOf(max));
    }

    /**
     * Sizes from {@code min} to {@code max} bytes.
     *
     * @param min the least size, bytes
     * @param max the greatest size, bytes
     * @return the range
     */
    public static ValueRange size(long min, long max) {
        return new ValueRange(Kind.SIZE, BigDecimal.valueOf(min), BigDecimal.valueOf(max));
    }

    /**
     * Whole numbers from {@code min} to {@code max}.
     *
     * @param min the least number
     * @param max the greatest number
     * @return the range
     */
    public static ValueRange count(long min, long max) {
        return new ValueRange(Kind.COUNT, BigDecimal.valueOf(min), BigDecimal.valueOf(max));
    }

    /**
     * Decimal numbers from {@code min} to {@code max}, read with {@link #decimal}.
     *
     * @param min the least number
     * @param max the greatest number
     * @return the range
     */
    public static ValueRange decimal(double min, double max) {
        return new ValueRange(Kind.DECIMAL, BigDecimal.valueOf(min), BigDecimal.valueOf(max));
    }

    /**
     * The value {@code text} of setting {@code name}, in the kind's base unit: nanoseconds, bits
     * per second, bytes or the whole number (rounded to the nearest).
     *
     * @param name the setting's name, for the error
     * @param text the setting's text
     * @return the value, in the base unit
     * @throws IllegalArgumentException naming {@code name}, the text and the range
     */
    public long parse(String name, String text) {
        if (kind == Kind.DECIMAL) {
            throw new IllegalStateException("a range of decimal numbers is read with decimal(): " + this);
        }
        return exact(name, text).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /**
     * As {@link #parse}, for a range whose bounds fit an int.
     *
     * @param name the setting's name, for the error
     * @param text the setting's text
     * @return the value
     */
    public int parseInt(String name, String text) {
        return Math.toIntExact(parse(name, text));
    }

    /**
     * As {@link #parse}, for a duration.
     *
     * @param name the setting's name, for the error
     * @param text the setting's text
     * @return the duration
     */
    public Duration duration(String name, String text) {
        require(Kind.DURATION);
        return Duration.ofNanos(parse(name, text));
    }

    /**
     * As {@link #parse}, for a decimal number.
     *
     * @param name the setting's name, for the error
     * @param text the setting's text
     * @return the number
     */
    public double decimal(String name, String text) {
        require(Kind.DECIMAL);
        return exact(name, text).doubleValue();
    }

    /**
     * {@code value} when it is within the range.
     *
     * @param name the setting's name, for the error
     * @param value the value to check
     * @return {@code value}
     * @throws IllegalArgumentException naming {@code name}, the value and the range
     */
    public Duration check(String name, Duration value) {
        require(Kind.DURATION);
        if (value.compareTo(shortest) < 0 || value.compareTo(longest) > 0) {
            throw outside(name, text(nanos(value)));
        }
        return value;
    }

    /**
     * As {@link #check(String, Duration)}, for a value in the kind's base unit.
     *
     * @param name the setting's name, for the error
     * @param value the value to check, in the base unit
     * @return {@code value}
     */
    public long check(String name, long value) {
        if (kind == Kind.DECIMAL) {
            throw new IllegalStateException("a range of decimal numbers checks doubles: " + this);
        }
        if (value < lowest || value > highest) {
            throw outside(name, text(BigDecimal.valueOf(value)));
        }
        return value;
    }

    /**
     * As {@link #check(String, Duration)}, for a decimal number.
     *
     * @param name the setting's name, for the error
     * @param value the value to check
     * @return {@code value}
     */
    public double check(String name, double value) {
        require(Kind.DECIMAL);
        if (!(Double.isFinite(value) && BigDecimal.valueOf(value).compareTo(min) >= 0
                && BigDecimal.valueOf(value).compareTo(max) <= 0)) {
            throw outside(name, Double.toString(value));
        }
        return value;
    }

    private IllegalArgumentException outside(String name, String value) {
        return new IllegalArgumentException(name + " must be " + kind.noun + " in " + this + ", not " + value);
    }

    private void require(Kind k) {
        if (kind != k) {
            throw new IllegalStateException("not " + k.noun + " range: " + this);
        }
    }

    private BigDecimal exact(String name, String text) {
        String t = text == null ? "" : text.strip();
        Matcher m = NUMBER.matcher(t);
        if (t.length() <= MAX_TEXT && m.matches() && (kind.fractions || m.group(2) == null)) {
            Unit unit = kind.unit(m.group(3));
            if (unit != null) {
                BigDecimal value = new BigDecimal(m.group(1) + (m.group(2) == null ? "" : m.group(2)))
                        .multiply(BigDecimal.valueOf(unit.factor));
                if (value.compareTo(min) >= 0 && value.compareTo(max) <= 0) {
                    return value;
                }
            }
        }
        throw new IllegalArgumentException(name + " must be " + kind.noun + " in " + this + kind.hint + ", not '"
                + shown(text) + "'");
    }

    /** The text as written, cut short and without control characters, for a message. */
    private static String shown(String text) {
        if (text == null) {
            return "";
        }
        String t = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text;
        return CONTROL.matcher(t).replaceAll("?");
    }

    private static BigDecimal nanos(Duration d) {
        return BigDecimal.valueOf(d.getSeconds()).scaleByPowerOfTen(9).add(BigDecimal.valueOf(d.getNano()));
    }

    /** A value in the kind's base unit, as it would be written: in the largest unit that gives a whole number. */
    private String text(BigDecimal value) {
        if (value.signum() == 0) {
            return kind.zero;
        }
        Unit[] units = kind.units;
        for (Unit u : units) {
            BigDecimal[] qr = value.divideAndRemainder(BigDecimal.valueOf(u.factor));
            if (qr[0].signum() != 0 && qr[1].signum() == 0) {
                return qr[0].stripTrailingZeros().toPlainString() + u.name;
            }
        }
        Unit smallest = units[units.length - 1];
        return value.divide(BigDecimal.valueOf(smallest.factor)).stripTrailingZeros().toPlainString() + smallest.name;
    }

    /** The range as {@code MIN..MAX}, in the units people write: {@code 10ms..1h}, {@code 4K..1G}, {@code 1..8}. */
    @Override
    public String toString() {
        return text;
    }
}
