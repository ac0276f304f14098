package org.mptcp4j.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the system tools the demo and the kernel tests set namespaces up with (ip, tc, ss). */
public final class Shell {
    private static final long TIMEOUT_SECONDS = 60;

    private Shell() {}

    /** What a finished command printed and returned. */
    public record Result(int exit, String out, String err) {}

    /** Runs {@code command}, returns its standard output; throws with its stderr if it fails. */
    public static String run(String... command) throws IOException {
        Result r = execute(List.of(command));
        if (r.exit() != 0) {
            String err = r.err().trim();
            throw new IOException(String.join(" ", command) + ": exit " + r.exit() + (err.isEmpty() ? "" : ": " + err));
        }
        return r.out();
    }

    /** Runs {@code command} and ignores a failure (for clean-up). */
    public static void runQuietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // clean-up of something that may already be gone
        }
    }

    /**
     * Runs {@code command} to its end, reading its output and errors at once (so neither pipe
     * fills up), and kills it if it has not exited after 60 s.
     */
    public static Result execute(List<String> command) throws IOException {
        Process process = start(command);
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no exit after " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        }, "mptcp4j-shell-reader");
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    private static Process start(List<String> command) throws IOException {
        try {
            return new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " is not installed or not runnable (" + e.getMessage()
                    + "): install iproute2 (apt-get install iproute2)", e);
        }
    }
}
