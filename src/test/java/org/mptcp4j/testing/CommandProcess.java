package org.mptcp4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A long-running mptcp4j command (monitor, listen, run) in its own JVM, so that a test can
 * wait for it, read what it printed, and always stop it.
 */
public final class CommandProcess implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;

    private CommandProcess(List<String> command) throws IOException {
        this(command, Map.of());
    }

    private CommandProcess(List<String> command, Map<String, String> environment) throws IOException {
        out = Files.createTempFile("mptcp4j-test-", ".out");
        err = Files.createTempFile("mptcp4j-test-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(environment);
        process = builder.start();
    }

    /**
     * Starts {@code mptcp4j args} with {@code environment} added to the test's, {@code jvmOptions}
     * and the tests' classes on the class path, without waiting for it to be ready.
     */
    public static CommandProcess start(Map<String, String> environment, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> options = new ArrayList<>(List.of(Processes.nativeLibraryPath()));
        options.addAll(jvmOptions);
        return new CommandProcess(Processes.withTestClasses(Processes.command(List.of(), options, false, args)), environment);
    }

    /** Starts {@code mptcp4j args}, without waiting for it to be ready. */
    public static CommandProcess start(String... args) throws IOException {
        return new CommandProcess(command(args));
    }

    private static List<String> command(String... args) {
        return Processes.command(List.of(), List.of(Processes.nativeLibraryPath()),
                false, args);
    }

    /** Starts {@code mptcp4j args} and waits until it has printed something on stderr (it says when it is ready). */
    public static CommandProcess startAndAwaitReady(String... args) throws Exception {
        return startAndAwaitReady(false, args);
    }

    /** As {@link #startAndAwaitReady(String...)}, with the tests' classes on the class path when asked. */
    public static CommandProcess startAndAwaitReady(boolean testClasses, String... args) throws Exception {
        List<String> command = command(args);
        return startAndAwaitReady(testClasses ? Processes.withTestClasses(command) : command);
    }

    /**
     * As {@link #startAndAwaitReady(String...)}, for a whole command line: the command wrapped
     * (ip netns exec, setpriv), or run from a {@link ReadableCopy}.
     */
    public static CommandProcess startAndAwaitReady(List<String> command) throws Exception {
        CommandProcess p = new CommandProcess(command);
        for (int i = 0; i < 1000 && Files.size(p.err) == 0 && p.process.isAlive(); i++) {
            Thread.sleep(10);
        }
        if (Files.size(p.err) == 0) {
            p.close();
            throw new AssertionError(String.join(" ", command) + " never said it was ready");
        }
        return p;
    }

    /** Waits up to 10 s for the command to exit on its own; its exit status. */
    public int awaitExit() throws InterruptedException {
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the command did not exit");
        return process.exitValue();
    }

    /** SIGKILL, as a crash would: no shutdown hook runs. Waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the command survived SIGKILL");
    }

    /** The process id (jcmd, /proc). */
    public long pid() {
        return process.pid();
    }

    /** Sends SIG{@code name} (HUP, TERM ...), as kill(1) does. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name);
    }

    /** SIGTERM, and its exit status once it exited on its own (within 10 s). */
    public int terminate() throws InterruptedException {
        process.destroy();
        return awaitExit();
    }

    /** Waits up to {@code seconds} for {@code text} on stderr; stderr so far (the caller asserts). */
    public String awaitErr(String text, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String err = err();
        while (!err.contains(text) && System.nanoTime() < deadline && process.isAlive()) {
            Thread.sleep(20);
            err = err();
        }
        return err();
    }

    /** Waits up to {@code seconds} for {@code text} on stdout; stdout so far (the caller asserts). */
    public String awaitOut(String text, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!out().contains(text) && System.nanoTime() < deadline && process.isAlive()) {
            Thread.sleep(20);
        }
        return out();
    }

    /** Where a daemon started with {@code --metrics 127.0.0.1:0} serves them, as it said on stderr. */
    public java.net.InetSocketAddress awaitMetricsEndpoint() throws IOException, InterruptedException {
        String err = awaitErr("metrics at http://", 10);
        java.util.regex.Matcher url = java.util.regex.Pattern.compile("metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics")
                .matcher(err);
        assertTrue(url.find(), err);
        return new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(url.group(1)));
    }

    public String out() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    public String err() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Stops it (SIGTERM, then SIGKILL) and removes its files. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}
