package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.testing.EventRecorder;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.LogLines;
import org.mptcp4j.testing.SeenEvent;

/**
 * What a namespace's root (CAP_NET_ADMIN there) can send to the netlink sockets mptcp4j reads
 * the namespace through, sent by src/test/c/foreign_sender.c from inside it: unicast to their
 * port ids (an NLMSG_ERROR with error INT_MIN, an NLMSG_DONE, an NLMSG_OVERRUN, forged link
 * and address news, then enough to overflow the receive buffer) is refused by the kernel; the
 * same forgeries multicast to the rtnetlink groups, which no socket can refuse, are not read.
 * The monitor and the loop go on with the kernel's own news, and nothing was lost.
 */
@KernelTest
class ForeignSendersKernelTest {
    /** RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR: the monitor's groups. */
    private static final List<String> RTNETLINK_GROUPS = List.of("1", "5", "9");
    /** foreign_sender.c's forged link. */
    private static final int FORGED_INDEX = 424242;

    private static List<String> foreignSender(Topology t, String... args) throws IOException {
        List<String> command = new ArrayList<>(
                List.of("ip", "netns", "exec", t.clientName(), System.getProperty("mptcp4j.test.foreignSender")));
        command.addAll(List.of(args));
        return Shell.run(command.toArray(String[]::new)).lines().toList();
    }

    /** A veth pair m4jreal / m4jpeer, both up: a LINK_UP the kernel reports. */
    private static void addRealLink(Topology t) throws IOException {
        Shell.run("ip", "-n", t.clientName(), "link", "add", "m4jreal", "type", "veth", "peer", "name", "m4jpeer");
        Shell.run("ip", "-n", t.clientName(), "link", "set", "m4jpeer", "up");
        Shell.run("ip", "-n", t.clientName(), "link", "set", "m4jreal", "up");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void unicastToEverySocketOfTheNamespaceIsRefusedAndTheLoopLosesNothing() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); LogLines log = LogLines.capture()) {
            EventRecorder events = new EventRecorder();
            try (EventLoop loop = EventLoop.builder(events).namespace(t.client())
                    .eventTypes(MptcpEventType.LINK_UP, MptcpEventType.LINK_DOWN, MptcpEventType.LOCAL_ADDRESS_ADDED)
                    .build();
                    PathManager commands = PathManager.open(t.client());
                    SockDiag diag = SockDiag.open(t.client())) {
                loop.start();
                // Protocol, and the sockets of it open there: the loop's rtnetlink monitor; its event socket and
                // the path manager's command socket (generic netlink); sock_diag's dump and lookup sockets.
                int[][] socketsByProtocol = {{0, 1}, {16, 2}, {4, 2}};
                for (int[] protocol : socketsByProtocol) {
                    List<String> sent = foreignSender(t, "unicast", Integer.toString(protocol[0]));
                    assertEquals(protocol[1], sent.size(), "protocol " + protocol[0] + ": " + sent);
                    for (String line : sent) {
                        assertTrue(line.matches("unicast [0-9]+ ECONNREFUSED"), "protocol " + protocol[0] + ": " + sent);
                    }
                }

                addRealLink(t);
                events.await(MptcpEventType.LINK_UP, e -> e.line().endsWith(" dev=m4jreal"));
                assertTrue(diag.dump() >= 0);
                commands.limits();
                assertEquals(0, loop.counter(EventCounter.LOST));
                List<SeenEvent> seen = events.seen();
                assertFalse(seen.stream().anyMatch(e -> e.type() == MptcpEventType.EVENTS_LOST), seen.toString());
                assertFalse(seen.stream().anyMatch(e -> e.line().contains("if_idx=" + FORGED_INDEX)), seen.toString());
                assertTrue(loop.isRunning());
                assertEquals(List.of(), log.containing("failed"));
            }
        }
    }

    /**
     * The monitor unread meanwhile: a flood that had filled its buffer would have the kernel
     * drop the link's news (ENOBUFS); forgeries that had reached libnl would fail its poll.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void forgeriesMulticastToTheRtnetlinkGroupsAreNotReadAndNoFloodFillsTheMonitor() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); RtnlMonitor monitor = RtnlMonitor.open(t.client(), 64)) {
            List<String> sent = new ArrayList<>(List.of("multicast"));
            sent.addAll(RTNETLINK_GROUPS);
            assertEquals(List.of("multicast 1 delivered", "multicast 5 delivered", "multicast 9 delivered"),
                    foreignSender(t, sent.toArray(String[]::new)));
            List<String> unicast = foreignSender(t, "unicast", "0");
            assertEquals(1, unicast.size(), unicast.toString());
            assertTrue(unicast.get(0).endsWith(" ECONNREFUSED"), unicast.toString());

            addRealLink(t);
            List<String> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!records.contains("LINK_UP m4jreal") && System.nanoTime() - deadline < 0) {
                int n = monitor.poll();
                for (int i = 0; i < n; i++) {
                    EventRecord r = monitor.record(i);
                    records.add(r.type() + " " + (r.ifIndex() == FORGED_INDEX ? "forged" : r.interfaceName()));
                }
                Thread.sleep(10);
            }
            assertTrue(records.contains("LINK_UP m4jreal"), records.toString());
            assertFalse(records.stream().anyMatch(r -> r.endsWith(" forged") || r.startsWith("EVENTS_LOST")),
                    records.toString());
        }
    }
}
