package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.Errno;

/**
 * The controller's request and answer, in bytes written from linux/genetlink.h (GENL_ID_CTRL
 * 0x10, CTRL_CMD_NEWFAMILY 1, GETFAMILY 3; CTRL_ATTR_FAMILY_ID 1, FAMILY_NAME 2, VERSION 3,
 * HDRSIZE 4, MAXATTR 5, OPS 6, MCAST_GROUPS 7; OP_ID 1, OP_FLAGS 2; MCAST_GRP_NAME 1, GRP_ID 2),
 * as the kernel's genetlink.c lays out its answer: the mptcp_pm family of Linux 6.18.
 */
class GenericNetlinkControlTest {
    private static final int PORT = 0x4d34;
    private static final int SEQ = 3;

    @Test
    void theRequestNamesTheFamily() {
        ByteBuffer out = ByteBuffer.allocate(64);
        int n = GenericNetlinkControl.writeGetFamily(out, "mptcp_pm", SEQ, PORT);
        assertEquals(36, n);
        byte[] bytes = new byte[n];
        out.get(0, bytes);
        // REQUEST alone (no acknowledgement left queued); version 1; the name with its NUL, padded.
        assertEquals("24000000 1000 0100 03000000 344D0000 03010000 0D000200 6D707463 705F706D 00000000"
                .replace(" ", "").toLowerCase(), HexFormat.of().formatHex(bytes));
        assertEquals(-Errno.EMSGSIZE, GenericNetlinkControl.writeGetFamily(ByteBuffer.allocate(32), "mptcp_pm", SEQ, PORT));
        assertThrows(IllegalArgumentException.class, () -> GenericNetlinkControl.writeGetFamily(out, "a_name_too_long_x", SEQ, PORT));
        assertThrows(IllegalArgumentException.class, () -> GenericNetlinkControl.writeGetFamily(out, "", SEQ, PORT));
    }

    /** The kernel's NEWFAMILY for mptcp_pm (id 0x1c, version 1, commands 1..11, one group), then the ack. */
    static GenlMessageBuilder newFamily(GenlMessageBuilder ops, GenlMessageBuilder groups) {
        return new GenlMessageBuilder().message(0x10, 1, 0, SEQ, PORT)
                .attribute(2, ReplyDatagrams.text("mptcp_pm")).u16(1, 0x1c).u32(3, 1).u32(4, 0).u32(5, 6)
                .attribute(6, ops.bytes())
                .attribute(7, groups.bytes());
    }

    static GenlMessageBuilder ops(int... ids) {
        GenlMessageBuilder ops = new GenlMessageBuilder();
        for (int i = 0; i < ids.length; i++) {
            ops.attribute(i + 1, new GenlMessageBuilder().u32(1, ids[i]).u32(2, 0xa).bytes());
        }
        return ops;
    }

    static GenlMessageBuilder groups() {
        return new GenlMessageBuilder().attribute(1,
                new GenlMessageBuilder().attribute(1, ReplyDatagrams.text("mptcp_pm_events")).u32(2, 0x13).bytes());
    }

    private GenericNetlinkControl.Family decode(GenlMessageBuilder b) {
        byte[] bytes = b.bytes();
        return GenericNetlinkControl.parse(ByteBuffer.wrap(bytes), 0, bytes.length, SEQ);
    }

    @Test
    void theAnswerGivesIdVersionGroupsAndCommands() {
        GenlMessageBuilder answer = newFamily(ops(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), groups());
        answer.netlink(2, 0x100, SEQ, PORT).i32(0).i32(36).i32(0).i32(SEQ).i32(PORT);
        GenericNetlinkControl.Family family = decode(answer);
        assertEquals(0, family.error());
        assertEquals(0x1c, family.id());
        assertEquals("mptcp_pm", family.name());
        assertEquals(1, family.version());
        assertEquals(Map.of("mptcp_pm_events", 0x13), family.groups());
        assertEquals(0x13, family.group("mptcp_pm_events"));
        assertEquals(-1, family.group("mptcp_pm_cmd"));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, family.operations());
        assertTrue(family.hasOperation(10));
        assertFalse(family.hasOperation(12));
    }

    @Test
    void aKernelWithoutTheUserspaceCommandsListsNoneOfThem() {
        GenericNetlinkControl.Family family = decode(newFamily(ops(1, 2, 3, 4, 5, 6, 7), new GenlMessageBuilder()));
        assertFalse(family.hasOperation(10));
        assertEquals(Map.of(), family.groups());
    }

    @Test
    void anUnknownFamilyIsEnoent() {
        GenlMessageBuilder error = new GenlMessageBuilder().netlink(2, 0x100, SEQ, PORT).i32(-Errno.ENOENT)
                .i32(36).i32(0x10).i32(SEQ).i32(PORT);
        assertEquals(-Errno.ENOENT, decode(error).error());
    }

    @Test
    void malformedAnswersAreRefusedWhole() {
        // A group without its id, a name without its NUL, a family id of the wrong size.
        GenlMessageBuilder noGroupId = new GenlMessageBuilder().attribute(1,
                new GenlMessageBuilder().attribute(1, ReplyDatagrams.text("mptcp_pm_events")).bytes());
        assertEquals(-71, decode(newFamily(ops(1), noGroupId)).error());
        GenlMessageBuilder unterminated = new GenlMessageBuilder().attribute(1,
                new GenlMessageBuilder().attribute(1, "events".getBytes()).u32(2, 1).bytes());
        assertEquals(-71, decode(newFamily(ops(1), unterminated)).error());
        GenlMessageBuilder wideId = new GenlMessageBuilder().message(0x10, 1, 0, SEQ, PORT)
                .attribute(2, ReplyDatagrams.text("mptcp_pm")).u32(1, 0x1c);
        assertEquals(-71, decode(wideId).error());
        GenlMessageBuilder opWithoutId = new GenlMessageBuilder().attribute(1, new GenlMessageBuilder().u32(2, 0xa).bytes());
        assertEquals(-71, decode(newFamily(opWithoutId, groups())).error());
    }

    @Test
    void otherRequestsAnswersAndBareAcksAreNoAnswer() {
        GenlMessageBuilder other = new GenlMessageBuilder().message(0x10, 1, 0, SEQ + 1, PORT)
                .attribute(2, ReplyDatagrams.text("mptcp_pm")).u16(1, 0x1c)
                .netlink(2, 0x100, SEQ, PORT).i32(0).i32(36).i32(0).i32(SEQ).i32(PORT);
        assertNull(decode(other));
    }

    @Test
    void randomDamageNeverThrows() {
        byte[] good = newFamily(ops(1, 2, 3, 10, 11), groups()).bytes();
        SplittableRandom random = new SplittableRandom(0xC7A1L);
        int found = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] d = good.clone();
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                d[random.nextInt(d.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(4) == 0 ? random.nextInt(d.length + 1) : d.length;
            GenericNetlinkControl.Family family = GenericNetlinkControl.parse(ByteBuffer.wrap(d), 0, length, SEQ);
            found += family != null && family.error() == 0 ? 1 : 0;
        }
        assertTrue(found > 0, "some damage leaves the family readable");
    }
}
