package org.mptcp4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.mptcp4j.logging.LogSettings;

/**
 * The lines mptcp4j's logger (the provider the tests run with) prints while this is open,
 * instead of standard error: for what a test expects said once, or never.
 */
public final class LogLines implements AutoCloseable {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private LogLines() {
        LogSettings.output(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    }

    public static LogLines capture() {
        return new LogLines();
    }

    /** The lines printed so far that contain {@code text}. */
    public List<String> containing(String text) {
        return bytes.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(text)).toList();
    }

    @Override
    public void close() {
        LogSettings.output(System.err);
    }
}
