package org.mptcp4j.pm;

import java.util.Arrays;

/**
 * A map from connection token (any int) to a value, open addressing with linear probing, so
 * that lookups on the command path box nothing. Not thread-safe.
 */
final class TokenMap<V> {
    private int[] keys = new int[16];
    private Object[] values = new Object[16];
    private int size;

    V get(int token) {
        int slot = find(token);
        return slot < 0 ? null : value(slot);
    }

    void put(int token, V value) {
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

    V remove(int token) {
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

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
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
