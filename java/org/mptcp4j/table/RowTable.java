package org.mptcp4j.table;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * Rows keyed by an int or a long, by open addressing with linear probing: the one hash table
 * under every per-connection table (by token, by socket cookie). A row is its key, a fixed number
 * of long fields and, in a table made with objects, an object. They are kept by column: the keys
 * at their own width in one array, which is all a probe reads, the fields of a row together in a
 * second and the objects in a third, so that a lookup reads the keys' cache line and then one
 * more.
 *
 * <p>A key is spread by murmur3's 64-bit finalizer, the slot taken from the top of its last
 * product, so that every bit of the key moves the slot: sequential tokens, random ones, ones that
 * differ only in their high bits all sit about one slot from home, the table doubling when half
 * full. Removal shifts back the rows that probed past the hole (no tombstones, nothing inserted
 * again), so that it costs at most the run of used slots it is in. Nothing is allocated except
 * when the table grows.
 *
 * <p>A slot names a row until the next insertion or removal. Key 0 marks an empty slot; key 0
 * itself has a row of its own after the table's. Not thread-safe.
 */
public final class RowTable {
    private final int fields;
    private final boolean withObjects;
    /** The keys of a table keyed by int; null in one keyed by long. */
    private int[] intKeys;
    /** The keys of a table keyed by long; null in one keyed by int. */
    private long[] longKeys;
    private long[] fieldRows;
    private Object[] objects;
    private int mask;
    /** 64 less the bits of a slot: a key's home is the top of its hash. */
    private int homeShift;
    private int size;
    private boolean zeroKeyUsed;

    private RowTable(boolean longKeys, int fields, boolean withObjects, int expected) {
        if (fields < 0 || expected < 0) {
            throw new IllegalArgumentException("fields " + fields + ", expected " + expected);
        }
        this.fields = fields;
        this.withObjects = withObjects;
        int capacity = Integer.highestOneBit(Math.max(4, 2 * expected) - 1) * 2;
        allocate(longKeys, capacity);
    }

    /**
     * A table keyed by int (a token; a long key passed to it must be an int's) that holds
     * {@code expected} rows without growing.
     *
     * @param fields the long fields of a row
     * @param withObjects whether each row also has an object
     */
    public static RowTable keyedByInt(int fields, boolean withObjects, int expected) {
        return new RowTable(false, fields, withObjects, expected);
    }

    /** A table keyed by long (a socket cookie); as {@link #keyedByInt}. */
    public static RowTable keyedByLong(int fields, boolean withObjects, int expected) {
        return new RowTable(true, fields, withObjects, expected);
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
            long k = key(slot);
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
        for (long k; (k = key(slot)) != 0; slot = (slot + 1) & mask) {
            if (k == key) {
                return slot;
            }
        }
        if (2 * (size + 1) > capacity()) {
            rehash(2 * capacity());
            slot = emptySlotFor(key);
        }
        setKey(slot, key);
        size++;
        return slot;
    }

    /** Removes the row at {@code slot}, moving back the rows of its run that probed past it. */
    public void removeAt(int slot) {
        int hole = slot;
        if (slot == zeroKeySlot()) {
            zeroKeyUsed = false;
        } else {
            for (int i = (slot + 1) & mask; key(i) != 0; i = (i + 1) & mask) {
                // The row at i may fill the hole only if its home is not between the hole and i.
                if (((i - home(key(i))) & mask) >= ((i - hole) & mask)) {
                    copyRow(intKeys, longKeys, fieldRows, objects, i, hole);
                    hole = i;
                }
            }
        }
        setKey(hole, 0);
        for (int f = 0; f < fields; f++) {
            fieldRows[hole * fields + f] = 0;
        }
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
        while (key(start) != 0) {
            start++;
        }
        for (int n = 1; n < capacity(); n++) {
            int slot = (start + n) & mask;
            while (key(slot) != 0 && !keep.test(key(slot))) {
                removeAt(slot);
            }
        }
    }

    /** Removes every row, keeping the table's size. */
    public void clear() {
        if (size == 0) {
            return; // every row is zero already
        }
        if (intKeys != null) {
            Arrays.fill(intKeys, 0);
        } else {
            Arrays.fill(longKeys, 0L);
        }
        Arrays.fill(fieldRows, 0L);
        if (withObjects) {
            Arrays.fill(objects, null);
        }
        zeroKeyUsed = false;
        size = 0;
    }

    /** The first used slot from {@code slot} on, or -1: {@code for (int s = next(0); s >= 0; s = next(s + 1))}. */
    public int next(int slot) {
        for (; slot < capacity(); slot++) {
            if (key(slot) != 0) {
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
        return intKeys != null ? intKeys[slot] : longKeys[slot];
    }

    /** Field {@code field} (from 0) of the row at {@code slot}. */
    public long field(int slot, int field) {
        return fieldRows[slot * fields + field];
    }

    /** Sets field {@code field} (from 0) of the row at {@code slot}. */
    public void setField(int slot, int field, long value) {
        fieldRows[slot * fields + field] = value;
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
            long key = key(slot & mask);
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

    /**
     * murmur3's fmix64 up to its last product, whose top bits are the slot: each bit of the key
     * flips each of them with probability about 1/2.
     */
    private int home(long key) {
        long h = (key ^ (key >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return (int) (h >>> homeShift);
    }

    private void setKey(int slot, long key) {
        if (intKeys != null) {
            intKeys[slot] = (int) key;
        } else {
            longKeys[slot] = key;
        }
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
        while (key(slot) != 0) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Copies the row at {@code from} in the given columns to {@code to} in this table's. */
    private void copyRow(int[] fromIntKeys, long[] fromLongKeys, long[] fromFieldRows, Object[] fromObjects,
            int from, int to) {
        if (intKeys != null) {
            intKeys[to] = fromIntKeys[from];
        } else {
            longKeys[to] = fromLongKeys[from];
        }
        // A loop, not System.arraycopy: a row has a few fields, fewer than the call costs.
        for (int f = 0; f < fields; f++) {
            fieldRows[to * fields + f] = fromFieldRows[from * fields + f];
        }
        if (withObjects) {
            objects[to] = fromObjects[from];
        }
    }

    private void allocate(boolean wideKeys, int capacity) {
        intKeys = wideKeys ? null : new int[capacity + 1];
        longKeys = wideKeys ? new long[capacity + 1] : null;
        fieldRows = new long[(capacity + 1) * fields];
        objects = withObjects ? new Object[capacity + 1] : null;
        mask = capacity - 1;
        homeShift = Long.numberOfLeadingZeros(mask);
    }

    private void rehash(int capacity) {
        int[] oldIntKeys = intKeys;
        long[] oldLongKeys = longKeys;
        long[] oldFieldRows = fieldRows;
        Object[] oldObjects = objects;
        int oldZeroKeySlot = zeroKeySlot();
        allocate(longKeys != null, capacity);
        for (int from = 0; from <= oldZeroKeySlot; from++) {
            long key = oldIntKeys != null ? oldIntKeys[from] : oldLongKeys[from];
            if (key == 0 && (from != oldZeroKeySlot || !zeroKeyUsed)) {
                continue;
            }
            copyRow(oldIntKeys, oldLongKeys, oldFieldRows, oldObjects, from, key == 0 ? zeroKeySlot() : emptySlotFor(key));
        }
    }
}
