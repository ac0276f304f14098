package org.mptcp4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * A recording {@code mptcp4j record} made of a namespace's real events (docs/recording-format.md),
 * for {@link FakeKernel#replay}: the kernel's own messages, byte for byte, at the times they came.
 * One that {@code mptcp4j run --record} made also holds the commands the daemon's controllers
 * sent and the kernel's answers ({@link #commands()}): a replay answers the hosted controller's
 * commands with them, and its commands can be compared to the recorded ones.
 *
 * <pre>{@code
 * Recording r = Recording.read(Path.of("src/test/resources/client.mptcp4j"));
 * kernel.replay(r);
 * assertEquals(r.commands().toString(), kernel.commands().toString());
 * }</pre>
 */
public final class Recording {
    private static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_CAPPED = 0x100;
    private static final int NLM_F_ACK_TLVS = 0x200;
    private static final int NLMSGERR_ATTR_MSG = 1;

    private final StandIn.Recorded recorded;
    private final List<MptcpEventType> types;
    private final List<Command> commands;

    private Recording(StandIn.Recorded recorded) {
        this.recorded = recorded;
        this.commands = commands(recorded);
        List<MptcpEventType> t = new ArrayList<>();
        for (StandIn.Recorded.Datagram d : recorded.events()) {
            ByteBuffer b = ByteBuffer.wrap(d.bytes()).order(ByteOrder.nativeOrder());
            for (int at = 0; at + 20 <= d.bytes().length; ) {
                int length = b.getInt(at);
                MptcpEventType type = MptcpEventType.of(b.get(at + 16) & 0xff);
                if (type != null) {
                    t.add(type);
                }
                if (length < 20) {
                    break;
                }
                at += (length + 3) & ~3;
            }
        }
        this.types = List.copyOf(t);
    }

    /**
     * Reads a recording.
     *
     * @throws UncheckedIOException when it cannot be read, is no recording, is of a newer format
     *     version, of the other byte order, or of the v0.95 family; the message says which
     */
    public static Recording read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #read(Path)}, from a stream (a test resource); the caller closes it. */
    public static Recording read(InputStream in) throws IOException {
        return new Recording(StandIn.read(in));
    }

    /** The types of the recorded events, in order (one a message; types this version does not know left out). */
    public List<MptcpEventType> eventTypes() {
        return types;
    }

    /**
     * The commands the recording daemon's path manager sent, in order (dump requests left out, as
     * from {@link FakeKernel#commands()}), each with the kernel's recorded answer as its
     * {@link Command#answer()} (null when none was recorded); empty for a recording of events only.
     * {@link Command#toString()} names what a command carries: comparing the two lists' texts
     * compares the hosted controller's commands to the recorded ones.
     */
    public List<Command> commands() {
        return commands;
    }

    private static List<Command> commands(StandIn.Recorded recorded) {
        List<Command> commands = new ArrayList<>();
        for (byte[] request : recorded.commands()) {
            Command c = Command.decode(request);
            if (c != null && !c.dump()) {
                commands.add(c);
            }
        }
        for (byte[] datagram : recorded.answers()) {
            ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
            for (int at = 0; at + NLMSG_HDRLEN + 4 <= datagram.length; ) {
                int length = b.getInt(at);
                if (length < NLMSG_HDRLEN || at + length > datagram.length) {
                    break;
                }
                if (b.getShort(at + 4) == NLMSG_ERROR) {
                    int seq = b.getInt(at + 8);
                    for (Command c : commands) {
                        if (c.seq() == seq && c.answerIfOpen(answer(b, at, length))) {
                            break;
                        }
                    }
                }
                at += (length + 3) & ~3;
            }
        }
        return List.copyOf(commands);
    }

    /** The NLMSG_ERROR message at {@code at}: the acknowledgement, or the error with its extended-ack text. */
    private static Answer answer(ByteBuffer b, int at, int length) {
        int error = -b.getInt(at + NLMSG_HDRLEN);
        if (error == 0) {
            return Answer.ok();
        }
        int flags = b.getShort(at + 6);
        String text = null;
        if ((flags & NLM_F_ACK_TLVS) != 0) {
            // After the error: the request's header alone when capped, else the whole request.
            int request = (flags & NLM_F_CAPPED) != 0 ? NLMSG_HDRLEN : b.getInt(at + NLMSG_HDRLEN + 4);
            for (int tlv = at + NLMSG_HDRLEN + 4 + ((request + 3) & ~3); tlv + 4 <= at + length; ) {
                int size = b.getShort(tlv) & 0xffff;
                if (size < 4 || tlv + size > at + length) {
                    break;
                }
                if ((b.getShort(tlv + 2) & 0x3fff) == NLMSGERR_ATTR_MSG) {
                    byte[] bytes = new byte[size - 4];
                    b.get(tlv + 4, bytes);
                    int end = 0;
                    while (end < bytes.length && bytes[end] != 0) {
                        end++;
                    }
                    text = new String(bytes, 0, end, StandardCharsets.UTF_8);
                }
                tlv += (size + 3) & ~3;
            }
        }
        return Answer.fail(error, text);
    }

    /** Where the kernel dropped events while recording (ENOBUFS); they cannot be replayed. */
    public int eventsLost() {
        return recorded.eventsLost();
    }

    /** When the recording started. */
    public Instant started() {
        long n = recorded.startEpochNanos();
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    /** From the start of the recording to its last event. */
    public Duration duration() {
        List<StandIn.Recorded.Datagram> events = recorded.events();
        return events.isEmpty() ? Duration.ZERO : Duration.ofNanos(events.get(events.size() - 1).offsetNanos());
    }

    List<StandIn.Recorded.Datagram> datagrams() {
        return recorded.events();
    }

    int familyId() {
        return recorded.familyId();
    }
}
