package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mptcp4j.testing.GeneratedText;

/**
 * The parsers of durations, rates, sizes and numbers, over generated text: whatever is written,
 * the answer is a value inside the range or an IllegalArgumentException naming the setting, the
 * text and the range; never another exception, never a value outside.
 */
class ValueRangeTest {
    /** Fixed: a failure is the same on every run. */
    private static final long SEED = 0x6d70746370346aL;
    private static final int CASES = 3_000;

    /** A range of each kind, and what a parsed value must stay within (in the kind's base unit). */
    private record Case(String what, ValueRange range, double min, double max) {}

    private static List<Case> ranges(Random random) {
        List<Case> cases = new ArrayList<>();
        long a = random.nextInt(2000);
        long b = a + random.nextInt(100_000);
        cases.add(new Case("duration", ValueRange.duration(Duration.ofMillis(a), Duration.ofMillis(b)), a * 1e6, b * 1e6));
        cases.add(new Case("duration", ValueRange.duration(Duration.ZERO, Duration.ofDays(1)), 0, 86_400e9));
        cases.add(new Case("rate", ValueRange.rate(1 + a, 1_000_000_000_000L), 1 + a, 1e12));
        cases.add(new Case("size", ValueRange.size(4096, 1 << 30), 4096, 1 << 30));
        cases.add(new Case("count", ValueRange.count(a, b), a, b));
        cases.add(new Case("count", ValueRange.count(0, Long.MAX_VALUE), 0, Long.MAX_VALUE));
        cases.add(new Case("number", ValueRange.decimal(0.01, 0.99), 0.01, 0.99));
        return cases;
    }

    @Test
    void anyTextGivesAValueInRangeOrAnErrorNamingSettingTextAndRange() {
        Random random = new Random(SEED);
        int accepted = 0;
        for (int i = 0; i < CASES; i++) {
            for (Case c : ranges(random)) {
                String text = GeneratedText.any(random);
                String name = "setting-" + i;
                try {
                    double value = c.what().equals("number") ? c.range().decimal(name, text) : c.range().parse(name, text);
                    assertTrue(value >= c.min() && value <= c.max(), c.range() + ": '" + text + "' gave " + value);
                    accepted++;
                } catch (IllegalArgumentException e) {
                    String m = e.getMessage();
                    assertTrue(m.startsWith(name + " must be "), m);
                    assertTrue(m.contains(" in " + c.range()), m);
                    if (text.length() <= 64 && text.chars().noneMatch(Character::isISOControl)) {
                        assertTrue(m.endsWith(", not '" + text + "'"), m);
                    }
                } catch (RuntimeException e) {
                    fail(c.range() + ": '" + text + "' threw " + e, e);
                }
            }
        }
        assertTrue(accepted > CASES / 50, "the generator makes valid values too: " + accepted);
    }

    @Test
    void durationsNeedAUnitAndStayWithinTheirRange() {
        ValueRange r = ValueRange.duration(Duration.ofMillis(10), Duration.ofHours(1));
        assertEquals("10ms..1h", r.toString());
        assertEquals(Duration.ofMillis(1500), r.duration("backoff", "1.5s"));
        assertEquals(Duration.ofHours(1), r.duration("backoff", "60m"));
        assertEquals(Duration.ofMillis(10), r.duration("backoff", " 10ms "));
        for (String refused : new String[] {"Infinity", "1e300h", "99999999999999999999ms", "NaN", "-1s", "", "500",
            "1h1ms", "61m", "9ms", "1.5 s", "1S", "0x10s", "+5s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.duration("backoff", refused),
                    refused);
            assertEquals("backoff must be a duration in 10ms..1h (a number and ms, s, m, h or d: 500ms, 1.5s, 5m), not '"
                    + refused + "'", e.getMessage());
        }
        assertEquals("0s..1d", ValueRange.duration(Duration.ZERO, Duration.ofDays(1)).toString());
        assertEquals(0, ValueRange.duration(Duration.ZERO, Duration.ofDays(1)).parse("wait", "0s"));
    }

    @Test
    void ratesAndSizesTakeTheirUnits() {
        ValueRange rate = ValueRange.rate(1, 1_000_000_000_000L);
        assertEquals("1bit..1tbit", rate.toString());
        assertEquals(20_000_000L, rate.parse("target", "20mbit"));
        assertEquals(2_500_000_000L, rate.parse("target", "2.5Gbit"));
        assertEquals("target must be a rate in 1bit..1tbit (a number and bit, kbit, mbit, gbit or tbit: 20mbit), not"
                + " '20000000'", assertThrows(IllegalArgumentException.class, () -> rate.parse("target", "20000000"))
                .getMessage(), "a bare number is refused: tc reads it as bytes per second");
        assertThrows(IllegalArgumentException.class, () -> rate.parse("target", "2tbit"));
        assertThrows(IllegalArgumentException.class, () -> rate.parse("target", "1e300gbit"));

        ValueRange size = ValueRange.size(4096, 1 << 30);
        assertEquals("4K..1G", size.toString());
        assertEquals(512 << 10, size.parse("receive-buffer", "512k"));
        assertEquals(2 << 20, size.parse("receive-buffer", "2M"));
        assertEquals(4096, size.parse("receive-buffer", "4096"));
        // 17179869185 * 2^30 is 2^64 + 2^30: a multiplication in a long wraps it to 1G.
        assertThrows(IllegalArgumentException.class, () -> size.parse("receive-buffer", "17179869185G"));
        assertThrows(IllegalArgumentException.class, () -> size.parse("receive-buffer", "2G"));
    }

    @Test
    void countsAreWholeAsciiNumbers() {
        ValueRange r = ValueRange.count(1, 8);
        assertEquals(8, r.parseInt("subflows", "8"));
        assertEquals(8, r.parseInt("subflows", "008"));
        for (String refused : new String[] {"9", "0", "-1", "+1", "1.0", "\u0663", "\uff11", "0x1", "1e0", "4294967297"}) {
            assertEquals("subflows must be a whole number in 1..8, not '" + refused + "'",
                    assertThrows(IllegalArgumentException.class, () -> r.parseInt("subflows", refused)).getMessage());
        }
        assertEquals("x must be a whole number in 1..8, not '" + "9".repeat(64) + "...'",
                assertThrows(IllegalArgumentException.class, () -> r.parseInt("x", "9".repeat(100))).getMessage(),
                "a long value is cut short in the message");
        assertEquals("x must be a whole number in 1..8, not '1?2'",
                assertThrows(IllegalArgumentException.class, () -> r.parseInt("x", "1\r2")).getMessage());
    }

    @Test
    void valuesGivenInCodeAreCheckedAgainstTheSameRanges() {
        ValueRange r = ValueRange.duration(Duration.ofMillis(1), Duration.ofDays(1));
        assertEquals(Duration.ofHours(2), r.check("period", Duration.ofHours(2)));
        assertEquals("period must be a duration in 1ms..1d, not 1000000d",
                assertThrows(IllegalArgumentException.class, () -> r.check("period", Duration.ofDays(1_000_000)))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.check("period", Duration.ofNanos(Long.MAX_VALUE)));
        assertThrows(IllegalArgumentException.class, () -> r.check("period", Duration.ofSeconds(Long.MAX_VALUE)));
        assertThrows(IllegalArgumentException.class, () -> r.check("period", Duration.ofNanos(-1)));
        assertEquals("period must be a duration in 1ms..1d, not 0.5ms",
                assertThrows(IllegalArgumentException.class, () -> r.check("period", Duration.ofNanos(500_000)))
                        .getMessage());
        ValueRange ratio = ValueRange.decimal(0.01, 0.99);
        assertEquals(0.5, ratio.check("ratio", 0.5));
        assertThrows(IllegalArgumentException.class, () -> ratio.check("ratio", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ratio.check("ratio", Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> ratio.check("ratio", 1.0));
    }
}
