package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Java reply decoder against the native one (command_codec.c behind an adopted
 * {@link CommandSocket}, fed through the other end of its socket pair): the golden datagrams,
 * the kernel's recorded answers (fuzz/corpus/command_reply, readdressed to this socket's port
 * and as they were), and seeded random mutations of them all. Every record's bytes, its text
 * and the count of foreign messages must be the same.
 */
@Tag("jni") // the C decoder, in libmptcp4j.so, is the reference
class ReplyDecoderDifferentialTest {
    static final long SEED = 0xDEC0DE5EEDL;
    static final int MUTATIONS = 4000;

    private final ByteBuffer records = ByteBuffer.allocateDirect(ReplyRecord.CAPACITY * ReplyRecord.SIZE).order(ByteOrder.nativeOrder());
    private final ByteBuffer textBuffer = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE);
    private final ReplyDecoder decoder = new ReplyDecoder(records, textBuffer, ReplyDatagrams.FAMILY, ReplyDatagrams.PORT);
    private final ReplyRecord javaReply = new ReplyRecord(records, textBuffer);
    private final ByteBuffer datagram = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE).order(ByteOrder.nativeOrder());
    private final byte[] javaRaw = new byte[ReplyRecord.SIZE];
    private final byte[] nativeRaw = new byte[ReplyRecord.SIZE];
    private int texts;
    private int addresses;

    @Test
    void bothDecodersReadEveryDatagramAlike() throws Exception {
        List<byte[]> seeds = seeds();
        SplittableRandom random = new SplittableRandom(SEED);
        int made = 0;
        try (AdoptedCommandSocket adopted = new AdoptedCommandSocket(ReplyDatagrams.FAMILY)) {
            for (byte[] seed : seeds) {
                made += compare(adopted, seed, "seed " + HexFormat.of().formatHex(seed));
            }
            for (int i = 0; i < MUTATIONS; i++) {
                byte[] mutant = mutate(random, seeds);
                made += compare(adopted, mutant, "mutation " + i + " of seed " + Long.toHexString(SEED) + ": "
                        + HexFormat.of().formatHex(mutant));
            }
        }
        assertTrue(made > MUTATIONS / 4, "the datagrams make records: " + made);
        assertTrue(texts > MUTATIONS / 20, "and texts: " + texts);
        assertTrue(addresses > MUTATIONS / 20, "and addresses: " + addresses);
    }

    /** Feeds {@code bytes} to both decoders and compares what they made: the records made. */
    private int compare(AdoptedCommandSocket adopted, byte[] bytes, String context) {
        long foreignBefore = adopted.socket.foreignMessages();
        adopted.kernel.sendAnswer(bytes);
        int nativeCount = adopted.socket.receive(10_000);
        datagram.put(0, bytes);
        long javaForeignBefore = decoder.foreignMessages();
        int javaCount = decoder.decode(datagram, bytes.length, 0);
        assertEquals(nativeCount, javaCount, context);
        assertEquals(adopted.socket.foreignMessages() - foreignBefore, decoder.foreignMessages() - javaForeignBefore,
                "foreign messages, " + context);
        for (int i = 0; i < javaCount; i++) {
            ReplyRecord n = adopted.socket.reply(i);
            ReplyRecord j = javaReply.wrap(i);
            n.copyRaw(nativeRaw);
            j.copyRaw(javaRaw);
            assertArrayEquals(nativeRaw, javaRaw, "record " + i + ", " + context);
            assertEquals(n.text(), j.text(), "text " + i + ", " + context);
            texts += j.text() != null ? 1 : 0;
            addresses += j.hasAddress() ? 1 : 0;
        }
        return javaCount;
    }

    /** The golden datagrams, and the recorded ones both readdressed to this socket and as captured. */
    private static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>(ReplyDatagrams.all().values());
        try (Stream<Path> files = Files.list(Path.of("fuzz", "corpus", "command_reply"))) {
            for (Path file : files.sorted().toList()) {
                byte[] recorded = Files.readAllBytes(file);
                if (recorded.length == 0 || recorded.length > ReplyRecord.TEXT_SIZE) {
                    continue;
                }
                seeds.add(recorded);
                seeds.add(readdressed(recorded));
            }
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
