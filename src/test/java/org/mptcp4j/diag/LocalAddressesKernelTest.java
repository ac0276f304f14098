package org.mptcp4j.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.testing.EventRecorder;
import org.mptcp4j.testing.IpBatch;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.LogLines;
import org.mptcp4j.testing.SeenEvent;

/** A namespace's addresses read from rtnetlink: all of them up to the bound, the first ones beyond. */
@KernelTest
class LocalAddressesKernelTest {
    private static final int HUGE = 1 << 30;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyAddressIsListedPastAThousandAndTheLoopGoesOn() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            String ns = t.clientName();
            String dev = t.clientDevice(1);
            int devIndex = t.client().interfaceIndex(dev);
            Shell.run("ip", "-n", ns, "link", "add", "m4jhuge", "index", Integer.toString(HUGE), "type", "veth", "peer", "name",
                    "m4jhugepeer");
            Shell.run("ip", "-n", ns, "link", "set", "m4jhuge", "up");
            Shell.run("ip", "-n", ns, "link", "set", "m4jhugepeer", "up");
            EventRecorder events = new EventRecorder();
            try (EventLoop loop = EventLoop.builder(events).namespace(t.client())
                    .eventTypes(MptcpEventType.LOCAL_ADDRESS_ADDED).build()) {
                loop.start();
                Set<String> expected = new HashSet<>(Set.of("10.231.1.1/24 dev " + devIndex,
                        Topology.clientAddress6(1).getHostAddress() + "/64 dev " + devIndex));
                StringBuilder batch = new StringBuilder();
                for (int i = 0; i < 1500; i++) {
                    String address = "10.100." + i / 250 + "." + (i % 250 + 1);
                    int prefix = i % 2 == 0 ? 32 : 20;
                    boolean onHuge = i % 3 == 0;
                    batch.append("addr add ").append(address).append('/').append(prefix).append(" dev ")
                            .append(onHuge ? "m4jhuge" : dev).append('\n');
                    expected.add(address + "/" + prefix + " dev " + (onHuge ? HUGE : devIndex));
                }
                for (int i = 1; i <= 100; i++) {
                    String address = "fd00:100::" + Integer.toHexString(i);
                    batch.append("addr add ").append(address).append("/128 dev m4jhuge nodad\n");
                    expected.add(InetAddress.getByName(address).getHostAddress() + "/128 dev " + HUGE);
                }
                IpBatch.run(ns, batch);

                List<LocalAddress> usable = LocalAddresses.usableForSubflows(t.client());
                assertEquals(1602, expected.size());
                assertEquals(expected, new HashSet<>(usable.stream().map(LocalAddress::toString).toList()));
                assertEquals(expected.size(), usable.size(), "each once");
                assertEquals("m4jhuge", t.client().interfaceName(HUGE));

                // The loop read them all (or said the kernel dropped some) and still reads changes, naming the link.
                Shell.run("ip", "-n", ns, "addr", "add", "10.99.0.1/24", "dev", "m4jhuge");
                InetAddress last = InetAddress.getByName("10.99.0.1");
                SeenEvent added = events.await(MptcpEventType.LOCAL_ADDRESS_ADDED, e -> e.local().equals(last));
                assertTrue(added.line().endsWith(" if_idx=" + HUGE + " prefixlen=24 dev=m4jhuge"), added.line());
                assertTrue(loop.isRunning());
            }
        }
    }

    /**
     * One address past the bound (a container's root could add a million): the list holds the
     * first {@link LocalAddresses#MAX_ADDRESSES} in the kernel's order, as ip(8) lists them,
     * each once; each cut list is counted, and logged once for the namespace.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void pastTheBoundTheFirstAddressesAreListedCountedAndLoggedOnce() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); LogLines log = LogLines.capture()) {
            String ns = t.clientName();
            // Over 128 links: the kernel walks a link's addresses at each add, minutes for 65,537 on one.
            StringBuilder batch = IpBatch.vethPairs(64);
            for (int i = 0; i <= LocalAddresses.MAX_ADDRESSES; i++) {
                batch.append("addr add 10.").append(100 + i / 65536).append('.').append(i / 256 % 256).append('.')
                        .append(i % 256).append("/32 dev m4j").append(i % 128 < 64 ? 'a' : 'b').append(i % 64).append('\n');
            }
            IpBatch.run(ns, batch);
            // IPv4 before IPv6 in the dump, and more IPv4 addresses than the bound: the first ones are these.
            List<String> kernelOrder = Shell.run("ip", "-n", ns, "-o", "-4", "addr", "show").lines()
                    .map(line -> line.split("\\s+")[3]).toList();
            assertTrue(kernelOrder.size() > LocalAddresses.MAX_ADDRESSES, "addresses: " + kernelOrder.size());

            long truncated = LocalAddresses.truncatedLists();
            List<LocalAddress> listed = LocalAddresses.list(t.client());
            assertEquals(LocalAddresses.MAX_ADDRESSES, listed.size(), "listed");
            // Not assertEquals: its message would hold the lists.
            assertTrue(kernelOrder.subList(0, LocalAddresses.MAX_ADDRESSES).equals(
                    listed.stream().map(a -> a.address().getHostAddress() + "/" + a.prefixLength()).toList()),
                    "not the first in the kernel's order");
            assertEquals(truncated + 1, LocalAddresses.truncatedLists());

            assertEquals(listed.stream().filter(LocalAddress::usableForSubflows).toList(),
                    LocalAddresses.usableForSubflows(t.client()));
            assertEquals(truncated + 2, LocalAddresses.truncatedLists());
            List<String> said = log.containing("addresses: only the first 65536 are listed");
            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).contains("namespace " + t.client().name() + " has more than 65536"), said.get(0));
        }
    }
}
