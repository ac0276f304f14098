package org.mptcp4j.controller;

import java.util.Map;

/**
 * Makes one kind of controller by name: what lets the command line, policy files and the
 * daemon name a controller ({@code fullmesh}, {@code backup-on-demand}...). mptcp4j's own are
 * built in; a jar on the class path or module path adds its own with a
 * {@code META-INF/services/org.mptcp4j.controller.ControllerProvider} entry or a
 * {@code provides} clause, and {@link Controllers#create} finds it.
 */
public interface ControllerProvider {
    /**
     * The name it is asked for by: lower case, words joined by '-'.
     *
     * @return the controller's name
     */
    String name();

    /**
     * One line: what the controller does.
     *
     * @return the description
     */
    String description();

    /**
     * Each parameter it takes, with what it means and its default, in the order to show them.
     *
     * @return each parameter's name and meaning
     */
    Map<String, String> parameters();

    /**
     * A new controller with these parameters. Reads every one it knows, then calls
     * {@link ControllerParameters#requireAllRead()}.
     *
     * @param parameters the controller's parameters
     * @return the controller
     * @throws IllegalArgumentException for a parameter missing, unknown or out of range: a
     *     {@link ParameterException} naming it lets the daemon point at the line that set it
     */
    Controller create(ControllerParameters parameters);
}
