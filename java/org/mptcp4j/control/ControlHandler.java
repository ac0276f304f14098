package org.mptcp4j.control;

import java.util.List;
import jdk.net.UnixDomainPrincipal;

/**
 * Answers the requests of the control socket. Called on the client's own thread, so for
 * several clients at once: an implementation that touches state owned by an event loop hands
 * the work over to it.
 */
@FunctionalInterface
public interface ControlHandler {
    /**
     * Answers one request. An exception thrown here is answered with
     * {@code error 0 internal error: ...}, and the server goes on.
     *
     * @param words the request's words, at least one, none empty
     * @param peer the user and group of the process that sent it (SO_PEERCRED)
     * @return the answer
     */
    ControlResponse handle(List<String> words, UnixDomainPrincipal peer);
}
