package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Processes;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;

/**
 * A namespace's root picks its interfaces' indices and names: links with indices up to the
 * largest int, and a name of the longest length, there before the daemon starts and made
 * while it runs, leave it managing connections, answering ctl, and naming the links in its
 * events, in bounded memory.
 */
@KernelTest
class InterfaceIndicesKernelTest {
    /** From 2^30 on, the link table's size once overflowed (the loop thread spun forever). */
    private static final int HUGE = 1 << 30;
    /** An index near 10^8 once made the link table take gigabytes. */
    private static final int NEAR = 100_000_000;
    /** IFNAMSIZ - 1 bytes: the longest name there is. */
    private static final String LONGEST_NAME = "m4j-longest-115";
    /** A size bound, far above what a daemon takes (about 100 MiB) and far below gigabytes. */
    private static final long MAX_RESIDENT_KIB = 512 * 1024;

    @TempDir
    Path dir;

    private static void ip(Topology t, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "-n", t.clientName()));
        command.addAll(List.of(args));
        Shell.run(command.toArray(String[]::new));
    }

    /** A veth pair in the client namespace, {@code name} with {@code index}, both ends up. */
    private static void veth(Topology t, String name, int index, String peer) throws Exception {
        ip(t, "link", "add", name, "index", Integer.toString(index), "type", "veth", "peer", "name", peer);
        ip(t, "link", "set", name, "up");
        ip(t, "link", "set", peer, "up");
    }

    private Shell.Result ctl(Path socket, String... words) throws Exception {
        List<String> args = new ArrayList<>(List.of("ctl", "--socket", socket.toString()));
        args.addAll(List.of(words));
        return Processes.mptcp4j(List.of(), List.of(), false, args.toArray(String[]::new));
    }

    /** The line the monitor printed for {@code type} on {@code dev}, waiting up to 10 s for it. */
    private static String line(CommandProcess monitor, String type, String dev) throws Exception {
        String wanted = type + "] ";
        String suffix = " dev=" + dev;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (String l : monitor.out().lines().toList()) {
                if (l.contains(wanted) && l.endsWith(suffix)) {
                    return l;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + type + " of " + dev + " within 10 s in:\n" + monitor.out() + monitor.err());
    }

    private static long residentKib(CommandProcess p) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.substring("VmRSS:".length()).replace("kB", "").trim());
            }
        }
        throw new AssertionError("no VmRSS for " + p.pid());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void linksWithHugeIndicesAndTheLongestNameLeaveTheDaemonManagingAndNamingThem() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ServedTopology served = ServedTopology.create(1)) {
            Topology t = served.topology();
            veth(t, "m4jhuge", HUGE, "m4jhugepeer");
            veth(t, "m4jnear", NEAR, "m4jnearpeer");
            veth(t, LONGEST_NAME, 1000, "m4jlongpeer");
            ip(t, "addr", "add", "10.77.0.1/24", "dev", "m4jhuge");
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", t.clientName(), "--control-socket",
                    socket.toString(), "--controller", "ndiffports", "subflows=1");
                    CommandProcess monitor = CommandProcess.startAndAwaitReady("monitor", "-n", t.clientName(), "--types",
                            "LOCAL_ADDRESS_ADDED,LINK_UP,LINK_DOWN")) {
                String err = daemon.awaitErr("mptcp4j run: managing", 10);
                assertTrue(err.contains("mptcp4j run: managing"), err);
                assertTrue(monitor.awaitErr("listening", 10).contains("and local address changes"), monitor.err());
                try (MptcpSocket s = served.connect()) {
                    assertEquals(1, Transfers.awaitInfo(s, i -> i.extraSubflows() == 1).extraSubflows());
                }

                // Links there at start are known by their names.
                ip(t, "link", "set", "m4jhuge", "down");
                assertTrue(line(monitor, "LINK_DOWN", "m4jhuge").contains(" if_idx=" + HUGE + " "), monitor.out());
                ip(t, "link", "set", "m4jhuge", "up");
                assertTrue(line(monitor, "LINK_UP", "m4jhuge").contains(" if_idx=" + HUGE + " "), monitor.out());
                ip(t, "link", "set", "m4jnear", "down");
                assertTrue(line(monitor, "LINK_DOWN", "m4jnear").contains(" if_idx=" + NEAR + " "), monitor.out());
                ip(t, "link", "set", LONGEST_NAME, "down");
                line(monitor, "LINK_DOWN", LONGEST_NAME);

                // And one made while they run, with the largest index there is.
                veth(t, "m4jlargest", Integer.MAX_VALUE, "m4jlargestpeer");
                assertTrue(line(monitor, "LINK_UP", "m4jlargest").contains(" if_idx=" + Integer.MAX_VALUE + " "),
                        monitor.out());
                ip(t, "addr", "add", "10.78.0.1/24", "dev", "m4jlargest");
                String added = line(monitor, "LOCAL_ADDRESS_ADDED", "m4jlargest");
                assertTrue(added.contains(" saddr4=10.78.0.1 ") && added.contains(" if_idx=" + Integer.MAX_VALUE + " "), added);

                Shell.Result namespaces = ctl(socket, "namespaces");
                assertEquals(0, namespaces.exit(), namespaces.err());
                assertEquals(t.clientName() + ": ndiffports (1 extra subflows per connection), idle blocking\n", namespaces.out());
                try (MptcpSocket s = served.connect()) {
                    String token = String.format("%08x", Transfers.awaitInfo(s, i -> i.extraSubflows() == 1).token());
                    Shell.Result connections = ctl(socket, "connections");
                    assertEquals(0, connections.exit(), connections.err());
                    assertTrue(connections.out().startsWith("token " + token + " client 10.231.1.1:"), connections.out());
                }
                assertTrue(residentKib(daemon) < MAX_RESIDENT_KIB, residentKib(daemon) + " KiB resident");
                assertTrue(residentKib(monitor) < MAX_RESIDENT_KIB, residentKib(monitor) + " KiB resident");
                assertEquals(0, daemon.terminate(), daemon.err());
            }
        }
    }
}
