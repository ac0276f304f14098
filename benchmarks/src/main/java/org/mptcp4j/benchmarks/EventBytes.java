package org.mptcp4j.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Event messages laid out as the 6.18 kernel sends them (attribute sets as observed with
 * 'mptcp4j monitor'): concatenated into one buffer, what the decoders are measured on, or one
 * per datagram, what a stand-in for the kernel sends an event loop.
 */
final class EventBytes {
    static final int FAMILY = 0x1c;
    /** MPTCP_PM_EV_FLAG_SERVER_SIDE in the FLAGS attribute (13). */
    private static final int FLAG_SERVER_SIDE = 0x2;
    private static final int FIRST_TOKEN = 0x1c0ffee5;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
    private int start;

    /** {@code count} events cycling through CREATED, ESTABLISHED, SUB_ESTABLISHED, CLOSED. */
    static ByteBuffer batch(int count) {
        EventBytes b = new EventBytes();
        for (int i = 0; i < count; i++) {
            int token = 0x1c0ffee5 + i;
            switch (i % 4) {
                case 0 -> b.connection(1, token, false);
                case 1 -> b.connection(2, token, false);
                case 2 -> b.subflow(token, false);
                default -> b.closed(token);
            }
        }
        return b.buffer.flip();
    }

    /**
     * The events of {@code count} connections, one datagram each as the kernel multicasts them:
     * for connection i (token {@code 0x1c0ffee5 + i}, distinct for each) datagrams 4i to 4i+3 are
     * CREATED, ESTABLISHED, SUB_ESTABLISHED (its second subflow) and CLOSED, as the client side
     * or, with {@code serverSide}, as the server side sees them (FLAGS says so, addresses and
     * ports the other way round).
     */
    static byte[][] connections(int count, boolean serverSide) {
        EventBytes b = new EventBytes();
        byte[][] datagrams = new byte[4 * count][];
        for (int i = 0; i < count; i++) {
            int token = FIRST_TOKEN + i;
            b.connection(1, token, serverSide);
            datagrams[4 * i] = b.take();
            b.connection(2, token, serverSide);
            datagrams[4 * i + 1] = b.take();
            b.subflow(token, serverSide);
            datagrams[4 * i + 2] = b.take();
            b.closed(token);
            datagrams[4 * i + 3] = b.take();
        }
        return datagrams;
    }

    /** The client at 10.231.1.1 (and 10.231.2.1 for the join), the server at 10.231.1.2:5201. */
    private void connection(int type, int token, boolean serverSide) {
        begin(type).u32(1, token).u16(2, 2).u8(3, 0).u8(4, 0);
        if (serverSide) {
            bytes(5, 10, (byte) 231, 1, 2).bytes(7, 10, (byte) 231, 1, 1).be16(9, 5201).be16(10, 40000)
                    .u16(13, FLAG_SERVER_SIDE);
        } else {
            bytes(5, 10, (byte) 231, 1, 1).bytes(7, 10, (byte) 231, 1, 2).be16(9, 40000).be16(10, 5201);
        }
        end();
    }

    private void subflow(int token, boolean serverSide) {
        begin(10).u32(1, token).u16(2, 2);
        if (serverSide) {
            u8(3, 0).u8(4, 2).bytes(5, 10, (byte) 231, 1, 2).bytes(7, 10, (byte) 231, 2, 1).be16(9, 5201)
                    .be16(10, 40001);
        } else {
            u8(3, 2).u8(4, 0).bytes(5, 10, (byte) 231, 2, 1).bytes(7, 10, (byte) 231, 1, 2).be16(9, 40001)
                    .be16(10, 5201);
        }
        u8(11, 0).end();
    }

    private void closed(int token) {
        begin(3).u32(1, token).end();
    }

    /** The messages written so far, as one datagram; the buffer is empty after. */
    private byte[] take() {
        byte[] datagram = new byte[buffer.position()];
        buffer.get(0, datagram);
        buffer.clear();
        return datagram;
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
