package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mptcp4j.testing.Corpus;

/**
 * The reply decoder on the kernel's recorded answers (fuzz/corpus/command_reply): what the
 * kernel said, record by record; then on those and the golden datagrams ({@link ReplyDatagrams})
 * changed by seeded random mutations, checking what must hold of any datagram: it decodes
 * without an exception, reading only the bytes it was given; the records are the messages
 * addressed to the socket, in order, one each, of the kind their type says and with their
 * sequence numbers; the others are counted as foreign; errors are the kernel's (-4095..0);
 * texts follow each other inside the text buffer.
 */
class ReplyDecoderFuzzTest {
    static final long SEED = 0xDEC0DE5EEDL;
    static final int MUTATIONS = 20_000;
    private static final int EPROTO = 71;
    /** The longest text: an extended-ack message of 511 bytes. */
    private static final int TEXT_MAX = 511;

    private final ByteBuffer records = ByteBuffer.allocateDirect(ReplyRecord.CAPACITY * ReplyRecord.SIZE).order(ByteOrder.nativeOrder());
    private final ByteBuffer textBuffer = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE);
    private final ReplyRecord reply = new ReplyRecord(records, textBuffer);
    private final byte[] raw = new byte[ReplyRecord.SIZE];
    private int texts;
    private int addresses;
    private int foreignSeen;
    private int refusedData;

    /** A decoder of the answers to port {@code port}, into this test's buffers. */
    private ReplyDecoder decoder(int port) {
        return new ReplyDecoder(records, textBuffer, ReplyDatagrams.FAMILY, port);
    }

    /** Decodes the recorded answer {@code name} as the socket it was sent to would: the records made. */
    private int decodeRecorded(String name) throws IOException {
        return decode(recorded(name));
    }

    private int decode(byte[] bytes) {
        return decoder(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt(12)).decode(exact(bytes), bytes.length, 0);
    }

    private void assertError(String name, int error, String text) throws IOException {
        assertEquals(1, decodeRecorded(name), name);
        assertEquals(ReplyRecord.ACK, reply.wrap(0).kind(), name);
        assertEquals(error, reply.wrap(0).error(), name);
        assertEquals(text, reply.wrap(0).text(), name);
    }

    @Test
    void theKernelsRecordedAnswers() throws IOException {
        assertError("bad-token", -22, "invalid token");
        assertError("destroy4-none", -3, "subflow not found");
        assertError("limits-too-high", -22, "limit greater than maximum (8)");
        assertError("missing-addr", -22, "missing attribute 1");
        assertError("remove-unknown", -22, "address with id 99 not found");
        assertError("announce4", 0, null);

        // GET_LIMITS answers with its data, then the acknowledgement: two datagrams.
        int limits = 0;
        for (String name : names("get-limits-")) {
            if (decode(Files.readAllBytes(corpus().resolve(name))) == 1 && reply.wrap(0).kind() == ReplyRecord.DATA) {
                limits++;
                assertEquals(1, reply.seq());
                assertTrue(reply.hasLimits() && !reply.hasAddress());
                assertEquals(4, reply.subflows());
                assertEquals(4, reply.receiveAddAddrs());
            }
        }
        assertEquals(1, limits, "the limits' data");

        // The endpoint dump: one datagram of two addresses, the IPv6 one with its port.
        int ipv6 = 0;
        for (String name : names("endpoints-")) {
            int n = decode(Files.readAllBytes(corpus().resolve(name)));
            if (n == 0 || reply.wrap(0).kind() != ReplyRecord.DATA) {
                continue;
            }
            assertEquals(2, n, name);
            for (int r = 0; r < n; r++) {
                assertTrue(reply.wrap(r).hasAddress(), name);
                int at = r * ReplyRecord.SIZE + ReplyRecord.ADDR;
                if (records.getShort(at + CommandRequest.A_FAMILY) == 10) {
                    ipv6++;
                    assertEquals(7000, records.getShort(at + CommandRequest.A_PORT) & 0xffff);
                    assertEquals(8, records.get(at + CommandRequest.A_ID));
                } else {
                    assertEquals(7, records.get(at + CommandRequest.A_ID));
                    assertEquals("0ae70201", HexFormat.of().formatHex(bytes(records, at + CommandRequest.A_ADDR, 4)), "10.231.2.1");
                }
            }
        }
        assertEquals(1, ipv6, "the IPv6 endpoint");

        // Answers to another socket are foreign.
        byte[] badToken = recorded("bad-token");
        ReplyDecoder other = decoder(1);
        assertEquals(0, other.decode(exact(badToken), badToken.length, 0));
        assertEquals(1, other.foreignMessages());
    }

    /** Errors the kernel never sends (it sends -4095..-1) are EPROTO, in an acknowledgement and in a dump's end. */
    @ParameterizedTest
    @CsvSource({"-1, 1", "-22, 22", "-4095, 4095", "-4096, 71", "-2147483648, 71", "1, 71", "2147483647, 71"})
    void errorsTheKernelNeverSendsAreEproto(int error, int errno) {
        byte[] bytes = ReplyDatagrams.echo(new GenlMessageBuilder()
                .netlink(ReplyDatagrams.NLMSG_ERROR, ReplyDatagrams.CAPPED, 9, ReplyDatagrams.PORT).i32(error), 20, 9).bytes();
        assertEquals(1, decoder(ReplyDatagrams.PORT).decode(exact(bytes), bytes.length, 0));
        assertEquals(ReplyRecord.ACK, reply.wrap(0).kind());
        assertEquals(-errno, reply.wrap(0).error());
        byte[] done = new GenlMessageBuilder().netlink(ReplyDatagrams.NLMSG_DONE, ReplyDatagrams.NLM_F_MULTI, 9, ReplyDatagrams.PORT)
                .i32(error).bytes();
        assertEquals(1, decoder(ReplyDatagrams.PORT).decode(exact(done), done.length, 0));
        assertEquals(ReplyRecord.DONE, reply.wrap(0).kind());
        assertEquals(error < 0 ? -errno : 0, reply.wrap(0).error());
    }

    @Test
    void anyChangedDatagramKeepsTheRules() throws Exception {
        List<byte[]> seeds = seeds();
        SplittableRandom random = new SplittableRandom(SEED);
        ReplyDecoder decoder = decoder(ReplyDatagrams.PORT);
        int made = 0;
        for (byte[] seed : seeds) {
            made += check(decoder, seed, "seed " + HexFormat.of().formatHex(seed));
        }
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] mutant = mutate(random, seeds);
            made += check(decoder, mutant, "mutation " + i + " of seed " + Long.toHexString(SEED) + ": "
                    + HexFormat.of().formatHex(mutant));
        }
        assertTrue(made > MUTATIONS / 4, "the datagrams make records: " + made);
        assertTrue(texts > MUTATIONS / 20, "and texts: " + texts);
        assertTrue(addresses > MUTATIONS / 20, "and addresses: " + addresses);
        assertTrue(foreignSeen > 0, "messages for another port counted foreign: " + foreignSeen);
        assertTrue(refusedData > 0, "data messages the policy refuses answered EPROTO: " + refusedData);
    }

    /** Decodes {@code bytes} and checks the rules: the records made. */
    private int check(ReplyDecoder decoder, byte[] bytes, String context) {
        // In a buffer of exactly its size, so that a read past the datagram throws.
        long foreignBefore = decoder.foreignMessages();
        int n = decoder.decode(exact(bytes), bytes.length, 0);
        long foreign = decoder.foreignMessages() - foreignBefore;

        ByteBuffer d = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        int expected = 0;
        long expectedForeign = 0;
        int textEnd = 0;
        for (int pos = 0, size; (size = ReplyDecoder.messageLength(d, pos, bytes.length - pos)) > 0; pos += (size + 3) & ~3) {
            int type = d.getShort(pos + 4) & 0xffff;
            if (d.getInt(pos + 12) != ReplyDatagrams.PORT || expected >= ReplyRecord.CAPACITY) {
                expectedForeign++;
                foreignSeen++;
                continue;
            }
            if (type != ReplyDatagrams.NLMSG_ERROR && type != ReplyDatagrams.NLMSG_DONE && type != ReplyDatagrams.FAMILY) {
                continue; // skipped
            }
            String at = "record " + expected + ", " + context;
            assertTrue(expected < n, "a record for the message at " + pos + ", " + context);
            ReplyRecord r = reply.wrap(expected++);
            assertEquals(d.getInt(pos + 8), r.seq(), "seq, " + at);
            assertTrue(r.error() <= 0 && r.error() >= -4095, "a kernel's errno, " + at);
            r.copyRaw(raw);
            int present = raw[ReplyRecord.PRESENT];
            if (type == ReplyDatagrams.FAMILY && r.kind() == ReplyRecord.DATA) {
                assertEquals(0, r.error(), at);
                assertEquals(0, present & ~0x7, "presence bits, " + at);
                assertEquals(0, raw[ReplyRecord.ADDR + CommandRequest.A_PRESENT] & ~0x1f, "address presence bits, " + at);
                addresses += r.hasAddress() ? 1 : 0;
            } else {
                int kind = type == ReplyDatagrams.NLMSG_DONE ? ReplyRecord.DONE : ReplyRecord.ACK;
                assertEquals(kind, r.kind(), "kind, " + at);
                assertEquals(0, present, "no data in a final record, " + at);
                if (type == ReplyDatagrams.FAMILY) {
                    assertEquals(-EPROTO, r.error(), "a data message the policy refuses, " + at);
                    refusedData++;
                }
            }
            int textLength = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()).getShort(ReplyRecord.TEXT_LEN) & 0xffff;
            if (textLength > 0) {
                texts++;
                assertTrue(r.error() != 0, "a text only with an error, " + at);
                assertEquals(textEnd, ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()).getInt(ReplyRecord.TEXT_OFF),
                        "texts follow each other, " + at);
                assertTrue(textLength <= TEXT_MAX, "text length " + textLength + ", " + at);
                textEnd += textLength;
                assertTrue(textEnd <= ReplyRecord.TEXT_SIZE, "inside the text buffer, " + at);
            } else {
                assertNull(r.text(), at);
            }
        }
        assertEquals(expected, n, "one record per message for this socket, " + context);
        assertEquals(expectedForeign, foreign, "foreign messages, " + context);

        // The bytes after the datagram change nothing.
        byte[] first = new byte[n * ReplyRecord.SIZE];
        records.get(0, first);
        ByteBuffer padded = ByteBuffer.allocateDirect(bytes.length + 64).order(ByteOrder.nativeOrder());
        padded.put(0, bytes);
        for (int i = bytes.length; i < padded.capacity(); i++) {
            padded.put(i, (byte) 0xa5);
        }
        assertEquals(n, decoder.decode(padded, bytes.length, 0), context);
        byte[] second = new byte[n * ReplyRecord.SIZE];
        records.get(0, second);
        assertArrayEquals(first, second, "the same records with other bytes after the datagram, " + context);
        return n;
    }

    /** {@code bytes} in a direct buffer of exactly their size, in host order. */
    private static ByteBuffer exact(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder()).put(0, bytes);
    }

    private static byte[] bytes(ByteBuffer b, int at, int length) {
        byte[] bytes = new byte[length];
        b.get(at, bytes);
        return bytes;
    }

    private static Path corpus() {
        return Path.of("fuzz", "corpus", "command_reply");
    }

    /** The recorded answer whose name starts with {@code name} and a hash. */
    private static byte[] recorded(String name) throws IOException {
        List<String> names = names(name + "-");
        assertEquals(1, names.size(), "one recorded answer " + name + ": " + names);
        return Files.readAllBytes(corpus().resolve(names.get(0)));
    }

    /** The recorded answers whose names start with {@code prefix}, sorted. */
    private static List<String> names(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(corpus())) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith(prefix) && f.substring(prefix.length()).matches("[0-9a-f]{16}"))
                    .sorted().toList();
        }
    }

    /** The golden datagrams, and the recorded ones both readdressed to this socket and as captured. */
    private static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>(ReplyDatagrams.all().values());
        for (byte[] recorded : Corpus.files("command_reply")) {
            if (recorded.length == 0 || recorded.length > ReplyRecord.TEXT_SIZE) {
                continue;
            }
            seeds.add(recorded);
            seeds.add(readdressed(recorded));
        }
        assertTrue(seeds.size() > 40, "the recorded answers are there: " + seeds.size());
        return seeds;
    }

    /** Every whole message of {@code recorded} addressed to this socket's port. */
    private static byte[] readdressed(byte[] recorded) {
        byte[] copy = recorded.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
        for (int at = 0; at + 16 <= copy.length && b.getInt(at) >= 16; at += (b.getInt(at) + 3) & ~3) {
            b.putInt(at + 12, ReplyDatagrams.PORT);
        }
        return copy;
    }

    /** A seed changed in one to four ways: bytes set, lengths bent, cut, joined, grown. */
    private static byte[] mutate(SplittableRandom random, List<byte[]> seeds) {
        byte[] d = seeds.get(random.nextInt(seeds.size())).clone();
        int changes = 1 + random.nextInt(4);
        for (int c = 0; c < changes; c++) {
            switch (random.nextInt(7)) {
                case 0 -> d[random.nextInt(d.length)] = (byte) random.nextInt(256);
                case 1 -> { // an interesting value over a 16- or 32-bit field: lengths, types, errors
                    int at = random.nextInt(d.length) & ~1;
                    int[] values = {0, 1, 3, 4, 5, 16, 19, 20, 36, 0x7f, 0xff, 0x100, 0x200, 0x300, 0x8000, 0xffff};
                    int v = values[random.nextInt(values.length)];
                    ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.nativeOrder());
                    if (at + 1 < d.length) {
                        b.putShort(at, (short) v);
                    }
                }
                case 2 -> { // a 32-bit error or length
                    int at = random.nextInt(d.length) & ~3;
                    int[] values = {0, -1, -22, -4095, -4096, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 16, 20, 36, 0xfffffff0};
                    if (at + 3 < d.length) {
                        ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putInt(at, values[random.nextInt(values.length)]);
                    }
                }
                case 3 -> d = java.util.Arrays.copyOf(d, 1 + random.nextInt(d.length)); // cut
                case 4 -> { // another seed after this one
                    byte[] other = seeds.get(random.nextInt(seeds.size()));
                    if (d.length + other.length <= ReplyRecord.TEXT_SIZE) {
                        byte[] joined = java.util.Arrays.copyOf(d, d.length + other.length);
                        System.arraycopy(other, 0, joined, d.length, other.length);
                        d = joined;
                    }
                }
                case 5 -> { // random bytes grown at the end
                    int extra = 1 + random.nextInt(64);
                    d = java.util.Arrays.copyOf(d, Math.min(ReplyRecord.TEXT_SIZE, d.length + extra));
                    for (int i = d.length - extra; i >= 0 && i < d.length; i++) {
                        d[i] = (byte) random.nextInt(256);
                    }
                }
                default -> { // flags of the first message: CAPPED, ACK_TLVS, MULTI
                    if (d.length >= 8) {
                        d[6] = (byte) random.nextInt(256);
                        d[7] = (byte) random.nextInt(4);
                    }
                }
            }
        }
        return d;
    }
}
