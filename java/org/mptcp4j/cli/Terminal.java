package org.mptcp4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The terminal on standard input and output, taken over for a full-screen view: the alternate
 * screen, the cursor hidden, keys read one at a time without echo; all given back on
 * {@link #close()}, and by a shutdown hook when the JVM ends otherwise (SIGINT, SIGTERM). Java
 * has no ioctl for the terminal's modes and size: stty(1) does it, on this process's standard
 * input.
 */
final class Terminal implements AutoCloseable {
    private static final String STTY = "/bin/stty";
    private static final String ALTERNATE_SCREEN = "\033[?1049h";
    private static final String MAIN_SCREEN = "\033[?1049l";
    private static final String HIDE_CURSOR = "\033[?25l";
    private static final String SHOW_CURSOR = "\033[?25h";
    private static final String HOME = "\033[H";
    private static final String CLEAR_LINE_END = "\033[K";
    private static final String CLEAR_SCREEN_END = "\033[J";

    private final PrintStream out;
    private final PrintStream err;
    private final String saved;
    private boolean restored;
    private final Thread hook = new Thread(this::restore, "mptcp4j-terminal");

    private Terminal(PrintStream out, PrintStream err, String saved) {
        this.out = out;
        this.err = err;
        this.saved = saved;
    }

    /** Whether file descriptor {@code fd} of this process is a terminal. */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Takes the terminal over: its modes saved, keys unbuffered and unechoed, the alternate screen. */
    static Terminal open(PrintStream out, PrintStream err) {
        Terminal t;
        try {
            t = new Terminal(out, err, stty("-g").trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(t.hook);
        try {
            // Ctrl-C still interrupts (isig is kept): the hook gives the terminal back.
            stty("-icanon", "-echo", "min", "1", "time", "0");
        } catch (IOException e) {
            t.close();
            throw new UncheckedIOException(e.getMessage(), e);
        }
        out.print(ALTERNATE_SCREEN + HIDE_CURSOR);
        out.flush();
        return t;
    }

    /** Rows and columns now (they change as the window does); 24 by 80 when stty cannot tell. */
    int[] size() {
        try {
            String[] words = stty("size").trim().split(" ");
            int rows = Integer.parseInt(words[0]);
            int columns = Integer.parseInt(words[1]);
            if (rows > 0 && columns > 0) {
                return new int[] {rows, columns};
            }
        } catch (IOException | RuntimeException e) {
            // a terminal that does not say its size
        }
        return new int[] {24, 80};
    }

    /**
     * Replaces the screen of {@code rows} rows with {@code lines} (at most as many, none wider than
     * the screen), drawn over the old ones from the top left: no flicker of a whole clear. Each
     * line is cleared before it is written, not after: after a line as wide as the screen the
     * cursor waits on its last column, which a clear there would erase.
     */
    synchronized void draw(List<String> lines, int rows) {
        if (restored) {
            return; // the JVM is ending (Ctrl-C): the main screen is back and must stay clean
        }
        StringBuilder s = new StringBuilder(HOME);
        for (int i = 0; i < lines.size(); i++) {
            s.append(CLEAR_LINE_END).append(lines.get(i)).append(i + 1 < lines.size() ? "\r\n" : "");
        }
        if (lines.size() < rows) {
            s.append("\033[").append(lines.size() + 1).append(";1H").append(CLEAR_SCREEN_END);
        }
        out.print(s);
        out.flush();
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already ending: the hook has run or runs now, to no effect
        }
    }

    /** Synchronized with {@link #draw}: no frame lands on the main screen once it is back. */
    private synchronized void restore() {
        if (restored) {
            return;
        }
        restored = true;
        out.print(SHOW_CURSOR + MAIN_SCREEN);
        out.flush();
        try {
            stty(saved);
        } catch (IOException e) {
            err.println("mptcp4j top: could not give the terminal its modes back (run 'stty sane'): " + e.getMessage());
        }
    }

    /** Runs stty on this process's standard input, the terminal; what it printed. */
    private static String stty(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(STTY));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(Redirect.INHERIT).redirectError(Redirect.PIPE).start();
        try {
            String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String error = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IOException("stty " + String.join(" ", args) + ": " + error);
            }
            return printed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("stty " + String.join(" ", args) + ": interrupted", e);
        }
    }
}
