package org.mptcp4j.controller;

import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.LocalAddressIds;
import org.mptcp4j.pm.PathManager;

/** What a controller works with. */
public interface ControllerContext {
    /** Commands to the kernel's path manager of this namespace. */
    PathManager pathManager();

    /** The network namespace the controller manages. */
    NetworkNamespace namespace();

    /** The namespace's local address ids, consistent with its in-kernel endpoints. */
    LocalAddressIds localAddressIds();

    /**
     * Watches the subflows of connection {@code token} for retransmission timeouts, reported
     * through {@link Controller#onSubflowTimeout}, until it closes or
     * {@link #stopWatchingTimeouts}. From the loop's thread.
     */
    void watchTimeouts(int token);

    void stopWatchingTimeouts(int token);
}
