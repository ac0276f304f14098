package org.mptcp4j.pm;

import org.mptcp4j.protocol.PmCommand;

/**
 * Told of every command a {@link PathManager} sent and how it ended: metrics count them by
 * result and time them. Called on the thread that issued the command, after the kernel's
 * answer (or the failure); it must not block or throw.
 */
@FunctionalInterface
public interface CommandObserver {
    /** Observes nothing. */
    CommandObserver NONE = (command, errno, startNanos) -> {};

    /**
     * @param command the command
     * @param errno 0 when the kernel accepted it, else the error number the caller got
     * @param startNanos {@link System#nanoTime()} when it was sent
     */
    void commandDone(PmCommand command, int errno, long startNanos);
}
