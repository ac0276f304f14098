package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.MptcpAddress;

class AddressPrefixTest {
    private static boolean in(String prefix, String address) {
        return AddressPrefix.parse(prefix).contains(MptcpAddress.parse(address, 0));
    }

    @Test
    void containsByTheBitsOfItsLength() {
        assertTrue(in("10.0.0.0/8", "10.255.1.2"));
        assertFalse(in("10.0.0.0/8", "11.0.0.1"));
        assertTrue(in("10.231.0.0/17", "10.231.127.9"));
        assertFalse(in("10.231.0.0/17", "10.231.128.9"));
        assertTrue(in("0.0.0.0/0", "192.0.2.1"));
        assertTrue(in("192.0.2.7", "192.0.2.7"));
        assertFalse(in("192.0.2.7", "192.0.2.8"));
        assertTrue(in("fd00::/8", "fd12::1"));
        assertFalse(in("fd00::/16", "fd01::1"));
        assertFalse(in("10.0.0.0/8", "fd00::1"), "no family crosses over");
    }

    @Test
    void anIpv4PrefixContainsTheV4MappedFormOfItsAddresses() {
        assertTrue(in("10.0.0.0/8", "::ffff:10.1.2.3"));
        assertFalse(in("10.0.0.0/8", "::ffff:11.1.2.3"));
    }

    @Test
    void badPrefixesNameWhatIsWrong() {
        assertEquals("the prefix length of '10.0.0.0/33' must be a whole number in 0..32, not '33'",
                assertThrows(IllegalArgumentException.class, () -> AddressPrefix.parse("10.0.0.0/33")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AddressPrefix.parse("example.com/8"))
                .getMessage().contains("not an IP address"));
        assertEquals("fd00::/16", AddressPrefix.parse("fd00::/16").toString());
        assertEquals(AddressPrefix.parse("10.0.0.0/8"), AddressPrefix.parse("10.1.2.3/8"), "host bits cleared");
        assertEquals(AddressPrefix.parse("10.0.0.0/8"), AddressPrefix.parse("::ffff:10.0.0.0/104"),
                "a v4-mapped prefix is its IPv4 one");
    }
}
