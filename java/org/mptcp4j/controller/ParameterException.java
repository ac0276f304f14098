package org.mptcp4j.controller;

/**
 * A controller's parameter refused: a value that does not parse or is out of its range, a
 * required one missing, or a name the controller does not take. The message names the
 * controller, the parameter and what is accepted; {@link #parameter()} names the parameter
 * alone, so that a caller that knows where it was set (a configuration file's line) can point
 * there.
 */
public final class ParameterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The parameter refused. */
    private final String parameter;

    /**
     * @param parameter the parameter's name
     * @param message the whole message, naming the controller and the parameter
     */
    public ParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /**
     * The refused parameter's name.
     *
     * @return the parameter's name
     */
    public String parameter() {
        return parameter;
    }
}
