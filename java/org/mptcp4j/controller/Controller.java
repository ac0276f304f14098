package org.mptcp4j.controller;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.IntPredicate;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * A path-management policy: the event loop calls it for every MPTCP event of its namespace,
 * on the loop's thread, and it answers with commands through its context's
 * {@link org.mptcp4j.pm.PathManager}. Each event is one call, of the callback for its type
 * ({@link ControllerHost} switches on the type once). Every callback has an empty default;
 * implement those that matter. Events are views valid only during the call.
 */
public interface Controller {
    /**
     * The events this controller wants; the loop has the others dropped as the kernel's
     * messages are decoded, before they become events (unless another controller of the same
     * loop, or an observer, wants them: this one is still not called for them). Read once at start.
     *
     * @return the event types
     */
    default Set<MptcpEventType> eventTypes() {
        return EnumSet.allOf(MptcpEventType.class);
    }

    /**
     * Before the first event; keep the context.
     *
     * @param context what the controller manages with
     */
    default void start(ControllerContext context) {}

    /**
     * A connection was created; not yet ready for new subflows.
     *
     * @param event the CREATED event
     */
    default void onCreated(MptcpEvent event) {}

    /**
     * The connection is fully established: the time to create subflows or announce addresses.
     *
     * @param event the ESTABLISHED event
     */
    default void onEstablished(MptcpEvent event) {}

    /**
     * The connection closed.
     *
     * @param event the CLOSED event
     */
    default void onClosed(MptcpEvent event) {}

    /**
     * The peer announced an address (remote address, port and id).
     *
     * @param event the ANNOUNCED event
     */
    default void onAnnounced(MptcpEvent event) {}

    /**
     * The peer removed the address with this remote id.
     *
     * @param event the REMOVED event
     */
    default void onRemoved(MptcpEvent event) {}

    /**
     * A subflow is established, opened by either side.
     *
     * @param event the SUB_ESTABLISHED event
     */
    default void onSubflowEstablished(MptcpEvent event) {}

    /**
     * A subflow closed or could not open: error and reset reason say why.
     *
     * @param event the SUB_CLOSED event
     */
    default void onSubflowClosed(MptcpEvent event) {}

    /**
     * The peer changed a subflow's backup priority (MP_PRIO).
     *
     * @param event the SUB_PRIORITY event
     */
    default void onSubflowPriority(MptcpEvent event) {}

    /**
     * An MPTCP listener was created (Linux 6.2+).
     *
     * @param event the LISTENER_CREATED event
     */
    default void onListenerCreated(MptcpEvent event) {}

    /**
     * An MPTCP listener was closed (Linux 6.2+).
     *
     * @param event the LISTENER_CLOSED event
     */
    default void onListenerClosed(MptcpEvent event) {}

    /**
     * The kernel dropped events (ENOBUFS): state learned from events may be stale. Every
     * connection is then found again and reported through {@link #onConnectionDiscovered}.
     */
    default void onEventsLost() {}

    /**
     * A connection found by resync (at start, and after lost events) rather than by its
     * events: one this controller may never have seen created, or may have seen already.
     * Handle it so that a second report of the same connection changes nothing.
     *
     * @param connection the connection
     */
    default void onConnectionDiscovered(DiscoveredConnection connection) {}

    /**
     * After the connections of a resync were reported: a connection for which
     * {@code open.test(token)} is false is gone, though its CLOSED event may have been lost
     * with the others. Forget what is kept for it.
     *
     * @param open whether a connection, by its token, is still open
     */
    default void onResyncDone(IntPredicate open) {}

    /**
     * A retransmission timeout fired on a subflow of a connection watched with
     * {@link ControllerContext#watchTimeouts}; {@code event.timeout()} is its RTO in microseconds.
     *
     * @param event the SUBFLOW_TIMEOUT event
     */
    default void onSubflowTimeout(MptcpEvent event) {}

    /**
     * An address was added to an interface of the namespace (after the loop's address filter).
     *
     * @param event the LOCAL_ADDRESS_ADDED event
     */
    default void onLocalAddressAdded(MptcpEvent event) {}

    /**
     * An address was removed from an interface of the namespace.
     *
     * @param event the LOCAL_ADDRESS_REMOVED event
     */
    default void onLocalAddressRemoved(MptcpEvent event) {}

    /**
     * An interface of the namespace is up and running.
     *
     * @param event the LINK_UP event
     */
    default void onLinkUp(MptcpEvent event) {}

    /**
     * An interface of the namespace went down or away.
     *
     * @param event the LINK_DOWN event
     */
    default void onLinkDown(MptcpEvent event) {}

    /**
     * A batch of events was delivered: the events one wake-up of the loop read from its
     * sockets (MPTCP events, then local address and link changes), or the subflow timeouts one
     * look found; called once after the last of them (and after the resync they led to, if any),
     * never for a wake-up that brought no event. On the loop's thread, like every callback:
     * commands may be sent from here, which makes it the place to send at once what the batch's
     * events asked for.
     */
    default void onBatchEnd() {}

    /** After the loop stops. */
    default void stop() {}
}
