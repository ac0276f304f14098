package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * Golden bytes of every v0.95 command, written out by hand from v0.95's uapi header (command
 * and attribute numbers) and its mptcp_netlink.c (u32/u16 in host order, ports included; IPv4
 * addresses as on the wire), for this little-endian x86-64 host: family id 0x16, token
 * 0x3942FF0A (bytes 0A FF 42 39, as in the real event of section 7); sequence number and port
 * id 0, which the command socket writes as it sends (DialectReplayTest sees them on the wire).
 */
class V095CommandEncoderTest {
    private static final int TOKEN = 0x3942FF0A;
    private final ByteBuffer out = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private final V095CommandEncoder encoder = new V095CommandEncoder(out, 0x16);

    private static final String HEADER = "1600 0500 00000000 00000000";
    private static final String TOKEN_ATTR = "08000100 0AFF4239";

    private void assertBytes(String expected, int length) {
        byte[] actual = new byte[length];
        out.get(0, actual);
        assertEquals(expected.replace(" ", "").toLowerCase(), HexFormat.of().formatHex(actual));
    }

    @Test
    void announce() {
        MptcpAddress local = MptcpAddress.parse("10.0.2.1", 0).id(2);
        int n = encoder.announce(TOKEN, local, false);
        assertEquals(60, n);
        assertBytes("3C000000 " + HEADER + " 04010000 " + TOKEN_ATTR + " 05000300 02000000 06000200 02000000"
                + " 08000500 0A000201 05000B00 00000000", n);
    }

    @Test
    void announceIpv6WithPortBackupAndInterface() {
        MptcpAddress local = MptcpAddress.parse("fd00::1", 8080).id(3).ifIndex(4);
        int n = encoder.announce(TOKEN, local, true);
        assertEquals(88, n);
        assertBytes("58000000 " + HEADER + " 04010000 " + TOKEN_ATTR + " 05000300 03000000 06000200 0A000000"
                + " 14000600 FD000000 00000000 00000000 00000001 06000900 901F0000 05000B00 01000000"
                + " 08000F00 04000000", n);
    }

    @Test
    void remove() {
        int n = encoder.remove(TOKEN, 2);
        assertEquals(36, n);
        assertBytes("24000000 " + HEADER + " 05010000 " + TOKEN_ATTR + " 05000300 02000000", n);
    }

    @Test
    void subflowCreate() {
        MptcpAddress local = MptcpAddress.parse("10.0.2.1", 0).id(2);
        MptcpAddress remote = MptcpAddress.parse("10.0.1.2", 5201).id(0);
        int n = encoder.subflowCreate(TOKEN, local, remote, true);
        assertEquals(84, n);
        assertBytes("54000000 " + HEADER + " 08010000 " + TOKEN_ATTR + " 05000300 02000000 05000400 00000000"
                + " 06000200 02000000 08000700 0A000102 06000A00 51140000 08000500 0A000201 05000B00 01000000", n);
    }

    @Test
    void subflowDestroy() {
        int n = encoder.subflowDestroy(TOKEN, MptcpAddress.parse("10.0.2.1", 40001),
                MptcpAddress.parse("10.0.1.2", 5201));
        assertEquals(68, n);
        assertBytes("44000000 " + HEADER + " 09010000 " + TOKEN_ATTR + " 06000200 02000000 08000500 0A000201"
                + " 08000700 0A000102 06000900 419C0000 06000A00 51140000", n);
    }

    @Test
    void subflowPriority() {
        int n = encoder.subflowPriority(TOKEN, MptcpAddress.parse("10.0.2.1", 40001),
                MptcpAddress.parse("10.0.1.2", 5201), true);
        assertEquals(76, n);
        assertBytes("4C000000 " + HEADER + " 0C010000 " + TOKEN_ATTR + " 06000200 02000000 08000500 0A000201"
                + " 08000700 0A000102 06000900 419C0000 06000A00 51140000 05000B00 01000000", n);
    }

    @Test
    void setFilter() {
        int n = encoder.setFilter(0x0007);
        assertEquals(28, n);
        assertBytes("1C000000 " + HEADER + " 0E010000 06000D00 07000000", n);
    }

    @Test
    void exist() {
        int n = encoder.exist(TOKEN);
        assertEquals(28, n);
        assertBytes("1C000000 " + HEADER + " 0F010000 " + TOKEN_ATTR, n);
    }
}
