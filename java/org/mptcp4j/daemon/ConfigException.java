package org.mptcp4j.daemon;

/**
 * A mistake in the configuration, named by where it is: {@code FILE:LINE: what is wrong}. The
 * parts are fields too, for a caller that tells a flag's mistake from a file's.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String key;
    private final String detail;

    /**
     * @param file the file, or {@link DaemonConfig#COMMAND_LINE}
     * @param line the line in it (1-based), 0 when there is none
     * @param key the key (or controller parameter) at fault, null when the mistake is no one key's
     * @param detail what is wrong
     */
    ConfigException(String file, int line, String key, String detail) {
        super(file + (line > 0 ? ":" + line : "") + ": " + detail);
        this.file = file;
        this.line = line;
        this.key = key;
        this.detail = detail;
    }

    /** The file, or {@link DaemonConfig#COMMAND_LINE} for a flag's value. */
    public String file() {
        return file;
    }

    /** The line in the file (1-based), 0 for a flag or the file as a whole. */
    public int line() {
        return line;
    }

    /**
     * The key at fault (for a flag, the key it sets; in a [controller] section or a policy rule,
     * the controller's parameter), or null: a section header, the syntax, the file as a whole.
     */
    public String key() {
        return key;
    }

    /** What is wrong, without the file and line. */
    public String detail() {
        return detail;
    }

    /** Whether a flag's value is wrong rather than a file. */
    public boolean onCommandLine() {
        return file.equals(DaemonConfig.COMMAND_LINE);
    }
}
