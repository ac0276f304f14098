package org.mptcp4j.netlink;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mptcp4j.standin.KernelStandIn;

/**
 * Datagrams of answers to a command socket, laid out as the kernel sends them: from
 * linux/netlink.h (NLMSG_ERROR 2, NLMSG_DONE 3, NLM_F_MULTI 2, NLM_F_CAPPED 0x100,
 * NLM_F_ACK_TLVS 0x200, NLMSGERR_ATTR_MSG 1, OFFS 2, MISS_TYPE 5, MISS_NEST 6) and the
 * kernel's mptcp_pm.h (GET_ADDR 3, GET_LIMITS 6; ATTR_ADDR 1, RCV_ADD_ADDRS 2, SUBFLOWS 3;
 * ADDR_ATTR_FAMILY 1, ID 2, ADDR4 3, ADDR6 4, PORT 5, FLAGS 6, IF_IDX 7).
 */
final class ReplyDatagrams {
    static final int FAMILY = 0x1c;
    static final int PORT = KernelStandIn.PORT_ID;
    static final int OTHER_PORT = 0x1234;
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_MULTI = 0x2;
    static final int CAPPED = 0x100;
    static final int ACK_TLVS = 0x200;

    private ReplyDatagrams() {
    }

    /** Every golden datagram by name, in a stable order. */
    static Map<String, byte[]> all() {
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put("ack", ack());
        all.put("errorWithTextCapped", errorWithTextCapped());
        all.put("errorWithTextUncapped", errorWithTextUncapped());
        all.put("errorWithoutExtendedAck", errorWithoutExtendedAck());
        all.put("missingAttribute", missingAttribute());
        all.put("dumpOfTwoAddresses", dumpOfTwoAddresses());
        all.put("failedDump", failedDump());
        all.put("limits", limits());
        all.put("forAnotherPort", forAnotherPort());
        all.put("truncatedAck", truncatedAck());
        all.put("cutShort", cutShort());
        all.put("malformedData", malformedData());
        all.put("noopThenAck", noopThenAck());
        all.put("errorsTheKernelNeverSends", errorsTheKernelNeverSends());
        all.put("echoLengthPastTheMessage", echoLengthPastTheMessage());
        all.put("longText", longText());
        return all;
    }

    /** The echoed header of a request of {@code length} bytes, sequence number {@code seq}. */
    static GenlMessageBuilder echo(GenlMessageBuilder b, int length, int seq) {
        return b.i32(length).raw((byte) FAMILY, (byte) 0, (byte) 5, (byte) 0).i32(seq).i32(PORT);
    }

    static byte[] ack() {
        return echo(new GenlMessageBuilder().netlink(NLMSG_ERROR, CAPPED, 5, PORT).i32(0), 36, 5).bytes();
    }

    /** EINVAL with the kernel's message and the offset of the attribute it refused. */
    static byte[] errorWithTextCapped() {
        return echo(new GenlMessageBuilder().netlink(NLMSG_ERROR, CAPPED | ACK_TLVS, 6, PORT).i32(-22), 48, 6)
                .attribute(1, text("invalid token")).u32(2, 24).bytes();
    }

    /** ENOENT echoing the whole request (a GET_ADDR with a token), then the text. */
    static byte[] errorWithTextUncapped() {
        GenlMessageBuilder b = new GenlMessageBuilder().netlink(NLMSG_ERROR, ACK_TLVS, 7, PORT).i32(-2);
        echo(b, 28, 7).raw((byte) 3, (byte) 1, (byte) 0, (byte) 0).u32(4, 0x66ea0628);
        return b.attribute(1, text("endpoint not found")).bytes();
    }

    static byte[] errorWithoutExtendedAck() {
        return echo(new GenlMessageBuilder().netlink(NLMSG_ERROR, CAPPED, 8, PORT).i32(-17), 36, 8).bytes();
    }

    /** The kernel names the attribute a nested address missed. */
    static byte[] missingAttribute() {
        return echo(new GenlMessageBuilder().netlink(NLMSG_ERROR, CAPPED | ACK_TLVS, 12, PORT).i32(-22), 32, 12)
                .u32(5, 4).u32(6, 20).bytes();
    }

    static byte[] dumpOfTwoAddresses() {
        return new GenlMessageBuilder()
                .message(FAMILY, 3, NLM_F_MULTI, 9, PORT)
                .attribute(0x8000 | 1, nest(new GenlMessageBuilder().u16(1, 2).u8(2, 1).attribute(3, new byte[] {10, 0, 0, 1})
                        .u32(6, 1).u32(7, 2)))
                .message(FAMILY, 3, NLM_F_MULTI, 9, PORT)
                .attribute(0x8000 | 1, nest(new GenlMessageBuilder().u16(1, 10).u8(2, 2)
                        .attribute(4, new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2})
                        .u16(5, 8080).u32(6, 4)))
                .netlink(NLMSG_DONE, NLM_F_MULTI, 9, PORT).i32(0)
                .bytes();
    }

    /** A dump refused: the error in NLMSG_DONE, then the extended ack. */
    static byte[] failedDump() {
        return new GenlMessageBuilder().netlink(NLMSG_DONE, NLM_F_MULTI | ACK_TLVS, 13, PORT).i32(-95)
                .attribute(1, text("not supported")).bytes();
    }

    /** GET_LIMITS: the limits, then the acknowledgement. */
    static byte[] limits() {
        return new GenlMessageBuilder().message(FAMILY, 6, 0, 10, PORT).u32(2, 4).u32(3, 8)
                .netlink(NLMSG_ERROR, CAPPED, 10, PORT).i32(0).i32(20).raw((byte) FAMILY, (byte) 0, (byte) 5, (byte) 0)
                .i32(10).i32(PORT)
                .bytes();
    }

    /** An answer to another socket, then ours. */
    static byte[] forAnotherPort() {
        GenlMessageBuilder b = new GenlMessageBuilder().message(FAMILY, 6, 0, 3, OTHER_PORT).u32(2, 1).u32(3, 1);
        return echo(b.netlink(NLMSG_ERROR, CAPPED, 4, PORT).i32(0), 20, 4).bytes();
    }

    /** An NLMSG_ERROR too short to hold its nlmsgerr. */
    static byte[] truncatedAck() {
        return new GenlMessageBuilder().netlink(NLMSG_ERROR, 0, 11, PORT).i32(-22).bytes();
    }

    /** An acknowledgement, then a message whose length runs past the datagram. */
    static byte[] cutShort() {
        return echo(new GenlMessageBuilder().netlink(NLMSG_ERROR, CAPPED, 14, PORT).i32(0), 20, 14)
                .netlink(NLMSG_ERROR, CAPPED, 15, PORT).i32(0).lengthOverride(200).bytes();
    }

    /** Limits of the wrong size (refused whole), then an address nest with a 3-byte family (the address is dropped). */
    static byte[] malformedData() {
        return new GenlMessageBuilder()
                .message(FAMILY, 6, 0, 16, PORT).u32(2, 4).u16(3, 8)
                .message(FAMILY, 3, 0, 17, PORT)
                .attribute(0x8000 | 1, nest(new GenlMessageBuilder().attribute(1, new byte[] {2, 0, 0}).u8(2, 1)))
                .u32(3, 5)
                .bytes();
    }

    static byte[] noopThenAck() {
        return echo(new GenlMessageBuilder().netlink(NLMSG_NOOP, 0, 18, PORT).i32(0)
                .netlink(NLMSG_ERROR, CAPPED, 18, PORT).i32(0), 20, 18).bytes();
    }

    /** A positive error and INT_MIN: not errnos, both read as EPROTO. */
    static byte[] errorsTheKernelNeverSends() {
        GenlMessageBuilder b = echo(new GenlMessageBuilder().netlink(NLMSG_ERROR, CAPPED, 19, PORT).i32(5), 20, 19);
        return echo(b.netlink(NLMSG_ERROR, CAPPED, 20, PORT).i32(Integer.MIN_VALUE), 20, 20).bytes();
    }

    /** An uncapped error whose echoed length points far past its end: no text is read. */
    static byte[] echoLengthPastTheMessage() {
        return echo(new GenlMessageBuilder().netlink(NLMSG_ERROR, ACK_TLVS, 21, PORT).i32(-22), 0xfffffff0, 21)
                .attribute(1, text("never read")).bytes();
    }

    /** A text longer than the 511 bytes kept of it. */
    static byte[] longText() {
        byte[] text = new byte[700];
        java.util.Arrays.fill(text, (byte) 'x');
        return echo(new GenlMessageBuilder().netlink(NLMSG_ERROR, CAPPED | ACK_TLVS, 22, PORT).i32(-22), 20, 22)
                .attribute(1, text).bytes();
    }

    static byte[] nest(GenlMessageBuilder attributes) {
        return attributes.bytes();
    }

    static byte[] text(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        return java.util.Arrays.copyOf(bytes, bytes.length + 1);
    }
}
