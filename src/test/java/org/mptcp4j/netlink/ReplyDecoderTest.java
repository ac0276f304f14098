package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.MptcpAddress;

/** The Java reply decoder on golden datagrams ({@link ReplyDatagrams}), field by field. */
class ReplyDecoderTest {
    private static final int EPROTO = 71;

    private final ByteBuffer records = ByteBuffer.allocateDirect(ReplyRecord.CAPACITY * ReplyRecord.SIZE).order(ByteOrder.nativeOrder());
    private final ByteBuffer texts = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE);
    private final ReplyDecoder decoder = new ReplyDecoder(records, texts, ReplyDatagrams.FAMILY, ReplyDatagrams.PORT);
    private final ReplyRecord reply = new ReplyRecord(records, texts);
    private final ByteBuffer datagram = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE).order(ByteOrder.nativeOrder());

    private int decode(byte[] bytes) {
        datagram.put(0, bytes);
        return decoder.decode(datagram, bytes.length, 0);
    }

    @Test
    void acknowledgement() {
        assertEquals(1, decode(ReplyDatagrams.ack()));
        ReplyRecord r = reply.wrap(0);
        assertEquals(5, r.seq());
        assertEquals(ReplyRecord.ACK, r.kind());
        assertTrue(r.isFinal());
        assertEquals(0, r.error());
        assertNull(r.text());
        assertEquals(0, decoder.foreignMessages());
    }

    @Test
    void errorsCarryTheKernelsTextCappedOrNot() {
        assertEquals(1, decode(ReplyDatagrams.errorWithTextCapped()));
        assertEquals(-22, reply.wrap(0).error());
        assertEquals("invalid token", reply.wrap(0).text());
        assertEquals(1, decode(ReplyDatagrams.errorWithTextUncapped()));
        assertEquals(7, reply.wrap(0).seq());
        assertEquals(-2, reply.wrap(0).error());
        assertEquals("endpoint not found", reply.wrap(0).text(), "the echoed request is stepped over");
        assertEquals(1, decode(ReplyDatagrams.errorWithoutExtendedAck()));
        assertEquals(-17, reply.wrap(0).error());
        assertNull(reply.wrap(0).text());
    }

    @Test
    void aMissingAttributeIsNamed() {
        assertEquals(1, decode(ReplyDatagrams.missingAttribute()));
        assertEquals("missing attribute 4 in a nested address", reply.wrap(0).text());
    }

    @Test
    void aDumpOfTwoAddressesThenDone() {
        assertEquals(3, decode(ReplyDatagrams.dumpOfTwoAddresses()));
        MptcpAddress a = new MptcpAddress();
        ReplyRecord first = reply.wrap(0);
        assertEquals(ReplyRecord.DATA, first.kind());
        assertFalse(first.isFinal());
        assertEquals(9, first.seq());
        assertTrue(first.hasAddress());
        assertFalse(first.hasLimits());
        first.copyAddress(a);
        assertEquals(MptcpAddress.parse("10.0.0.1", 0).id(1).flags(MptcpAddress.FLAG_SIGNAL).ifIndex(2), a);
        assertEquals(2, a.ifIndex());
        reply.wrap(1).copyAddress(a);
        assertEquals(MptcpAddress.parse("fd00::2", 8080).id(2).flags(MptcpAddress.FLAG_BACKUP), a);
        assertEquals(8080, a.port());
        ReplyRecord done = reply.wrap(2);
        assertEquals(ReplyRecord.DONE, done.kind());
        assertEquals(0, done.error());
        assertEquals(9, done.seq());
    }

    @Test
    void aFailedDumpEndsWithItsErrorAndText() {
        assertEquals(1, decode(ReplyDatagrams.failedDump()));
        assertEquals(ReplyRecord.DONE, reply.wrap(0).kind());
        assertEquals(-95, reply.wrap(0).error());
        assertEquals("not supported", reply.wrap(0).text());
    }

    @Test
    void limits() {
        assertEquals(2, decode(ReplyDatagrams.limits()));
        ReplyRecord r = reply.wrap(0);
        assertEquals(ReplyRecord.DATA, r.kind());
        assertTrue(r.hasLimits());
        assertFalse(r.hasAddress());
        assertEquals(4, r.receiveAddAddrs());
        assertEquals(8, r.subflows());
        assertEquals(ReplyRecord.ACK, reply.wrap(1).kind());
        assertEquals(10, reply.wrap(1).seq());
    }

    @Test
    void answersToAnotherPortOrFromAnotherSenderAreForeign() {
        assertEquals(1, decode(ReplyDatagrams.forAnotherPort()));
        assertEquals(4, reply.wrap(0).seq());
        assertEquals(1, decoder.foreignMessages());
        byte[] ack = ReplyDatagrams.ack();
        datagram.put(0, ack);
        assertEquals(0, decoder.decode(datagram, ack.length, 0x777), "a datagram not from the kernel");
        assertEquals(2, decoder.foreignMessages());
    }

    @Test
    void truncatedAndMalformedMessages() {
        assertEquals(1, decode(ReplyDatagrams.truncatedAck()));
        assertEquals(-EPROTO, reply.wrap(0).error());
        assertEquals("truncated acknowledgement", reply.wrap(0).text());

        assertEquals(1, decode(ReplyDatagrams.cutShort()), "a message running past the datagram ends it");
        assertEquals(14, reply.wrap(0).seq());

        assertEquals(2, decode(ReplyDatagrams.malformedData()));
        assertEquals(ReplyRecord.ACK, reply.wrap(0).kind(), "limits of the wrong size refuse the message");
        assertEquals(-EPROTO, reply.wrap(0).error());
        assertEquals(ReplyRecord.DATA, reply.wrap(1).kind());
        assertFalse(reply.wrap(1).hasAddress(), "an address with a bad attribute is dropped");
        assertEquals(5, reply.wrap(1).subflows());

        assertEquals(1, decode(ReplyDatagrams.noopThenAck()), "messages of other types are skipped");
        assertEquals(2, decode(ReplyDatagrams.errorsTheKernelNeverSends()));
        assertEquals(-EPROTO, reply.wrap(0).error());
        assertEquals(-EPROTO, reply.wrap(1).error());
        assertEquals(1, decode(ReplyDatagrams.echoLengthPastTheMessage()));
        assertEquals(-22, reply.wrap(0).error());
        assertNull(reply.wrap(0).text());
        assertEquals(1, decode(ReplyDatagrams.longText()));
        assertEquals("x".repeat(511), reply.wrap(0).text());
    }

    @Test
    void textsFollowEachOtherAndStopAtTheBuffersEnd() {
        // 2,048 truncated acknowledgements of 16 bytes would need 51,200 bytes of text: the last are cut.
        GenlMessageBuilder b = new GenlMessageBuilder();
        for (int i = 0; i < ReplyRecord.CAPACITY; i++) {
            b.netlink(ReplyDatagrams.NLMSG_ERROR, 0, i, ReplyDatagrams.PORT);
        }
        byte[] bytes = b.bytes();
        assertEquals(ReplyRecord.CAPACITY, decode(bytes));
        String text = "truncated acknowledgement";
        int whole = ReplyRecord.TEXT_SIZE / text.length();
        assertEquals(text, reply.wrap(whole - 1).text());
        assertEquals(text.substring(0, ReplyRecord.TEXT_SIZE % text.length()), reply.wrap(whole).text());
        assertNull(reply.wrap(whole + 1).text());
        assertEquals(ReplyRecord.CAPACITY - 1, reply.wrap(ReplyRecord.CAPACITY - 1).seq());
    }

    @Test
    void aLengthBeyondTheBufferIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> decoder.decode(datagram, datagram.capacity() + 1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> decoder.decode(ByteBuffer.allocate(64).order(ByteOrder.BIG_ENDIAN == ByteOrder.nativeOrder()
                        ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN), 16, 0));
    }
}
