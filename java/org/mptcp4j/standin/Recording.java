package org.mptcp4j.standin;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mptcp4j.protocol.Dialect;

/**
 * The file {@code mptcp4j record} and {@code mptcp4j run --record} write and the test kit
 * replays: netlink traffic of a namespace's path manager, with when each datagram came or went. Described in docs/recording-format.md;
 * this class is that description's one implementation.
 *
 * <pre>
 * header (24 bytes): magic "MPTCP4JR" | u16 version (1) | u8 byte order (1 little, 2 big) |
 *                    u8 dialect (0 upstream mptcp_pm, 1 v0.95 mptcp) | u16 family id | u16 0 |
 *                    s64 start, wall-clock nanoseconds since the epoch
 * record (16 + n):   u8 kind | u8 0 | u16 0 | u32 n | s64 nanoseconds since the start | n bytes
 * </pre>
 *
 * Header and record fields are big-endian; the payloads are netlink datagrams as the kernel
 * wrote them, in the byte order the header names.
 */
public final class Recording {
    static final byte[] MAGIC = "MPTCP4JR".getBytes(StandardCharsets.US_ASCII);
    /** The version this class writes, and the newest it reads. */
    public static final int VERSION = 1;
    /** A payload's size at most: netlink datagrams are far smaller. */
    static final int MAX_PAYLOAD = 1 << 20;
    private static final int LITTLE_ENDIAN = 1;
    private static final int BIG_ENDIAN = 2;

    /** What a record holds. */
    public enum Kind {
        /** A datagram of event messages, as the kernel multicast it. */
        EVENTS(1),
        /** A request datagram sent to the kernel's path manager. */
        COMMAND(2),
        /** The kernel's answer datagram to a command (acknowledgement, error, or dump part). */
        ANSWER(3),
        /** The kernel dropped events here (ENOBUFS); no payload. */
        EVENTS_LOST(4);

        final int id;

        Kind(int id) {
            this.id = id;
        }

        static Kind of(int id) {
            for (Kind k : values()) {
                if (k.id == id) {
                    return k;
                }
            }
            return null;
        }
    }

    /** One record: what, when (nanoseconds since the recording's start), and its bytes. */
    public record Entry(Kind kind, long offsetNanos, byte[] payload) {}

    private final Dialect dialect;
    private final int familyId;
    private final long startEpochNanos;
    private final List<Entry> entries;

    private Recording(Dialect dialect, int familyId, long startEpochNanos, List<Entry> entries) {
        this.dialect = dialect;
        this.familyId = familyId;
        this.startEpochNanos = startEpochNanos;
        this.entries = entries;
    }

    /**
     * The family of the recorded messages.
     *
     * @return the dialect
     */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * The generic netlink id of the recorded family (the messages' nlmsg_type).
     *
     * @return the family's generic netlink id
     */
    public int familyId() {
        return familyId;
    }

    /**
     * When the recording started, wall-clock nanoseconds since the epoch.
     *
     * @return the start, nanoseconds since the epoch
     */
    public long startEpochNanos() {
        return startEpochNanos;
    }

    /**
     * The records in the order they were written.
     *
     * @return the entries
     */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * Reads a whole recording.
     *
     * @param input the recording's bytes
     * @return the recording
     * @throws IOException when the input is not a recording, of a newer version, of the other
     *     byte order than this machine's, or cut short (the message says which, and where)
     */
    public static Recording read(InputStream input) throws IOException {
        DataInputStream in = new DataInputStream(input);
        byte[] magic = new byte[MAGIC.length];
        long at = 0;
        try {
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not an mptcp4j recording (no MPTCP4JR at its start)");
            }
            int version = in.readUnsignedShort();
            if (version < 1 || version > VERSION) {
                throw new IOException("recording format version " + version + "; this mptcp4j reads 1 to " + VERSION);
            }
            int order = in.readUnsignedByte();
            int mine = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? LITTLE_ENDIAN : BIG_ENDIAN;
            if (order != LITTLE_ENDIAN && order != BIG_ENDIAN) {
                throw new IOException("byte order " + order + " in the header, not 1 (little) or 2 (big)");
            }
            if (order != mine) {
                throw new IOException("recorded on a " + (order == LITTLE_ENDIAN ? "little" : "big")
                        + "-endian machine: its netlink messages cannot be replayed on this one");
            }
            int dialectId = in.readUnsignedByte();
            if (dialectId > 1) {
                throw new IOException("dialect " + dialectId + " in the header, not 0 (upstream) or 1 (v0.95)");
            }
            int familyId = in.readUnsignedShort();
            in.readUnsignedShort();
            long start = in.readLong();
            at = 24;
            List<Entry> entries = new ArrayList<>();
            int first;
            while ((first = in.read()) >= 0) {
                Kind kind = Kind.of(first);
                if (kind == null) {
                    throw new IOException("record kind " + first + " at byte " + at + " is none of 1 to 4");
                }
                in.readUnsignedByte();
                in.readUnsignedShort();
                int length = in.readInt();
                if (length < 0 || length > MAX_PAYLOAD) {
                    throw new IOException("record at byte " + at + " has a payload of " + Integer.toUnsignedString(length)
                            + " bytes, at most " + MAX_PAYLOAD);
                }
                long offset = in.readLong();
                byte[] payload = new byte[length];
                in.readFully(payload);
                entries.add(new Entry(kind, offset, payload));
                at += 16 + length;
            }
            return new Recording(dialectId == 0 ? Dialect.UPSTREAM : Dialect.V095, familyId, start, List.copyOf(entries));
        } catch (EOFException e) {
            throw new IOException("the recording is cut short " + (at == 0 ? "in its header" : "in the record at byte " + at), e);
        }
    }

    /** Writes a recording: the header at once, then each record as it comes. Not thread-safe. */
    public static final class Writer implements AutoCloseable {
        private final DataOutputStream out;
        private final long startNanos;

        /**
         * Writes the header of a recording of {@code dialect}'s family, id {@code familyId},
         * started now; offsets count from {@code startNanos} (System.nanoTime, the clock netlink
         * receive times are read on).
         *
         * @param output where to write
         * @param dialect the recorded family
         * @param familyId the family's generic netlink id
         * @param startNanos the start, System.nanoTime nanoseconds
         * @param startEpochNanos the start, nanoseconds since the epoch
         * @throws IOException when writing fails
         */
        public Writer(OutputStream output, Dialect dialect, int familyId, long startNanos, long startEpochNanos)
                throws IOException {
            this.out = new DataOutputStream(output);
            this.startNanos = startNanos;
            out.write(MAGIC);
            out.writeShort(VERSION);
            out.writeByte(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? LITTLE_ENDIAN : BIG_ENDIAN);
            out.writeByte(dialect == Dialect.UPSTREAM ? 0 : 1);
            out.writeShort(familyId);
            out.writeShort(0);
            out.writeLong(startEpochNanos);
        }

        /**
         * A record of {@code length} bytes of {@code payload} from {@code offset}, that came at {@code nanos}.
         *
         * @param kind what the record holds
         * @param nanos when it came, System.nanoTime nanoseconds
         * @param payload the bytes
         * @param offset where in {@code payload} the record starts
         * @param length the record's length, in bytes
         * @throws IOException when writing fails
         */
        public void write(Kind kind, long nanos, byte[] payload, int offset, int length) throws IOException {
            if (length > MAX_PAYLOAD) {
                throw new IllegalArgumentException("a payload of " + length + " bytes, at most " + MAX_PAYLOAD);
            }
            out.writeByte(kind.id);
            out.writeByte(0);
            out.writeShort(0);
            out.writeInt(length);
            out.writeLong(nanos - startNanos);
            out.write(payload, offset, length);
        }

        /**
         * Writes what is buffered to the file.
         *
         * @throws IOException when writing fails
         */
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
