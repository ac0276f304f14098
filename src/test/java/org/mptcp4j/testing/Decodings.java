package org.mptcp4j.testing;

import java.util.stream.Stream;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.natives.Transport;

/** The decodings the transport under test has: libnl's only with the native library (JNI). */
public final class Decodings {
    private Decodings() {}

    /** For {@code @MethodSource("org.mptcp4j.testing.Decodings#available")}. */
    public static Stream<EventDecoding> available() {
        return Transport.foreign() ? Stream.of(EventDecoding.JAVA) : Stream.of(EventDecoding.values());
    }
}
