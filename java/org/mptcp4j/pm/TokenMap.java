package org.mptcp4j.pm;

import java.util.Arrays;

/**
 * A map from connection token (any int) to a value, open addressing with linear probing:
 * what a controller keeps per connection, with lookups that box nothing. It allocates only
 * when it grows. Not thread-safe; values are not null.
 */
public final class TokenMap<V> {
    private int[] keys = new int[16];
    private Object[] values = new Object[16];
    private int size;

    /** An empty map. */
    public TokenMap() {}

    /** The value for {@code token}, or null. */
    public V get(int token) {
        int slot = find(token);
        return slot < 0 ? null : value(slot);
    }

    /** Maps {@code token} to {@code value}, replacing what it had. */
    public void put(int token, V value) {
        java.util.Objects.requireNonNull(value, "value");
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int slot = slotOf(token);
        while (values[slot] != null && keys[slot] != token) {
            slot = (slot + 1) & (keys.length - 1);
        }
        if (values[slot] == null) {
            size++;
        }
        keys[slot] = token;
        values[slot] = value;
    }

    /** Removes {@code token}'s value and returns it, or null. */
    public V remove(int token) {
        int slot = find(token);
        if (slot < 0) {
            return null;
        }
        V removed = value(slot);
        values[slot] = null;
        size--;
        // Re-place the entries after it in the same run, so that lookups still find them.
        for (int next = (slot + 1) & (keys.length - 1); values[next] != null; next = (next + 1) & (keys.length - 1)) {
            int key = keys[next];
            Object v = values[next];
            values[next] = null;
            size--;
            put(key, castValue(v));
        }
        return removed;
    }

    /** The tokens mapped now, in no order (allocates: for housekeeping, not the event path). */
    public int[] tokens() {
        int[] tokens = new int[size];
        int n = 0;
        for (int slot = 0; slot < keys.length; slot++) {
            if (values[slot] != null) {
                tokens[n++] = keys[slot];
            }
        }
        return tokens;
    }

    /** Removes every token for which {@code keep} is false. */
    public void retainTokens(java.util.function.IntPredicate keep) {
        for (int token : tokens()) {
            if (!keep.test(token)) {
                remove(token);
            }
        }
    }

    public boolean containsKey(int token) {
        return find(token) >= 0;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    private int find(int token) {
        for (int slot = slotOf(token); values[slot] != null; slot = (slot + 1) & (keys.length - 1)) {
            if (keys[slot] == token) {
                return slot;
            }
        }
        return -1;
    }

    private int slotOf(int token) {
        return (token * 0x9E3779B9 >>> 16) & (keys.length - 1);
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                put(oldKeys[i], castValue(oldValues[i]));
            }
        }
    }

    private V value(int slot) {
        return castValue(values[slot]);
    }

    @SuppressWarnings("unchecked")
    private V castValue(Object value) {
        return (V) value;
    }
}
