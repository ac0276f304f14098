package org.mptcp4j.standin;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.mptcp4j.netlink.NetlinkWriter;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * The kernel's answers to a path manager's requests, for a {@link KernelStandIn} to send back
 * ({@link KernelStandIn#sendAnswer}): the acknowledgement, an error with its extended-ack
 * text, the end of a dump, and one endpoint of a GET_ADDR dump. Each carries the request's
 * sequence number and goes to the stand-in's {@link KernelStandIn#PORT_ID}, as the kernel
 * answers the port a request came from.
 */
public final class Answers {
    private static final short NLMSG_ERROR = 2;
    private static final short NLMSG_DONE = 3;
    private static final int NLM_F_MULTI = 0x2;
    private static final short NLM_F_CAPPED = 0x100;
    private static final short NLM_F_ACK_TLVS = 0x200;
    private static final short NLMSGERR_ATTR_MSG = 1;
    private static final int NLMSG_HDRLEN = 16;
    /** nlmsghdr, the error, and the request's nlmsghdr alone (NLM_F_CAPPED). */
    private static final int ERROR_SIZE = 36;
    /** nlmsghdr and the dump's error code. */
    private static final int DONE_SIZE = 20;
    private static final int GET_ADDR = 3;
    private static final int PM_VERSION = 1;
    /** MPTCP_PM_ATTR_ADDR, and in it MPTCP_PM_ADDR_ATTR_FAMILY, _ID and _ADDR4. */
    private static final int ATTR_ADDR = 1;
    private static final int ADDR_ATTR_FAMILY = 1;
    private static final int ADDR_ATTR_ID = 2;
    private static final int ADDR_ATTR_ADDR4 = 3;
    /** Room for one endpoint message: headers, the nest, family, id and an IPv4 address (44 bytes). */
    private static final int ENDPOINT_ROOM = 64;

    private Answers() {
    }

    /**
     * The acknowledgement of {@code request}: NLMSG_ERROR with error 0.
     *
     * @param request the request's bytes, its nlmsghdr first
     * @return the answer's bytes
     */
    public static byte[] acknowledgement(byte[] request) {
        return error(request, 0, null);
    }

    /**
     * The kernel's refusal of {@code request}: NLMSG_ERROR with {@code -errno} and, unless
     * {@code message} is null, its extended-ack text.
     *
     * @param request the request's bytes, its nlmsghdr first
     * @param errno the error number, positive; 0 for an acknowledgement
     * @param message the extended-ack text, or null
     * @return the answer's bytes
     */
    public static byte[] error(byte[] request, int errno, String message) {
        byte[] text = message == null ? new byte[0] : (message + "\0").getBytes(StandardCharsets.UTF_8);
        int tlv = text.length == 0 ? 0 : (4 + text.length + 3) & ~3;
        ByteBuffer r = ByteBuffer.allocate(ERROR_SIZE + tlv).order(ByteOrder.nativeOrder());
        short flags = (short) (NLM_F_CAPPED | (tlv == 0 ? 0 : NLM_F_ACK_TLVS));
        r.putInt(ERROR_SIZE + tlv).putShort(NLMSG_ERROR).putShort(flags).putInt(seq(request))
                .putInt(KernelStandIn.PORT_ID).putInt(-errno).put(request, 0, NLMSG_HDRLEN);
        if (tlv != 0) {
            r.putShort((short) (4 + text.length)).putShort(NLMSGERR_ATTR_MSG).put(text);
        }
        return r.array();
    }

    /**
     * NLMSG_DONE, the end of the dump {@code request} asked for.
     *
     * @param request the request's bytes, its nlmsghdr first
     * @return the answer's bytes
     */
    public static byte[] done(byte[] request) {
        return ByteBuffer.allocate(DONE_SIZE).order(ByteOrder.nativeOrder()).putInt(DONE_SIZE).putShort(NLMSG_DONE)
                .putShort((short) NLM_F_MULTI).putInt(seq(request)).putInt(KernelStandIn.PORT_ID).putInt(0).array();
    }

    /**
     * A GET_ADDR dump's message listing endpoint {@code id} at {@code address}, of the family
     * {@code familyId}; the dump then ends with {@link #done}.
     *
     * @param request the dump request's bytes, its nlmsghdr first
     * @param familyId the path-manager family's id
     * @param id the endpoint's id
     * @param address its address
     * @return the message's bytes
     */
    public static byte[] endpoint(byte[] request, int familyId, int id, Inet4Address address) {
        ByteBuffer message = ByteBuffer.allocate(ENDPOINT_ROOM);
        NetlinkWriter out = new NetlinkWriter(message);
        out.start(familyId, NLM_F_MULTI, seq(request), KernelStandIn.PORT_ID, GET_ADDR, PM_VERSION);
        int nest = out.nestStart(ATTR_ADDR);
        out.u16(ADDR_ATTR_FAMILY, MptcpAddress.AF_INET);
        out.u8(ADDR_ATTR_ID, id);
        out.address(ADDR_ATTR_ADDR4, new MptcpAddress().set(address, 0));
        out.nestEnd(nest);
        return Arrays.copyOf(message.array(), out.end());
    }

    private static int seq(byte[] request) {
        return ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).getInt(8);
    }
}
