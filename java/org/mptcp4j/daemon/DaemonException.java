package org.mptcp4j.daemon;

/** The daemon cannot do what it was asked; the message says what and why, in one line. */
public final class DaemonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DaemonException(String message, Throwable cause) {
        super(message, cause);
    }

    DaemonException(String message) {
        super(message);
    }
}
