package org.mptcp4j.testkit;


/**
 * How the fake kernel answers a command: accepted ({@link #ok()}), refused with an error number
 * and the extended-ack message the kernel would give ({@link #fail}), or held for the test to
 * answer itself ({@link #hold()}, then {@link Command#ok()} or {@link Command#fail}).
 */
public final class Answer {
    private static final Answer OK = new Answer(0, null, false);
    private static final Answer HOLD = new Answer(0, null, true);

    private final int errno;
    private final String message;
    private final boolean hold;

    private Answer(int errno, String message, boolean hold) {
        this.errno = errno;
        this.message = message;
        this.hold = hold;
    }

    /** The kernel's acknowledgement: the command succeeded. */
    public static Answer ok() {
        return OK;
    }

    /**
     * A refusal with {@code errno} (an {@link org.mptcp4j.protocol.Errno} value) and {@code message} as the extended ack's text (null for none):
     * the controller's call throws a {@code PathManagerException} with both.
     */
    public static Answer fail(int errno, String message) {
        if (errno <= 0 || errno > 4095) {
            throw new IllegalArgumentException("an error number is 1..4095: " + errno);
        }
        return new Answer(errno, message, false);
    }

    /**
     * No answer yet: the controller waits in its call until the test answers the command
     * ({@link Command#ok()}, {@link Command#fail}), as it would wait for a slow kernel.
     */
    public static Answer hold() {
        return HOLD;
    }

    /** 0 for an acknowledgement, else the error number. */
    public int errno() {
        return errno;
    }

    /** The extended ack's text, or null. */
    public String message() {
        return message;
    }

    boolean held() {
        return hold;
    }

    @Override
    public String toString() {
        return hold ? "held" : errno == 0 ? "ok" : "errno " + errno + (message == null ? "" : " \"" + message + "\"");
    }
}
