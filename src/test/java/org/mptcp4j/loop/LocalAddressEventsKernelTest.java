package org.mptcp4j.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.diag.LocalAddressFilter;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.testing.HeldLoop;
import org.mptcp4j.testing.KernelTest;

/**
 * Local address and link changes made with ip(8) on a namespace's veths reach the loop's
 * handler as events, after the address filter.
 */
@KernelTest
class LocalAddressEventsKernelTest {
    /** What one local address or link event said. */
    record Change(MptcpEventType type, InetAddress address, int prefixLength, String device, int ifIndex) {
        static Change of(MptcpEvent e) {
            return new Change(e.type(), e.localAddress(), e.prefixLength(), e.interfaceName(), e.ifIndex());
        }
    }

    /** Records the local address and link events only. */
    static final class ChangeRecorder implements EventHandler {
        final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();

        @Override
        public void onEvent(MptcpEvent event) {
            changes.add(Change.of(event));
        }

        @Override
        public java.util.Set<MptcpEventType> eventTypes() {
            return java.util.EnumSet.of(MptcpEventType.LOCAL_ADDRESS_ADDED, MptcpEventType.LOCAL_ADDRESS_REMOVED,
                    MptcpEventType.LINK_UP, MptcpEventType.LINK_DOWN);
        }

        /** The next change of {@code type} (skipping others); fails after 10 s. */
        Change await(MptcpEventType type) throws InterruptedException {
            List<Change> skipped = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Change c = changes.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (c == null) {
                    throw new AssertionError("no " + type + " within 10 s; saw " + skipped);
                }
                if (c.type() == type) {
                    return c;
                }
                skipped.add(c);
            }
        }
    }

    private static void ip(Topology t, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "-n", t.clientName()));
        command.addAll(List.of(args));
        Shell.run(command.toArray(String[]::new));
    }

    @Test
    void addingAndDeletingAnAddressAndTakingTheLinkDownAndUpAreEvents() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            String dev = t.clientDevice(1);
            int ifIndex = t.client().interfaceIndex(dev);
            ChangeRecorder recorder = new ChangeRecorder();
            try (EventLoop loop = EventLoop.builder(recorder).namespace(t.client()).build()) {
                assertTrue(loop.watchesLocalAddresses());
                loop.start();
                ip(t, "addr", "add", "10.99.0.1/24", "dev", dev);
                Change added = recorder.await(MptcpEventType.LOCAL_ADDRESS_ADDED);
                assertEquals(new Change(MptcpEventType.LOCAL_ADDRESS_ADDED, InetAddress.getByName("10.99.0.1"), 24, dev,
                        ifIndex), added);

                ip(t, "addr", "add", "fd00:99::1/64", "dev", dev, "nodad");
                assertEquals(new Change(MptcpEventType.LOCAL_ADDRESS_ADDED, InetAddress.getByName("fd00:99::1"), 64,
                        dev, ifIndex), recorder.await(MptcpEventType.LOCAL_ADDRESS_ADDED));

                ip(t, "addr", "del", "10.99.0.1/24", "dev", dev);
                assertEquals(new Change(MptcpEventType.LOCAL_ADDRESS_REMOVED, InetAddress.getByName("10.99.0.1"), 24,
                        dev, ifIndex), recorder.await(MptcpEventType.LOCAL_ADDRESS_REMOVED));

                ip(t, "link", "set", dev, "down");
                Change down = recorder.await(MptcpEventType.LINK_DOWN);
                assertEquals(dev, down.device());
                assertEquals(ifIndex, down.ifIndex());
                ip(t, "link", "set", dev, "up");
                Change up = recorder.await(MptcpEventType.LINK_UP);
                assertEquals(dev, up.device());
                assertEquals(ifIndex, up.ifIndex());
            }
        }
    }

    private static String lineOf(String ipAddrShow, String address) {
        return ipAddrShow.lines().filter(l -> l.contains(address)).findFirst().orElseThrow();
    }

    @Test
    void anIpv6AddressIsAddedOnceItsDuplicateAddressDetectionIsDone() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            String dev = t.clientDevice(1);
            ChangeRecorder recorder = new ChangeRecorder();
            try (EventLoop loop = EventLoop.builder(recorder).namespace(t.client()).build()) {
                loop.start();
                ip(t, "addr", "add", "fd00:98::1/64", "dev", dev);
                String tentative = Shell.run("ip", "-n", t.clientName(), "-6", "addr", "show", "dev", dev);
                Change added = recorder.await(MptcpEventType.LOCAL_ADDRESS_ADDED);
                assertEquals(InetAddress.getByName("fd00:98::1"), added.address());
                String now = Shell.run("ip", "-n", t.clientName(), "-6", "addr", "show", "dev", dev);
                assertTrue(lineOf(tentative, "fd00:98::1").contains("tentative"), "in DAD when added: " + tentative);
                assertFalse(lineOf(now, "fd00:98::1").contains("tentative"), "reported once usable: " + now);
                // One report: the tentative announcement before it was not one.
                ip(t, "addr", "add", "10.99.0.1/24", "dev", dev);
                assertEquals(InetAddress.getByName("10.99.0.1"), recorder.await(MptcpEventType.LOCAL_ADDRESS_ADDED).address());
            }
        }
    }

    @Test
    void loopbackLinkLocalAndDeniedInterfacesAreFilteredOut() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2)) {
            String first = t.clientDevice(1);
            String second = t.clientDevice(2);
            ChangeRecorder recorder = new ChangeRecorder();
            try (EventLoop loop = EventLoop.builder(recorder).namespace(t.client())
                    .localAddressFilter(LocalAddressFilter.standard().deny(List.of(second))).build()) {
                loop.start();
                ip(t, "addr", "add", "127.0.0.9/8", "dev", "lo");
                ip(t, "addr", "add", "169.254.9.9/16", "dev", first);
                ip(t, "addr", "add", "fe80::99/64", "dev", first, "nodad");
                ip(t, "addr", "add", "10.98.0.1/24", "dev", second);
                // The last change passes the filter: everything before it was dropped.
                ip(t, "addr", "add", "10.99.0.1/24", "dev", first);
                Change passed = recorder.await(MptcpEventType.LOCAL_ADDRESS_ADDED);
                assertEquals(InetAddress.getByName("10.99.0.1"), passed.address());
                assertTrue(recorder.changes.isEmpty(), recorder.changes.toString());
            }
            ChangeRecorder everything = new ChangeRecorder();
            try (EventLoop loop = EventLoop.builder(everything).namespace(t.client())
                    .localAddressFilter(LocalAddressFilter.standard().withLoopback().withLinkLocal()).build()) {
                loop.start();
                ip(t, "addr", "add", "127.0.0.10/8", "dev", "lo");
                assertEquals(InetAddress.getByName("127.0.0.10"),
                        everything.await(MptcpEventType.LOCAL_ADDRESS_ADDED).address());
                ip(t, "addr", "add", "fe80::98/64", "dev", first, "nodad");
                assertEquals(InetAddress.getByName("fe80::98"),
                        everything.await(MptcpEventType.LOCAL_ADDRESS_ADDED).address());
            }
            ChangeRecorder onlySecond = new ChangeRecorder();
            try (EventLoop loop = EventLoop.builder(onlySecond).namespace(t.client())
                    .localAddressFilter(LocalAddressFilter.standard().allow(List.of(second))).build()) {
                loop.start();
                ip(t, "addr", "add", "10.97.0.1/24", "dev", first);
                ip(t, "addr", "add", "10.96.0.1/24", "dev", second);
                Change passed = onlySecond.await(MptcpEventType.LOCAL_ADDRESS_ADDED);
                assertEquals(InetAddress.getByName("10.96.0.1"), passed.address());
                assertEquals(second, passed.device());
                assertTrue(onlySecond.changes.isEmpty(), onlySecond.changes.toString());
            }
        }
    }

    @Test
    void changesTheKernelDroppedAreReportedAsLostAndTheLoopGoesOn() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            String dev = t.clientDevice(1);
            ChangeRecorder recorder = new ChangeRecorder();
            try (EventLoop loop = EventLoop.builder(recorder).namespace(t.client()).build()) {
                loop.start();
                // Hold the loop while far more changes come than the rtnetlink socket's buffer keeps.
                java.nio.file.Path batch = java.nio.file.Files.createTempFile("m4j-addrs", ".batch");
                HeldLoop held = HeldLoop.hold(loop);
                try {
                    StringBuilder commands = new StringBuilder();
                    for (int i = 0; i < 3000; i++) {
                        commands.append("addr add 10.100.").append(i / 250).append('.').append(i % 250 + 1)
                                .append("/32 dev ").append(dev).append('\n');
                    }
                    java.nio.file.Files.writeString(batch, commands);
                    Shell.run("ip", "-n", t.clientName(), "-batch", batch.toString());
                } finally {
                    held.release();
                    java.nio.file.Files.deleteIfExists(batch);
                }
                assertEquals(MptcpEventType.EVENTS_LOST, recorder.await(MptcpEventType.EVENTS_LOST).type(),
                        "the overrun is reported");
                // The loop still reads changes after it.
                ip(t, "addr", "add", "10.99.0.1/24", "dev", dev);
                Change next;
                do {
                    next = recorder.await(MptcpEventType.LOCAL_ADDRESS_ADDED);
                } while (!next.address().equals(InetAddress.getByName("10.99.0.1")));
                assertTrue(loop.isRunning());
            }
        }
    }

    @Test
    void aLoopThatWantsNoLocalChangesDoesNotWatchThem() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                EventLoop loop = EventLoop.builder(event -> {}).namespace(t.client())
                        .eventTypes(MptcpEventType.CREATED).build()) {
            assertFalse(loop.watchesLocalAddresses());
        }
    }
}
