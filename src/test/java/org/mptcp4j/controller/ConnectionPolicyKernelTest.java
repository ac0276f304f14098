package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.AddressPrefix;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ServerPolicy;
import org.mptcp4j.testing.Transfers;

/** Two connections to two ports, two rules: each connection gets its rule's controller, and keeps it until it closes. */
@KernelTest
class ConnectionPolicyKernelTest {
    /** Asks on the loop's thread, where the policy's state lives. */
    private static boolean onLoop(EventLoop loop, java.util.function.BooleanSupplier question) throws Exception {
        java.util.concurrent.CompletableFuture<Boolean> answer = new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> answer.complete(question.getAsBoolean()));
        return answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void eachConnectionGetsTheControllerOfTheFirstRuleItMatches() throws Exception {
        NDiffPortsController three = NDiffPortsController.sameAddressPair(3);
        NDiffPortsController one = NDiffPortsController.sameAddressPair(1);
        Map<ConnectionPolicy.Match, Controller> rules = new LinkedHashMap<>();
        rules.put(new ConnectionPolicy.Match(AddressPrefix.parse("10.231.0.0/16"), null, 5201, 0,
                ConnectionPolicy.Side.CLIENT), three);
        rules.put(ConnectionPolicy.Match.ANY, one);
        ConnectionPolicy policy = ConnectionPolicy.of(rules);
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket a = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", 5201), 8);
                MptcpServerSocket b = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", 5202), 8)) {
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(a, new AtomicLong());
            Transfers.discardServer(b, new AtomicLong());
            try (PathManager pm = PathManager.open(t.client());
                    EventLoop loop = EventLoop.builder(new ControllerHost(policy, pm)).namespace(t.client()).build()) {
                loop.start();
                int toA;
                int toB;
                try (MptcpSocket sa = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, 5201));
                        MptcpSocket sb = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, 5202))) {
                    Transfers.send(sa, 1000);
                    Transfers.send(sb, 1000);
                    toA = sa.info().token();
                    toB = sb.info().token();
                    ConnectionInfo infoA = Transfers.awaitConnection(t.client(), toA, 10, c -> ServerPolicy.established(c) == 4);
                    ConnectionInfo infoB = Transfers.awaitConnection(t.client(), toB, 10, c -> ServerPolicy.established(c) == 2);
                    assertEquals(4, ServerPolicy.established(infoA), "port 5201: three extra subflows " + infoA);
                    assertEquals(2, ServerPolicy.established(infoB), "the default: one extra subflow " + infoB);
                    assertEquals(3, three.requested());
                    assertEquals(1, one.requested());
                    int ta = toA;
                    int tb = toB;
                    assertTrue(onLoop(loop, () -> policy.controllerOf(ta) == three && policy.controllerOf(tb) == one));
                }
                int ta = toA;
                int tb = toB;
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!onLoop(loop, () -> policy.controllerOf(ta) == null && policy.controllerOf(tb) == null)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(onLoop(loop, () -> policy.controllerOf(ta) == null && policy.controllerOf(tb) == null),
                        "forgotten once closed");
            }
        }
    }

    /** Counts the connections the policy looks up; nothing else is there. */
    private static final class LookupCounting implements ControllerContext {
        final java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public ConnectionInfo connection(int token) {
            lookups.incrementAndGet();
            return null;
        }

        @Override
        public PathManager pathManager() {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.mptcp4j.netns.NetworkNamespace namespace() {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.mptcp4j.pm.LocalAddressIds localAddressIds() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void watchTimeouts(int token) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void stopWatchingTimeouts(int token) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.List<ConnectionInfo> connections() {
            throw new UnsupportedOperationException();
        }

        @Override
        public <S> PerConnection<S> perConnection(java.util.function.IntFunction<S> factory,
                java.util.function.ObjIntConsumer<S> reuse) {
            throw new UnsupportedOperationException();
        }

        @Override
        public EventLoop.Scheduled schedule(java.time.Duration period, Runnable action) {
            throw new UnsupportedOperationException();
        }

        @Override
        public EventLoop.Scheduled runLater(java.time.Duration delay, Runnable action) {
            throw new UnsupportedOperationException();
        }
    }

    /**
     * A connection that fell back to TCP (its peer has no MPTCP) tells the path manager only of
     * its CLOSED: the policy looks nothing up for it (each lookup dumps the namespace's sockets).
     */
    @Test
    void aConnectionThatFellBackToTcpIsNotLookedUp() throws Exception {
        ConnectionPolicy policy = ConnectionPolicy.of(Map.of(ConnectionPolicy.Match.ANY, new Controller() {}));
        LookupCounting context = new LookupCounting();
        policy.start(context);
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        try (Topology t = Topology.create("m4j-test", 1)) {
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            // A server without MPTCP: its namespace's own setting.
            org.mptcp4j.demo.Shell.run("ip", "netns", "exec", t.serverName(), "sysctl", "-qw", "net.mptcp.enabled=0");
            try (java.nio.channels.ServerSocketChannel plain = org.mptcp4j.socket.MptcpChannels.openServerSocketChannel(
                            t.server(), java.net.StandardProtocolFamily.INET, org.mptcp4j.socket.MptcpChannels.Fallback.TCP);
                    EventLoop loop = EventLoop.builder(event -> {
                        if (event.type() == org.mptcp4j.protocol.MptcpEventType.CLOSED) {
                            closed.incrementAndGet();
                        }
                        Callbacks.deliver(policy, event.type(), event);
                    }).namespace(t.client()).build()) {
                plain.bind(Topology.serverEndpoint(1, 5201));
                loop.start();
                try (MptcpSocket s = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, 5201))) {
                    assertTrue(org.mptcp4j.socket.MptcpChannels.fellBackToTcp(s.channel()), "the peer has no MPTCP");
                }
                for (int i = 0; i < 500 && closed.get() == 0; i++) {
                    Thread.sleep(20);
                }
                assertEquals(1, closed.get(), "its one event, CLOSED");
                assertEquals(0, loop.handlerErrors());
                assertEquals(0, context.lookups.get(), "no lookup for a connection no controller heard of");
            }
        }
    }
}
