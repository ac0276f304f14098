package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java port of sock_diag's messages ({@link DiagMessages}) and of the records' fields
 * ({@link DiagRecordWriter}) against the C (native/diag_message.c, diag_record.c) byte for
 * byte, through src/test/c/diag_records: on the dumps captured from the kernel
 * ({@code fuzz/corpus/sock_diag}), on them mutated (lengths that lie, attributes cut, strings
 * without their NUL, random bytes), on error answers, and on tcp_info and mptcp_info of every
 * length an older or hostile kernel could send. Runs on either transport: nothing here calls
 * the kernel.
 */
class DiagMessagesTest {
    private static final int MUTATED = 3000;
    private static final int RESULT = Integer.BYTES + DiagRecord.SIZE;
    /** What the tool writes for each message: three results, then a lookup request. */
    private static final int PER_MESSAGE = 3 * RESULT + DiagMessages.LOOKUP_SIZE;

    @TempDir
    Path dir;

    private final DiagMessages messages = new DiagMessages();
    private final DiagRecordWriter writer = new DiagRecordWriter();

    @Test
    void capturedAndMutatedDumpsReadAsTheCReadsThem() throws Exception {
        List<byte[]> inputs = new ArrayList<>(seeds());
        inputs.addAll(errorAnswers());
        SplittableRandom random = new SplittableRandom(0x646961675f6d7367L);
        List<byte[]> seeds = seeds();
        for (int i = 0; i < MUTATED; i++) {
            inputs.add(mutate(random, seeds.get(random.nextInt(seeds.size()))));
        }
        byte[] expected = runC("messages", inputs);
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        int[] outcomes = new int[4]; // connections or listeners, subflows, lookup errors, lookups written
        for (byte[] input : inputs) {
            int before = actual.size();
            javaMessages(input, actual, outcomes);
            int end = actual.size();
            byte[] all = actual.toByteArray();
            if (expected.length < end || !Arrays.equals(all, before, end, expected, before, end)) {
                assertEquals(HexFormat.of().formatHex(expected, before, Math.min(end, expected.length)),
                        HexFormat.of().formatHex(all, before, end), "C against Java for input " + HexFormat.of().formatHex(input));
            }
        }
        assertEquals(expected.length, actual.size(), "as many messages read");
        // The inputs reach every outcome: a comparison that only ever meets malformed messages proves little.
        for (int outcome : outcomes) {
            assertTrue(outcome > 20, "outcomes " + Arrays.toString(outcomes));
        }
    }

    @Test
    void infoStructsOfEveryLengthReadAsTheCReadsThem() throws Exception {
        SplittableRandom random = new SplittableRandom(0x7463705f696e666fL);
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] info = new byte[i == 0 ? 300 : 2 + random.nextInt(299)];
            random.nextBytes(info);
            int family = i % 3 == 0 ? 2 : i % 3 == 1 ? 10 : random.nextInt(1 << 16);
            ByteBuffer.wrap(info).order(ByteOrder.nativeOrder()).putShort(0, (short) family);
            inputs.add(info);
        }
        byte[] expected = runC("structs", inputs);
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        for (byte[] input : inputs) {
            // Exactly the struct: a read past what the kernel sent throws.
            ByteBuffer info = ByteBuffer.allocateDirect(input.length).order(ByteOrder.nativeOrder()).put(0, input);
            ByteBuffer record = direct(DiagRecord.SIZE);
            for (int n = 0; n <= input.length; n++) {
                DiagRecordWriter.clear(record, 0);
                writer.tcp(record, 0, info, 0, n);
                actual.writeBytes(bytes(record, 0, DiagRecord.SIZE));
                DiagRecordWriter.clear(record, 0);
                writer.mptcp(record, 0, info, 0, n);
                actual.writeBytes(bytes(record, 0, DiagRecord.SIZE));
            }
            ByteBuffer sockaddr = direct(128).put(0, input, 0, Math.min(input.length, 128));
            ByteBuffer address = direct(16);
            int port = DiagRecordWriter.address(address, 0, sockaddr, 0);
            actual.writeBytes(bytes(direct(2).putShort(0, (short) port), 0, 2));
            actual.writeBytes(bytes(address, 0, 16));
        }
        assertArrayEquals(expected, actual.toByteArray());
    }

    /** What diag_records writes for the messages of one datagram, from the Java port. */
    private void javaMessages(byte[] input, ByteArrayOutputStream out, int[] outcomes) {
        // Exactly the datagram: a read past it throws.
        ByteBuffer datagram = ByteBuffer.allocateDirect(input.length).order(ByteOrder.nativeOrder()).put(0, input);
        ByteBuffer records = direct(3 * DiagRecord.SIZE);
        ByteBuffer request = direct(DiagMessages.LOOKUP_SIZE);
        for (int at = 0, remaining = input.length; ReplyDecoder.messageLength(datagram, at, remaining) > 0;) {
            DiagRecordWriter.clear(records, 0);
            DiagRecordWriter.clear(records, DiagRecord.SIZE);
            DiagRecordWriter.clear(records, 2 * DiagRecord.SIZE);
            int connection = messages.parse(datagram, at, DiagMessages.IPPROTO_MPTCP, records, 0) ? 1 : 0;
            int subflow = messages.parse(datagram, at, DiagMessages.IPPROTO_TCP, records, DiagRecord.SIZE) ? 1 : 0;
            int answer = messages.lookupAnswer(datagram, at, records, 2 * DiagRecord.SIZE);
            result(out, connection, records, 0);
            result(out, subflow, records, DiagRecord.SIZE);
            result(out, answer, records, 2 * DiagRecord.SIZE);
            byte[] lookup = new byte[DiagMessages.LOOKUP_SIZE];
            if (subflow == 1) {
                if (DiagMessages.writeLookup(records, DiagRecord.SIZE, 77, request, 0)) {
                    request.get(0, lookup);
                    outcomes[3]++;
                } else {
                    Arrays.fill(lookup, (byte) 0xff);
                }
            }
            out.writeBytes(lookup);
            outcomes[0] += connection;
            outcomes[1] += subflow;
            outcomes[2] += answer < 0 ? 1 : 0;
            int step = NetlinkWriter.align(datagram.getInt(at));
            at += step;
            remaining -= step;
        }
    }

    private static void result(ByteArrayOutputStream out, int rc, ByteBuffer records, int at) {
        out.writeBytes(bytes(direct(4).putInt(0, rc), 0, 4));
        out.writeBytes(rc == 1 ? bytes(records, at, DiagRecord.SIZE) : new byte[DiagRecord.SIZE]);
    }

    /** The C's output for the inputs, each in a file of its own. */
    private byte[] runC(String mode, List<byte[]> inputs) throws IOException, InterruptedException {
        String tool = System.getProperty("mptcp4j.test.diagRecords");
        assertTrue(tool != null && Files.isExecutable(Path.of(tool)), "src/test/c/diag_records built by the cmake build: " + tool);
        List<String> command = new ArrayList<>(List.of(tool, mode));
        for (int i = 0; i < inputs.size(); i++) {
            Path file = dir.resolve(mode + "-" + i);
            Files.write(file, inputs.get(i));
            command.add(file.toString());
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "diag_records finished");
        assertEquals(0, process.exitValue(), "diag_records' exit status");
        return output;
    }

    /** A seed changed by one to four mutations: random bytes, a length or type that lies, a cut. */
    private static byte[] mutate(SplittableRandom random, byte[] seed) {
        byte[] b = seed.clone();
        ByteBuffer buffer = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        for (int n = 1 + random.nextInt(4); n > 0 && b.length > 0; n--) {
            switch (random.nextInt(7)) {
                case 0 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                case 1 -> { // a length or type of an attribute (or anything on a 4-byte boundary)
                    if (b.length >= 4) {
                        int at = random.nextInt(b.length / 4) * 4 + random.nextInt(2) * 2;
                        buffer.putShort(at, (short) (random.nextBoolean() ? random.nextInt(300) : random.nextInt(1 << 16)));
                    }
                }
                case 2 -> { // the message's own length
                    if (b.length >= 4) {
                        buffer.putInt(0, buffer.getInt(0) + random.nextInt(-64, 64));
                    }
                }
                case 3 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
                case 4 -> { // the ULP name: its letters, its NUL, its length over the padding
                    int name = indexOf(b, new byte[] {'m', 'p', 't', 'c', 'p'});
                    if (name >= 4 && name + 8 <= b.length) {
                        if (random.nextBoolean()) {
                            b[name + random.nextInt(6)] = (byte) random.nextInt(256);
                        } else {
                            buffer.putShort(name - 4, (short) (4 + random.nextInt(9)));
                            b[name + 6 + random.nextInt(2)] = (byte) random.nextInt(256);
                        }
                    }
                }
                case 5 -> { // an attribute's length, at any depth: cut short, or past its end
                    List<Integer> attributes = new ArrayList<>();
                    List<Integer> nested = new ArrayList<>();
                    for (int at = 0, length; (length = ReplyDecoder.messageLength(buffer, at, b.length - at)) > 0;
                            at += NetlinkWriter.align(length)) {
                        attributes(buffer, at + 88, at + length, 0, attributes, nested);
                    }
                    if (!nested.isEmpty() && random.nextInt(3) > 0) {
                        attributes = nested; // the subflow's numbers and the ULP name, where the policy bites
                    }
                    if (!attributes.isEmpty()) {
                        int at = attributes.get(random.nextInt(attributes.size()));
                        int length = buffer.getShort(at) & 0xffff;
                        buffer.putShort(at, (short) (random.nextBoolean() ? random.nextInt(length + 1) : length + random.nextInt(8)));
                    }
                }
                default -> { // the message type: SOCK_DIAG_BY_FAMILY, NLMSG_ERROR or another
                    if (b.length >= 6) {
                        int[] types = {20, 2, 3, random.nextInt(1 << 16)};
                        buffer.putShort(4, (short) types[random.nextInt(types.length)]);
                    }
                }
            }
            buffer = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        }
        return b;
    }

    /** The offsets of the attributes in [from, end) into {@code top}, and of those in the ULP info's nests into {@code nested}. */
    private static void attributes(ByteBuffer b, int from, int end, int depth, List<Integer> top, List<Integer> nested) {
        for (int at = from; at + 4 <= end;) {
            int length = b.getShort(at) & 0xffff;
            if (length < 4 || at + length > end) {
                return;
            }
            (depth == 0 ? top : nested).add(at);
            int type = b.getShort(at + 2) & 0x3fff;
            if (depth == 0 && type == 19 || depth == 1 && type == 3) {
                attributes(b, at + 4, at + length, depth + 1, top, nested);
            }
            at += (length + 3) & ~3;
        }
    }

    /** NLMSG_ERROR answers: gone (ENOENT), an acknowledgement, errnos, a number that is none, cut short. */
    private static List<byte[]> errorAnswers() {
        List<byte[]> answers = new ArrayList<>();
        for (int error : new int[] {-2, 0, -1, -22, -105, -4095, -4096, Integer.MIN_VALUE, 5}) {
            for (int length : new int[] {36, 35, 20, 16}) {
                ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
                b.putInt(0, length).putShort(4, (short) 2).putInt(16, error);
                answers.add(b.array());
            }
        }
        return answers;
    }

    private static int indexOf(byte[] b, byte[] what) {
        for (int i = 0; i + what.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }

    private static List<byte[]> seeds() throws IOException {
        Path corpus = Path.of("fuzz", "corpus", "sock_diag");
        try (Stream<Path> files = Files.list(corpus)) {
            List<byte[]> seeds = new ArrayList<>();
            for (Path f : files.sorted().toList()) {
                seeds.add(Files.readAllBytes(f));
            }
            assertFalse(seeds.isEmpty(), corpus + " is empty");
            return seeds;
        }
    }

    private static byte[] bytes(ByteBuffer b, int at, int length) {
        byte[] out = new byte[length];
        b.get(at, out);
        return out;
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }
}
