package org.mptcp4j.benchmarks;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.loop.IdleStrategy;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * mptcp4j's own path (ndiffports, one subflow per local address, through ControllerHost) with
 * timestamps around it, for benchmarks/e2e/breakdown.py: for each ESTABLISHED of a connection
 * this host opened, its source port, when native code received the datagram, when Java
 * dispatched it, and when the handler returned (SUBFLOW_CREATE sent and acknowledged), all
 * CLOCK_MONOTONIC; first the offset to CLOCK_REALTIME. Printed at exit, nothing on the way.
 *
 *   TracedPathManager NETNS blocking|busy-spin java|native
 */
public final class TracedPathManager {
    private static final int MAX = 100_000;

    private TracedPathManager() {}

    public static void main(String[] args) throws Exception {
        NetworkNamespace ns = NetworkNamespace.named(args[0]);
        IdleStrategy idle = IdleStrategy.named(args[1]);
        EventDecoding decoding = args[2].equals("native") ? EventDecoding.NATIVE : EventDecoding.JAVA;
        long[] port = new long[MAX];
        long[] received = new long[MAX];
        long[] dispatched = new long[MAX];
        long[] done = new long[MAX];
        int[] count = new int[1];
        try (PathManager pm = PathManager.open(ns)) {
            ControllerHost host = new ControllerHost(NDiffPortsController.perLocalAddress(), pm);
            EventHandler traced = new EventHandler() {
                @Override
                public void onEvent(MptcpEvent event) {
                    long start = System.nanoTime();
                    host.onEvent(event);
                    int i = count[0];
                    if (event.type() == MptcpEventType.ESTABLISHED && !event.serverSide() && i < MAX) {
                        port[i] = event.localPort();
                        received[i] = event.receivedNanos();
                        dispatched[i] = start;
                        done[i] = System.nanoTime();
                        count[0] = i + 1;
                    }
                }

                @Override
                public java.util.Set<MptcpEventType> eventTypes() {
                    return host.eventTypes();
                }
            };
            EventLoop loop = EventLoop.builder(traced).namespace(ns).idleStrategy(idle).decoding(decoding).build();
            host.start();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                loop.close();
                Instant now = Instant.now();
                long offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
                StringBuilder out = new StringBuilder("offset " + offset + "\n");
                for (int i = 0; i < count[0]; i++) {
                    out.append("event ").append(port[i]).append(' ').append(received[i]).append(' ')
                            .append(dispatched[i]).append(' ').append(done[i]).append('\n');
                }
                System.out.print(out);
                System.out.flush();
                stopped.countDown();
            }));
            System.err.println("traced path manager ready");
            loop.run();
            stopped.await();
        }
    }
}
