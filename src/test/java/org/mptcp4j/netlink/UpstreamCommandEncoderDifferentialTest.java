package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.testing.Corpus;

/**
 * The Java encoder against libnl's (src/test/c/libnl_command_encoder, built by the cmake
 * build): the requests the corpus capture sent to the kernel (fuzz/corpus/command_encoder),
 * then seeded random requests, any bits in any field under any sequence number, every byte of
 * every message compared.
 */
class UpstreamCommandEncoderDifferentialTest {
    static final long SEED = 0x5EEDC0DECL;
    static final int REQUESTS = 5000;
    private static final int PORT_ID = 0x4d34;
    private static final int[] FAMILIES = {0, 0, 2, 2, 2, 10, 10, 10, 1, 0xffff};
    /** What the tool reads per request: the sequence number, then the request. */
    private static final int RECORD = 4 + CommandRequest.SIZE;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {0x1c, 0xfff0})
    void everyRequestIsLibnlsBytes(int familyId) throws Exception {
        List<byte[]> captured = captured();
        SplittableRandom random = new SplittableRandom(SEED ^ familyId);
        int total = captured.size() + REQUESTS;
        ByteBuffer input = ByteBuffer.allocate(total * RECORD).order(ByteOrder.nativeOrder());
        ByteBuffer request = ByteBuffer.allocateDirect(CommandRequest.SIZE).order(ByteOrder.nativeOrder());
        for (int i = 0; i < total; i++) {
            if (i < captured.size()) {
                request.put(0, captured.get(i));
            } else {
                randomRequest(random, request);
            }
            input.putInt(i * RECORD, i < captured.size() ? i + 1 : random.nextInt());
            input.put(i * RECORD + 4, request, 0, CommandRequest.SIZE);
        }
        ByteBuffer libnl = ByteBuffer.wrap(runLibnl(familyId, input.array())).order(ByteOrder.nativeOrder());

        ByteBuffer javaOut = ByteBuffer.allocateDirect(512);
        UpstreamCommandEncoder encoder = new UpstreamCommandEncoder(javaOut, familyId, PORT_ID);
        int nested = 0;
        for (int i = 0; i < total; i++) {
            request.put(0, input, i * RECORD + 4, CommandRequest.SIZE);
            int seq = input.getInt(i * RECORD);
            String context = (i < captured.size() ? "captured request " + i : "request " + i + " of seed "
                    + Long.toHexString(SEED ^ familyId)) + ": " + HexFormat.of().formatHex(bytes(request, 0, CommandRequest.SIZE));
            int libnlLength = libnl.getInt();
            assertTrue(libnlLength > 0, "libnl encoded " + context);
            int javaLength = encoder.encode(request, seq);
            assertEquals(hex(libnl, libnl.position(), libnlLength), hex(javaOut, 0, Math.max(javaLength, 0)), context);
            nested += hasNest(libnl, libnl.position(), libnlLength) ? 1 : 0;
            libnl.position(libnl.position() + libnlLength);
        }
        assertEquals(0, libnl.remaining(), "libnl wrote one message per request");
        assertTrue(nested > REQUESTS / 4, "the requests reach the address nests: " + nested);
    }

    /** The requests the capture sent, each as the 88 bytes the command socket encodes from. */
    private static List<byte[]> captured() throws IOException {
        List<byte[]> requests = Corpus.files("command_encoder");
        for (byte[] request : requests) {
            assertEquals(CommandRequest.SIZE, request.length, "a captured request's size");
        }
        assertTrue(requests.size() > 20, "the captured requests are there: " + requests.size());
        return requests;
    }

    /** libnl's messages for {@code input} (records of a sequence number and a request). */
    private byte[] runLibnl(int familyId, byte[] input) throws IOException, InterruptedException {
        String tool = System.getProperty("mptcp4j.test.libnlCommandEncoder");
        assertTrue(tool != null && Files.isExecutable(Path.of(tool)),
                "src/test/c/libnl_command_encoder built by the cmake build: " + tool);
        Path requests = Files.write(dir.resolve("requests"), input);
        Process process = new ProcessBuilder(tool, Integer.toString(familyId), Integer.toString(PORT_ID))
                .redirectInput(requests.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "libnl_command_encoder finished");
        assertEquals(0, process.exitValue(), "libnl_command_encoder's exit status");
        return output;
    }

    /** Any command, any presence bits, addresses of every family with any of their parts. */
    static void randomRequest(SplittableRandom random, ByteBuffer r) {
        for (int i = 0; i < CommandRequest.SIZE; i++) {
            r.put(i, (byte) random.nextInt(256));
        }
        r.put(CommandRequest.CMD, (byte) (random.nextBoolean() ? 1 + random.nextInt(11) : random.nextInt(256)));
        r.putShort(CommandRequest.PRESENT, (short) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(0x100)));
        for (int at : new int[] {CommandRequest.ADDR, CommandRequest.REMOTE}) {
            r.putShort(at + CommandRequest.A_FAMILY, (short) FAMILIES[random.nextInt(FAMILIES.length)]);
            r.put(at + CommandRequest.A_PRESENT, (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : random.nextInt(0x20)));
        }
    }

    /** Whether a top-level attribute of the message at {@code start} is a nest (NLA_F_NESTED). */
    private static boolean hasNest(ByteBuffer m, int start, int length) {
        for (int at = 20; at + 4 <= length; at += (m.getShort(start + at) + 3) & ~3) {
            if ((m.getShort(start + at + 2) & 0x8000) != 0) {
                return true;
            }
        }
        return false;
    }

    private static byte[] bytes(ByteBuffer b, int start, int length) {
        byte[] bytes = new byte[length];
        b.get(start, bytes);
        return bytes;
    }

    private static String hex(ByteBuffer b, int start, int length) {
        return HexFormat.of().formatHex(bytes(b, start, length));
    }
}
