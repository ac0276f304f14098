package org.mptcp4j.metrics;

import java.util.function.IntPredicate;
import org.mptcp4j.table.RowTable;

/**
 * An int to long map, sized up front so that the event path neither boxes nor allocates; it
 * grows, by doubling, only when half full. Not thread-safe.
 *
 * <p>Lookups return a slot: {@link #find} then {@link #valueAt} or {@link #setValueAt} touch the
 * table once. A slot is valid only until the next change.
 */
final class IntLongTable {
    private final RowTable rows;

    /** A table that holds {@code expected} entries without growing. */
    IntLongTable(int expected) {
        rows = RowTable.keyedByInt(1, false, expected);
    }

    int size() {
        return rows.size();
    }

    /** The slot holding {@code key}, or -1. */
    int find(int key) {
        return rows.find(key);
    }

    long valueAt(int slot) {
        return rows.field(slot, 0);
    }

    void setValueAt(int slot, long value) {
        rows.setField(slot, 0, value);
    }

    /** Sets the value of {@code key}, adding it if absent. */
    void put(int key, long value) {
        setValueAt(rows.insert(key), value);
    }

    /** Adds {@code delta} to the value of {@code key}, which counts as 0 when absent. */
    void add(int key, long delta) {
        int slot = rows.insert(key);
        setValueAt(slot, valueAt(slot) + delta);
    }

    /** Removes the entry at {@code slot}. */
    void removeAt(int slot) {
        rows.removeAt(slot);
    }

    /** Keeps only the keys {@code keep} accepts. */
    void retain(IntPredicate keep) {
        rows.retain(key -> keep.test((int) key));
    }

    /** The sum of the values. */
    long sum() {
        long sum = 0;
        for (int slot = rows.next(0); slot >= 0; slot = rows.next(slot + 1)) {
            sum += valueAt(slot);
        }
        return sum;
    }

    /** The keys, in no order. */
    int[] keys() {
        return rows.intKeys();
    }
}
