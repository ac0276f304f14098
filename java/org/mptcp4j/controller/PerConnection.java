package org.mptcp4j.controller;

import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import org.mptcp4j.pm.TokenMap;

/**
 * A controller's state for each connection, made on first use and dropped by the host when
 * the connection closes or a resync finds it gone: the bookkeeping every policy needs,
 * without leaks. Made with {@link ControllerContext#perConnection}; used on the loop's thread.
 * Lookups box nothing.
 *
 * @param <S> the state of one connection
 */
public final class PerConnection<S> {
    private final TokenMap<S> states = new TokenMap<>();
    private final IntFunction<S> factory;

    PerConnection(IntFunction<S> factory) {
        this.factory = factory;
    }

    /** The state of connection {@code token}, made by the factory if it has none yet. */
    public S get(int token) {
        S state = states.get(token);
        if (state == null) {
            state = factory.apply(token);
            states.put(token, state);
        }
        return state;
    }

    /** The state of connection {@code token}, or null: nothing is made. */
    public S peek(int token) {
        return states.get(token);
    }

    /** Whether connection {@code token} has state. */
    public boolean contains(int token) {
        return states.containsKey(token);
    }

    /** Drops the state of connection {@code token}; returns it, or null. */
    public S remove(int token) {
        return states.remove(token);
    }

    /** Connections with state. */
    public int size() {
        return states.size();
    }

    /** The tokens with state, in no order (allocates). */
    public int[] tokens() {
        return states.tokens();
    }

    void retain(IntPredicate open) {
        states.retainTokens(open);
    }
}
