package org.mptcp4j.testing;

import java.util.Locale;
import java.util.Random;

/**
 * Text written where a duration, rate, size or number is expected, as people write it and as
 * nobody would: for property tests of the parsers (a seeded {@link Random} makes a failure
 * repeatable).
 */
public final class GeneratedText {
    /** Every unit some kind takes, in other cases, and words that are none. */
    static final String[] UNITS = {"", "ms", "s", "m", "h", "d", "ns", "us", "min", "S", "H", "bit", "kbit", "mbit",
        "gbit", "tbit", "Mbit", "GBIT", "bps", "kbps", "K", "M", "G", "k", "KiB", "T", "e", "e3", "E300", "x", " ms", "%"};
    /** What overflows, is not finite, signed, in other notations, other digits, too long. */
    public static final String[] EDGES = {"", " ", "Infinity", "-Infinity", "+Infinity", "NaN", "-0", "0", "-1", "+1",
        "1e300", "1E300", "1e-300", "0x10", "0x1p3", "99999999999999999999", "9223372036854775807",
        "9223372036854775808", "18446744073709551616", "17179869185", "4294967296", "2147483648", ".5", "5.", "1..2",
        "1.2.3", "\u0663", "\uff11", "\u0661\u0660", "1_000", "1,5", "1 000", "\t7\n", "00000000000000000000000001",
        "0.0000000000000000000001", "1".repeat(70)};

    private GeneratedText() {}

    /** A number in one of many forms, or an edge. */
    static String number(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> Long.toString(random.nextInt(100_000));
            case 1 -> Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(40) - 10));
            case 2 -> Double.toString(Double.longBitsToDouble(random.nextLong())); // any double: huge, tiny, NaN
            case 3 -> String.format(Locale.ROOT, "%.3f", random.nextDouble() * 1000);
            case 4 -> Long.toString(random.nextLong());
            default -> EDGES[random.nextInt(EDGES.length)];
        };
    }

    /** Characters from numbers and units mixed with any others, control characters included. */
    static String garbage(Random random) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            s.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x3000)
                    : "0123456789.-+eE msdhkKMGbit".charAt(random.nextInt(27)));
        }
        return s.toString();
    }

    /** Any of these: a number with a unit (or a word that is none), an edge with one, garbage. */
    public static String any(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> garbage(random);
            case 1 -> EDGES[random.nextInt(EDGES.length)] + UNITS[random.nextInt(UNITS.length)];
            default -> number(random) + UNITS[random.nextInt(UNITS.length)];
        };
    }
}
