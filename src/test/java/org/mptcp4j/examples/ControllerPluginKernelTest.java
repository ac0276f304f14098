package org.mptcp4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Processes;
import org.mptcp4j.testing.Transfers;

/**
 * A controller of one's own, in a jar on the class path with its ServiceLoader entry (here: the
 * tests' classes), is listed by 'mptcp4j controllers' and run by name, in a policy file too.
 */
@KernelTest
class ControllerPluginKernelTest {
    @Test
    void aControllerOnTheClassPathIsListedAndRunByName() throws Exception {
        Shell.Result listed = Shell.execute(Processes.withTestClasses(Processes.command(List.of(),
                List.of(Processes.nativeLibraryPath()), false, "controllers")));
        assertEquals(0, listed.exit(), listed.err());
        assertTrue(listed.out().contains("backup-path: a backup subflow from a second local address"), listed.out());
        assertTrue(listed.out().contains("fullmesh: "), listed.out());

        onTwoPaths(t -> {
            java.nio.file.Path policy = java.nio.file.Files.createTempFile("m4j-policy", ".txt");
            try {
                // Connections to port 5201 get the plugin's backup path; the rest are left alone.
                java.nio.file.Files.writeString(policy, "port 5201 side client -> backup-path address=10.231.2.1\n"
                        + "default -> none\n");
                try (CommandProcess daemon = CommandProcess.startAndAwaitReady(true, "run", "--netns", t.clientName(),
                        "--policy", policy.toString());
                        MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, 5201))) {
                    Transfers.send(socket, 1000);
                    int token = socket.info().token();
                    ConnectionInfo info = Transfers.awaitConnection(t.client(), token, 10, c -> c.subflows().stream()
                            .anyMatch(s -> s.state() == 1 && s.local().getAddress().equals(Topology.clientAddress(2))));
                    assertTrue(info.subflows().stream().anyMatch(s -> s.state() == 1 && s.backup()
                            && s.local().getAddress().equals(Topology.clientAddress(2))),
                            "the plugin's backup subflow: " + info + "\n" + daemon.err());
                    String err = daemon.awaitErr("policy [port 5201 side client -> ", 10);
                    assertTrue(err.contains("policy [port 5201 side client -> "), err);
                }
            } finally {
                java.nio.file.Files.deleteIfExists(policy);
            }
        });
    }

    /** mptcpd's plugin-dir: a jar of one's own in a directory, not on the class path. */
    @Test
    void aControllerInThePluginDirectoryIsListedAndRunByName(@TempDir Path plugins) throws Exception {
        writePlugin(plugins, 0);
        List<String> jvm = List.of(Processes.nativeLibraryPath());
        Shell.Result without = Shell.execute(Processes.command(List.of(), jvm, false, "controllers"));
        assertFalse(without.out().contains("backup-path:"), "not on the class path: " + without.out());
        Shell.Result listed = Shell.execute(Processes.command(List.of(), jvm, false, "controllers", "--plugin-dir",
                plugins.toString()));
        assertEquals(0, listed.exit(), listed.err());
        assertTrue(listed.out().contains("backup-path: a backup subflow from a second local address"), listed.out());

        onTwoPaths(t -> {
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--config", config(plugins).toString(),
                    "-n", t.clientName())) {
                assertGetsTheBackupPath(t, daemon);
            }
        });
    }

    /**
     * A reload that finds a changed jar uses it, and closes the class loader of the old one once
     * the old loop has stopped: the daemon keeps one jar open, however many reloads there were.
     */
    @Test
    void reloadsWithAChangedJarKeepOnlyTheNewOneOpen(@TempDir Path plugins) throws Exception {
        writePlugin(plugins, 0);
        onTwoPaths(t -> {
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "--config", config(plugins).toString(),
                    "-n", t.clientName())) {
                daemon.awaitErr("mptcp4j run: managing", 10);
                assertEquals(1, jarDescriptors(daemon.pid(), plugins), "the jar, read once");
                for (int i = 1; i <= 20; i++) {
                    writePlugin(plugins, i);
                    daemon.signal("HUP");
                    int reloaded = 0;
                    for (int wait = 0; wait < 500 && reloaded < i; wait++) { // each HUP's reload done before the next
                        Thread.sleep(20);
                        reloaded = (int) daemon.err().lines().filter(l -> l.contains("msg=\"configuration reloaded\"")).count();
                    }
                    assertEquals(i, reloaded, daemon.err());
                    assertEquals(1, jarDescriptors(daemon.pid(), plugins), "after reload " + i);
                }
                assertEquals(20, daemon.err().lines().filter(l -> l.contains("reconfigured")).count(),
                        "each changed jar brought its controllers in");
                assertGetsTheBackupPath(t, daemon);
            }
        });
    }

    /** What runs in a topology of two paths. */
    private interface InTopology {
        void run(Topology t) throws Exception;
    }

    /**
     * Runs {@code test} with two paths whose client uses the userspace path manager and whose
     * server discards what comes on port 5201, accepting joins: where backup-path has work.
     */
    private static void onTwoPaths(InTopology test) throws Exception {
        try (Topology t = Topology.create("m4j-test", 2);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", 5201), 8)) {
            t.routeBySource();
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            test.run(t);
        }
    }

    private static Path config(Path plugins) throws IOException {
        return Files.writeString(plugins.resolve("mptcp4j.conf"), "[core]\nplugin-dir = .\npath-manager = backup-path\n"
                + "control-socket = off\n[controller backup-path]\naddress = 10.231.2.1\n");
    }

    private static void assertGetsTheBackupPath(Topology t, CommandProcess daemon) throws Exception {
        try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, 5201))) {
            Transfers.send(socket, 1000);
            ConnectionInfo info = Transfers.awaitConnection(t.client(), socket.info().token(), 10, c -> c.subflows()
                    .stream().anyMatch(s -> s.state() == 1 && s.backup() && s.local().getAddress().equals(Topology.clientAddress(2))));
            assertTrue(info.subflows().stream().anyMatch(s -> s.state() == 1 && s.backup()
                    && s.local().getAddress().equals(Topology.clientAddress(2))), info + "\n" + daemon.err());
        }
    }

    /**
     * The backup-path controller as a jar of its own in {@code plugins}, with {@code padding}
     * bytes more than the last (a changed jar), put in place of the last in one rename.
     */
    private static void writePlugin(Path plugins, int padding) throws IOException {
        Path classes = Path.of(System.getProperty("mptcp4j.test.testClasses"));
        Path written = plugins.resolve("backup-path.jar.new");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(written))) {
            for (String name : List.of("BackupPath.class", "BackupPathProvider.class")) {
                jar.putNextEntry(new JarEntry("org/mptcp4j/examples/" + name));
                jar.write(Files.readAllBytes(classes.resolve("org/mptcp4j/examples").resolve(name)));
            }
            jar.putNextEntry(new JarEntry("META-INF/services/org.mptcp4j.controller.ControllerProvider"));
            jar.write("org.mptcp4j.examples.BackupPathProvider\n".getBytes(StandardCharsets.UTF_8));
            jar.putNextEntry(new JarEntry("padding"));
            jar.write(new byte[padding]);
        }
        Files.move(written, plugins.resolve("backup-path.jar"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The daemon's descriptors of files in {@code plugins}, those replaced since included. */
    private static long jarDescriptors(long pid, Path plugins) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).startsWith(plugins);
                } catch (IOException closedMeanwhile) {
                    return false;
                }
            }).count();
        }
    }
}
