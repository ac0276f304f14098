package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.testing.KernelTest;

/**
 * The rtnetlink monitor and the address dump on their own, against the kernel: the records
 * each transport writes for a link's and an address's life, and the dump's order and bound.
 */
@KernelTest
class RtnlMonitorKernelTest {
    private static void ip(Topology t, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", t.clientName()));
        command.addAll(List.of(args));
        Shell.run(command.toArray(String[]::new));
    }

    private static int indexOf(Topology t, String link) throws IOException {
        String line = Shell.run("ip", "-n", t.clientName(), "-o", "link", "show", link).strip();
        return Integer.parseInt(line.substring(0, line.indexOf(':')));
    }

    /** Polls until {@code last} was read (or ten seconds passed); each record as "TYPE name[ address/prefix if family]". */
    private static List<String> pollUntil(RtnlMonitor monitor, List<String> records, String last)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!records.contains(last) && System.nanoTime() - deadline < 0) {
            int n = monitor.poll();
            for (int i = 0; i < n; i++) {
                EventRecord r = monitor.record(i);
                String text = r.type() + " " + r.interfaceName();
                if (r.type().name().startsWith("LOCAL_ADDRESS")) {
                    text += " " + r.localAddress().getHostAddress() + "/" + r.prefixLength() + " if" + r.ifIndex()
                            + " family " + r.family();
                }
                records.add(text);
            }
            Thread.sleep(10);
        }
        return records;
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinksAndAnAddresssLifeComeAsRecordsNamedAfterTheLink() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            ip(t, "link", "add", "m4jv0", "type", "veth", "peer", "name", "m4jv1");
            String address = "10.9.0.1/24 if" + indexOf(t, "m4jv0") + " family 2";
            List<String> records = new ArrayList<>();
            RtnlMonitor monitor = RtnlMonitor.open(t.client(), 64);
            try {
                assertTrue(monitor.fd() >= 0);
                ip(t, "link", "set", "m4jv1", "up");
                ip(t, "link", "set", "m4jv0", "up");
                pollUntil(monitor, records, "LINK_UP m4jv0");
                ip(t, "addr", "add", "10.9.0.1/24", "dev", "m4jv0");
                pollUntil(monitor, records, "LOCAL_ADDRESS_ADDED m4jv0 " + address);
                ip(t, "addr", "del", "10.9.0.1/24", "dev", "m4jv0");
                pollUntil(monitor, records, "LOCAL_ADDRESS_REMOVED m4jv0 " + address);
                ip(t, "link", "del", "m4jv0");
                pollUntil(monitor, records, "LINK_DOWN m4jv0");
                // Seeded from the dump: the link known by name from the first change on, no state said twice
                // (its removal follows its going down). Its IPv6 link-local address comes and goes too: left aside.
                assertEquals(List.of("LINK_UP m4jv0", "LOCAL_ADDRESS_ADDED m4jv0 " + address,
                        "LOCAL_ADDRESS_REMOVED m4jv0 " + address, "LINK_DOWN m4jv0"),
                        records.stream().filter(r -> r.contains("m4jv0") && !r.contains("family 10")).toList());
                assertTrue(records.contains("LINK_UP m4jv1"), records.toString());
                assertEquals(0, monitor.untrackedLinkMessages());
            } finally {
                monitor.close();
            }
            IllegalStateException closed = assertThrows(IllegalStateException.class, monitor::poll);
            assertEquals("rtnetlink monitor is closed", closed.getMessage());
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theDumpListsTheAddressesInTheKernelsOrderUpToOnePastTheLimit() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            ip(t, "link", "add", "m4jv0", "type", "veth", "peer", "name", "m4jv1");
            ip(t, "addr", "add", "10.9.0.1/24", "dev", "m4jv0");
            ip(t, "addr", "add", "10.9.0.2/32", "dev", "m4jv0");
            int index = indexOf(t, "m4jv0");
            ByteBuffer all = LocalAddressDump.dump(t.client().fd(), 1000);
            List<String> listed = new ArrayList<>();
            for (int at = 0; at < all.limit(); at += LocalAddressDump.SIZE) {
                int family = all.get(at + LocalAddressDump.FAMILY);
                byte[] addr = new byte[family == 2 ? 4 : 16];
                all.get(at + LocalAddressDump.ADDR, addr);
                listed.add(all.getInt(at + LocalAddressDump.IF_INDEX) + " "
                        + InetAddress.getByAddress(addr).getHostAddress() + "/" + all.get(at + LocalAddressDump.PREFIX_LEN));
            }
            assertTrue(listed.containsAll(List.of(index + " 10.9.0.1/24", index + " 10.9.0.2/32")), listed.toString());
            assertTrue(listed.indexOf(index + " 10.9.0.1/24") < listed.indexOf(index + " 10.9.0.2/32"), listed.toString());

            // A limit of one: two records, the dump's first two.
            ByteBuffer bounded = LocalAddressDump.dump(t.client().fd(), 1);
            assertEquals(2 * LocalAddressDump.SIZE, bounded.limit());
            assertEquals(all.slice(0, bounded.limit()), bounded.slice(0, bounded.limit()));

            for (int max : new int[] {0, -1, Integer.MAX_VALUE / LocalAddressDump.SIZE}) {
                IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                        () -> LocalAddressDump.dump(t.client().fd(), max));
                assertEquals("address limit out of range", refused.getMessage());
            }
        }
    }
}
