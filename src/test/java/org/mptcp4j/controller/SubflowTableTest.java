package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The timeout watcher's table of subflows by socket cookie. */
class SubflowTableTest {
    @Test
    void findsWhatWasPutAcrossGrowthAndForgetsItAtClear() {
        SubflowTimeoutWatcher.SubflowTable table = new SubflowTimeoutWatcher.SubflowTable();
        for (long cookie = 1; cookie <= 1000; cookie++) {
            table.put(cookie * 0x10001L, (int) (cookie % 7), cookie, (int) cookie);
        }
        assertEquals(1000, table.size);
        for (long cookie = 1; cookie <= 1000; cookie++) {
            int slot = table.find(cookie * 0x10001L);
            assertTrue(slot >= 0, "cookie " + cookie);
            assertEquals(cookie % 7, table.backoff[slot]);
            assertEquals(cookie, table.retransmits[slot]);
            assertEquals(cookie, table.rtoTimeouts[slot]);
        }
        assertEquals(-1, table.find(12345));
        table.put(7 * 0x10001L, 9, 9, 9);
        assertEquals(1000, table.size, "a second put replaces");
        table.clear();
        assertEquals(-1, table.find(0x10001L));
        assertEquals(0, table.size);
    }

    @Test
    void aWrappedGenerationDoesNotBringOldEntriesBack() {
        SubflowTimeoutWatcher.SubflowTable table = new SubflowTimeoutWatcher.SubflowTable();
        table.currentGeneration = -1;
        table.put(42, 1, 1, 1);
        table.clear(); // -1 -> 0 would make every empty slot look filled
        assertEquals(-1, table.find(42));
        assertEquals(-1, table.find(0), "an empty slot is not cookie 0");
        table.put(43, 2, 2, 2);
        assertTrue(table.find(43) >= 0);
    }
}
