package org.mptcp4j.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** CPU lists as taskset and /proc write them, read and written back; mistakes named with the setting. */
class CpuSetTest {
    @Test
    void listsAreReadAndWrittenAsTheKernelWritesThem() {
        assertEquals("1", CpuSet.parse("cpus", "1").toString());
        assertEquals("0,2-3", CpuSet.parse("cpus", "0,2-3").toString());
        assertEquals("0-3,8", CpuSet.parse("cpus", " 3, 0-2 ,8,1 ").toString());
        assertEquals("8191", CpuSet.parse("cpus", "8191").toString());
        assertEquals(CpuSet.parse("cpus", "0-2"), CpuSet.of(2, 1, 0));
        CpuSet set = CpuSet.parse("cpus", "0,2-3");
        assertTrue(set.contains(2));
        assertFalse(set.contains(1));
        assertFalse(set.contains(-1));
    }

    @Test
    void mistakesNameTheSettingAndWhatIsAccepted() {
        String list = ": a list of CPUs and ranges such as 1 or 0,2-3";
        assertEquals("loop-cpu must be a whole number in 0..8191, not 'x'" + list, error("x"));
        assertEquals("loop-cpu must be a whole number in 0..8191, not '9999'" + list, error("9999"));
        assertEquals("loop-cpu must be a whole number in 0..8191, not ''" + list, error("0,"));
        assertEquals("loop-cpu must be a whole number in 0..8191, not '2-3'" + list, error("1-2-3"));
        assertEquals("loop-cpu: 3-1 is not a range FIRST-LAST of CPUs" + list, error("3-1"));
        assertEquals("CPU must be a whole number in 0..8191, not -1",
                assertThrows(IllegalArgumentException.class, () -> CpuSet.of(-1)).getMessage());
        assertThrows(IllegalArgumentException.class, CpuSet::of);
    }

    private static String error(String list) {
        return assertThrows(IllegalArgumentException.class, () -> CpuSet.parse("loop-cpu", list)).getMessage();
    }

    @Test
    void theAllowedCpusAreThoseProcShows() throws Exception {
        String status = Files.readString(Path.of("/proc/self/status"));
        String procList = status.lines().filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElseThrow();
        assertEquals(procList, CpuSet.allowed().toString());
        assertEquals(CpuSet.allowed(), CpuSet.allowed().requireAllowed("loop-cpu"));
    }

    @Test
    void aRealtimePriorityOutsideOneToNinetyNineIsRefused() {
        EventLoop.Builder b = EventLoop.builder(event -> {});
        assertEquals("realtime priority must be a whole number in 1..99, not 100",
                assertThrows(IllegalArgumentException.class, () -> b.realtimePriority(100)).getMessage());
        assertEquals("realtime priority must be a whole number in 1..99, not -1",
                assertThrows(IllegalArgumentException.class, () -> b.realtimePriority(-1)).getMessage());
    }
}
