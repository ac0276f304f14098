package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.diag.ConnectionInfo;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ReadableCopy;
import org.mptcp4j.testing.Transfers;

/**
 * The daemon as the systemd unit runs it: an unprivileged user with CAP_NET_ADMIN alone, in the
 * namespace it manages, is enough; without the capability it stops with one line naming it.
 */
@KernelTest
class PrivilegesKernelTest {
    private static final int PORT = 5201;
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    /** What AmbientCapabilities=CAP_NET_ADMIN gives: the capability kept across the exec of java. */
    private static final List<String> NET_ADMIN_ONLY = List.of("--inh-caps=+net_admin", "--ambient-caps=+net_admin");
    /** CapEff in /proc/PID/status with only CAP_NET_ADMIN (capability 12). */
    private static final String CAP_NET_ADMIN_MASK = String.format("%016x", 1L << 12);

    @Test
    void withoutCapNetAdminRunStopsWithOneLineNamingIt() throws Exception {
        try (ReadableCopy copy = ReadableCopy.create(); Topology t = Topology.create("m4j-test", 1)) {
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            // Told to manage another namespace: entering it is refused before anything else.
            assertOneLineNamingCapNetAdmin(Shell.execute(copy.command(NOBODY, "run", "-n", t.clientName())));
            // Started inside the namespace, as the template unit does, but without the capability.
            List<String> inside = new ArrayList<>(List.of("ip", "netns", "exec", t.clientName()));
            inside.addAll(NOBODY);
            assertOneLineNamingCapNetAdmin(Shell.execute(copy.command(inside, "run")));
        }
    }

    private static void assertOneLineNamingCapNetAdmin(Shell.Result r) {
        assertEquals(Main.FAILED, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("mptcp4j run: "), r.err());
        assertTrue(r.err().contains("CAP_NET_ADMIN"), r.err());
    }

    @Test
    void capNetAdminAloneManagesTheNamespaceTheDaemonRunsIn() throws Exception {
        try (ReadableCopy copy = ReadableCopy.create(); Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            t.allowServerSubflows(8);
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Transfers.discardServer(listener, new AtomicLong());
            List<String> wrapper = new ArrayList<>(List.of("ip", "netns", "exec", t.clientName()));
            wrapper.addAll(NOBODY);
            wrapper.addAll(NET_ADMIN_ONLY);
            try (Daemon daemon = Daemon.startAndAwaitReady(copy, copy.command(wrapper, "run", "--control-socket", "off",
                    "--controller", "ndiffports", "subflows=2"))) {
                // ip netns exec and setpriv exec, so the started process is the JVM itself.
                String status = Files.readString(Path.of("/proc", Long.toString(daemon.process.pid()), "status"));
                assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+65534\\s+65534\\s+65534\\s+65534")), status);
                assertTrue(status.lines().anyMatch(l -> l.equals("CapEff:\t" + CAP_NET_ADMIN_MASK)), status);
                try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                    Transfers.send(socket, 1000);
                    int token = Transfers.awaitInfo(socket, i -> i.token() != 0).token();
                    ConnectionInfo info = Transfers.awaitConnection(t.client(), token, 10,
                            c -> c.subflows().stream().filter(s -> s.state() == 1).count() == 3);
                    assertTrue(info != null && info.subflows().stream().filter(s -> s.state() == 1).count() == 3,
                            "the initial subflow and ndiffports' 2: " + info + "\n" + daemon.err());
                }
            }
        }
    }

    /** The daemon in its own process, its output in files of the copy; always stopped by close(). */
    private static final class Daemon implements AutoCloseable {
        final Process process;
        private final Path err;

        private Daemon(Process process, Path err) {
            this.process = process;
            this.err = err;
        }

        /** Starts it and waits until it said something on stderr (it says when it manages the namespace). */
        static Daemon startAndAwaitReady(ReadableCopy copy, List<String> command) throws Exception {
            Path out = copy.dir().resolve("daemon.out");
            Path err = copy.dir().resolve("daemon.err");
            Daemon daemon = new Daemon(new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start(), err);
            try {
                for (int i = 0; i < 1000 && Files.size(err) == 0 && daemon.process.isAlive(); i++) {
                    Thread.sleep(10);
                }
                assertTrue(daemon.process.isAlive(), "the daemon stopped: " + daemon.err());
                assertTrue(Files.size(err) > 0, "the daemon never said it was ready");
            } catch (Exception | Error e) {
                daemon.close();
                throw e;
            }
            return daemon;
        }

        String err() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        /** SIGTERM, as systemctl stop sends; SIGKILL if it is still there 10 s later. */
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
