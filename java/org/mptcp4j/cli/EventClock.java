package org.mptcp4j.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Turns an event's CLOCK_MONOTONIC receive time into wall-clock text for {@code monitor --timestamp}. */
final class EventClock {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneId.systemDefault());

    /** Wall-clock nanoseconds minus System.nanoTime(), which is CLOCK_MONOTONIC on Linux. */
    private final long offsetNanos;

    EventClock() {
        Instant now = Instant.now();
        long wall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        offsetNanos = wall - System.nanoTime();
    }

    String format(long monotonicNanos) {
        long wall = monotonicNanos + offsetNanos;
        return FORMAT.format(Instant.ofEpochSecond(Math.floorDiv(wall, 1_000_000_000L), Math.floorMod(wall, 1_000_000_000L)));
    }
}
