package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** State per connection: made once, dropped on close, and with a reuse function made only once for good. */
class PerConnectionTest {
    static final class State {
        int token;
        int uses;
    }

    @Test
    void aClosedConnectionsStateServesTheNextOneReadied() {
        PerConnection<State> states = new PerConnection<>(token -> {
            State s = new State();
            s.token = token;
            return s;
        }, (s, token) -> {
            s.token = token;
            s.uses = 0;
        });
        State first = states.get(7);
        first.uses = 3;
        assertSame(first, states.get(7), "one state per connection");
        states.remove(7);
        assertNull(states.peek(7));
        State second = states.get(9);
        assertSame(first, second, "the closed connection's state, reused");
        assertEquals(9, second.token);
        assertEquals(0, second.uses, "readied by the reuse function");
        assertNotSame(second, states.get(11), "a new one when none is spare");
    }

    @Test
    void withoutReuseEveryConnectionGetsANewStateAndRetainDropsTheGone() {
        PerConnection<State> states = new PerConnection<>(token -> new State(), null);
        State a = states.get(1);
        states.get(2);
        states.remove(1);
        assertNotSame(a, states.get(1));
        states.retain(token -> token == 2);
        assertFalse(states.contains(1));
        assertEquals(1, states.size());
    }
}
