package org.mptcp4j.loop;

import org.mptcp4j.pm.MptcpEvent;

/**
 * Receives every event the loop polls, on the loop's thread, in the kernel's order.
 * The event is valid only during the call.
 */
@FunctionalInterface
public interface EventHandler {
    void onEvent(MptcpEvent event);

    /** After the last event of one poll: a place to flush work batched over the poll. */
    default void onBatchEnd() {}
}
