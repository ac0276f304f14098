package org.mptcp4j.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system tools the demo and the kernel tests set namespaces up with (ip, tc, ss). */
public final class Shell {
    private Shell() {}

    /** Runs {@code command}, returns its standard output; throws with its stderr if it fails. */
    public static String run(String... command) throws IOException {
        Process process = start(command);
        String out;
        String err;
        try (InputStream stdout = process.getInputStream(); InputStream stderr = process.getErrorStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
            err = new String(stderr.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no exit after 60 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": exit " + process.exitValue()
                    + (err.isEmpty() ? "" : ": " + err));
        }
        return out;
    }

    /** Runs {@code command} and ignores a failure (for clean-up). */
    public static void runQuietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // clean-up of something that may already be gone
        }
    }

    private static Process start(String... command) throws IOException {
        try {
            return new ProcessBuilder(List.of(command)).start();
        } catch (IOException e) {
            throw new IOException(command[0] + " is not installed or not runnable (" + e.getMessage()
                    + "): install iproute2 (apt-get install iproute2)", e);
        }
    }
}
