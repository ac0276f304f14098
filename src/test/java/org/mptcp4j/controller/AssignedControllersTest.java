package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.standin.KernelStandIn;
import org.mptcp4j.testing.OnLoop;

/**
 * Connections handed to controllers by name ({@code ctl policy token T NAME PARAM=VALUE}) take
 * what was made for them when they go: against a stand-in kernel that acknowledges every
 * command, 10,000 connections each get an ecmp-refresh of its own (with a timer that would
 * dump the namespace's connections every 10 s), then the kernel reports them CLOSED. The
 * controllers are stopped with their timers and collected, and the heap after GC is back where
 * it was.
 */
class AssignedControllersTest {
    private static final int FAMILY = 0x1c;
    private static final int CONNECTIONS = 10_000;
    /** MPTCP_EVENT_CLOSED and MPTCP_ATTR_TOKEN of include/uapi/linux/mptcp_pm.h. */
    private static final int EVENT_CLOSED = 3;
    private static final int ATTR_TOKEN = 1;
    private static final int CLOSED_SIZE = 28;
    /** What the policy may keep per connection gone (its tables keep their size): far below a controller's. */
    private static final long BYTES_LEFT_PER_CONNECTION = 128;

    @Test
    void tenThousandAssignmentsLeaveNothingOnceTheirConnectionsClose() throws Exception {
        List<Integer> ended = new CopyOnWriteArrayList<>();
        try (Hosted hosted = new Hosted(ended)) {
            ConnectionPolicy policy = hosted.policy;
            int requests = hosted.requests();
            long baseline = heapAfterGc();
            List<WeakReference<Controller>> made = hosted.onLoop(() -> {
                List<WeakReference<Controller>> controllers = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    controllers.add(new WeakReference<>(policy.assign(connection(token(i)), "ecmp-refresh",
                            Map.of("subflows", "1", "interval", "10s", "ports", ports(i)))));
                }
                return controllers;
            });
            assertEquals(CONNECTIONS, hosted.onLoop(policy::assignedControllers), "one controller per parameters");
            // Two each: the stand-in's connections list no subflow, not even their first.
            assertEquals(requests + 2 * CONNECTIONS, hosted.requests(), "each asked for its subflows");

            for (int from = 0; from < CONNECTIONS; from += 500) {
                hosted.kernel.sendEvents(closed(from, Math.min(CONNECTIONS, from + 500)));
            }
            // A bound for a loaded host, not a timing: 10,000 CLOSED events and controller stops.
            for (int i = 0; i < 6000 && ended.size() < CONNECTIONS; i++) {
                Thread.sleep(10);
            }
            assertEquals(CONNECTIONS, ended.size(), "every assignment ended with its connection");
            assertEquals(0, hosted.onLoop(policy::assignedControllers));
            assertNull(hosted.onLoop(() -> policy.controllerOf(token(0))));

            int alive = made.size();
            for (int i = 0; i < 100 && alive > 0; i++) {
                heapAfterGc();
                alive = (int) made.stream().filter(r -> r.get() != null).count();
                Thread.sleep(100);
            }
            assertEquals(0, alive, "controllers still reachable");
            made.clear();
            ended.clear();
            // The loop drops the cancelled timers at their due time (10 s): then the heap is back.
            long left = heapAfterGc() - baseline;
            for (int i = 0; i < 300 && left >= BYTES_LEFT_PER_CONNECTION * CONNECTIONS; i++) {
                Thread.sleep(100);
                left = heapAfterGc() - baseline;
            }
            assertTrue(left < BYTES_LEFT_PER_CONNECTION * CONNECTIONS, "heap after GC grew by " + left + " bytes");
            assertEquals(requests + 2 * CONNECTIONS, hosted.requests(), "and, stopped, asked for nothing more");
        }
    }

    /**
     * A connection handed on to other parameters leaves the first controller without connections:
     * stopped; a resync that finds connections gone ends their assignments as CLOSED does.
     */
    @Test
    void aControllerGoesWithTheLastOfItsConnectionsHandedOnOrFoundGone() throws Exception {
        List<Integer> ended = new CopyOnWriteArrayList<>();
        try (Hosted hosted = new Hosted(ended)) {
            ConnectionPolicy policy = hosted.policy;
            WeakReference<Controller> first = new WeakReference<>(hosted.onLoop(() -> policy.assign(connection(1),
                    "ecmp-refresh", Map.of("ports", ports(1)))));
            Controller second = hosted.onLoop(() -> policy.assign(connection(1), "ecmp-refresh", Map.of("ports", ports(2))));
            assertSame(second, hosted.onLoop(() -> policy.assign(connection(2), "ecmp-refresh", Map.of("ports", ports(2)))),
                    "the same name and parameters: the same controller");
            assertEquals(1, hosted.onLoop(policy::assignedControllers), "the first has no connection left");
            for (int i = 0; i < 100 && first.get() != null; i++) {
                heapAfterGc();
                Thread.sleep(100);
            }
            assertNull(first.get(), "the first controller, stopped, is collected");
            assertEquals(List.of(), ended, "handed on is not ended");

            hosted.onLoop(() -> {
                policy.onResyncDone(token -> token == 2);
                return null;
            });
            assertEquals(List.of(1), ended);
            assertSame(second, hosted.onLoop(() -> policy.controllerOf(2)));
            hosted.onLoop(() -> {
                policy.onResyncDone(token -> false);
                return null;
            });
            assertEquals(List.of(1, 2), ended);
            assertEquals(0, hosted.onLoop(policy::assignedControllers));
        }
    }

    /**
     * A long-lived assigned controller that sets timers and cancels them keeps only those still
     * to run: 10,000 periodic and 10,000 one-shot timers, cancelled in no particular order, are
     * not held for it any more.
     */
    @Test
    void timersAnAssignedControllerCancelsAreNotKept() throws Exception {
        try (Hosted hosted = new Hosted(new CopyOnWriteArrayList<>())) {
            ConnectionPolicy policy = hosted.policy;
            ControllerContext[] context = new ControllerContext[1];
            hosted.onLoop(() -> policy.assign(connection(1), "timers", () -> new Controller() {
                @Override
                public void start(ControllerContext ctx) {
                    context[0] = ctx;
                }
            }));
            List<Integer> kept = hosted.onLoop(() -> {
                List<EventLoop.Scheduled> set = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    set.add(context[0].schedule(Duration.ofHours(1), () -> {}));
                    set.add(context[0].runLater(Duration.ofHours(1), () -> {}));
                }
                List<Integer> counts = new ArrayList<>(List.of(policy.assignedTimers()));
                for (int i = 0; i < set.size(); i += 2) {
                    set.get(i).cancel();
                }
                counts.add(policy.assignedTimers());
                for (int i = set.size() - 1; i > 0; i -= 2) {
                    set.get(i).cancel();
                    set.get(i).cancel(); // twice: nothing more
                }
                counts.add(policy.assignedTimers());
                return counts;
            });
            assertEquals(List.of(2 * CONNECTIONS, CONNECTIONS, 0), kept);
        }
    }

    private static int token(int i) {
        return 0x10000 + i;
    }

    /** A source port range of its own for each connection: distinct parameters, distinct controllers. */
    private static String ports(int i) {
        return (10_000 + 2 * i) + "-" + (10_001 + 2 * i);
    }

    private static DiscoveredConnection connection(int token) {
        ConnectionInfo info = new ConnectionInfo(token, new InetSocketAddress("10.231.1.1", 40000),
                new InetSocketAddress("10.231.1.2", 5201), 1, false, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, List.of());
        return new DiscoveredConnection(info, List.of());
    }

    /** The kernel's CLOSED events of connections {@code from} (included) to {@code to}, in one datagram. */
    private static byte[] closed(int from, int to) {
        ByteBuffer events = ByteBuffer.allocate(CLOSED_SIZE * (to - from)).order(ByteOrder.nativeOrder());
        for (int i = from; i < to; i++) {
            events.putInt(CLOSED_SIZE).putShort((short) FAMILY).putShort((short) 0).putInt(0).putInt(0) // nlmsghdr
                    .put((byte) EVENT_CLOSED).put((byte) 1).putShort((short) 0) // genlmsghdr
                    .putShort((short) 8).putShort((short) ATTR_TOKEN).putInt(token(i));
        }
        return events.array();
    }

    private static long heapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * An assignable policy leaving connections alone by default, hosted in a loop over a stand-in
     * kernel whose answers a thread of its own writes: an acknowledgement for every request.
     */
    private static final class Hosted implements AutoCloseable {
        final KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, FAMILY);
        final ConnectionPolicy policy;
        private final PathManager pm;
        private final EventLoop loop;
        private final Thread acknowledger;
        private volatile boolean closing;
        private volatile int requests;

        Hosted(List<Integer> ended) throws Exception {
            policy = ConnectionPolicy.parse("default -> none").assignable().onAssignmentEnd(ended::add);
            pm = kernel.pathManager();
            loop = kernel.loop(new ControllerHost(policy, pm)).build();
            acknowledger = new Thread(this::acknowledge, "stand-in kernel");
            acknowledger.start();
            loop.start();
            onLoop(() -> null); // started: its first resync is done
        }

        private void acknowledge() {
            while (!closing) {
                byte[] request = kernel.receiveRequest(100);
                if (request != null) {
                    ByteBuffer ack = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
                    ByteBuffer r = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
                    // NLMSG_ERROR, NLM_F_CAPPED, the request's sequence and port; error 0 and its header.
                    ack.putInt(36).putShort((short) 2).putShort((short) 0x100).putInt(r.getInt(8)).putInt(r.getInt(12))
                            .putInt(0).put(request, 0, 16);
                    // Counted first: the loop, answered, may go on and the test read the count at once.
                    requests++;
                    kernel.sendAnswer(ack.array());
                }
            }
        }

        int requests() {
            return requests;
        }

        <T> T onLoop(Callable<T> task) throws Exception {
            return OnLoop.call(loop, task);
        }

        @Override
        public void close() {
            loop.close();
            closing = true;
            try {
                acknowledger.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                pm.close();
                kernel.close();
            }
        }
    }
}
