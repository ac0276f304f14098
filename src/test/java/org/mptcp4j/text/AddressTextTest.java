package org.mptcp4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.MptcpAddress;

class AddressTextTest {
    private static String text(String literal) {
        return AddressText.of(MptcpAddress.literal(literal));
    }

    @Test
    void ipv6InItsShortForm() {
        assertEquals("fd00:231:1::1", text("fd00:231:1:0:0:0:0:1"));
        assertEquals("::", text("0:0:0:0:0:0:0:0"));
        assertEquals("::1", text("::1"));
        assertEquals("fe80::", text("fe80:0:0:0:0:0:0:0"));
        assertEquals("2001:db8::1:0:0:1", text("2001:db8:0:0:1:0:0:1"), "the first of two equal runs");
        assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"), "a single zero group stays");
        assertEquals("2001:db8:0:0:1::", text("2001:db8:0:0:1:0:0:0"), "the longer run wins");
    }

    @Test
    void v4MappedAsSsWritesIt() {
        assertEquals("::ffff:10.231.1.1", text("::ffff:10.231.1.1"));
        assertEquals("10.231.1.1", text("10.231.1.1"));
    }
}
