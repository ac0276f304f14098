package org.mptcp4j.controller;

import java.util.ArrayDeque;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.ObjIntConsumer;
import org.mptcp4j.pm.TokenMap;

/**
 * A controller's state for each connection, made on first use and dropped by the host when
 * the connection closes or a resync finds it gone: the bookkeeping every policy needs,
 * without leaks. Made with {@link ControllerContext#perConnection}; used on the loop's thread.
 * Lookups box nothing; with a {@code reuse} function, states of closed connections are kept
 * and readied for new ones, so that nothing is allocated per connection once there have been
 * as many as are open at once.
 *
 * @param <S> the state of one connection
 */
public final class PerConnection<S> {
    /** States of closed connections kept for reuse at most. */
    private static final int MAX_SPARE = 4096;

    private final TokenMap<S> states = new TokenMap<>();
    private final IntFunction<S> factory;
    private final ObjIntConsumer<S> reuse;
    private final ArrayDeque<S> spare;

    PerConnection(IntFunction<S> factory, ObjIntConsumer<S> reuse) {
        this.factory = factory;
        this.reuse = reuse;
        this.spare = reuse == null ? null : new ArrayDeque<>();
    }

    /**
     * The state of connection {@code token}: made by the factory, or a closed connection's readied, if it has none yet.
     *
     * @param token the connection's token
     * @return the state
     */
    public S get(int token) {
        S state = states.get(token);
        if (state == null) {
            state = spare == null ? null : spare.poll();
            if (state != null) {
                reuse.accept(state, token);
            } else {
                state = factory.apply(token);
            }
            states.put(token, state);
        }
        return state;
    }

    /**
     * The state of connection {@code token}, or null: nothing is made.
     *
     * @param token the connection's token
     * @return the state, or null
     */
    public S peek(int token) {
        return states.get(token);
    }

    /**
     * Whether connection {@code token} has state.
     *
     * @param token the connection's token
     * @return whether it has state
     */
    public boolean contains(int token) {
        return states.containsKey(token);
    }

    /**
     * Drops the state of connection {@code token} (kept for reuse when there is a reuse function).
     *
     * @param token the connection's token
     */
    public void remove(int token) {
        S state = states.remove(token);
        if (state != null && spare != null && spare.size() < MAX_SPARE) {
            spare.push(state);
        }
    }

    /**
     * Connections with state.
     *
     * @return the count of connections
     */
    public int size() {
        return states.size();
    }

    /**
     * The tokens with state, in no order (allocates).
     *
     * @return the tokens
     */
    public int[] tokens() {
        return states.tokens();
    }

    void retain(IntPredicate open) {
        for (int token : states.tokens()) {
            if (!open.test(token)) {
                remove(token);
            }
        }
    }
}
