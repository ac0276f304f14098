package org.mptcp4j.pm;

import org.mptcp4j.protocol.MptcpException;

/**
 * The kernel refused a path-manager command: carries the command, the errno and the kernel's
 * extended-ack text, e.g. {@code SUBFLOW_CREATE: Invalid argument (EINVAL): invalid token}.
 */
public final class PathManagerException extends MptcpException {
    private static final long serialVersionUID = 1L;

    /**
     * @param command the MPTCP_PM_CMD name, e.g. "SUBFLOW_CREATE"
     * @param errno the positive errno value
     * @param extack the kernel's extended-ack message, or null when it sent none
     */
    public PathManagerException(String command, int errno, String extack) {
        super(command, errno, extack);
    }

    /**
     * The kernel's extended-ack message, or null.
     *
     * @return the extended-ack message, or null
     */
    public String extack() {
        return detail();
    }
}
