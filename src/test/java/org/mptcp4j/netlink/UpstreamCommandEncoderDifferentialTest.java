package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java encoder against libnl's (native/command_codec.c through {@link CommandSocket#encode}):
 * seeded random requests, any bits in any field, every byte compared. The native side numbers
 * its requests itself; the sequence number it wrote is handed to the Java encoder, and its port
 * id is checked to be the one both were given, so no byte is left out of the comparison.
 */
@Tag("jni") // libnl, through libmptcp4j.so, is the reference
class UpstreamCommandEncoderDifferentialTest {
    static final long SEED = 0x5EEDC0DECL;
    static final int REQUESTS = 5000;
    private static final int[] FAMILIES = {0, 0, 2, 2, 2, 10, 10, 10, 1, 0xffff};

    @ParameterizedTest
    @ValueSource(ints = {0x1c, 0xfff0})
    void everyRandomRequestIsLibnlsBytes(int familyId) throws Exception {
        SplittableRandom random = new SplittableRandom(SEED ^ familyId);
        ByteBuffer nativeOut = ByteBuffer.allocateDirect(512).order(ByteOrder.nativeOrder());
        ByteBuffer javaOut = ByteBuffer.allocateDirect(512);
        ByteBuffer request = ByteBuffer.allocateDirect(CommandRequest.SIZE).order(ByteOrder.nativeOrder());
        UpstreamCommandEncoder encoder = new UpstreamCommandEncoder(javaOut, familyId, AdoptedCommandSocket.PORT_ID);
        int nested = 0;
        try (AdoptedCommandSocket adopted = new AdoptedCommandSocket(familyId)) {
            for (int i = 0; i < REQUESTS; i++) {
                randomRequest(random, request);
                adopted.request.put(0, request, 0, CommandRequest.SIZE);
                int nativeLength = adopted.socket.encodeWithLibnl(nativeOut);
                assertTrue(nativeLength > 0, "native encoded request " + i);
                int seq = nativeOut.getInt(8);
                assertEquals(AdoptedCommandSocket.PORT_ID, nativeOut.getInt(12), "native port id");
                int javaLength = encoder.encode(request, seq);
                String context = "request " + i + " of seed " + Long.toHexString(SEED ^ familyId) + ": "
                        + HexFormat.of().formatHex(bytes(request, CommandRequest.SIZE));
                assertEquals(hex(nativeOut, nativeLength), hex(javaOut, Math.max(javaLength, 0)), context);
                nested += hasNest(nativeOut, nativeLength) ? 1 : 0;
            }
        }
        assertTrue(nested > REQUESTS / 4, "the random requests reach the address nests: " + nested);
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

    /** Whether a top-level attribute of the message is a nest (NLA_F_NESTED). */
    private static boolean hasNest(ByteBuffer m, int length) {
        for (int at = 20; at + 4 <= length; at += (m.getShort(at) + 3) & ~3) {
            if ((m.getShort(at + 2) & 0x8000) != 0) {
                return true;
            }
        }
        return false;
    }

    private static byte[] bytes(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(0, bytes);
        return bytes;
    }

    private static String hex(ByteBuffer b, int length) {
        return HexFormat.of().formatHex(bytes(b, length));
    }
}
