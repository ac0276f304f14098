package org.mptcp4j.metrics;

import java.util.function.IntPredicate;

/**
 * An int to long map by open addressing (linear probing), sized up front so that the event path
 * neither boxes nor allocates; it grows, by doubling, only when half full. Not thread-safe.
 *
 * <p>Lookups return a slot: {@link #find} then {@link #valueAt} or {@link #setValueAt} touch the
 * table once. Removal shifts the following entries back (no tombstones), so a slot is valid only
 * until the next change.
 */
final class IntLongTable {
    private int[] keys;
    private long[] values;
    private boolean[] used; // every int is a valid key (a token may be 0), so a slot's use is kept apart
    private int mask;
    private int size;

    /** A table that holds {@code expected} entries without growing. */
    IntLongTable(int expected) {
        allocate(Integer.highestOneBit(Math.max(2, expected) * 2 - 1) * 2);
    }

    private void allocate(int capacity) {
        keys = new int[capacity];
        values = new long[capacity];
        used = new boolean[capacity];
        mask = capacity - 1;
        size = 0;
    }

    int size() {
        return size;
    }

    /** The slot holding {@code key}, or -1. */
    int find(int key) {
        for (int i = home(key); used[i]; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    long valueAt(int slot) {
        return values[slot];
    }

    void setValueAt(int slot, long value) {
        values[slot] = value;
    }

    /** Sets the value of {@code key}, adding it if absent. */
    void put(int key, long value) {
        int slot = find(key);
        if (slot >= 0) {
            values[slot] = value;
            return;
        }
        if (2 * (size + 1) > keys.length) {
            rehash(keys.length * 2, k -> true);
        }
        insert(key, value);
    }

    /** Adds {@code delta} to the value of {@code key}, which counts as 0 when absent. */
    void add(int key, long delta) {
        int slot = find(key);
        if (slot >= 0) {
            values[slot] += delta;
        } else {
            put(key, delta);
        }
    }

    /** Removes the entry at {@code slot}, moving back the ones that probed past it. */
    void removeAt(int slot) {
        int hole = slot;
        for (int i = (slot + 1) & mask; used[i]; i = (i + 1) & mask) {
            // The entry at i may fill the hole only if its home is not between the hole and i.
            if (((i - home(keys[i])) & mask) >= ((i - hole) & mask)) {
                keys[hole] = keys[i];
                values[hole] = values[i];
                hole = i;
            }
        }
        used[hole] = false;
        size--;
    }

    /** Keeps only the keys {@code keep} accepts (a rebuild: rare, so it may allocate). */
    void retain(IntPredicate keep) {
        rehash(keys.length, keep);
    }

    /** The sum of the values. */
    long sum() {
        long sum = 0;
        for (int i = 0; i < keys.length; i++) {
            if (used[i]) {
                sum += values[i];
            }
        }
        return sum;
    }

    /** The keys, in no order. */
    int[] keys() {
        int[] result = new int[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (used[i]) {
                result[n++] = keys[i];
            }
        }
        return result;
    }

    private void rehash(int capacity, IntPredicate keep) {
        int[] oldKeys = keys;
        long[] oldValues = values;
        boolean[] oldUsed = used;
        allocate(capacity);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldUsed[i] && keep.test(oldKeys[i])) {
                insert(oldKeys[i], oldValues[i]);
            }
        }
    }

    private void insert(int key, long value) {
        int i = home(key);
        while (used[i]) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        used[i] = true;
        size++;
    }

    /** Fibonacci hashing spreads small keys (errno values) and random ones (tokens) alike. */
    private int home(int key) {
        int h = key * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
