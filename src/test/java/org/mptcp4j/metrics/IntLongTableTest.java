package org.mptcp4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IntLongTableTest {
    /**
     * Random puts, adds, removals and retains over few keys (collisions, removals inside probe
     * runs, growth from 4 slots) agree with a HashMap after every step.
     */
    @Test
    void agreesWithAHashMapUnderRandomChanges() {
        Random random = new Random(42);
        IntLongTable table = new IntLongTable(1);
        Map<Integer, Long> model = new HashMap<>();
        int[] keys = new int[40];
        for (int i = 0; i < keys.length; i++) {
            // Small keys, 0, negatives, and random tokens alike.
            keys[i] = i < 20 ? i - 5 : random.nextInt();
        }
        for (int step = 0; step < 20_000; step++) {
            int key = keys[random.nextInt(keys.length)];
            int op = random.nextInt(100);
            if (op < 40) {
                table.put(key, step);
                model.put(key, (long) step);
            } else if (op < 60) {
                table.add(key, 3);
                model.merge(key, 3L, Long::sum);
            } else if (op < 99) {
                int slot = table.find(key);
                if (slot >= 0) {
                    table.removeAt(slot);
                }
                model.remove(key);
            } else {
                int parity = random.nextInt(2);
                table.retain(k -> (k & 1) == parity);
                model.keySet().removeIf(k -> (k & 1) != parity);
            }
            assertAgrees(model, table, keys);
        }
    }

    private static void assertAgrees(Map<Integer, Long> model, IntLongTable table, int[] keys) {
        assertEquals(model.size(), table.size());
        for (int key : keys) {
            int slot = table.find(key);
            assertEquals(model.get(key), slot < 0 ? null : table.valueAt(slot), "key " + key);
        }
        assertEquals(model.values().stream().mapToLong(Long::longValue).sum(), table.sum());
        int[] present = table.keys();
        Arrays.sort(present);
        assertEquals(Arrays.toString(model.keySet().stream().mapToInt(Integer::intValue).sorted().toArray()),
                Arrays.toString(present));
    }

    @Test
    void setValueAtChangesTheValueInPlace() {
        IntLongTable table = new IntLongTable(8);
        table.put(7, 1);
        table.setValueAt(table.find(7), 5);
        assertEquals(5, table.valueAt(table.find(7)));
        assertEquals(1, table.size());
    }
}
