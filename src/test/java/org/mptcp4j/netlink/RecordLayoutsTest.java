package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.MptcpException;

/** The Java mirror of the native event record (include/mptcp4j) against what the C compiler laid out. */
@Tag("jni") // the layouts libmptcp4j.so was compiled with
class RecordLayoutsTest {
    @Test
    void everyEntryHasItsHeadersName() {
        for (RecordLayouts.Layout layout : RecordLayouts.LAYOUTS) {
            assertEquals(layout.java().length, layout.fields().length, layout.what());
        }
    }

    @Test
    void aFieldElsewhereInTheLibraryIsNamed() {
        RecordLayouts.ensureChecked();
        RecordLayouts.Layout events = RecordLayouts.LAYOUTS[0];
        int[] compiled = events.compiled().get();
        int localPort = Arrays.asList(events.fields()).indexOf("local_port");
        compiled[localPort] += 2;
        MptcpException e = assertThrows(MptcpException.class, () -> RecordLayouts.check(events, compiled));
        assertEquals("check event record layout: local_port is " + events.java()[localPort] + " in Java, "
                + compiled[localPort] + " in libmptcp4j.so: the jar and libmptcp4j.so come from different builds",
                e.getMessage());
    }

    @Test
    void anEntryTheJarLacksIsNamed() {
        RecordLayouts.Layout events = RecordLayouts.LAYOUTS[0];
        int[] compiled = Arrays.copyOf(events.java(), events.java().length + 1);
        MptcpException e = assertThrows(MptcpException.class, () -> RecordLayouts.check(events, compiled));
        assertEquals("check event record layout: entry " + events.java().length + " is missing in Java, 0 in"
                + " libmptcp4j.so: the jar and libmptcp4j.so come from different builds", e.getMessage());
    }
}
