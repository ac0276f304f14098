package org.mptcp4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class MptcpEventTypeTest {
    @Test
    void idsAreTheKernels() {
        int[] ids = {1, 2, 3, 6, 7, 10, 11, 13, 15, 16};
        MptcpEventType[] types = MptcpEventType.values();
        for (int i = 0; i < ids.length; i++) {
            assertEquals(ids[i], types[i].id());
            assertEquals(types[i], MptcpEventType.of(ids[i]));
        }
        assertNull(MptcpEventType.of(4), "4 is a command id in the old family, not an event");
        assertEquals(MptcpEventType.EVENTS_LOST, MptcpEventType.of(0x8001));
        long mask = 0;
        for (MptcpEventType type : types) {
            mask |= type.mask();
        }
        assertEquals(0b1_1010_1100_1100_1110L, mask, "EVENTS_LOST has no bit: it is never filtered");
    }
}
