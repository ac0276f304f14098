package org.mptcp4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 *
 * <pre>{@code
 * Recording r = Recording.read(Path.of("src/test/resources/client.mptcp4j"));
 * kernel.replay(r);
 * }</pre>
 */
public final class Recording {
    private final StandIn.Recorded recorded;
    private final List<MptcpEventType> types;

    private Recording(StandIn.Recorded recorded) {
        this.recorded = recorded;
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
