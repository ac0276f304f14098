package org.mptcp4j.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.MptcpEventType;
import org.mptcp4j.testing.EventRecorder;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.SeenEvent;

/** A namespace's addresses, however many its root configured, read from rtnetlink. */
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
                Path file = Files.createTempFile("m4j-addrs", ".batch");
                try {
                    Files.writeString(file, batch);
                    Shell.run("ip", "-n", ns, "-batch", file.toString());
                } finally {
                    Files.deleteIfExists(file);
                }

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
}
