package org.mptcp4j.standin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.Dialect;

/** The recording format: what is written reads back, and what is not a recording is said to be. */
class RecordingTest {
    private static byte[] written() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Recording.Writer w = new Recording.Writer(out, Dialect.UPSTREAM, 0x1c, 1_000, 42)) {
            w.write(Recording.Kind.EVENTS, 1_500, new byte[] {9, 1, 2, 3, 9}, 1, 3);
            w.write(Recording.Kind.EVENTS_LOST, 2_000, new byte[0], 0, 0);
        }
        return out.toByteArray();
    }

    @Test
    void whatIsWrittenReadsBack() throws IOException {
        byte[] bytes = written();
        assertEquals(24 + 16 + 3 + 16, bytes.length);
        assertArrayEquals("MPTCP4JR".getBytes(java.nio.charset.StandardCharsets.US_ASCII), Arrays.copyOf(bytes, 8));
        Recording r = Recording.read(new ByteArrayInputStream(bytes));
        assertEquals(Dialect.UPSTREAM, r.dialect());
        assertEquals(0x1c, r.familyId());
        assertEquals(42, r.startEpochNanos());
        assertEquals(2, r.entries().size());
        assertEquals(Recording.Kind.EVENTS, r.entries().get(0).kind());
        assertEquals(500, r.entries().get(0).offsetNanos());
        assertArrayEquals(new byte[] {1, 2, 3}, r.entries().get(0).payload());
        assertEquals(Recording.Kind.EVENTS_LOST, r.entries().get(1).kind());
    }

    @Test
    void anythingElseIsRefusedSayingWhy() throws IOException {
        byte[] good = written();
        byte[] magic = good.clone();
        magic[0] = 'X';
        byte[] newer = good.clone();
        newer[9] = 2;
        byte[] kind = good.clone();
        kind[24] = 9;
        assertEquals("not an mptcp4j recording (no MPTCP4JR at its start)", message(magic));
        assertEquals("recording format version 2; this mptcp4j reads 1 to 1", message(newer));
        assertEquals("record kind 9 at byte 24 is none of 1 to 4", message(kind));
        assertEquals("the recording is cut short in the record at byte 24", message(Arrays.copyOf(good, 30)));
        assertEquals("the recording is cut short in its header", message(Arrays.copyOf(good, 12)));
    }

    private static String message(byte[] bytes) {
        return assertThrows(IOException.class, () -> Recording.read(new ByteArrayInputStream(bytes))).getMessage();
    }
}
