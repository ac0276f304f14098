package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * Golden bytes of every upstream command the project sends, written from the kernel's
 * include/uapi/linux/mptcp_pm.h (MPTCP_PM_CMD_*, MPTCP_PM_ATTR_*, MPTCP_PM_ADDR_ATTR_*, version 1)
 * and linux/netlink.h (NLM_F_REQUEST 1, NLM_F_ACK 4, NLM_F_DUMP 0x300, NLA_F_NESTED 0x8000), not
 * by the encoder under test, for this little-endian host: family id 0x1c, sequence number 7,
 * port id 0x4d34, token 0x66ea0628 (bytes 28 06 EA 66).
 */
class UpstreamCommandEncoderTest {
    private static final int FAMILY = 0x1c;
    private static final int PORT = 0x4d34;
    private static final int SEQ = 7;
    private static final int TOKEN = 0x66ea0628;
    /** nlmsghdr after its length: type 0x1c, flags REQUEST|ACK, seq 7, pid 0x4d34. */
    private static final String ACKED = "1C00 0500 07000000 344D0000";
    private static final String DUMPED = "1C00 0103 07000000 344D0000";
    private static final String TOKEN_ATTR = "08000400 2806EA66";

    private final ByteBuffer requestBuffer = ByteBuffer.allocateDirect(CommandRequest.SIZE).order(ByteOrder.nativeOrder());
    private final CommandRequest request = new CommandRequest(requestBuffer);
    private final ByteBuffer out = ByteBuffer.allocateDirect(512);
    private final UpstreamCommandEncoder encoder = new UpstreamCommandEncoder(out, FAMILY, PORT);

    private void assertEncodes(String expected) {
        int n = encoder.encode(requestBuffer, SEQ);
        String hex = expected.replace(" ", "").toLowerCase();
        assertEquals(hex.length() / 2, n, "length");
        byte[] actual = new byte[n];
        out.get(0, actual);
        assertEquals(hex, HexFormat.of().formatHex(actual));
    }

    private static MptcpAddress v4(String literal, int port) {
        return MptcpAddress.parse(literal, port);
    }

    @Test
    void addAddrEndpointWithIdFlagsAndInterface() {
        // MPTCP_PM_CMD_ADD_ADDR 1: ADDR nest {FAMILY AF_INET, ID 2, ADDR4 10.0.2.1, FLAGS SIGNAL|SUBFLOW, IF_IDX 3}.
        request.reset(1).address(v4("10.0.2.1", 0).id(2).flags(MptcpAddress.FLAG_SIGNAL | MptcpAddress.FLAG_SUBFLOW).ifIndex(3));
        assertEncodes("40000000 " + ACKED + " 01010000 2C000180 06000100 02000000 05000200 02000000"
                + " 08000300 0A000201 08000600 03000000 08000700 03000000");
    }

    @Test
    void addAddrIpv6WithPort() {
        // ADDR {FAMILY AF_INET6 10, ID 5, ADDR6 fd00::1, PORT 8080 (host order), FLAGS SIGNAL}.
        request.reset(1).address(MptcpAddress.parse("fd00::1", 8080).id(5).flags(MptcpAddress.FLAG_SIGNAL));
        assertEncodes("4C000000 " + ACKED + " 01010000 38000180 06000100 0A000000 05000200 05000000"
                + " 14000400 FD000000 00000000 00000000 00000001 06000500 901F0000 08000600 01000000");
    }

    @Test
    void delAddrById() {
        // MPTCP_PM_CMD_DEL_ADDR 2: an address of no family is a nest holding only its ID.
        request.reset(2).address(new MptcpAddress().id(3));
        assertEncodes("20000000 " + ACKED + " 02010000 0C000180 05000200 03000000");
    }

    @Test
    void getAddrOneAndDump() {
        // MPTCP_PM_CMD_GET_ADDR 3: one endpoint by id is acknowledged ...
        request.reset(3).address(new MptcpAddress().id(1));
        assertEncodes("20000000 " + ACKED + " 03010000 0C000180 05000200 01000000");
        // ... every endpoint is a dump, without attributes ...
        request.reset(3).dump();
        assertEncodes("14000000 " + DUMPED + " 03010000");
        // ... and a connection's addresses (6.9) a dump with its token.
        request.reset(3).token(TOKEN).dump();
        assertEncodes("1C000000 " + DUMPED + " 03010000 " + TOKEN_ATTR);
    }

    @Test
    void flushAddrsAndGetLimitsCarryNoAttribute() {
        request.reset(4);
        assertEncodes("14000000 " + ACKED + " 04010000");
        request.reset(6);
        assertEncodes("14000000 " + ACKED + " 06010000");
    }

    @Test
    void setLimits() {
        // MPTCP_PM_CMD_SET_LIMITS 5: RCV_ADD_ADDRS 2 before SUBFLOWS 3, as libnl's encoder puts them.
        request.reset(5).subflows(8).receiveAddAddrs(4);
        assertEncodes("24000000 " + ACKED + " 05010000 08000200 04000000 08000300 08000000");
    }

    @Test
    void setFlagsOfAnEndpoint() {
        // MPTCP_PM_CMD_SET_FLAGS 7: ADDR {FAMILY, ID 4, ADDR4 10.0.3.1, FLAGS BACKUP}.
        request.reset(7).address(v4("10.0.3.1", 0).id(4), MptcpAddress.FLAG_BACKUP);
        assertEncodes("38000000 " + ACKED + " 07010000 24000180 06000100 02000000 05000200 04000000"
                + " 08000300 0A000301 08000600 04000000");
    }

    @Test
    void setFlagsOfASubflow() {
        // Per connection: TOKEN, ADDR {FAMILY, ADDR4, PORT 40001, FLAGS BACKUP}, ADDR_REMOTE 6 {FAMILY, ADDR4, PORT 5201}.
        request.reset(7).token(TOKEN).address(v4("10.0.2.1", 40001), MptcpAddress.FLAG_BACKUP).remote(v4("10.0.1.2", 5201));
        assertEncodes("5C000000 " + ACKED + " 07010000 " + TOKEN_ATTR
                + " 24000180 06000100 02000000 08000300 0A000201 06000500 419C0000 08000600 04000000"
                + " 1C000680 06000100 02000000 08000300 0A000102 06000500 51140000");
    }

    @Test
    void announce() {
        // MPTCP_PM_CMD_ANNOUNCE 8: TOKEN, ADDR {FAMILY, ID 1, ADDR4 10.231.9.9, FLAGS SIGNAL}.
        request.reset(8).token(TOKEN).address(v4("10.231.9.9", 0).id(1).flags(MptcpAddress.FLAG_SIGNAL));
        assertEncodes("40000000 " + ACKED + " 08010000 " + TOKEN_ATTR
                + " 24000180 06000100 02000000 05000200 01000000 08000300 0AE70909 08000600 01000000");
    }

    @Test
    void remove() {
        // MPTCP_PM_CMD_REMOVE 9: TOKEN, LOC_ID 5 (id 2).
        request.reset(9).token(TOKEN).localId(2);
        assertEncodes("24000000 " + ACKED + " 09010000 " + TOKEN_ATTR + " 05000500 02000000");
    }

    @Test
    void subflowCreate() {
        // MPTCP_PM_CMD_SUBFLOW_CREATE 10: the controller's request of DialectReplayTest.
        request.reset(10).token(0x66ea0628).address(v4("10.231.1.1", 0).id(0)).remote(v4("10.231.1.2", 5201));
        assertEncodes("54000000 " + ACKED + " 0A010000 " + TOKEN_ATTR
                + " 1C000180 06000100 02000000 05000200 00000000 08000300 0AE70101"
                + " 1C000680 06000100 02000000 08000300 0AE70102 06000500 51140000");
    }

    @Test
    void subflowCreateIpv6FromAnInterfaceLeavesTheRemoteIdOffTheWire() {
        request.reset(10).token(TOKEN).address(MptcpAddress.parse("fd00::2", 0).id(3).ifIndex(7))
                .remote(MptcpAddress.parse("fd00::1", 443).id(9));
        assertEncodes("74000000 " + ACKED + " 0A010000 " + TOKEN_ATTR
                + " 30000180 06000100 0A000000 05000200 03000000 14000400 FD000000 00000000 00000000 00000002"
                + " 08000700 07000000"
                + " 28000680 06000100 0A000000 14000400 FD000000 00000000 00000000 00000001 06000500 BB010000");
    }

    @Test
    void subflowDestroyIpv6() {
        // MPTCP_PM_CMD_SUBFLOW_DESTROY 11: TOKEN, ADDR {FAMILY, ADDR6, PORT}, ADDR_REMOTE {FAMILY, ADDR6, PORT}.
        request.reset(11).token(TOKEN).address(MptcpAddress.parse("fd00::2", 40001)).remote(MptcpAddress.parse("fd00::1", 443));
        assertEncodes("6C000000 " + ACKED + " 0B010000 " + TOKEN_ATTR
                + " 28000180 06000100 0A000000 14000400 FD000000 00000000 00000000 00000002 06000500 419C0000"
                + " 28000680 06000100 0A000000 14000400 FD000000 00000000 00000000 00000001 06000500 BB010000");
    }

    @Test
    void anAddressThatSaysNothingIsNoNestAtAll() {
        // libnl's nla_nest_end takes an empty nest back out.
        request.reset(1).address(new MptcpAddress());
        assertEncodes("14000000 " + ACKED + " 01010000");
    }

    @Test
    void anAddressPresentWithoutFamilyIsWrittenAsIpv4() {
        // libnl's encoder writes ADDR4 for every family but AF_INET6; FAMILY only when not 0.
        requestBuffer.put(CommandRequest.ADDR + CommandRequest.A_PRESENT, (byte) CommandRequest.ADDR_HAS_ADDR)
                .put(CommandRequest.ADDR + CommandRequest.A_ADDR, (byte) 10)
                .putShort(CommandRequest.PRESENT, (short) CommandRequest.HAS_ADDR);
        assertEncodes("20000000 " + ACKED + " 00010000 0C000180 08000300 0A000000");
    }

    @Test
    void aBufferTooSmallIsEmsgsize() {
        UpstreamCommandEncoder small = new UpstreamCommandEncoder(ByteBuffer.allocate(40), FAMILY, PORT);
        request.reset(10).token(TOKEN).address(v4("10.231.1.1", 0).id(0)).remote(v4("10.231.1.2", 5201));
        assertEquals(-Errno.EMSGSIZE, small.encode(requestBuffer, SEQ));
        assertEquals(-Errno.EMSGSIZE, new UpstreamCommandEncoder(ByteBuffer.allocate(16), FAMILY, PORT).encode(requestBuffer, SEQ));
        request.reset(4);
        assertEquals(20, small.encode(requestBuffer, SEQ), "what fits is written");
    }
}
