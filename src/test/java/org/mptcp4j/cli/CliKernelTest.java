package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mptcp4j.command.Commands;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Processes;
import org.mptcp4j.testing.ReadableCopy;
import org.mptcp4j.testing.Transfers;
import org.mptcp4j.testing.TwoHosts;

/** The mptcp4j command against the kernel, and the errors a newcomer meets, each one line. */
@KernelTest
class CliKernelTest {
    private static final int PORT = 5201;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Main main = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    @Test
    void monitorPrintsEveryEventOfANamespaceAndStopsAtItsCount() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8);
                CommandProcess monitor = CommandProcess.startAndAwaitReady("monitor", "--netns", t.clientName(), "--count",
                        "2", "--types", "CREATED,ESTABLISHED,CLOSED")) {
            Transfers.discardServer(listener, new AtomicLong());
            int token;
            try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                Transfers.send(socket, 100);
                token = socket.info().token();
            }
            assertEquals(Commands.OK, monitor.awaitExit(), monitor.err());
            assertTrue(monitor.err().startsWith("mptcp4j monitor: listening to the MPTCP events of network namespace "),
                    monitor.err());
            List<String> lines = monitor.out().lines().toList();
            String hex = String.format("%08x", token);
            assertEquals(List.of("CREATED", "ESTABLISHED"), lines.stream().map(l -> l.substring(1, 17).trim()).toList(),
                    "exactly --count events: " + lines);
            assertTrue(lines.get(0).contains("token=" + hex + " family=2 loc_id=0 rem_id=0 saddr4=10.231.1.1 daddr4=10.231.1.2"),
                    lines.get(0));
            assertTrue(lines.get(0).contains("dport=5201"), lines.get(0));
        }
    }

    @Test
    void monitorPrintsLocalAddressChangesAsJson() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                CommandProcess monitor = CommandProcess.startAndAwaitReady("monitor", "--netns", t.clientName(), "--json",
                        "--count", "2", "--types", "LOCAL_ADDRESS_ADDED,LOCAL_ADDRESS_REMOVED", "--dev", t.clientDevice(1))) {
            assertTrue(monitor.err().contains("and local address changes"), monitor.err());
            Shell.run("ip", "-n", t.clientName(), "addr", "add", "10.99.0.1/24", "dev", t.clientDevice(1));
            Shell.run("ip", "-n", t.clientName(), "addr", "del", "10.99.0.1/24", "dev", t.clientDevice(1));
            assertEquals(Commands.OK, monitor.awaitExit(), monitor.err());
            int ifIndex = t.client().interfaceIndex(t.clientDevice(1));
            String expected = "\"family\":2,\"saddr4\":\"10.99.0.1\",\"flags\":128,\"if_idx\":" + ifIndex
                    + ",\"prefixlen\":24,\"dev\":\"" + t.clientDevice(1) + "\"}";
            assertEquals(List.of("{\"type\":\"LOCAL_ADDRESS_ADDED\"," + expected,
                    "{\"type\":\"LOCAL_ADDRESS_REMOVED\"," + expected), monitor.out().lines().toList());
        }
    }

    @Test
    void connectionsGroupsSubflowsUnderTheirConnection() throws Exception {
        try (TwoHosts h = TwoHosts.connect(TwoHosts.Family.IPV6)) {
            assertEquals(Commands.OK, main.execute(new String[] {"connections", "-n", h.topology.clientName()}),
                    err.toString(StandardCharsets.UTF_8));
            String text = out.toString(StandardCharsets.UTF_8);
            String token = String.format("%08x", h.clientToken);
            assertTrue(text.startsWith("token " + token + " client [fd00:231:1::1]:" + h.clientPort()
                    + " -> [fd00:231:1::2]:5201 established, 0 extra subflows, sent 100 received 0 acked 100"), text);
            assertTrue(text.contains("\n  subflow [fd00:231:1::1]:" + h.clientPort()
                    + " -> [fd00:231:1::2]:5201 ids 0/0 established rtt "), text);
            out.reset();
            assertEquals(Commands.OK, main.execute(new String[] {"connections", "--json", "-n", h.topology.serverName()}));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("[{\"token\":\"" + String.format("%08x", h.serverToken)
                    + "\",\"side\":\"server\",\"local\":\"[fd00:231:1::2]:5201\""), out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void pathManagerShowsAndSelects() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            assertEquals(Commands.OK, main.execute(new String[] {"path-manager", "-n", t.clientName()}));
            assertEquals(Commands.OK, main.execute(new String[] {"path-manager", "-n", t.clientName(), "userspace"}));
            assertEquals("kernel\nuserspace\n", out.toString(StandardCharsets.UTF_8));
            assertEquals(PathManagerMode.USERSPACE, PathManagerMode.of(t.client()));
        }
    }

    @Test
    void runRefusesANamespaceWithoutTheUserspacePathManager() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            assertEquals(Commands.FAILED, main.execute(new String[] {"run", "--netns", t.clientName()}));
            String text = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, text.lines().count(), text);
            assertTrue(text.startsWith("mptcp4j run: check path manager: the kernel path manager is selected in network namespace "
                    + t.clientName()), text);
        }
    }

    @Test
    void unknownNamespaceIsOneLine() {
        assertEquals(Commands.FAILED, main.execute(new String[] {"monitor", "--netns", "m4j-no-such-namespace"}));
        assertEquals("mptcp4j monitor: network namespace m4j-no-such-namespace (/run/netns/m4j-no-such-namespace):"
                + " open network namespace: No such file or directory (ENOENT)\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unprivilegedUserGetsOneClearLine() throws Exception {
        Shell.Result r;
        try (ReadableCopy copy = ReadableCopy.create()) {
            r = Shell.execute(copy.command(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), "monitor"));
        }
        assertEquals(Commands.FAILED, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("mptcp4j monitor: join multicast group mptcp_pm_events: Operation not permitted (EPERM)"),
                r.err());
        assertTrue(r.err().contains("needs CAP_NET_ADMIN"), r.err());
    }

    @Test
    void kernelWithoutMptcpIsOneLine() throws Exception {
        // A private mount namespace where /proc/sys/net is empty, as on a kernel built without MPTCP.
        Shell.Result r = Processes.mptcp4j(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs none /proc/sys/net && exec \"$@\"", "sh"),
                List.of(Processes.nativeLibraryPath()), false, "monitor");
        assertEquals(Commands.FAILED, r.exit(), r.out() + r.err());
        assertEquals("mptcp4j monitor: check MPTCP: this kernel has no MPTCP (no /proc/sys/net/mptcp): mptcp4j needs"
                + " Linux 5.19 or later built with CONFIG_MPTCP\n", r.err());
    }

    @Tag("jni") // libmptcp4j.so and libnl
    @Test
    void libraryIsExtractedFromThePlatformJarWhenNotOnTheLibraryPath() throws Exception {
        Shell.Result r = Processes.mptcp4j(List.of(), List.of(), true, "version");
        assertEquals(Commands.OK, r.exit(), r.err());
        String from = r.out().substring(r.out().indexOf("native library from ") + 20).trim();
        assertTrue(from.matches(".*/libmptcp4j-[0-9]+\\.so"), r.out());
        assertFalse(Files.exists(Path.of(from)), "the extracted copy is removed once loaded");
    }

    @Tag("jni") // libmptcp4j.so and libnl
    @Test
    void missingLibnlNamesThePackageToInstall() throws Exception {
        String libnl = Shell.run("sh", "-c", "readlink -f $(ldconfig -p | awk '/libnl-genl-3.so.200 /{print $NF; exit}')").trim();
        assertTrue(libnl.contains("libnl-genl-3.so"), libnl);
        // A private mount namespace where libnl-genl-3 is an empty file: the loader cannot use it.
        Shell.Result r = Processes.mptcp4j(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind /dev/null " + libnl + " && exec \"$@\"", "sh"),
                List.of(Processes.nativeLibraryPath()), false, "version");
        assertEquals(Commands.FAILED, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("libnl is missing or broken"), r.err());
        assertTrue(r.err().contains("install the package libnl-genl-3-200 (apt-get install libnl-genl-3-200)"), r.err());
    }
}
