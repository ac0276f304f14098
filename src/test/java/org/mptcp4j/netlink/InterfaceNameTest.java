package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.diag.LocalAddressFilter;
import org.mptcp4j.protocol.EventFormat;

/**
 * Interface names in link records, as a namespace's root may choose them: any bytes but '/',
 * ':', NUL and white space, up to 15 of them.
 */
class InterfaceNameTest {
    /** A LINK_UP record of interface 2^30 named {@code name} (NUL-padded, as the monitor writes it). */
    private static EventRecord linkUp(byte[] name) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(EventRecord.SIZE).order(ByteOrder.nativeOrder());
        buffer.putInt(EventRecord.ATTRS, (1 << 15) | (1 << 13));
        buffer.putShort(EventRecord.TYPE, (short) EventRecord.LINK_UP_TYPE);
        buffer.putShort(EventRecord.FLAGS, (short) 0x41);
        buffer.putInt(EventRecord.IF_IDX, 1 << 30);
        buffer.put(EventRecord.REMOTE_ADDR, name);
        return new EventRecord(buffer).wrap(0);
    }

    @Test
    void aNameWithQuotesControlCharactersAndUtf8IsReadAsUtf8AndEscapedInJson() {
        // a " b \x01 c é
        EventRecord r = linkUp(new byte[] {'a', '"', 'b', 0x01, 'c', (byte) 0xc3, (byte) 0xa9});
        String name = "a\"b\u0001c\u00e9";
        assertEquals(name, r.interfaceName());
        assertEquals("{\"type\":\"LINK_UP\",\"flags\":65,\"if_idx\":1073741824,\"dev\":\"a\\\"b\\u0001c\u00e9\"}",
                EventFormat.json(r));
        assertTrue(LocalAddressFilter.standard().allow(List.of(name)).accepts(r));
        assertFalse(LocalAddressFilter.standard().deny(List.of(name)).accepts(r));
    }

    @Test
    void theLongestNameIsWholeAndBytesThatAreNotUtf8AreReplaced() {
        EventRecord longest = linkUp("m4j-longest-115".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("m4j-longest-115", longest.interfaceName());
        assertTrue(LocalAddressFilter.standard().allow(List.of("m4j-longest-115")).accepts(longest));
        assertFalse(LocalAddressFilter.standard().allow(List.of("m4j-longest-11")).accepts(longest));
        assertEquals("x\ufffdy", linkUp(new byte[] {'x', (byte) 0xff, 'y'}).interfaceName());
    }
}
