package org.mptcp4j.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EventDecodingTest {
    @Test
    void parseTakesTheTwoNames() {
        assertEquals(EventDecoding.JAVA, EventDecoding.parse("java"));
        assertEquals(EventDecoding.NATIVE, EventDecoding.parse("native"));
    }

    @Test
    void parseRefusesAnyOtherNamingTheTextAndTheNames() {
        for (String text : new String[] {"", "JAVA", "c", " native"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventDecoding.parse(text));
            assertEquals("'" + text + "' is not accepted (java, native)", e.getMessage());
        }
    }
}
