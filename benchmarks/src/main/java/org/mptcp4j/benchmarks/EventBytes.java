package org.mptcp4j.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Event messages laid out as the 6.18 kernel sends them (attribute sets as observed with
 * 'mptcp4j monitor'), concatenated into one buffer: what the decoders are measured on.
 */
final class EventBytes {
    static final int FAMILY = 0x1c;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
    private int start;

    /** {@code count} events cycling through CREATED, ESTABLISHED, SUB_ESTABLISHED, CLOSED. */
    static ByteBuffer batch(int count) {
        EventBytes b = new EventBytes();
        for (int i = 0; i < count; i++) {
            int token = 0x1c0ffee5 + i;
            switch (i % 4) {
                case 0 -> b.connection(1, token);
                case 1 -> b.connection(2, token);
                case 2 -> b.subflow(token);
                default -> b.begin(3).u32(1, token).end();
            }
        }
        return b.buffer.flip();
    }

    private void connection(int type, int token) {
        begin(type).u32(1, token).u16(2, 2).u8(3, 0).u8(4, 0).bytes(5, 10, (byte) 231, 1, 1)
                .bytes(7, 10, (byte) 231, 1, 2).be16(9, 40000).be16(10, 5201).end();
    }

    private void subflow(int token) {
        begin(10).u32(1, token).u16(2, 2).u8(3, 2).u8(4, 0).bytes(5, 10, (byte) 231, 2, 1)
                .bytes(7, 10, (byte) 231, 1, 2).be16(9, 40001).be16(10, 5201).u8(11, 0).end();
    }

    private EventBytes begin(int type) {
        start = buffer.position();
        buffer.putInt(0).putShort((short) FAMILY).putShort((short) 0).putInt(0).putInt(0);
        buffer.put((byte) type).put((byte) 1).putShort((short) 0);
        return this;
    }

    /** Writes an attribute header; the payload follows in the buffer. */
    private ByteBuffer attribute(int type, int length) {
        return buffer.putShort((short) (4 + length)).putShort((short) type);
    }

    private EventBytes u8(int type, int value) {
        attribute(type, 1).put((byte) value);
        return pad();
    }

    private EventBytes u16(int type, int value) {
        attribute(type, 2).putShort((short) value);
        return pad();
    }

    private EventBytes be16(int type, int value) {
        attribute(type, 2).put((byte) (value >>> 8)).put((byte) value);
        return pad();
    }

    private EventBytes u32(int type, int value) {
        attribute(type, 4).putInt(value);
        return pad();
    }

    private EventBytes bytes(int type, int... values) {
        attribute(type, values.length);
        for (int v : values) {
            buffer.put((byte) v);
        }
        return pad();
    }

    private EventBytes pad() {
        while (buffer.position() % 4 != 0) {
            buffer.put((byte) 0);
        }
        return this;
    }

    private void end() {
        buffer.putInt(start, buffer.position() - start);
    }
}
