package org.mptcp4j.netlink;

import java.nio.ByteBuffer;

/**
 * Decodes one received event datagram into event records and counters: in Java
 * ({@link JavaEventDecoder}), or by native/event_decoder.c on libnl ({@link NativeEventDecoder},
 * the JNI transport only). Both write the same records and counters; neither allocates.
 */
interface EventDatagramDecoder {
    /** Only events whose type's bit is set become records; the others are counted as filtered. */
    void typeMask(long mask);

    /**
     * Decodes the datagram at {@code raw[offset, offset + length)} into records from
     * {@code index} on, at most up to {@code capacity}; returns how many it wrote.
     */
    int decode(ByteBuffer raw, int offset, int length, long rxNanos, int index, int capacity);

    /** Bytes of the last datagram used by {@link #decode}; fewer than its length when the records ran out. */
    int consumed();
}
