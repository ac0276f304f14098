package org.mptcp4j.control;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One answer of the control socket: {@code ok} with payload lines, or {@code error ERRNO TEXT}.
 *
 * @param ok whether the request was done
 * @param errno for an error: the kernel's errno when the kernel refused, 0 for a mistake in the
 *     request or a failure of the daemon, 1 (EPERM) for a refused peer, 16 (EBUSY) when the
 *     server is busy; 0 when ok
 * @param text for an error, what went wrong, in one line; empty when ok
 * @param lines the payload, each line non-empty and without line breaks (the empty line ends
 *     an answer on the socket)
 */
public record ControlResponse(boolean ok, int errno, String text, List<String> lines) {
    /** How the text of an error the daemon itself caused begins. */
    static final String INTERNAL_ERROR = "internal error: ";

    /**
     * @param ok whether the request was done
     * @param errno for an error: the kernel's errno when the kernel refused, 0 for a mistake in the
     *     request or a failure of the daemon, 1 (EPERM) for a refused peer, 16 (EBUSY) when the
     *     server is busy; 0 when ok
     * @param text for an error, what went wrong, in one line; empty when ok
     * @param lines the payload, each line non-empty and without line breaks (the empty line ends
     *     an answer on the socket)
     * @throws IllegalArgumentException for an answer the protocol cannot carry: a negative
     *     errno, an ok with an errno or a text, a line break in the text, an empty payload line
     *     or one with a line break
     */
    public ControlResponse {
        Objects.requireNonNull(text, "text");
        lines = List.copyOf(lines);
        if (errno < 0 || ok && (errno != 0 || !text.isEmpty())) {
            throw new IllegalArgumentException("an answer is ok without errno and text, or an error with errno >= 0: "
                    + ok + " " + errno + " '" + text + "'");
        }
        if (hasLineBreak(text)) {
            throw new IllegalArgumentException("the text of an error is one line: '" + text + "'");
        }
        for (String line : lines) {
            if (line.isEmpty() || hasLineBreak(line)) {
                throw new IllegalArgumentException("a payload line is not empty and has no line break: '" + line + "'");
            }
        }
    }

    /**
     * Done, with these payload lines.
     *
     * @param lines the payload lines
     * @return the answer
     */
    public static ControlResponse ok(List<String> lines) {
        return new ControlResponse(true, 0, "", lines);
    }

    /**
     * Not done; line breaks in {@code text} become spaces.
     *
     * @param errno the errno value; 0 for a mistake in the request
     * @param text what went wrong
     * @return the answer
     */
    public static ControlResponse error(int errno, String text) {
        return new ControlResponse(false, errno, text.replaceAll("[\r\n]+", " "), List.of());
    }

    /**
     * Whether this is an error in the request itself (errno 0, not an internal error).
     *
     * @return whether the request itself was wrong
     */
    public boolean requestMistake() {
        return !ok && errno == 0 && !text.startsWith(INTERNAL_ERROR);
    }

    private static boolean hasLineBreak(String s) {
        return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    }

    /** The answer as the server writes it: status line, payload lines, empty line. */
    String encode() {
        StringBuilder s = new StringBuilder();
        if (ok) {
            s.append("ok");
        } else {
            s.append("error ").append(errno);
            if (!text.isEmpty()) {
                s.append(' ').append(text);
            }
        }
        s.append('\n');
        lines.forEach(line -> s.append(line).append('\n'));
        return s.append('\n').toString();
    }

    /** Reads one answer; null at end of stream before its status line. */
    static ControlResponse read(BufferedReader in) throws IOException {
        String status = in.readLine();
        if (status == null) {
            return null;
        }
        boolean ok = status.equals("ok");
        int errno = 0;
        String text = "";
        if (!ok) {
            String[] parts = status.split(" ", 3);
            if (!parts[0].equals("error") || parts.length < 2 || !parts[1].matches("[0-9]{1,9}")) {
                throw new IOException("not a status line of the control protocol: '" + status + "'");
            }
            errno = Integer.parseInt(parts[1]);
            text = parts.length > 2 ? parts[2] : "";
        }
        List<String> lines = new ArrayList<>();
        for (String line = in.readLine(); !"".equals(line); line = in.readLine()) {
            if (line == null) {
                throw new EOFException("the answer ended before its empty line");
            }
            lines.add(line);
        }
        return new ControlResponse(ok, errno, text, lines);
    }
}
