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
        assertEquals(1000, table.size());
        for (long cookie = 1; cookie <= 1000; cookie++) {
            int slot = table.find(cookie * 0x10001L);
            assertTrue(slot >= 0, "cookie " + cookie);
            assertEquals(cookie % 7, table.backoff(slot));
            assertEquals(cookie, table.retransmits(slot));
            assertEquals(cookie, table.rtoTimeouts(slot));
        }
        assertEquals(-1, table.find(12345));
        table.put(7 * 0x10001L, 9, 9, 9);
        assertEquals(1000, table.size(), "a second put replaces");
        assertEquals(9, table.backoff(table.find(7 * 0x10001L)));
        table.clear();
        assertEquals(-1, table.find(0x10001L));
        assertEquals(0, table.size());
    }

    @Test
    void anEmptySlotIsNotCookieZeroAndClearForgetsEveryValue() {
        SubflowTimeoutWatcher.SubflowTable table = new SubflowTimeoutWatcher.SubflowTable();
        assertEquals(-1, table.find(0), "an empty slot is not cookie 0");
        table.put(0, 1, 2, 3);
        table.put(42, 4, 5, 6);
        assertEquals(3, table.rtoTimeouts(table.find(0)));
        table.clear();
        assertEquals(-1, table.find(0));
        assertEquals(-1, table.find(42));
        table.put(42, 0, 0, 0);
        int slot = table.find(42);
        assertEquals(0, table.backoff(slot) + table.retransmits(slot) + table.rtoTimeouts(slot),
                "a cookie put again has only its new values");
    }
}
