package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mptcp4j.table.RowTable;

class TokenMapTest {
    /** Probes of a lookup of a present token: on average, and at most. */
    private static final double AVERAGE_LOOKUP = 4;
    private static final int LONGEST_LOOKUP = 64;
    /**
     * Used slots in a row, at most: no operation probes more than one slot past the run it falls
     * in. Linear probing at most half full leaves runs of about 60 among a million tokens.
     */
    private static final int LONGEST_RUN = 128;
    private static final int MILLION = 1_000_000;

    @Test
    void behavesAsAHashMapUnderRandomUse() {
        Random random = new Random(1);
        TokenMap<Integer> map = new TokenMap<>();
        Map<Integer, Integer> reference = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            // Few distinct keys, many collisions: every probe and removal path is taken.
            int token = random.nextInt(300) * 0x10000;
            switch (random.nextInt(3)) {
                case 0 -> {
                    map.put(token, i);
                    reference.put(token, i);
                }
                case 1 -> assertEquals(reference.remove(token), map.remove(token));
                default -> assertEquals(reference.get(token), map.get(token));
            }
            assertEquals(reference.isEmpty(), map.isEmpty());
        }
        for (Map.Entry<Integer, Integer> e : reference.entrySet()) {
            assertEquals(e.getValue(), map.get(e.getKey()));
        }
    }

    /**
     * Random operations on tokens from a pool of random ones, 0 and the extremes, with growth from
     * empty, retains and clears: the same answers as a HashMap at every step.
     */
    @Test
    void agreesWithAHashMapOnEveryOperation() {
        SplittableRandom random = new SplittableRandom(7);
        int[] pool = new int[5_000];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = i < 3 ? new int[] {0, Integer.MIN_VALUE, -1}[i] : random.nextInt();
        }
        TokenMap<Integer> map = new TokenMap<>();
        Map<Integer, Integer> model = new HashMap<>();
        for (int step = 0; step < 400_000; step++) {
            int token = pool[random.nextInt(pool.length)];
            int op = random.nextInt(1_000);
            if (op < 450) {
                map.put(token, step);
                model.put(token, step);
            } else if (op < 700) {
                assertEquals(model.remove(token), map.remove(token));
            } else if (op < 998) {
                assertEquals(model.get(token), map.get(token));
                assertEquals(model.containsKey(token), map.containsKey(token));
            } else if (op < 999) {
                int bit = 1 << random.nextInt(32);
                map.retainTokens(t -> (t & bit) == 0);
                model.keySet().removeIf(t -> (t & bit) != 0);
            } else if (random.nextInt(10) == 0) {
                map.clear();
                model.clear();
            }
            assertEquals(model.size(), map.size());
        }
        int[] tokens = map.tokens();
        Arrays.sort(tokens);
        assertEquals(Arrays.toString(model.keySet().stream().mapToInt(Integer::intValue).sorted().toArray()),
                Arrays.toString(tokens));
        for (int token : pool) {
            assertEquals(model.get(token), map.get(token));
        }
    }

    @Test
    void aMillionRandomTokensCostAFewProbesEach() {
        SplittableRandom random = new SplittableRandom(15);
        int[] tokens = distinctRandom(random, 2 * MILLION);
        holdsAndChurns(tokens, MILLION, random);
    }

    @Test
    void aMillionSequentialTokensCostAFewProbesEach() {
        int[] tokens = new int[2 * MILLION];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Integer.MAX_VALUE - MILLION + i; // through MAX_VALUE into the negatives
        }
        holdsAndChurns(tokens, MILLION, new SplittableRandom(16));
    }

    /** Tokens that differ only in their high 20 bits: a hash keeping low bits would stack them. */
    @Test
    void aMillionTokensDifferingOnlyInHighBitsCostAFewProbesEach() {
        int[] tokens = new int[1 << 20];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Integer.reverse(i);
        }
        shuffle(tokens, new SplittableRandom(17));
        holdsAndChurns(tokens, tokens.length / 2, new SplittableRandom(18));
    }

    /** Multiples of 65,536, three quarters of them open at once: a hash of the high 16 bits alone would pile them up. */
    @Test
    void multiplesOf65536CostAFewProbesEach() {
        int[] tokens = new int[1 << 16];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i << 16;
        }
        shuffle(tokens, new SplittableRandom(19));
        holdsAndChurns(tokens, tokens.length / 4 * 3, new SplittableRandom(20));
    }

    /**
     * Puts the first {@code open} tokens, then closes a random open one and puts the next unused
     * one until every token was used, then removes all: the probes stay bounded throughout.
     */
    private static void holdsAndChurns(int[] tokens, int open, SplittableRandom random) {
        TokenMap<Integer> map = new TokenMap<>();
        int check = Math.max(1, open / 16);
        int[] live = Arrays.copyOf(tokens, open);
        for (int i = 0; i < open; i++) {
            map.put(tokens[i], i);
            if (i % check == 0) {
                assertBounded(map, "putting token " + i);
            }
        }
        assertEquals(open, map.size());
        assertBounded(map, "full");
        for (int i = open; i < tokens.length; i++) {
            int closing = random.nextInt(open);
            assertTrue(map.remove(live[closing]) != null, "token " + live[closing]);
            assertNull(map.get(live[closing]));
            live[closing] = tokens[i];
            map.put(tokens[i], i);
            assertEquals(i, map.get(tokens[i]));
            if (i % check == 0) {
                assertBounded(map, "churn step " + (i - open));
            }
        }
        assertEquals(open, map.size());
        for (int i = 0; i < open; i++) {
            assertTrue(map.remove(live[i]) != null, "token " + live[i]);
            if (i % check == 0) {
                assertBounded(map, "removing token " + i);
            }
        }
        assertTrue(map.isEmpty());
    }

    private static void assertBounded(TokenMap<?> map, String when) {
        RowTable.Spread spread = map.spread();
        String where = when + ", " + map.size() + " tokens: " + spread;
        assertTrue(spread.averageLookup() < AVERAGE_LOOKUP, where);
        assertTrue(spread.longestLookup() < LONGEST_LOOKUP, where);
        assertTrue(spread.longestRun() < LONGEST_RUN, where);
    }

    private static int[] distinctRandom(SplittableRandom random, int count) {
        int[] drawn = random.ints(count + count / 8).sorted().distinct().toArray();
        shuffle(drawn, random);
        assertTrue(drawn.length >= count);
        return Arrays.copyOf(drawn, count);
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
