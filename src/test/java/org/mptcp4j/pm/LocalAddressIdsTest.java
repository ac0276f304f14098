package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpException;

class LocalAddressIdsTest {
    @Test
    void oneIdPerAddressWhateverThePort() {
        LocalAddressIds ids = new LocalAddressIds();
        assertEquals(1, ids.idOf(MptcpAddress.parse("10.0.0.1", 0)));
        assertEquals(2, ids.idOf(MptcpAddress.parse("fd00::1", 443)));
        assertEquals(1, ids.idOf(MptcpAddress.parse("10.0.0.1", 8080).id(9)), "port and a stale id do not matter");
        assertEquals("[fd00::1] id 2", ids.addressOf(2).toString());
        assertNull(ids.addressOf(3));
    }

    @Test
    void theInitialSubflowsAddressIsZeroOnItsConnection() {
        LocalAddressIds ids = new LocalAddressIds();
        MptcpAddress initial = MptcpAddress.parse("10.0.0.1", 40000);
        assertEquals(0, ids.idOf(MptcpAddress.parse("10.0.0.1", 0), initial));
        assertEquals(1, ids.idOf(MptcpAddress.parse("10.0.0.2", 0), initial));
    }

    @Test
    void releasedIdsComeBackAndThereAre255() {
        LocalAddressIds ids = new LocalAddressIds();
        for (int i = 1; i <= 255; i++) {
            assertEquals(i, ids.idOf(MptcpAddress.parse("10.1." + (i / 256) + "." + (i % 256), 0)));
        }
        MptcpException full = assertThrows(MptcpException.class, () -> ids.idOf(MptcpAddress.parse("10.2.0.0", 0)));
        assertEquals("allocate a local address id: all 255 ids are in use; release some with release(address)",
                full.getMessage());
        ids.release(MptcpAddress.parse("10.1.0.7", 0));
        assertEquals(7, ids.idOf(MptcpAddress.parse("10.2.0.0", 0)));
    }

    @Test
    void anIpv4AddressAndItsV4MappedFormAreOneAddress() {
        LocalAddressIds ids = new LocalAddressIds();
        assertEquals(1, ids.idOf(MptcpAddress.parse("10.0.0.1", 0)));
        assertEquals(1, ids.idOf(MptcpAddress.parse("::ffff:10.0.0.1", 0)));
        assertEquals(0, ids.idOf(MptcpAddress.parse("::ffff:10.0.0.2", 0), MptcpAddress.parse("10.0.0.2", 40000)),
                "the initial subflow's address in either form");
        assertEquals(2, ids.idOf(MptcpAddress.parse("::ffff:10.0.0.3", 0)));
        assertEquals("10.0.0.3 id 2", ids.addressOf(2).toString(), "kept in IPv4 form");
    }
}
