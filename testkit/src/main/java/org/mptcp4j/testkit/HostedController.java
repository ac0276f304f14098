package org.mptcp4j.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.ObjIntConsumer;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.controller.PerConnection;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.LocalAddress;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.LocalAddressIds;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * The test's controller as the controller host sees it: every callback passed on, and what it
 * throws kept for the test; its context is the host's, except for what the kit stands in for
 * (sock_diag's view of connections, the namespace's addresses, subflow timeouts, the clock,
 * which timers are due).
 */
final class HostedController implements Controller {
    private final Controller controller;
    private final FakeKernel kernel;

    HostedController(Controller controller, FakeKernel kernel) {
        this.controller = controller;
        this.kernel = kernel;
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        return controller.eventTypes();
    }

    @Override
    public void start(ControllerContext context) {
        call(() -> controller.start(new Context(context)));
    }

    @Override
    public void onCreated(MptcpEvent event) {
        call(() -> controller.onCreated(event));
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        call(() -> controller.onEstablished(event));
    }

    @Override
    public void onClosed(MptcpEvent event) {
        call(() -> controller.onClosed(event));
    }

    @Override
    public void onAnnounced(MptcpEvent event) {
        call(() -> controller.onAnnounced(event));
    }

    @Override
    public void onRemoved(MptcpEvent event) {
        call(() -> controller.onRemoved(event));
    }

    @Override
    public void onSubflowEstablished(MptcpEvent event) {
        call(() -> controller.onSubflowEstablished(event));
    }

    @Override
    public void onSubflowClosed(MptcpEvent event) {
        call(() -> controller.onSubflowClosed(event));
    }

    @Override
    public void onSubflowPriority(MptcpEvent event) {
        call(() -> controller.onSubflowPriority(event));
    }

    @Override
    public void onListenerCreated(MptcpEvent event) {
        call(() -> controller.onListenerCreated(event));
    }

    @Override
    public void onListenerClosed(MptcpEvent event) {
        call(() -> controller.onListenerClosed(event));
    }

    @Override
    public void onEventsLost() {
        call(controller::onEventsLost);
    }

    @Override
    public void onConnectionDiscovered(DiscoveredConnection connection) {
        call(() -> controller.onConnectionDiscovered(connection));
    }

    @Override
    public void onResyncDone(IntPredicate open) {
        call(() -> controller.onResyncDone(open));
    }

    @Override
    public void onSubflowTimeout(MptcpEvent event) {
        call(() -> controller.onSubflowTimeout(event));
    }

    @Override
    public void onLocalAddressAdded(MptcpEvent event) {
        call(() -> controller.onLocalAddressAdded(event));
    }

    @Override
    public void onLocalAddressRemoved(MptcpEvent event) {
        call(() -> controller.onLocalAddressRemoved(event));
    }

    @Override
    public void onLinkUp(MptcpEvent event) {
        call(() -> controller.onLinkUp(event));
    }

    @Override
    public void onLinkDown(MptcpEvent event) {
        call(() -> controller.onLinkDown(event));
    }

    @Override
    public void onBatchEnd() {
        call(controller::onBatchEnd);
    }

    @Override
    public void stop() {
        call(controller::stop);
    }

    /** Runs a callback; what it throws is kept for the test, and thrown on to the host as it would be. */
    private void call(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            kernel.controllerFailed(e);
            throw e;
        }
    }

    /** The host's context, with the kit's view of the kernel. */
    private final class Context implements ControllerContext {
        private final ControllerContext host;

        Context(ControllerContext host) {
            this.host = host;
        }

        @Override
        public PathManager pathManager() {
            return host.pathManager();
        }

        @Override
        public NetworkNamespace namespace() {
            return host.namespace();
        }

        @Override
        public LocalAddressIds localAddressIds() {
            return host.localAddressIds();
        }

        @Override
        public List<LocalAddress> usableLocalAddresses() {
            return kernel.localAddresses();
        }

        @Override
        public void watchTimeouts(int token) {
            kernel.watch(token, true);
        }

        @Override
        public void stopWatchingTimeouts(int token) {
            kernel.watch(token, false);
        }

        @Override
        public boolean hasConnectionInfo() {
            return true;
        }

        @Override
        public List<ConnectionInfo> connections() {
            return kernel.connections();
        }

        @Override
        public ConnectionInfo connection(int token) {
            return kernel.connection(token);
        }

        @Override
        public <S> PerConnection<S> perConnection(IntFunction<S> factory, ObjIntConsumer<S> reuse) {
            return host.perConnection(factory, reuse);
        }

        @Override
        public long nanoTime() {
            return kernel.nanoTime();
        }

        @Override
        public EventLoop.Scheduled schedule(Duration period, Runnable action) {
            return kernel.timer(period, true, action, timer -> host.schedule(period, timer));
        }

        @Override
        public EventLoop.Scheduled runLater(Duration delay, Runnable action) {
            return kernel.timer(delay, false, action, timer -> host.runLater(delay, timer));
        }
    }
}
