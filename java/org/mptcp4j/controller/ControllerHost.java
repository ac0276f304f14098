package org.mptcp4j.controller;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.LocalAddressIds;
import org.mptcp4j.pm.MptcpEvent;
import org.mptcp4j.pm.MptcpEventType;
import org.mptcp4j.pm.PathManager;

/**
 * Runs a {@link Controller} in an event loop: the loop's handler that turns each event into
 * the controller's callback, and the controller's context.
 *
 * <pre>{@code
 * try (PathManager pm = PathManager.open(ns);
 *      EventLoop loop = EventLoop.builder(new ControllerHost(controller, pm)).namespace(ns).build()) {
 *     loop.run();
 * }
 * }</pre>
 */
public final class ControllerHost implements EventHandler, ControllerContext {
    private final Controller controller;
    private final PathManager pathManager;
    private final Set<MptcpEventType> wanted;
    private final boolean wantsClosed;
    private LocalAddressIds localAddressIds;
    private boolean started;

    public ControllerHost(Controller controller, PathManager pathManager) {
        this.controller = Objects.requireNonNull(controller, "controller");
        this.pathManager = Objects.requireNonNull(pathManager, "pathManager");
        this.wanted = EnumSet.copyOf(controller.eventTypes());
        this.wantsClosed = wanted.contains(MptcpEventType.CLOSED);
    }

    /** The controller's event types, and CLOSED, on which the host releases the connection's listeners. */
    @Override
    public Set<MptcpEventType> eventTypes() {
        EnumSet<MptcpEventType> types = EnumSet.copyOf(wanted);
        types.add(MptcpEventType.CLOSED);
        return types;
    }

    /** Calls the controller's {@link Controller#start}; done by the first event if not before. */
    public void start() {
        if (!started) {
            started = true;
            controller.start(this);
        }
    }

    @Override
    public void onEvent(MptcpEvent event) {
        if (!started) {
            start();
        }
        MptcpEventType type = event.type();
        if (type == null) {
            return;
        }
        switch (type) {
            case CREATED -> controller.onCreated(event);
            case ESTABLISHED -> controller.onEstablished(event);
            case CLOSED -> {
                pathManager.connectionClosed(event.token());
                if (wantsClosed) {
                    controller.onClosed(event);
                }
            }
            case ANNOUNCED -> controller.onAnnounced(event);
            case REMOVED -> controller.onRemoved(event);
            case SUB_ESTABLISHED -> controller.onSubflowEstablished(event);
            case SUB_CLOSED -> controller.onSubflowClosed(event);
            case SUB_PRIORITY -> controller.onSubflowPriority(event);
            case LISTENER_CREATED -> controller.onListenerCreated(event);
            case LISTENER_CLOSED -> controller.onListenerClosed(event);
            case EVENTS_LOST -> controller.onEventsLost();
        }
    }

    /** Calls the controller's {@link Controller#stop}. */
    public void stop() {
        if (started) {
            started = false;
            controller.stop();
        }
    }

    @Override
    public PathManager pathManager() {
        return pathManager;
    }

    @Override
    public NetworkNamespace namespace() {
        return pathManager.namespace();
    }

    /** Loaded from the namespace's endpoints when first asked for. */
    @Override
    public synchronized LocalAddressIds localAddressIds() {
        if (localAddressIds == null) {
            localAddressIds = LocalAddressIds.load(pathManager);
        }
        return localAddressIds;
    }

    public Controller controller() {
        return controller;
    }
}
