package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mptcp4j.natives.NativeLibrary;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.testing.Corpus;

/**
 * A mutational fuzzer of the pure-Java decoder ({@link JavaEventDecoder}), seeded with the events
 * captured from the kernel ({@code fuzz/corpus/event_decoder}). Each input is a seed changed
 * by one to three mutations (random bytes, bit flips, cuts, attribute and message lengths that
 * lie, attributes of other types, nested garbage, several messages in one datagram), or random
 * bytes. The decoder must throw nothing (the datagram sits in a buffer of exactly its size, so
 * a read past it throws), write the same records and counters as the native decoder byte for
 * byte, account for every message in its counters, leave the fields of absent attributes zero,
 * give the same records when resumed in small batches, and keep exactly the types of its mask.
 *
 * <p>The normal suite runs 200 000 inputs; {@code -Dmptcp4j.fuzz.inputs=N} runs N, and
 * {@code -Dmptcp4j.fuzz.seed=S} starts from another seed (fuzz/README.md: the long run).
 */
@Tag("jni") // the C decoder, in libmptcp4j.so, is the reference
class EventDecoderFuzzTest {
    private static final int FAMILY = 0x1c; // the mptcp_pm family id when the corpus was captured
    private static final int CAPACITY = 1024;
    private static final int MAX_LENGTH = 4096;
    private static final int ATTR_MAX = 18;
    /** Record offset and size of the field each attribute alone may set (size 0: an address). */
    private static final int[][] FIELDS = {
        {1, EventRecord.TOKEN, 4}, {3, EventRecord.LOC_ID, 1}, {4, EventRecord.REM_ID, 1},
        {9, EventRecord.LOCAL_PORT, 2}, {10, EventRecord.REMOTE_PORT, 2}, {11, EventRecord.BACKUP, 1},
        {12, EventRecord.ERROR, 1}, {13, EventRecord.FLAGS, 2}, {14, EventRecord.TIMEOUT, 4},
        {15, EventRecord.IF_IDX, 4}, {16, EventRecord.RESET_REASON, 4}, {17, EventRecord.RESET_FLAGS, 4},
        {18, EventRecord.SERVER_SIDE, 1},
    };

    private final List<byte[]> seeds = loadSeeds();
    private final ByteBuffer raw = direct(MAX_LENGTH * 4);
    private final ByteBuffer javaRecords = direct(CAPACITY * EventRecord.SIZE);
    private final ByteBuffer javaCounters = direct(EventRecord.COUNTER_COUNT * Long.BYTES);
    private final ByteBuffer nativeRecords = direct(CAPACITY * EventRecord.SIZE);
    private final ByteBuffer nativeCounters = direct(EventRecord.COUNTER_COUNT * Long.BYTES);
    private final ByteBuffer batchRecords = direct(CAPACITY * EventRecord.SIZE);
    private final ByteBuffer batchCounters = direct(EventRecord.COUNTER_COUNT * Long.BYTES);
    private final JavaEventDecoder decoder = new JavaEventDecoder(FAMILY, javaRecords, javaCounters);
    private final JavaEventDecoder batches = new JavaEventDecoder(FAMILY, batchRecords, batchCounters);
    private final NativeEventDecoder reference = new NativeEventDecoder(FAMILY, nativeRecords, nativeCounters,
            Dialect.UPSTREAM);
    private final long[] totals = new long[EventRecord.COUNTER_COUNT];

    @BeforeAll
    static void loadTheNativeDecoder() {
        NativeLibrary.ensureLoaded();
    }

    @Test
    void mutatedCapturedEventsDecodeAsTheNativeDecoderDoes() {
        long inputs = Long.getLong("mptcp4j.fuzz.inputs", 200_000);
        long seed = Long.getLong("mptcp4j.fuzz.seed", 0x6d70746370346aL);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] input = new byte[MAX_LENGTH * 4];
        long start = System.nanoTime();
        for (long i = 0; i < inputs; i++) {
            int length = mutate(random, input);
            long mask = random.nextInt(4) == 0 ? random.nextLong() : ~0L;
            try {
                check(input, length, mask);
            } catch (RuntimeException | AssertionError e) {
                String bytes = HexFormat.of().formatHex(input, 0, length);
                fail("input " + i + " of seed " + seed + ", mask " + Long.toHexString(mask) + ": " + bytes, e);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("EventDecoderFuzzTest: %d inputs from %d seeds in %.1f s (%.0f/s), seed %d: %d messages,"
                + " %d records, %d truncated, %d malformed, %d foreign, %d filtered%n", inputs, seeds.size(),
                seconds, inputs / seconds, seed, totals[EventCounter.MESSAGES.ordinal()],
                totals[EventCounter.RECORDS.ordinal()], totals[EventCounter.TRUNCATED.ordinal()],
                totals[EventCounter.MALFORMED.ordinal()], totals[EventCounter.FOREIGN.ordinal()],
                totals[EventCounter.FILTERED.ordinal()]);
        // The mutations reach every outcome: a fuzzer that only ever fails the first check is no fuzzer.
        for (EventCounter c : new EventCounter[] {EventCounter.RECORDS, EventCounter.TRUNCATED,
                EventCounter.MALFORMED, EventCounter.FOREIGN, EventCounter.FILTERED}) {
            assertTrue(totals[c.ordinal()] > inputs / 200, c + " reached " + totals[c.ordinal()] + " times");
        }
    }

    @Test
    void everyCapturedEventDecodes() {
        assertTrue(seeds.size() >= 10, "the corpus holds every event type");
        for (byte[] seed : seeds) {
            int n = check(seed, seed.length, ~0L);
            assertEquals(1, n, "one event per captured datagram");
        }
    }

    /** Decodes input[0, length) with both decoders and checks everything; returns the record count. */
    private int check(byte[] input, int length, long mask) {
        raw.clear();
        raw.put(input, 0, length);
        // Exactly the datagram: a read past it throws.
        ByteBuffer datagram = raw.slice(0, length).order(ByteOrder.nativeOrder());
        zero(javaCounters);
        zero(nativeCounters);
        decoder.typeMask(mask);
        int n = decoder.decode(datagram, 0, length, 0L, 0, CAPACITY);
        assertEquals(length, decoder.consumed(), "the whole datagram is consumed");
        reference.typeMask(mask);
        int nativeCount = reference.decode(datagram, 0, length, 0L, 0, CAPACITY);
        assertEquals(length, reference.consumed(), "the native decoder consumes the whole datagram");
        assertEquals(nativeCount, n, "records: native against Java");
        assertEquals(nativeCounters, javaCounters, "counters: native against Java");
        assertEquals(nativeRecords.slice(0, n * EventRecord.SIZE), javaRecords.slice(0, n * EventRecord.SIZE),
                "records' bytes: native against Java");

        long messages = counter(javaCounters, EventCounter.MESSAGES);
        long skipped = counter(javaCounters, EventCounter.MALFORMED) + counter(javaCounters, EventCounter.FOREIGN)
                + counter(javaCounters, EventCounter.FILTERED) + counter(javaCounters, EventCounter.TRUNCATED);
        assertEquals(n, counter(javaCounters, EventCounter.RECORDS));
        // Each message is a record or skipped; a cut last header is truncated without being a message.
        assertTrue(n + skipped == messages || n + skipped == messages + 1, "every message accounted for");
        for (int i = 0; i < n; i++) {
            checkRecord(javaRecords, i * EventRecord.SIZE, mask);
        }
        checkBatches(datagram, length, mask, n);
        for (int c = 0; c < totals.length; c++) {
            totals[c] += javaCounters.getLong(c * Long.BYTES);
        }
        return n;
    }

    /** Decoding in batches of 1..4 records, resumed where each stopped, gives the same records and counters. */
    private void checkBatches(ByteBuffer datagram, int length, long mask, int n) {
        zero(batchCounters);
        batches.typeMask(mask);
        int batch = 1 + length % 4;
        int total = 0;
        int offset = 0;
        while (offset < length) {
            int got = batches.decode(datagram, offset, length - offset, 0L, total, Math.min(CAPACITY, total + batch));
            assertTrue(got > 0 || batches.consumed() == length - offset, "a batch without records ends the datagram");
            total += got;
            offset += batches.consumed();
        }
        assertEquals(n, total);
        assertEquals(javaCounters, batchCounters, "counters in batches");
        assertEquals(javaRecords.slice(0, n * EventRecord.SIZE), batchRecords.slice(0, n * EventRecord.SIZE),
                "records in batches");
    }

    private static void checkRecord(ByteBuffer records, int r, long mask) {
        assertEquals(0L, records.getLong(r + EventRecord.RX_NANOS));
        int type = records.getShort(r + EventRecord.TYPE) & 0xffff;
        assertTrue(type < 64 && (mask >>> type & 1) != 0, "a wanted type");
        int attrs = records.getInt(r + EventRecord.ATTRS);
        assertEquals(0, attrs & ~(((1 << ATTR_MAX) - 1) << 1), "only event attributes");
        assertEquals(0, records.get(r + EventRecord.PREFIX_LEN));
        for (int[] field : FIELDS) {
            if ((attrs >>> field[0] & 1) == 0) {
                assertTrue(zero(records, r + field[1], field[2]), "an absent attribute's field is zero");
            }
        }
        boolean local4 = has(attrs, 5);
        boolean local6 = has(attrs, 6);
        boolean remote4 = has(attrs, 7);
        boolean remote6 = has(attrs, 8);
        assertTrue(zero(records, r + EventRecord.LOCAL_ADDR, local4 || local6 ? 0 : 16));
        assertTrue(zero(records, r + EventRecord.REMOTE_ADDR, remote4 || remote6 ? 0 : 16));
        assertTrue(local6 || zero(records, r + EventRecord.LOCAL_ADDR + 4, 12), "an IPv4 address fills 4 bytes");
        assertTrue(remote6 || zero(records, r + EventRecord.REMOTE_ADDR + 4, 12), "an IPv4 address fills 4 bytes");
        if (!has(attrs, 2)) {
            int family = records.getShort(r + EventRecord.FAMILY);
            assertEquals(local4 || remote4 ? 2 : local6 || remote6 ? 10 : 0, family, "family from the addresses");
        }
    }

    // Mutations ---------------------------------------------------------------------------

    /** Writes the next input into {@code out}; returns its length. */
    private int mutate(SplittableRandom random, byte[] out) {
        if (random.nextInt(16) == 0) {
            int length = random.nextInt(MAX_LENGTH / 8);
            for (int i = 0; i < length; i++) {
                out[i] = (byte) random.nextInt();
            }
            return length;
        }
        int length = copySeed(random, out, 0);
        for (int m = 1 + random.nextInt(3); m > 0; m--) {
            length = mutateOnce(random, out, length);
        }
        return length;
    }

    private int copySeed(SplittableRandom random, byte[] out, int at) {
        byte[] seed = seeds.get(random.nextInt(seeds.size()));
        int length = Math.min(seed.length, MAX_LENGTH - at);
        System.arraycopy(seed, 0, out, at, length);
        return at + length;
    }

    private int mutateOnce(SplittableRandom random, byte[] b, int length) {
        switch (random.nextInt(9)) {
            case 0: // bit flips
                for (int k = 1 + random.nextInt(8); k > 0 && length > 0; k--) {
                    b[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
                }
                return length;
            case 1: // a cut
                return length == 0 ? 0 : random.nextInt(length);
            case 2: // an attribute whose length lies
                return lie(random, b, length, attribute(random, b, length), 0xffff);
            case 3: // a message whose length lies
                return lie(random, b, length, message(random, b, length), 0xffffffff);
            case 4: // another type: of an attribute (with its flag bits), or of the event
                int a = attribute(random, b, length);
                if (a >= 0) {
                    putShort(b, a + 2, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(ATTR_MAX + 3));
                } else if (length > 16) {
                    b[16] = (byte) random.nextInt(random.nextBoolean() ? 20 : 256);
                }
                return length;
            case 5: // another message after this one
                int next = (length + 3) & ~3;
                return next < MAX_LENGTH ? copySeed(random, b, next) : length;
            case 6: // an attribute of nested garbage, or of a random type and size, inserted
                return insertAttribute(random, b, length);
            case 7: // random bytes over a stretch
                int at = random.nextInt(length + 1);
                int n = Math.min(random.nextInt(16), MAX_LENGTH - at);
                for (int i = 0; i < n; i++) {
                    b[at + i] = (byte) random.nextInt();
                }
                return Math.max(length, at + n);
            default: // the family id of another family
                int msg = message(random, b, length);
                if (msg >= 0) {
                    putShort(b, msg + 4, random.nextBoolean() ? FAMILY + 1 : random.nextInt());
                }
                return length;
        }
    }

    /** Replaces the length field at {@code at} (2 or 4 bytes) with a nearby or random value. */
    private static int lie(SplittableRandom random, byte[] b, int length, int at, int max) {
        if (at < 0) {
            return length;
        }
        int old = max == 0xffff ? getShort(b, at) : getInt(b, at);
        int value = random.nextBoolean() ? old + random.nextInt(-8, 9) : random.nextInt() & max;
        if (max == 0xffff) {
            putShort(b, at, value);
        } else {
            putInt(b, at, value);
        }
        return length;
    }

    /** The offset of a random whole attribute of the first message, or -1. */
    private static int attribute(SplittableRandom random, byte[] b, int length) {
        int end = Math.min(length, 16 <= length ? getInt(b, 0) : 0);
        List<Integer> found = new ArrayList<>();
        for (int a = 20; a + 4 <= end; ) {
            int len = getShort(b, a);
            if (len < 4) {
                break;
            }
            found.add(a);
            a += (len + 3) & ~3;
        }
        return found.isEmpty() ? -1 : found.get(random.nextInt(found.size()));
    }

    /** The offset of a random message header of the datagram, or -1. */
    private static int message(SplittableRandom random, byte[] b, int length) {
        List<Integer> found = new ArrayList<>();
        for (int m = 0; m + 16 <= length; ) {
            found.add(m);
            int len = getInt(b, m);
            if (len < 16) {
                break;
            }
            m += (len + 3) & ~3;
        }
        return found.isEmpty() ? -1 : found.get(random.nextInt(found.size()));
    }

    /** Inserts an attribute into the first message (which grows with it). */
    private static int insertAttribute(SplittableRandom random, byte[] b, int length) {
        if (length < 20) {
            return length;
        }
        int payload = random.nextInt(4) == 0 ? 4 * random.nextInt(1, 6) : random.nextInt(24);
        int size = (4 + payload + 3) & ~3;
        if (length + size > MAX_LENGTH) {
            return length;
        }
        int at = attribute(random, b, length);
        at = at < 0 ? 20 : at;
        System.arraycopy(b, at, b, at + size, length - at);
        boolean nested = random.nextBoolean();
        putShort(b, at, 4 + payload);
        putShort(b, at + 2, nested ? 0x8000 | random.nextInt(1, ATTR_MAX + 1) : random.nextInt(1, ATTR_MAX + 3));
        for (int i = 4; i < size; i += 4) {
            // Nested garbage: what looks like attribute headers inside, with lengths that may lie.
            if (nested && i + 4 <= size) {
                putShort(b, at + i, random.nextInt(0, 12));
                putShort(b, at + i + 2, random.nextInt(0, ATTR_MAX + 1));
            } else {
                putInt(b, at + i, random.nextInt());
            }
        }
        putInt(b, 0, getInt(b, 0) + size);
        return length + size;
    }

    // Helpers -----------------------------------------------------------------------------

    private static List<byte[]> loadSeeds() {
        return Corpus.files("event_decoder");
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    private static void zero(ByteBuffer b) {
        for (int i = 0; i < b.capacity(); i += Long.BYTES) {
            b.putLong(i, 0L);
        }
    }

    private static boolean zero(ByteBuffer b, int at, int length) {
        for (int i = 0; i < length; i++) {
            if (b.get(at + i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean has(int attrs, int attribute) {
        return (attrs >>> attribute & 1) != 0;
    }

    private static long counter(ByteBuffer counters, EventCounter c) {
        return counters.getLong(c.ordinal() * Long.BYTES);
    }

    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private static int getShort(byte[] b, int at) {
        return LITTLE ? (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 : (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static int getInt(byte[] b, int at) {
        return LITTLE ? getShort(b, at) | getShort(b, at + 2) << 16 : getShort(b, at) << 16 | getShort(b, at + 2);
    }

    private static void putShort(byte[] b, int at, int v) {
        b[at + (LITTLE ? 0 : 1)] = (byte) v;
        b[at + (LITTLE ? 1 : 0)] = (byte) (v >>> 8);
    }

    private static void putInt(byte[] b, int at, int v) {
        putShort(b, at + (LITTLE ? 0 : 2), v);
        putShort(b, at + (LITTLE ? 2 : 0), v >>> 16);
    }
}
