package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;

/**
 * The timeout watcher asks the kernel for the subflows it watches alone: beside connections it
 * does not watch, a look reads the watched subflows and nothing else, and a dump of every socket
 * happens only for a connection whose subflows no event named.
 */
@KernelTest
class SubflowTimeoutWatcherKernelTest {
    /** Connections of the namespace nobody watches. */
    private static final int OTHERS = 40;

    private static List<MptcpSocket> connect(ServedTopology served, int n) throws Exception {
        List<MptcpSocket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sockets.add(served.connect());
        }
        return sockets;
    }

    private static void closeAll(List<MptcpSocket> sockets) throws Exception {
        for (MptcpSocket s : sockets) {
            s.close();
        }
    }

    @Test
    void aLookReadsTheWatchedSubflowsAlone() throws Exception {
        try (ServedTopology served = ServedTopology.create(1)) {
            List<MptcpSocket> sockets = connect(served, OTHERS + 1);
            try (SubflowTimeoutWatcher watcher = new SubflowTimeoutWatcher(served.topology().client())) {
                MptcpSocket watchedSocket = sockets.get(OTHERS / 2);
                // Watched with no event naming its subflows: the first look finds them in a dump of everything.
                watcher.watch(watchedSocket.info().token(), false);
                watcher.look();
                assertEquals(1, watcher.fullLooks());
                assertTrue(watcher.lastAnswers() >= 2 * (OTHERS + 1), "every connection and subflow: " + watcher.lastAnswers());
                for (int i = 0; i < 3; i++) {
                    watcher.look();
                    assertEquals(1, watcher.lastAnswers(), "its one subflow and nothing else");
                }
                assertEquals(1, watcher.fullLooks());
                // Closed, it is answered no more (its subflow leaves the kernel's table once in TIME_WAIT).
                watchedSocket.close();
                for (int i = 0; i < 500 && watcher.lastAnswers() > 0; i++) {
                    Thread.sleep(20);
                    watcher.look();
                }
                assertEquals(0, watcher.lastAnswers());
                assertEquals(1, watcher.fullLooks());
            } finally {
                closeAll(sockets);
            }
        }
    }

    @Test
    void subflowsNamedByTheirEventsAreLookedAtWithoutADump() throws Exception {
        try (ServedTopology served = ServedTopology.create(2)) {
            List<MptcpSocket> others = connect(served, OTHERS);
            SubflowTimeoutKernelTest.WatchingTimeouts controller = new SubflowTimeoutKernelTest.WatchingTimeouts();
            try (PathManager pm = PathManager.open(served.topology().client())) {
                ControllerHost host = new ControllerHost(controller, pm).timeoutInterval(Duration.ofMillis(20));
                try (EventLoop loop = EventLoop.builder(host).namespace(served.topology().client()).build()) {
                    loop.start();
                    // Watched from its ESTABLISHED (the initial subflow), its join from its SUB_ESTABLISHED.
                    try (MptcpSocket socket = served.connect()) {
                        Transfers.awaitInfo(socket, i -> i.subflows().size() == 2);
                        SubflowTimeoutWatcher watcher = host.timeoutWatcher();
                        for (int i = 0; i < 250 && watcher.lastAnswers() < 2; i++) {
                            Thread.sleep(20);
                        }
                        assertEquals(2, watcher.lastAnswers(), "the initial subflow and the join, nothing else");
                        assertEquals(0, watcher.fullLooks(), "no dump of the namespace's sockets");
                    }
                    assertEquals(0, loop.handlerErrors());
                }
            } finally {
                closeAll(others);
            }
        }
    }
}
