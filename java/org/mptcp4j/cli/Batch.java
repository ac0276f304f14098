package org.mptcp4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.PathManagerCommands.Target;
import org.mptcp4j.command.PathManagerCommands;

/**
 * {@code mptcp4j -batch FILE}, as {@code ip -batch}: one command a line, all in one process. The
 * path managers the lines use are opened by the first line naming their namespace and kept
 * until the batch ends, so that a line costs a command to the kernel, not a socket and the
 * family's resolution.
 */
final class Batch implements AutoCloseable {
    /** Commands that run until interrupted: a batch could not go on after them. */
    static final List<String> UNTIL_INTERRUPTED = List.of("run", "monitor", "record", "demo", "listen", "top");

    private final Map<String, Target> open = new LinkedHashMap<>();
    private final PathManagerCommands commands;

    Batch(PrintStream out, PrintStream err) {
        commands = PathManagerCommands.batch(out, err, this::target);
    }

    /** The path-manager commands of the lines. */
    PathManagerCommands commands() {
        return commands;
    }

    /**
     * The words of a line as {@code ip -batch} splits them: at blanks, except between double
     * quotes (which are dropped); from a {@code #} outside quotes on, a comment. No words: a
     * blank or comment line.
     *
     * @throws IllegalArgumentException for a quote left open
     */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                inWord = true; // "" is an empty word
            } else if (c == '#') {
                break;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\u000b') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a double quote is not closed");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** The namespace a line names (or this one) with its path manager, opened by the first line that names it. */
    private Target target(Arguments a) {
        String name = a.get("netns", "");
        Target opened = open.get(name);
        if (opened == null) {
            opened = PathManagerCommands.open(a);
            open.put(name, opened);
        }
        return new Target(opened.namespace(), opened.pathManager(), false); // closed with the batch
    }

    @Override
    public void close() {
        open.values().forEach(Target::close);
        open.clear();
    }
}
