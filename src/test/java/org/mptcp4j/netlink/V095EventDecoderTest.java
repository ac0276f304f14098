package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * The real multipath-tcp.org v0.95 CREATED event of mptcp-kernel-api.md section 7 (family id
 * 0x16 on the host that sent it), decoded field by field in the v0.95 dialect.
 *
 * <p>The v0.95 kernel wrote every u16 and u32 with nla_put_u16 / nla_put_u32 in host order
 * (little-endian on that x86 host), ports after {@code ntohs}, addresses as they are on the
 * wire. So dport's bytes {@code 0F 27} are 9999, as the section says; by the same rule sport's
 * bytes {@code 9C E9} are 0xE99C = 59804, not the 40169 the section's note (and the seed article
 * it cites, which reads both ports big-endian) gives: the two ports cannot both be right under one
 * byte order, and the kernel's source writes host order.
 */
class V095EventDecoderTest {
    private static final int FAMILY = V095Recording.FAMILY;
    private static final byte[] CREATED = V095Recording.created();

    /** The Java decoder, and the C one where the native library runs (the JNI transport). */
    static Stream<Boolean> decoders() {
        return Transport.foreign() ? Stream.of(true) : Stream.of(true, false);
    }

    private static ByteBuffer datagram() {
        ByteBuffer raw = ByteBuffer.allocateDirect(CREATED.length).order(ByteOrder.nativeOrder());
        return raw.put(CREATED).flip();
    }

    @ParameterizedTest(name = "java decoder: {0}")
    @MethodSource("decoders")
    void theRealCreatedEventDecodesFieldByField(boolean java) throws Exception {
        EventDecoder decoder = new EventDecoder(FAMILY, 4, java, Dialect.V095);
        assertEquals(1, decoder.decode(datagram(), CREATED.length));
        assertEquals(0, decoder.counter(EventCounter.MALFORMED));
        EventRecord e = decoder.record(0);
        assertEquals(MptcpEventType.CREATED, e.type());
        assertEquals(0x3942FF0A, e.token(), "u32 in host order: bytes 0A FF 42 39");
        assertEquals(2, e.family());
        assertEquals(0, e.localId());
        assertEquals(0, e.remoteId());
        assertEquals(InetAddress.getByName("192.168.1.9"), e.localAddress());
        assertEquals(InetAddress.getByName("192.168.1.11"), e.remoteAddress());
        assertEquals(9999, e.remotePort(), "dport: bytes 0F 27, host order");
        assertEquals(0xE99C, e.localPort(), "sport: bytes 9C E9, host order");
        assertFalse(e.backup());
        assertEquals(0, e.ifIndex());
    }

    @ParameterizedTest(name = "java decoder: {0}")
    @MethodSource("decoders")
    void theUpstreamDialectReadsTheSamePortBytesInNetworkOrder(boolean java) {
        EventDecoder upstream = new EventDecoder(FAMILY, 4, java, Dialect.UPSTREAM);
        assertEquals(1, upstream.decode(datagram(), CREATED.length));
        assertEquals(0x0F27, upstream.record(0).remotePort());
        assertEquals(0x9CE9, upstream.record(0).localPort());
    }
}
