package org.mptcp4j.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.metrics.PathManagerMetrics;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.pm.Limits;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.PmCommand;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.standin.KernelStandIn;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;

/**
 * The loop thread allocates nothing from the kernel's event to the SUBFLOW_CREATE it causes:
 * its allocation counter does not move while it handles connections, ndiffports included.
 *
 * <p>The JIT may allocate once on the thread while it recompiles (a deoptimization
 * rematerializes objects), so the counter is read over several windows of 20 connections:
 * an allocation per event would show in every window, so one window must stay at zero. The
 * metrics' counting handler and command observer are checked the same way.
 */
@KernelTest
class ZeroAllocationKernelTest {
    private static final int PORT = 5201;

    @ParameterizedTest
    @MethodSource("org.mptcp4j.testing.Decodings#available")
    void theEventPathAllocatesNothing(EventDecoding decoding) throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            NDiffPortsController controller = NDiffPortsController.sameAddressPair(2);
            try (PathManager pm = userspaceClient(t);
                    EventLoop loop = EventLoop.builder(new ControllerHost(controller, pm)).namespace(t.client())
                            .decoding(decoding).build()) {
                assertSomeWindowAllocatesNothing(t, loop, filtered -> {
                    // ndiffports wants ESTABLISHED (and its host CLOSED): the kernel drops the rest, before the decoder.
                    assertEquals(0, filtered, "events the decoder had to drop");
                });
            }
            assertEquals(0, controller.failed());
            assertTrue(controller.requested() >= 2 * 60);
        }
    }

    /** The metrics' counting handler and command observer add nothing to that, and count every event. */
    @Test
    void countingForMetricsAllocatesNothing() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            NDiffPortsController controller = NDiffPortsController.sameAddressPair(2);
            PathManagerMetrics metrics = new PathManagerMetrics(t.clientName());
            try (PathManager pm = userspaceClient(t);
                    EventLoop loop = EventLoop.builder(metrics.counting(new ControllerHost(controller, pm)))
                            .namespace(t.client()).build()) {
                pm.observe(metrics);
                // The metrics want the subflow events too: little is dropped natively.
                assertSomeWindowAllocatesNothing(t, loop, filtered -> {});
                loop.stop();
                loop.awaitTermination(); // every record it polled was handled
                long counted = 0;
                for (MptcpEventType type : MptcpEventType.values()) {
                    counted += metrics.events(type);
                }
                assertEquals(loop.counter(EventCounter.RECORDS), counted);
            }
            assertEquals(0, controller.failed());
            assertEquals(controller.requested(), metrics.commands(PmCommand.SUBFLOW_CREATE, 0));
            assertTrue(controller.requested() >= 2 * 60);
        }
    }

    /** The client on the userspace path manager, the server taking 8 subflows per connection. */
    private static PathManager userspaceClient(Topology t) throws Exception {
        t.allowServerSubflows(8);
        PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
        return PathManager.open(t.client());
    }

    /**
     * The JDK's FFM linker slices its errno-capture segment on every downcall (40 bytes) until
     * C2 compiles the method that makes it, with its callers: after some thousands of calls. A
     * daemon gets there in its warm-up or first minutes; the events of 40 connections compile
     * the event path's, not the command socket's (two commands a connection). Commands to a
     * stand-in kernel, acknowledged there, compile those too (compilation is not per thread),
     * leaving what this class checks: what the path itself allocates.
     */
    private static void compileTheDowncalls() throws Exception {
        if (!Transport.foreign()) {
            return;
        }
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c); PathManager pm = kernel.pathManager()) {
            AtomicBoolean done = new AtomicBoolean();
            Thread acknowledger = new Thread(() -> {
                ByteBuffer ack = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
                while (!done.get()) {
                    byte[] request = kernel.receiveRequest(100);
                    if (request != null) {
                        ByteBuffer r = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
                        ack.clear();
                        ack.putInt(36).putShort((short) 2).putShort((short) 0x100).putInt(r.getInt(8))
                                .putInt(r.getInt(12)).putInt(0).put(request, 0, 16);
                        kernel.sendAnswer(ack.array());
                    }
                }
            });
            acknowledger.start();
            try {
                for (int i = 0; i < 20_000; i++) {
                    pm.setLimits(new Limits(2, 2));
                }
            } finally {
                done.set(true);
                acknowledger.join();
            }
        }
    }

    /**
     * Starts {@code loop}, warms it up, then opens windows of 20 connections until the loop
     * thread allocated nothing over one; {@code checkFiltered} is given the events each window
     * dropped natively.
     */
    private static void assertSomeWindowAllocatesNothing(Topology t, EventLoop loop, LongConsumer checkFiltered)
            throws Exception {
        try (MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 64)) {
            Thread thread = loop.start();
            Transfers.discardServer(listener, new AtomicLong());
            connections(t, 40); // warm up: class loading, first-call paths
            compileTheDowncalls();
            List<String> windows = new ArrayList<>();
            boolean clean = false;
            // Up to 20: on a busy machine the JIT may take a while to compile the path (FFM downcalls allocate until it does).
            for (int window = 0; window < 20 && !clean; window++) {
                long events = loop.counter(EventCounter.RECORDS);
                long filtered = loop.counter(EventCounter.FILTERED);
                long before = allocatedBytes(thread);
                connections(t, 20);
                long allocated = allocatedBytes(thread) - before;
                long handled = loop.counter(EventCounter.RECORDS) - events;
                // Each connection's ESTABLISHED and CREATED come before it is done; a CLOSED may come later.
                assertTrue(handled >= 20, "events handled in the window: " + handled);
                checkFiltered.accept(loop.counter(EventCounter.FILTERED) - filtered);
                windows.add(allocated + " bytes over " + handled + " events");
                clean = allocated == 0;
            }
            assertTrue(clean, "the loop thread allocated in every window: " + windows);
        }
    }

    /** Opens {@code count} connections one after the other, each until ndiffports gave it 2 subflows. */
    private static void connections(Topology t, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                Transfers.send(socket, 100);
                assertEquals(2, Transfers.awaitInfo(socket, info -> info.extraSubflows() == 2).extraSubflows());
            }
        }
    }

    /**
     * com.sun.management.ThreadMXBean#getThreadAllocatedBytes, reached reflectively: the tests
     * run inside the org.mptcp4j module, which does not read java.management.
     */
    private static long allocatedBytes(Thread thread) throws Exception {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method method = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        return (long) method.invoke(bean, thread.getId());
    }
}
