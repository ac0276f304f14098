package org.mptcp4j.loop;

import java.util.EnumSet;
import java.util.Set;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * Receives every event the loop polls, on the loop's thread, in the kernel's order.
 * The event is valid only during the call.
 */
@FunctionalInterface
public interface EventHandler {
    /**
     * Called on the loop's thread for each event; the event is valid during the call only.
     *
     * @param event the event
     */
    void onEvent(MptcpEvent event);

    /** After the last event of one poll: a place to flush work batched over the poll. */
    default void onBatchEnd() {}

    /**
     * On the loop's thread before its first poll: a place to look at the namespace as it is
     * now and to {@link EventLoop#schedule schedule} periodic work.
     *
     * @param loop the loop starting
     */
    default void onLoopStart(EventLoop loop) {}

    /** On the loop's thread after its last round, before its sockets close. */
    default void onLoopEnd() {}

    /**
     * The event types this handler wants; the loop has the others dropped by its decoder (see
     * {@link EventDecoding}), before a record is made of them. Read once, when the loop is built. {@code EVENTS_LOST} always comes.
     * Asking for a local address or link type makes the loop watch rtnetlink too.
     *
     * @return the event types
     */
    default Set<MptcpEventType> eventTypes() {
        return EnumSet.allOf(MptcpEventType.class);
    }

    /**
     * A handler that shows each event to {@code observer} (printing, recording) before
     * {@code handler} gets it. It wants the types either wants; {@code handler} also sees the
     * batch ends, the loop's start and its end.
     *
     * @param handler the handler
     * @param observer shown each event first
     * @return the observed handler
     */
    static EventHandler observed(EventHandler handler, EventHandler observer) {
        EnumSet<MptcpEventType> types = EnumSet.noneOf(MptcpEventType.class);
        types.addAll(handler.eventTypes());
        types.addAll(observer.eventTypes());
        return new EventHandler() {
            @Override
            public void onEvent(MptcpEvent event) {
                observer.onEvent(event);
                handler.onEvent(event);
            }

            @Override
            public void onBatchEnd() {
                observer.onBatchEnd();
                handler.onBatchEnd();
            }

            @Override
            public void onLoopStart(EventLoop loop) {
                handler.onLoopStart(loop);
            }

            @Override
            public void onLoopEnd() {
                handler.onLoopEnd();
            }

            @Override
            public Set<MptcpEventType> eventTypes() {
                return types;
            }
        };
    }
}
