package org.mptcp4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MptcpAddressTest {
    @Test
    void printsLikeIpMptcp() {
        assertEquals("10.0.1.1:5201 id 3 flags signal,backup dev 4",
                MptcpAddress.parse("10.0.1.1", 5201).id(3).flags(0x5).ifIndex(4).toString());
        assertEquals("[fd00::1]", MptcpAddress.parse("fd00::1", 0).toString());
    }

    @Test
    void ipv4AsBigEndianInt() {
        MptcpAddress a = new MptcpAddress().setIpv4(0x0ae70101, 80);
        assertTrue(a.sameAddress(MptcpAddress.parse("10.231.1.1", 0)));
        assertEquals(MptcpAddress.AF_INET, a.family());
    }

    @Test
    void unsetPartsAreNotSet() {
        MptcpAddress a = MptcpAddress.parse("10.0.0.1", 0);
        assertFalse(a.hasId());
        assertEquals(0, a.port());
        assertTrue(a.id(0).hasId());
        assertFalse(a.clearId().hasId());
    }

    @Test
    void refusesNamesAndOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> MptcpAddress.parse("example.org", 1));
        assertThrows(IllegalArgumentException.class, () -> MptcpAddress.parse("10.0.0.1", 70000));
        assertThrows(IllegalArgumentException.class, () -> new MptcpAddress().id(256));
    }

    @Test
    void flagNamesIncludeUnknownBits() {
        assertEquals("subflow,fullmesh,0x80", MptcpAddress.flagNames(0x8a));
    }

    @Test
    void sameAddressAsTheKernelComparesButEqualsIsStrict() {
        MptcpAddress v4 = MptcpAddress.parse("10.0.0.1", 80);
        MptcpAddress mapped = MptcpAddress.parse("::ffff:10.0.0.1", 80);
        assertTrue(v4.sameAddress(mapped));
        assertTrue(mapped.sameAddress(v4));
        assertFalse(v4.equals(mapped), "equals agrees with hashCode");
        assertFalse(v4.sameAddress(MptcpAddress.parse("::ffff:10.0.0.2", 0)));
        assertTrue(new MptcpAddress().set(v4).toV4Mapped().equals(mapped));
    }
}
