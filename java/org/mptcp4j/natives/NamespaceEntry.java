package org.mptcp4j.natives;

import org.mptcp4j.protocol.Errno;

/**
 * Entering a network namespace on the calling thread and leaving it, through either transport's
 * system calls: sockets are made inside, and the thread always goes back at once.
 */
public final class NamespaceEntry {
    /** What {@link #enter} returns when the thread did not move; {@link #leave} then does nothing. */
    public static final int STAYED = Integer.MIN_VALUE;

    private NamespaceEntry() {}

    /**
     * Moves the calling thread into the namespace open at {@code targetFd} (-1: stays where it
     * is): a descriptor of the thread's own namespace to {@link #leave} with, {@link #STAYED},
     * or a negative errno.
     */
    public static int enter(LinuxCalls linux, int targetFd) {
        if (targetFd < 0) {
            return STAYED;
        }
        int saved = linux.open("/proc/thread-self/ns/net", LinuxCalls.O_RDONLY | LinuxCalls.O_CLOEXEC);
        if (saved < 0) {
            return saved;
        }
        int rc = linux.setns(targetFd, LinuxCalls.CLONE_NEWNET);
        if (rc < 0) {
            linux.close(saved);
            return rc;
        }
        return saved;
    }

    /**
     * Returns the thread to {@code saved} (from {@link #enter}). A thread that cannot would go
     * on making every later socket in the wrong namespace, silently; nothing can repair that,
     * so the process stops.
     */
    public static void leave(LinuxCalls linux, int saved) {
        if (saved == STAYED) {
            return;
        }
        int rc = linux.setns(saved, LinuxCalls.CLONE_NEWNET);
        linux.close(saved);
        if (rc < 0) {
            System.err.println("mptcp4j: cannot return a thread to its network namespace: " + Errno.name(-rc)
                    + "; aborting");
            Runtime.getRuntime().halt(134);
        }
    }
}
