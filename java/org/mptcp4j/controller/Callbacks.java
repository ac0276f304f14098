package org.mptcp4j.controller;

import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/** The one place an event becomes a controller's callback. */
final class Callbacks {
    private Callbacks() {}

    static void deliver(Controller controller, MptcpEventType type, MptcpEvent event) {
        switch (type) {
            case CREATED -> controller.onCreated(event);
            case ESTABLISHED -> controller.onEstablished(event);
            case CLOSED -> controller.onClosed(event);
            case ANNOUNCED -> controller.onAnnounced(event);
            case REMOVED -> controller.onRemoved(event);
            case SUB_ESTABLISHED -> controller.onSubflowEstablished(event);
            case SUB_CLOSED -> controller.onSubflowClosed(event);
            case SUB_PRIORITY -> controller.onSubflowPriority(event);
            case LISTENER_CREATED -> controller.onListenerCreated(event);
            case LISTENER_CLOSED -> controller.onListenerClosed(event);
            case EVENTS_LOST -> controller.onEventsLost();
            case LOCAL_ADDRESS_ADDED -> controller.onLocalAddressAdded(event);
            case LOCAL_ADDRESS_REMOVED -> controller.onLocalAddressRemoved(event);
            case LINK_UP -> controller.onLinkUp(event);
            case LINK_DOWN -> controller.onLinkDown(event);
            case SUBFLOW_TIMEOUT -> controller.onSubflowTimeout(event);
        }
    }

    /** Whether events of {@code type} belong to one connection (their token names it). */
    static boolean perConnection(MptcpEventType type) {
        return switch (type) {
            case CREATED, ESTABLISHED, CLOSED, ANNOUNCED, REMOVED, SUB_ESTABLISHED, SUB_CLOSED, SUB_PRIORITY,
                    SUBFLOW_TIMEOUT -> true;
            default -> false;
        };
    }
}
