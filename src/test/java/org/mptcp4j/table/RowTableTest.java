package org.mptcp4j.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RowTableTest {
    /** A row of the model: the two fields and the object. */
    private record Row(long first, long second, Object object) {}

    /**
     * Random inserts, field and object changes, removals, retains and clears over a pool of long
     * keys (0, the extremes, random ones, ones differing only in high bits), growing from the
     * smallest table: the same rows as a HashMap after every step, found by lookup and by a walk.
     */
    @Test
    void keyedByLongAgreesWithAHashMapOnEveryOperation() {
        SplittableRandom random = new SplittableRandom(3);
        agreesWithAHashMap(RowTable.keyedByLong(2, true, 0), pool(random, false), random);
    }

    /** The same over int keys. */
    @Test
    void keyedByIntAgreesWithAHashMapOnEveryOperation() {
        SplittableRandom random = new SplittableRandom(4);
        agreesWithAHashMap(RowTable.keyedByInt(2, true, 0), pool(random, true), random);
    }

    /** 600 keys, ints or longs: random ones, ones differing only in high bits, 0 and small ones, the extremes. */
    private static long[] pool(SplittableRandom random, boolean ints) {
        long[] pool = new long[600];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = switch (i % 4) {
                case 0 -> ints ? random.nextInt() : random.nextLong();
                case 1 -> ints ? i << 16 : (long) i << 44;
                case 2 -> i - 300;
                default -> i == 3 ? (ints ? Integer.MIN_VALUE : Long.MIN_VALUE) : (ints ? Integer.MAX_VALUE : Long.MAX_VALUE) - i;
            };
        }
        return pool;
    }

    private static void agreesWithAHashMap(RowTable table, long[] pool, SplittableRandom random) {
        Map<Long, Row> model = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            long key = pool[random.nextInt(pool.length)];
            int op = random.nextInt(1_000);
            if (op < 450) {
                int slot = table.insert(key);
                Row before = model.getOrDefault(key, new Row(0, 0, null));
                assertEquals(before, rowAt(table, slot), "an inserted key keeps its row, a new one is zero");
                table.setField(slot, 0, step);
                table.setField(slot, 1, -step);
                table.setObject(slot, key);
                model.put(key, new Row(step, -step, key));
            } else if (op < 700) {
                int slot = table.find(key);
                assertEquals(model.containsKey(key), slot >= 0);
                if (slot >= 0) {
                    table.removeAt(slot);
                    model.remove(key);
                }
            } else if (op < 995) {
                int slot = table.find(key);
                assertEquals(model.get(key), slot < 0 ? null : rowAt(table, slot));
            } else if (op < 999) {
                Set<Long> asked = new HashSet<>();
                long bit = 1L << random.nextInt(64);
                table.retain(k -> {
                    assertTrue(asked.add(k), "asked twice about " + k);
                    return (k & bit) == 0;
                });
                assertEquals(model.keySet(), asked);
                model.keySet().removeIf(k -> (k & bit) != 0);
            } else {
                table.clear();
                model.clear();
            }
            assertEquals(model.size(), table.size());
        }
        Map<Long, Row> walked = new HashMap<>();
        for (int slot = table.next(0); slot >= 0; slot = table.next(slot + 1)) {
            assertNull(walked.put(table.key(slot), rowAt(table, slot)));
        }
        assertEquals(model, walked);
    }

    /** Socket cookies: counters from a high base, and values apart only in their top bits. */
    @Test
    void cookiesSequentialOrDifferingInHighBitsSitNearHome() {
        for (int shift : new int[] {0, 20, 40, 44}) {
            RowTable table = RowTable.keyedByLong(3, false, 0);
            for (long i = 1; i <= 1 << 19; i++) {
                table.insert((0x4000_0000_0000L + i) << shift);
            }
            RowTable.Spread spread = table.spread();
            assertTrue(spread.averageLookup() < 4 && spread.longestRun() < 128, "shift " + shift + ": " + spread);
        }
    }

    @Test
    void keyZeroHasItsOwnRowAndOnlyWhenInserted() {
        RowTable table = RowTable.keyedByInt(1, false, 4);
        assertEquals(-1, table.find(0));
        assertEquals(-1, table.next(0));
        int slot = table.insert(0);
        table.setField(slot, 0, 5);
        for (long key = 1; key <= 100; key++) {
            table.insert(key); // grows, moving key 0's row too
        }
        assertEquals(5, table.field(table.find(0), 0));
        assertEquals(101, table.intKeys().length);
        table.removeAt(table.find(0));
        assertEquals(-1, table.find(0));
        assertEquals(0, table.field(table.insert(0), 0), "a row made again starts at 0");
    }

    private static Row rowAt(RowTable table, int slot) {
        return new Row(table.field(slot, 0), table.field(slot, 1), table.object(slot));
    }
}
