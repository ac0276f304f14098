package org.mptcp4j.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.mptcp4j.natives.Transport;

class EventDecodingTest {
    @Test
    void parseTakesTheTwoNames() {
        assertEquals(EventDecoding.JAVA, EventDecoding.parse("java"));
        if (!Transport.foreign()) {
            assertEquals(EventDecoding.NATIVE, EventDecoding.parse("native"));
        }
    }

    @Test
    void nativeDecodingIsRefusedOnTheTransportWithoutTheNativeLibrary() {
        if (Transport.foreign()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventDecoding.parse("native"));
            assertEquals("'native' decoding is libnl's, in libmptcp4j.so, and this process runs on the FFM transport"
                    + " without it: use 'java' (the same records)", e.getMessage());
        } else {
            assertEquals(EventDecoding.NATIVE, EventDecoding.NATIVE.requireTransport());
        }
    }

    @Test
    void parseRefusesAnyOtherNamingTheTextAndTheNames() {
        for (String text : new String[] {"", "JAVA", "c", " native"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventDecoding.parse(text));
            assertEquals("'" + text + "' is not accepted (java, native)", e.getMessage());
        }
    }
}
