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
import org.mptcp4j.diag.ConnectionInfo;
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
}
