package org.mptcp4j.pm;

import java.util.Objects;
import java.util.function.IntPredicate;
import org.mptcp4j.table.RowTable;

/**
 * A map from connection token (any int) to a value: what a controller keeps per connection,
 * with lookups that box nothing. Every operation probes a few slots at any size, whatever the
 * tokens (random, sequential, or chosen to collide); it allocates only when it grows. Not
 * thread-safe; values are not null.
 */
public final class TokenMap<V> {
    private final RowTable rows = RowTable.keyedByInt(0, true, 8);

    /** An empty map. */
    public TokenMap() {}

    /**
     * The value for {@code token}, or null.
     *
     * @param token the connection's token
     * @return the value, or null
     */
    public V get(int token) {
        int slot = rows.find(token);
        return slot < 0 ? null : value(slot);
    }

    /**
     * Maps {@code token} to {@code value}, replacing what it had.
     *
     * @param token the connection's token
     * @param value the value
     */
    public void put(int token, V value) {
        Objects.requireNonNull(value, "value");
        rows.setObject(rows.insert(token), value);
    }

    /**
     * Removes {@code token}'s value and returns it, or null.
     *
     * @param token the connection's token
     * @return the value, or null
     */
    public V remove(int token) {
        int slot = rows.find(token);
        if (slot < 0) {
            return null;
        }
        V removed = value(slot);
        rows.removeAt(slot);
        return removed;
    }

    /**
     * The tokens mapped now, in no order (allocates: for housekeeping, not the event path).
     *
     * @return the tokens
     */
    public int[] tokens() {
        return rows.intKeys();
    }

    /**
     * Removes every token for which {@code keep} is false.
     *
     * @param keep whether to keep a token
     */
    public void retainTokens(IntPredicate keep) {
        rows.retain(key -> keep.test((int) key));
    }

    /**
     * Whether connection {@code token} has a value.
     *
     * @param token the connection's token
     * @return whether it has a value
     */
    public boolean containsKey(int token) {
        return rows.find(token) >= 0;
    }

    /**
     * How many connections have a value.
     *
     * @return the count of connections
     */
    public int size() {
        return rows.size();
    }

    /**
     * Whether no connection has a value.
     *
     * @return whether the map is empty
     */
    public boolean isEmpty() {
        return rows.size() == 0;
    }

    /** Forgets every connection's value. */
    public void clear() {
        rows.clear();
    }

    /** How far the tokens sit from their home slots, for tests. */
    RowTable.Spread spread() {
        return rows.spread();
    }

    @SuppressWarnings("unchecked")
    private V value(int slot) {
        return (V) rows.object(slot);
    }
}
