package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.command.Commands;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ReadableCopy;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.ThreadStatus;
import org.mptcp4j.testing.Transfers;

/**
 * The daemon as the systemd unit runs it: an unprivileged user with CAP_NET_ADMIN alone, in the
 * namespace it manages, is enough; without the capability it stops with one line naming it.
 * loop-priority needs CAP_SYS_NICE too: with it the loop's thread runs under SCHED_FIFO, without
 * it the start stops with one line naming it, and a reload asking for it keeps the running loop.
 */
@KernelTest
class PrivilegesKernelTest {
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    /** What AmbientCapabilities=CAP_NET_ADMIN gives: the capability kept across the exec of java. */
    private static final List<String> NET_ADMIN_ONLY = List.of("--inh-caps=+net_admin", "--ambient-caps=+net_admin");
    /** CapEff in /proc/PID/status with only CAP_NET_ADMIN (capability 12). */
    private static final String CAP_NET_ADMIN_MASK = String.format("%016x", 1L << 12);
    /** What AmbientCapabilities=CAP_NET_ADMIN CAP_SYS_NICE gives. */
    private static final List<String> NET_ADMIN_AND_SYS_NICE = List.of("--inh-caps=+net_admin,+sys_nice",
            "--ambient-caps=+net_admin,+sys_nice");
    /** CapEff with CAP_NET_ADMIN and CAP_SYS_NICE (capability 23). */
    private static final String CAP_NET_ADMIN_SYS_NICE_MASK = String.format("%016x", 1L << 12 | 1L << 23);
    /** No real-time priority by RLIMIT_RTPRIO either: CAP_SYS_NICE is then the only way to SCHED_FIFO. */
    private static final List<String> NO_RTPRIO = List.of("prlimit", "--rtprio=0");
    /** The loop's refusal without CAP_SYS_NICE, in the daemon's own words. */
    private static final String REFUSED = "give event loop thread mptcp4j-self SCHED_FIFO priority 50 (sched_setscheduler):"
            + " Operation not permitted (EPERM) - real-time scheduling needs CAP_SYS_NICE";

    @Test
    void withoutCapNetAdminRunStopsWithOneLineNamingIt() throws Exception {
        try (ReadableCopy copy = ReadableCopy.create(); Topology t = Topology.create("m4j-test", 1)) {
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            // Told to manage another namespace: entering it is refused before anything else.
            assertOneLineNaming("CAP_NET_ADMIN", Shell.execute(copy.command(NOBODY, "run", "-n", t.clientName())));
            // Started inside the namespace, as the template unit does, but without the capability.
            assertOneLineNaming("CAP_NET_ADMIN", Shell.execute(copy.command(inside(t.clientName(), List.of()), "run")));
        }
    }

    @Test
    void capNetAdminAloneManagesTheNamespaceTheDaemonRunsIn() throws Exception {
        try (ReadableCopy copy = ReadableCopy.create(); ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady(copy.command(inside(t.clientName(),
                        NET_ADMIN_ONLY), "run", "--control-socket", "off", "--controller", "ndiffports", "subflows=2"))) {
            // ip netns exec, prlimit and setpriv exec, so the started process is the JVM itself.
            String status = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "status"));
            assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+65534\\s+65534\\s+65534\\s+65534")), status);
            assertTrue(status.lines().anyMatch(l -> l.equals("CapEff:\t" + CAP_NET_ADMIN_MASK)), status);
            assertSubflows(t, daemon);
        }
    }

    @Test
    void withoutCapSysNiceLoopPriorityStopsTheStartWithOneLineNamingIt() throws Exception {
        try (ReadableCopy copy = ReadableCopy.create(); Topology t = Topology.create("m4j-test", 1)) {
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            Shell.Result r = Shell.execute(copy.command(inside(t.clientName(), NET_ADMIN_ONLY), "run", "--control-socket",
                    "off", "--loop-priority", "50"));
            assertOneLineNaming("CAP_SYS_NICE", r);
            assertTrue(r.err().startsWith("mptcp4j run: " + REFUSED), r.err());
        }
    }

    @Test
    void capNetAdminAndCapSysNiceGiveTheLoopThreadSchedFifoOnItsCpu() throws Exception {
        try (ReadableCopy copy = ReadableCopy.create(); ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady(copy.command(inside(t.clientName(),
                        NET_ADMIN_AND_SYS_NICE), "run", "--control-socket", "off", "--controller", "ndiffports", "subflows=2",
                        "--loop-priority", "50", "--loop-cpu", "0"))) {
            String status = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "status"));
            assertTrue(status.lines().anyMatch(l -> l.equals("CapEff:\t" + CAP_NET_ADMIN_SYS_NICE_MASK)), status);
            ThreadStatus loop = ThreadStatus.named(daemon.pid(), "mptcp4j-self");
            assertEquals(new ThreadStatus(loop.tid(), ThreadStatus.SCHED_FIFO, 50, "0"), loop);
            assertSubflows(t, daemon);
        }
    }

    /** A reload asking for what the kernel would refuse the loop's thread is logged; the running loop goes on as it was. */
    @Test
    void aReloadAskingForSchedFifoWithoutCapSysNiceKeepsTheRunningLoop() throws Exception {
        try (ReadableCopy copy = ReadableCopy.create(); ServedTopology t = ServedTopology.create(1)) {
            Path config = copy.dir().resolve("mptcp4j.conf");
            String core = "[core]\ncontrol-socket = off\n[controller ndiffports]\nsubflows = 2\n";
            Files.writeString(config, core);
            try (CommandProcess daemon = CommandProcess.startAndAwaitReady(copy.command(inside(t.clientName(),
                    NET_ADMIN_ONLY), "run", "--config", config.toString()))) {
                ThreadStatus before = ThreadStatus.named(daemon.pid(), "mptcp4j-self");
                assertEquals(ThreadStatus.SCHED_OTHER, before.policy());
                Files.writeString(config, core.replace("[core]\n", "[core]\nloop-priority = 50\n"));
                daemon.signal("HUP");
                String err = daemon.awaitErr("configuration reloaded", 20);
                assertTrue(err.contains("reload: namespace self: " + REFUSED), err);
                assertEquals(before, ThreadStatus.named(daemon.pid(), "mptcp4j-self"), "the same loop, as it was");
                assertSubflows(t, daemon);
            }
        }
    }

    private static void assertOneLineNaming(String capability, Shell.Result r) {
        assertEquals(Commands.FAILED, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("mptcp4j run: "), r.err());
        assertTrue(r.err().contains(capability), r.err());
    }

    /** {@code ip netns exec NS prlimit --rtprio=0 setpriv (nobody) CAPABILITIES}: the daemon inside the namespace it manages. */
    private static List<String> inside(String namespace, List<String> capabilities) {
        List<String> wrapper = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        wrapper.addAll(NO_RTPRIO);
        wrapper.addAll(NOBODY);
        wrapper.addAll(capabilities);
        return wrapper;
    }

    /** A connection gets the initial subflow and ndiffports' 2. */
    private static void assertSubflows(ServedTopology t, CommandProcess daemon) throws Exception {
        try (MptcpSocket socket = t.connect()) {
            int token = Transfers.awaitInfo(socket, i -> i.token() != 0).token();
            ConnectionInfo info = Transfers.awaitConnection(t.topology().client(), token, 10,
                    c -> c.subflows().stream().filter(s -> s.state() == 1).count() == 3);
            assertTrue(info != null && info.subflows().stream().filter(s -> s.state() == 1).count() == 3,
                    "the initial subflow and ndiffports' 2: " + info + "\n" + daemon.err());
        }
    }
}
