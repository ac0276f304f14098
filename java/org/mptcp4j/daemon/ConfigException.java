package org.mptcp4j.daemon;

/** A mistake in the configuration, named by where it is: {@code FILE:LINE: what is wrong}. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param source the file, or "command line"
     * @param line the line in it (1-based), 0 when there is none
     */
    ConfigException(String source, int line, String message) {
        super(source + (line > 0 ? ":" + line : "") + ": " + message);
    }
}
