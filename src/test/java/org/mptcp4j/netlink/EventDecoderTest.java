package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpAttribute;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * An event decoder on hand-built messages: every attribute, both families, and broken input.
 * The same suite runs against the native decoder and the pure-Java one: they must agree.
 */
abstract class EventDecoderTest {
    private static final int FAMILY = 0x1c;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** Whether to test the pure-Java decoder rather than the native one. */
    abstract boolean java();

    private final EventDecoder decoder = new EventDecoder(FAMILY, 16, java());

    private static GenlMessageBuilder created() {
        return new GenlMessageBuilder().message(FAMILY, 1)
                .u32(1, 0x1c0ffee5).u16(2, AF_INET).u8(3, 0).u8(4, 0)
                .attribute(5, new byte[] {10, (byte) 231, 1, 1}).attribute(7, new byte[] {10, (byte) 231, 1, 2})
                .be16(9, 40000).be16(10, 5201).u8(18, 1);
    }

    private int decode(GenlMessageBuilder b) {
        return decoder.decode(b.direct(), b.length());
    }

    private int decode(GenlMessageBuilder b, int length) {
        return decoder.decode(b.direct(length), length);
    }

    @Test
    void createdIpv4() throws Exception {
        assertEquals(1, decode(created()));
        EventRecord e = decoder.record(0);
        assertEquals(MptcpEventType.CREATED, e.type());
        assertEquals(0x1c0ffee5, e.token());
        assertEquals(AF_INET, e.family());
        assertEquals(InetAddress.getByName("10.231.1.1"), e.localAddress());
        assertEquals(InetAddress.getByName("10.231.1.2"), e.remoteAddress());
        assertEquals(0x0ae70101, e.localAddressIpv4());
        assertEquals(40000, e.localPort(), "event ports arrive in network order");
        assertEquals(5201, e.remotePort());
        assertTrue(e.serverSide());
        assertTrue(e.has(MptcpAttribute.SERVER_SIDE));
        assertFalse(e.has(MptcpAttribute.IF_IDX));
        MptcpAddress local = new MptcpAddress();
        e.copyLocal(local);
        assertEquals("10.231.1.1:40000", local.toString());
        assertEquals(1, decoder.counter(EventCounter.RECORDS));
    }

    @Test
    void everyAttributeOfSubflowClosedIpv6() throws Exception {
        byte[] s6 = InetAddress.getByName("fd00::1").getAddress();
        byte[] d6 = InetAddress.getByName("fd00::2").getAddress();
        GenlMessageBuilder b = new GenlMessageBuilder().message(FAMILY, 11)
                .u32(1, 0xdeadbeef).u16(2, AF_INET6).u8(3, 5).u8(4, 7).attribute(6, s6).attribute(8, d6)
                .be16(9, 0xabcd).be16(10, 443).u8(11, 1).u8(12, 111).u16(13, 0x3).u32(14, 120)
                .u32(15, 4).u32(16, 6).u32(17, 1).u8(18, 0);
        assertEquals(1, decode(b));
        EventRecord e = decoder.record(0);
        assertEquals(MptcpEventType.SUB_CLOSED, e.type());
        assertEquals(0xdeadbeef, e.token());
        assertTrue(e.isIpv6());
        assertEquals(5, e.localId());
        assertEquals(7, e.remoteId());
        assertEquals(InetAddress.getByName("fd00::1"), e.localAddress());
        assertEquals(InetAddress.getByName("fd00::2"), e.remoteAddress());
        assertEquals(0xabcd, e.localPort());
        assertEquals(443, e.remotePort());
        assertTrue(e.backup());
        assertEquals(111, e.error());
        assertEquals(3, e.flags());
        assertTrue(e.denyJoinId0());
        assertTrue(e.serverSide(), "FLAGS bit 1 says server side even when the attribute says 0");
        assertEquals(120, e.timeout());
        assertEquals(4, e.ifIndex());
        assertEquals(6, e.resetReason());
        assertEquals(1, e.resetFlags());
        for (MptcpAttribute a : MptcpAttribute.values()) {
            boolean expected = a != MptcpAttribute.SADDR4 && a != MptcpAttribute.DADDR4;
            assertEquals(expected, e.has(a), a.name());
        }
        MptcpAddress remote = new MptcpAddress();
        e.copyRemote(remote);
        assertEquals("[fd00::2]:443", remote.toString());
    }

    @Test
    void everyEventType() {
        GenlMessageBuilder b = new GenlMessageBuilder();
        MptcpEventType[] kernel = {MptcpEventType.CREATED, MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED,
            MptcpEventType.ANNOUNCED, MptcpEventType.REMOVED, MptcpEventType.SUB_ESTABLISHED,
            MptcpEventType.SUB_CLOSED, MptcpEventType.SUB_PRIORITY, MptcpEventType.LISTENER_CREATED,
            MptcpEventType.LISTENER_CLOSED};
        for (MptcpEventType type : kernel) {
            b.message(FAMILY, type.id()).u32(1, type.id());
        }
        assertEquals(kernel.length, decode(b), "ten messages in one datagram, ten records");
        for (int i = 0; i < kernel.length; i++) {
            assertEquals(kernel[i], decoder.record(i).type());
            assertEquals(kernel[i].id(), decoder.record(i).token());
        }
    }

    @Test
    void announcedWithoutFamilyTakesItFromTheAddress() throws Exception {
        GenlMessageBuilder b = new GenlMessageBuilder().message(FAMILY, 6).u32(1, 9).u8(4, 3)
                .attribute(7, new byte[] {10, (byte) 231, 2, 2}).be16(10, 5201);
        assertEquals(1, decode(b));
        assertEquals(AF_INET, decoder.record(0).family());
        assertFalse(decoder.record(0).has(MptcpAttribute.FAMILY));
        assertEquals(InetAddress.getByName("10.231.2.2"), decoder.record(0).remoteAddress());
    }

    @Test
    void unknownAttributesAreIgnored() {
        GenlMessageBuilder b = created().attribute(99, new byte[] {1, 2, 3, 4, 5, 6, 7}).u32(19, 7);
        assertEquals(1, decode(b));
        assertEquals(0x1c0ffee5, decoder.record(0).token());
    }

    @Test
    void unknownEventTypeIsDeliveredWithoutAType() {
        GenlMessageBuilder b = new GenlMessageBuilder().message(FAMILY, 20).u32(1, 5);
        assertEquals(1, decode(b));
        assertEquals(20, decoder.record(0).typeId());
        assertNull(decoder.record(0).type());
    }

    @Test
    void oversizedAttributeIsMalformed() {
        GenlMessageBuilder b = new GenlMessageBuilder().message(FAMILY, 1).attribute(1, new byte[8]);
        assertEquals(0, decode(b));
        assertEquals(1, decoder.counter(EventCounter.MALFORMED));
    }

    @Test
    void shortAttributeIsMalformed() {
        GenlMessageBuilder b = new GenlMessageBuilder().message(FAMILY, 1).attribute(6, new byte[4]);
        assertEquals(0, decode(b), "an IPv6 address of 4 bytes");
        assertEquals(1, decoder.counter(EventCounter.MALFORMED));
    }

    @Test
    void attributeRunningPastTheMessageIsTruncated() {
        GenlMessageBuilder b = created().raw((byte) 40, (byte) 0, (byte) 1, (byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4);
        assertEquals(0, decode(b));
        assertEquals(1, decoder.counter(EventCounter.TRUNCATED));
    }

    @Test
    void messageCutInsideItsHeader() {
        GenlMessageBuilder b = created().end().message(FAMILY, 3).u32(1, 1);
        int first = created().length();
        assertEquals(1, decode(b, first + 10), "the whole first message decodes, the cut second does not");
        assertEquals(1, decoder.counter(EventCounter.TRUNCATED));
    }

    @Test
    void messageLongerThanTheDatagram() {
        GenlMessageBuilder b = created().lengthOverride(4000);
        assertEquals(0, decode(b));
        assertEquals(1, decoder.counter(EventCounter.TRUNCATED));
    }

    @Test
    void messageWithoutGenlHeaderIsMalformed() {
        GenlMessageBuilder b = new GenlMessageBuilder().message(FAMILY, 1).lengthOverride(GenlMessageBuilder.NLMSG_HDRLEN);
        assertEquals(0, decode(b, GenlMessageBuilder.NLMSG_HDRLEN));
        assertEquals(1, decoder.counter(EventCounter.MALFORMED));
    }

    @Test
    void otherFamiliesAreForeign() {
        GenlMessageBuilder b = new GenlMessageBuilder().message(FAMILY + 1, 1).u32(1, 1).message(2, 0);
        assertEquals(0, decode(b));
        assertEquals(2, decoder.counter(EventCounter.FOREIGN));
    }

    @Test
    void brokenMessageDoesNotHideTheNextOne() {
        GenlMessageBuilder b = new GenlMessageBuilder().message(FAMILY, 1).attribute(1, new byte[2])
                .message(FAMILY, 3).u32(1, 77);
        assertEquals(1, decode(b));
        assertEquals(MptcpEventType.CLOSED, decoder.record(0).type());
        assertEquals(77, decoder.record(0).token());
    }

    @Test
    void typeMaskDropsEventsNatively() {
        decoder.typeMask(MptcpEventType.CLOSED.mask());
        GenlMessageBuilder b = created().message(FAMILY, 3).u32(1, 5);
        assertEquals(1, decode(b));
        assertEquals(MptcpEventType.CLOSED, decoder.record(0).type());
        assertEquals(1, decoder.counter(EventCounter.FILTERED));
    }

    @Test
    void recordCapacityBoundsTheBatch() {
        EventDecoder small = new EventDecoder(FAMILY, 2, java());
        GenlMessageBuilder b = new GenlMessageBuilder();
        for (int i = 0; i < 5; i++) {
            b.message(FAMILY, 3).u32(1, i);
        }
        ByteBuffer raw = b.direct();
        assertEquals(2, small.decode(raw, b.length()));
        assertEquals(1, small.record(1).token());
    }

    /**
     * Random well-formed datagrams cut at a random byte: exactly the messages wholly before the
     * cut decode, with their tokens; the cut one is counted as truncated; random bytes after a
     * valid header never crash the decoder.
     */
    @Test
    void aDatagramCutAnywhereDecodesExactlyItsWholeMessages() {
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            EventDecoder d = new EventDecoder(FAMILY, 16, java());
            GenlMessageBuilder b = new GenlMessageBuilder();
            int messages = 1 + random.nextInt(8);
            int[] ends = new int[messages];
            for (int m = 0; m < messages; m++) {
                b.message(FAMILY, 10).u32(1, round * 16 + m).u16(2, AF_INET).u8(3, random.nextInt(256))
                        .attribute(5, new byte[] {10, 0, 0, (byte) m}).be16(9, random.nextInt(65536));
                if (random.nextBoolean()) {
                    b.attribute(99, new byte[random.nextInt(20)]); // unknown: ignored
                }
                ends[m] = b.length();
            }
            int cut = random.nextInt(b.length() + 1);
            ByteBuffer raw = b.direct(cut);
            int whole = 0;
            while (whole < messages && ends[whole] <= cut) {
                whole++;
            }
            assertEquals(whole, d.decode(raw, cut), "cut at " + cut + " of " + b.length());
            for (int i = 0; i < whole; i++) {
                assertEquals(round * 16 + i, d.record(i).token());
            }
            boolean partial = whole < messages && cut > (whole == 0 ? 0 : ends[whole - 1]);
            assertEquals(partial ? 1 : 0, d.counter(EventCounter.TRUNCATED), "cut at " + cut);
        }
    }

    @Test
    void randomBytesBehindAValidHeaderNeverCrash() {
        Random random = new Random(7);
        ByteBuffer raw = ByteBuffer.allocateDirect(512).order(java.nio.ByteOrder.nativeOrder());
        byte[] bytes = new byte[512];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(bytes);
            int length = 20 + random.nextInt(bytes.length - 19);
            raw.clear();
            raw.put(bytes).putInt(0, length).putShort(4, (short) FAMILY).clear();
            long before = decoder.counter(EventCounter.MESSAGES);
            int n = decoder.decode(raw, length);
            assertTrue(n >= 0 && n <= 16);
            assertTrue(decoder.counter(EventCounter.MESSAGES) > before, "the valid header was read as a message");
        }
    }
}
