package org.mptcp4j.table;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * Rows keyed by a long, by open addressing with linear probing: the one hash table under every
 * per-connection table (by token, by socket cookie). A row is its key and a fixed number of long
 * fields, kept together in one array so that a lookup reads one cache line; a table may also
 * keep an object per row, in an array beside it.
 *
 * <p>Keys are spread by murmur3's 64-bit finalizer, which mixes every bit of the key into the
 * slot: sequential tokens, random ones and ones that differ only in their high bits all sit
 * about one slot from home, the table doubling when half full. Removal shifts back the rows
 * that probed past the hole (no tombstones, nothing inserted again), so that a removal costs at
 * most the run of used slots it is in. Nothing is allocated except when the table grows.
 *
 * <p>A slot names a row until the next insertion or removal. Key 0 marks an empty slot; key 0
 * itself has a row of its own after the table's. Not thread-safe.
 */
public final class RowTable {
    private final int stride;
    private final boolean withObjects;
    private long[] rows;
    private Object[] objects;
    private int mask;
    private int size;
    private boolean zeroKeyUsed;

    /**
     * A table that holds {@code expected} rows without growing.
     *
     * @param fields the long fields of a row beside its key
     * @param withObjects whether each row also has an object
     */
    public RowTable(int fields, boolean withObjects, int expected) {
        if (fields < 0 || expected < 0) {
            throw new IllegalArgumentException("fields " + fields + ", expected " + expected);
        }
        this.stride = 1 + fields;
        this.withObjects = withObjects;
        allocate(Integer.highestOneBit(Math.max(4, 2 * expected) - 1) * 2);
    }

    /** Rows held. */
    public int size() {
        return size;
    }

    /** The slot of {@code key}'s row, or -1. */
    public int find(long key) {
        if (key == 0) {
            return zeroKeyUsed ? zeroKeySlot() : -1;
        }
        for (int slot = home(key); ; slot = (slot + 1) & mask) {
            long k = rows[slot * stride];
            if (k == key) {
                return slot;
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    /** The slot of {@code key}'s row, made (fields 0, object null) when it has none. */
    public int insert(long key) {
        if (key == 0) {
            if (!zeroKeyUsed) {
                zeroKeyUsed = true;
                size++;
            }
            return zeroKeySlot();
        }
        int slot = home(key);
        for (long k; (k = rows[slot * stride]) != 0; slot = (slot + 1) & mask) {
            if (k == key) {
                return slot;
            }
        }
        if (2 * (size + 1) > capacity()) {
            rehash(2 * capacity());
            slot = emptySlotFor(key);
        }
        rows[slot * stride] = key;
        size++;
        return slot;
    }

    /** Removes the row at {@code slot}, moving back the rows of its run that probed past it. */
    public void removeAt(int slot) {
        int hole = slot;
        if (slot == zeroKeySlot()) {
            zeroKeyUsed = false;
        } else {
            for (int i = (slot + 1) & mask; rows[i * stride] != 0; i = (i + 1) & mask) {
                // The row at i may fill the hole only if its home is not between the hole and i.
                if (((i - home(rows[i * stride])) & mask) >= ((i - hole) & mask)) {
                    copyRow(rows, objects, i, hole);
                    hole = i;
                }
            }
        }
        Arrays.fill(rows, hole * stride, (hole + 1) * stride, 0L);
        if (withObjects) {
            objects[hole] = null;
        }
        size--;
    }

    /** Removes the rows whose key {@code keep} refuses; it is asked once per key. */
    public void retain(LongPredicate keep) {
        if (zeroKeyUsed && !keep.test(0)) {
            removeAt(zeroKeySlot());
        }
        // From an empty slot on, no run wraps past the start: rows removed further on pull back
        // only rows not yet asked about.
        int start = 0;
        while (rows[start * stride] != 0) {
            start++;
        }
        for (int n = 1; n < capacity(); n++) {
            int slot = (start + n) & mask;
            while (rows[slot * stride] != 0 && !keep.test(rows[slot * stride])) {
                removeAt(slot);
            }
        }
    }

    /** Removes every row, keeping the table's size. */
    public void clear() {
        if (size == 0) {
            return; // every row is zero already
        }
        Arrays.fill(rows, 0L);
        if (withObjects) {
            Arrays.fill(objects, null);
        }
        zeroKeyUsed = false;
        size = 0;
    }

    /** The first used slot from {@code slot} on, or -1: {@code for (int s = next(0); s >= 0; s = next(s + 1))}. */
    public int next(int slot) {
        for (; slot < capacity(); slot++) {
            if (rows[slot * stride] != 0) {
                return slot;
            }
        }
        return slot == zeroKeySlot() && zeroKeyUsed ? slot : -1;
    }

    /** The keys of a table keyed by int, in no order (allocates). */
    public int[] intKeys() {
        int[] keys = new int[size];
        int n = 0;
        for (int slot = next(0); slot >= 0; slot = next(slot + 1)) {
            keys[n++] = (int) key(slot);
        }
        return keys;
    }

    /** The key of the row at {@code slot}. */
    public long key(int slot) {
        return rows[slot * stride];
    }

    /** Field {@code field} (from 0) of the row at {@code slot}. */
    public long field(int slot, int field) {
        return rows[slot * stride + 1 + field];
    }

    /** Sets field {@code field} (from 0) of the row at {@code slot}. */
    public void setField(int slot, int field, long value) {
        rows[slot * stride + 1 + field] = value;
    }

    /** The object of the row at {@code slot}. */
    public Object object(int slot) {
        return objects[slot];
    }

    /** Sets the object of the row at {@code slot}. */
    public void setObject(int slot, Object value) {
        objects[slot] = value;
    }

    /**
     * How far the keys sit from their home slots, which is what every operation costs. For tests.
     *
     * @return the probes a lookup of a present key takes on average and at most, and the longest
     *     run of used slots: a miss, an insertion or a removal probes at most one slot more
     */
    public Spread spread() {
        long probes = zeroKeyUsed ? 1 : 0;
        int longestLookup = zeroKeyUsed ? 1 : 0;
        int longestRun = 0;
        int run = 0;
        for (int slot = 0; slot < 2 * capacity(); slot++) { // twice round: a run may wrap
            long key = rows[(slot & mask) * stride];
            if (key == 0) {
                run = 0;
                continue;
            }
            longestRun = Math.max(longestRun, ++run);
            if (slot < capacity()) {
                int lookup = ((slot - home(key)) & mask) + 1;
                probes += lookup;
                longestLookup = Math.max(longestLookup, lookup);
            }
        }
        return new Spread(size == 0 ? 0 : (double) probes / size, longestLookup, longestRun);
    }

    /**
     * See {@link #spread}.
     *
     * @param averageLookup probes of a lookup of a present key, on average
     * @param longestLookup probes of a lookup of a present key, at most
     * @param longestRun the longest run of used slots
     */
    public record Spread(double averageLookup, int longestLookup, int longestRun) {}

    /** murmur3's fmix64: each bit of the key flips each bit of the slot with probability about 1/2. */
    private int home(long key) {
        long h = (key ^ (key >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return (int) (h ^ (h >>> 33)) & mask;
    }

    private int capacity() {
        return mask + 1;
    }

    /** The row of key 0, after the table's. */
    private int zeroKeySlot() {
        return capacity();
    }

    private int emptySlotFor(long key) {
        int slot = home(key);
        while (rows[slot * stride] != 0) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void copyRow(long[] fromRows, Object[] fromObjects, int from, int to) {
        System.arraycopy(fromRows, from * stride, rows, to * stride, stride);
        if (withObjects) {
            objects[to] = fromObjects[from];
        }
    }

    private void allocate(int capacity) {
        rows = new long[(capacity + 1) * stride];
        objects = withObjects ? new Object[capacity + 1] : null;
        mask = capacity - 1;
    }

    private void rehash(int capacity) {
        long[] oldRows = rows;
        Object[] oldObjects = objects;
        int oldZeroKeySlot = zeroKeySlot();
        allocate(capacity);
        for (int from = 0; from <= oldZeroKeySlot; from++) {
            long key = oldRows[from * stride];
            if (key == 0 && (from != oldZeroKeySlot || !zeroKeyUsed)) {
                continue;
            }
            copyRow(oldRows, oldObjects, from, key == 0 ? zeroKeySlot() : emptySlotFor(key));
        }
    }
}
