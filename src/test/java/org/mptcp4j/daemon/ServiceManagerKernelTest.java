package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.natives.UnixDatagram;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;

/**
 * The daemon under a service manager, played by the test with sockets of its own as
 * NOTIFY_SOCKET and as the journal's: READY=1 once the namespace is subscribed, RELOADING=1
 * (with MONOTONIC_USEC) and READY=1 around a reload, WATCHDOG=1 while the event loop answers
 * and none while a controller blocks it, STOPPING=1 on SIGTERM; the log in the journal with
 * its fields and nothing on standard output; a Kubernetes ConfigMap update reloading the
 * configuration.
 */
@KernelTest
class ServiceManagerKernelTest {
    private static final int BLOCKING_PORT = 5203;

    @TempDir
    Path dir;

    private static String ndiffports(int subflows, String core) {
        return "[core]\npath-manager = ndiffports\ncontrol-socket = off\nwarm-up = 0\n" + core
                + "[controller ndiffports]\nsubflows = " + subflows + "\n";
    }

    private static String receive(UnixDatagram socket, int seconds) throws IOException {
        ByteBuffer into = ByteBuffer.allocateDirect(1 << 16);
        if (!socket.receive(into, (int) TimeUnit.SECONDS.toMillis(seconds))) {
            return null;
        }
        into.flip();
        byte[] bytes = new byte[into.remaining()];
        into.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The next notification that is not WATCHDOG=1, within 20 s. */
    private static String nextBesidesWatchdog(UnixDatagram notify, CommandProcess daemon) throws IOException {
        for (int i = 0; i < 200; i++) {
            String n = receive(notify, 20);
            if (n == null) {
                fail("no notification\n" + daemon.err());
            }
            if (!n.equals("WATCHDOG=1")) {
                return n;
            }
        }
        throw new AssertionError("only WATCHDOG=1");
    }

    private static void awaitWatchdogPings(UnixDatagram notify, int count) throws IOException {
        for (int seen = 0; seen < count; ) {
            String n = receive(notify, 10);
            assertTrue(n != null, "no WATCHDOG=1 within 10 s");
            if (n.equals("WATCHDOG=1")) {
                seen++;
            }
        }
    }

    private CommandProcess start(Path config, String namespace, Map<String, String> environment, List<String> options)
            throws IOException {
        return CommandProcess.start(environment, options, "run", "--config", config.toString(), "-n", namespace);
    }

    @Test
    void notificationsAroundStartReloadAndStopAndTheLogInTheJournal() throws Exception {
        Path config = dir.resolve("mptcp4j.conf");
        Files.writeString(config, ndiffports(1, "log = journal\n"));
        String notifyPath = dir.resolve("notify.sock").toString();
        String journalPath = dir.resolve("journal.sock").toString();
        try (ServedTopology t = ServedTopology.create(1);
                UnixDatagram notify = UnixDatagram.bind(notifyPath);
                UnixDatagram journal = UnixDatagram.bind(journalPath);
                CommandProcess daemon = start(config, t.clientName(),
                        Map.of("NOTIFY_SOCKET", notifyPath, "WATCHDOG_USEC", "1000000"),
                        List.of("-Dmptcp4j.journal.socket=" + journalPath))) {
            assertEquals("READY=1\nSTATUS=managing " + t.clientName() + " with ndiffports {subflows=1}",
                    nextBesidesWatchdog(notify, daemon));
            awaitWatchdogPings(notify, 2);
            String managing = awaitJournal(journal, "managing namespace " + t.clientName());
            assertTrue(managing.contains("\nPRIORITY=6\n"), managing);
            assertTrue(managing.contains("\nNETNS=" + t.clientName() + "\n"), managing);
            assertTrue(managing.contains("\nCONTROLLER=ndiffports {subflows=1}\n"), managing);
            assertTrue(managing.contains("\nSYSLOG_IDENTIFIER=mptcp4j\n"), managing);

            try (MptcpSocket first = t.connect()) {
                assertEquals(1, Transfers.awaitInfo(first, i -> i.extraSubflows() == 1).extraSubflows());
                Files.writeString(config, ndiffports(3, "log = journal\n"));
                long before = System.nanoTime() / 1000;
                daemon.signal("HUP");
                String reloading = nextBesidesWatchdog(notify, daemon);
                long after = System.nanoTime() / 1000;
                assertTrue(reloading.startsWith("RELOADING=1\nMONOTONIC_USEC="), reloading);
                long stamp = Long.parseLong(reloading.substring(reloading.indexOf("MONOTONIC_USEC=") + 15));
                assertTrue(before <= stamp && stamp <= after, "CLOCK_MONOTONIC: " + before + " <= " + stamp + " <= " + after);
                assertEquals("READY=1\nSTATUS=managing " + t.clientName() + " with ndiffports {subflows=3}",
                        nextBesidesWatchdog(notify, daemon));
                assertEquals(3, Transfers.awaitInfo(first, i -> i.extraSubflows() == 3).extraSubflows());
                String refused = awaitJournal(journal, "configuration reloaded");
                assertTrue(refused.contains("\nPRIORITY=6\n"), refused);
            }
            Files.writeString(config, "[core]\nidle = lazy\n");
            daemon.signal("HUP");
            assertTrue(nextBesidesWatchdog(notify, daemon).startsWith("RELOADING=1\n"));
            assertEquals("READY=1\nSTATUS=managing " + t.clientName() + " with ndiffports {subflows=3}",
                    nextBesidesWatchdog(notify, daemon), "a wrong file changes nothing, and the daemon says it is ready");
            String error = awaitJournal(journal, "reload failed");
            assertTrue(error.contains("\nPRIORITY=3\n"), error);

            daemon.signal("TERM");
            assertEquals("STOPPING=1", nextBesidesWatchdog(notify, daemon));
            assertEquals(0, daemon.awaitExit(), daemon.err());
            assertEquals("", daemon.out(), "nothing on standard output but what was asked for");
            assertTrue(!daemon.err().contains("level="), "the log went to the journal, not to standard error: "
                    + daemon.err());
        }
    }

    /** The next journal entry whose MESSAGE starts with {@code message}, within 20 s. */
    private static String awaitJournal(UnixDatagram journal, String message) throws IOException {
        for (int i = 0; i < 500; i++) {
            String entry = receive(journal, 20);
            assertTrue(entry != null, "no journal entry " + message);
            if (entry.startsWith("MESSAGE=" + message)) {
                return entry;
            }
        }
        throw new AssertionError("no journal entry " + message);
    }

    @Test
    void theWatchdogIsNotFedWhileAControllerBlocksTheLoop() throws Exception {
        Path policy = dir.resolve("policy");
        Files.writeString(policy, "port " + BLOCKING_PORT + " -> block-once dir=" + dir + "\ndefault -> ndiffports subflows=1\n");
        Path config = dir.resolve("mptcp4j.conf");
        // No replacement of the blocked loop while the test looks: only the watchdog sees it.
        Files.writeString(config, "[core]\ncontrol-socket = off\nwarm-up = 0\ncontroller-stall = 1h\npolicy = " + policy + "\n");
        String notifyPath = dir.resolve("notify.sock").toString();
        try (ServedTopology t = ServedTopology.create(1);
                MptcpServerSocket blocking = MptcpServerSocket.bind(t.topology().server(),
                        new InetSocketAddress("0.0.0.0", BLOCKING_PORT), 8);
                UnixDatagram notify = UnixDatagram.bind(notifyPath);
                CommandProcess daemon = start(config, t.clientName(),
                        Map.of("NOTIFY_SOCKET", notifyPath, "WATCHDOG_USEC", "1000000"), List.of())) {
            Transfers.discardServer(blocking, new AtomicLong());
            assertTrue(nextBesidesWatchdog(notify, daemon).startsWith("READY=1\n"));
            awaitWatchdogPings(notify, 2);
            try (MptcpSocket stuck = MptcpSocket.connect(t.topology().client(), Topology.serverEndpoint(1, BLOCKING_PORT))) {
                Transfers.send(stuck, 1000);
                BlockingController.awaitFile(dir.resolve("blocked"));
                // A ping the loop answered before it blocked may still come within a period; a
                // watchdog still fed would never let this end, hence the bound.
                for (int drained = 0; drained < 3 && receive(notify, 1) != null; drained++) {
                    // drained
                }
                assertEquals(null, receive(notify, 3), "no WATCHDOG=1 while the loop is blocked");
                String err = daemon.awaitErr("event loop not answering: the service manager's watchdog is not fed", 10);
                assertTrue(err.contains("event loop not answering: the service manager's watchdog is not fed"), err);
                Files.writeString(dir.resolve("release"), "");
                BlockingController.awaitFile(dir.resolve("returned"));
                awaitWatchdogPings(notify, 2);
            }
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }

    /**
     * A ConfigMap mounted as a directory, updated as the kubelet does it: the new files in a new
     * directory, a link to it made beside and renamed over {@code ..data}, through which the
     * file's own link goes.
     */
    @Test
    void aConfigMapUpdateReloadsTheConfiguration() throws Exception {
        Path mount = Files.createDirectory(dir.resolve("config"));
        Path first = Files.createDirectory(mount.resolve("..2026_12_07_10_00_00.000000001"));
        Files.writeString(first.resolve("mptcp4j.conf"), ndiffports(1, "reload-on-change = yes\n"));
        Files.createSymbolicLink(mount.resolve("..data"), first.getFileName());
        Path config = Files.createSymbolicLink(mount.resolve("mptcp4j.conf"), Path.of("..data/mptcp4j.conf"));
        String notifyPath = dir.resolve("notify.sock").toString();
        try (ServedTopology t = ServedTopology.create(1);
                UnixDatagram notify = UnixDatagram.bind(notifyPath);
                CommandProcess daemon = start(config, t.clientName(), Map.of("NOTIFY_SOCKET", notifyPath), List.of());
                MptcpSocket socket = t.connect()) {
            assertTrue(nextBesidesWatchdog(notify, daemon).startsWith("READY=1\n"));
            assertEquals(1, Transfers.awaitInfo(socket, i -> i.extraSubflows() == 1).extraSubflows());

            Path second = Files.createDirectory(mount.resolve("..2026_12_07_10_05_00.000000002"));
            Files.writeString(second.resolve("mptcp4j.conf"), ndiffports(2, "reload-on-change = yes\n"));
            Path swap = Files.createSymbolicLink(mount.resolve("..data_tmp"), second.getFileName());
            Files.move(swap, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            Files.delete(first.resolve("mptcp4j.conf"));
            Files.delete(first);

            assertTrue(nextBesidesWatchdog(notify, daemon).startsWith("RELOADING=1\n"));
            assertEquals("READY=1\nSTATUS=managing " + t.clientName() + " with ndiffports {subflows=2}",
                    nextBesidesWatchdog(notify, daemon));
            assertEquals(2, Transfers.awaitInfo(socket, i -> i.extraSubflows() == 2).extraSubflows());
            String err = daemon.err();
            assertTrue(err.contains("configuration file changed: reloading"), err);
            assertEquals(1, err.lines().filter(l -> l.contains("configuration reloaded")).count(), "one reload: " + err);
        }
    }
}
