package org.mptcp4j.loop;

import java.util.EnumSet;
import java.util.Set;
import org.mptcp4j.pm.MptcpEvent;
import org.mptcp4j.pm.MptcpEventType;

/**
 * Receives every event the loop polls, on the loop's thread, in the kernel's order.
 * The event is valid only during the call.
 */
@FunctionalInterface
public interface EventHandler {
    void onEvent(MptcpEvent event);

    /** After the last event of one poll: a place to flush work batched over the poll. */
    default void onBatchEnd() {}

    /**
     * The event types this handler wants; the loop has the others dropped in native code,
     * before they cross JNI. Read once, when the loop is built. {@code EVENTS_LOST} always comes.
     */
    default Set<MptcpEventType> eventTypes() {
        return EnumSet.allOf(MptcpEventType.class);
    }
}
