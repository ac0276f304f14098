package org.mptcp4j.testkit;

import org.mptcp4j.protocol.MptcpEventType;

/**
 * Builders of every MPTCP event the kernel sends, belonging to no kernel: {@link Event.Builder#build}
 * one and give it to {@link FakeKernel#send}. A {@link FakeKernel} has the same methods, whose
 * builders send at once.
 */
public final class Events {
    private Events() {}

    /** A connection was created (not yet ready for subflows). */
    public static Event.Builder created(int token) {
        return new Event.Builder(MptcpEventType.CREATED, token, null);
    }

    /** The connection is fully established. */
    public static Event.Builder established(int token) {
        return new Event.Builder(MptcpEventType.ESTABLISHED, token, null);
    }

    public static Event.Builder closed(int token) {
        return new Event.Builder(MptcpEventType.CLOSED, token, null);
    }

    /** The peer announced an address: {@code remote(...)} and {@code remoteId(...)}. */
    public static Event.Builder announced(int token) {
        return new Event.Builder(MptcpEventType.ANNOUNCED, token, null);
    }

    /** The peer removed its address {@code remoteId(...)}. */
    public static Event.Builder removed(int token) {
        return new Event.Builder(MptcpEventType.REMOVED, token, null);
    }

    public static Event.Builder subflowEstablished(int token) {
        return new Event.Builder(MptcpEventType.SUB_ESTABLISHED, token, null);
    }

    public static Event.Builder subflowClosed(int token) {
        return new Event.Builder(MptcpEventType.SUB_CLOSED, token, null);
    }

    /** The peer changed a subflow's priority: {@code backup(...)}. */
    public static Event.Builder subflowPriority(int token) {
        return new Event.Builder(MptcpEventType.SUB_PRIORITY, token, null);
    }

    /** An MPTCP socket of the namespace listens on {@code local(...)}. */
    public static Event.Builder listenerCreated() {
        return new Event.Builder(MptcpEventType.LISTENER_CREATED, 0, null);
    }

    public static Event.Builder listenerClosed() {
        return new Event.Builder(MptcpEventType.LISTENER_CLOSED, 0, null);
    }
}
