package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.SeenEvent;
import org.mptcp4j.testing.Transfers;
import org.mptcp4j.testing.TwoHosts;

/**
 * {@code monitor --ip-format} beside {@code ip mptcp monitor} in the same namespaces, hearing the
 * same events of one connection's life: the same lines. ip is $MPTCP4J_TEST_IP, else the one on
 * the PATH; from iproute2 7.0 on (the layout --ip-format prints) the lines must be equal
 * character for character, before it the words both print (older ip pads less, has no dev= and
 * prints the flags raw).
 */
@KernelTest
class MonitorIpFormatKernelTest {
    private static final String IP = Objects.requireNonNullElse(System.getenv("MPTCP4J_TEST_IP"), "ip");
    /** The port of the listeners opened until ip is heard to listen; their lines are not compared. */
    private static final int PROBE_PORT = 6999;

    @Test
    void printsWhatIpMptcpMonitorPrintsForTheSameEvents() throws Exception {
        boolean exact = ipMajorVersion() >= 7;
        try (TwoHosts h = TwoHosts.connect(TwoHosts.Family.IPV4);
                IpMonitor ipClient = new IpMonitor(h.topology.clientName());
                IpMonitor ipServer = new IpMonitor(h.topology.serverName());
                CommandProcess client = CommandProcess.startAndAwaitReady("monitor", "--ip-format", "-n", h.topology.clientName());
                CommandProcess server = CommandProcess.startAndAwaitReady("-n", h.topology.serverName(), "monitor", "--ip-format")) {
            probeUntilHeard(h.topology.client(), ipClient);
            probeUntilHeard(h.topology.server(), ipServer);

            // A connection of its own, made and closed while they listen: CREATED, ESTABLISHED and CLOSED.
            try (MptcpSocket second = MptcpSocket.connect(h.topology.client(),
                    new InetSocketAddress(h.serverAddress(1), TwoHosts.PORT))) {
                Transfers.send(second, 100);
            }

            int c2 = h.topology.client().interfaceIndex(h.topology.clientDevice(2));
            h.client.announce(h.clientToken, h.client(2, 0).id(2));
            h.client.createSubflow(h.clientToken, h.client(2, 0).id(2).ifIndex(c2), h.server(2, TwoHosts.PORT));
            SeenEvent opened = h.clientEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.localId() == 2);
            MptcpAddress local = h.client(2, opened.localPort());
            MptcpAddress remote = h.server(2, TwoHosts.PORT);
            h.client.setBackup(h.clientToken, local, remote, true);
            h.serverEvents.await(MptcpEventType.SUB_PRIORITY, e -> e.remotePort() == opened.localPort());
            h.client.destroySubflow(h.clientToken, local, remote);
            h.serverEvents.await(MptcpEventType.SUB_CLOSED, e -> e.remotePort() == opened.localPort());
            // Destroying the last subflow on id 2 took the address off the connection's list: announce it again.
            h.client.announce(h.clientToken, h.client(2, 0).id(2));
            h.client.remove(h.clientToken, 2);
            h.serverEvents.await(MptcpEventType.REMOVED, e -> e.remoteId() == 2);
            h.clientSocket.close();
            h.serverSocket.close();

            // " CLOSED]": not SF_CLOSED's line.
            String clientClosed = " CLOSED] token=" + String.format("%08x", h.clientToken);
            String serverClosed = " CLOSED] token=" + String.format("%08x", h.serverToken);
            List<String> ipClientLines = ipClient.awaitLine(clientClosed);
            List<String> ipServerLines = ipServer.awaitLine(serverClosed);
            List<String> clientLines = lines(client.awaitOut(clientClosed, 10));
            List<String> serverLines = lines(server.awaitOut(serverClosed, 10));

            assertEquals(comparable(ipClientLines, exact), comparable(clientLines, exact));
            assertEquals(comparable(ipServerLines, exact), comparable(serverLines, exact));
            // What the events were, so that the comparison cannot pass on nothing.
            String serverText = String.join("\n", serverLines);
            for (String word : new String[] {"[         CREATED] token=", "[     ESTABLISHED] token=", "ANNOUNCED] token=",
                "[  SF_ESTABLISHED] token=", "[         SF_PRIO] token=", "SF_CLOSED] token=", "REMOVED] token=", "remid=2",
                "saddr4=10.231.2.2", "daddr4=10.231.2.1", "backup=1", " server_side", serverClosed}) {
                assertTrue(serverText.contains(word), word + " in\n" + serverText);
            }
            String clientText = String.join("\n", clientLines);
            assertTrue(clientText.contains(" locid=2 saddr4=10.231.2.1 daddr4=10.231.2.2 sport=" + opened.localPort()
                    + " dport=5201 backup=0 ifindex=" + c2 + " dev=" + h.topology.clientDevice(2)), clientText);
        }
    }

    /** Opens and closes listeners in the namespace until ip prints their events: then it listens. */
    private static void probeUntilHeard(NetworkNamespace ns, IpMonitor ip) throws Exception {
        for (int i = 0; i < 500 && ip.lines().isEmpty(); i++) {
            MptcpServerSocket.bind(ns, new InetSocketAddress("0.0.0.0", PROBE_PORT), 1).close();
            Thread.sleep(20);
        }
        assertFalse(ip.lines().isEmpty(), "ip mptcp monitor heard no listener events");
    }

    /**
     * The lines to compare: without the probes' (ip before 6.2 prints listener events as
     * UNKNOWN); before ip 7.0, each as its event name and the sorted words both print.
     */
    private static List<String> comparable(List<String> lines, boolean exact) {
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            if (line.contains("sport=" + PROBE_PORT) || line.startsWith("[UNKNOWN ")) {
                continue;
            }
            if (exact) {
                kept.add(line);
                continue;
            }
            int end = line.indexOf(']');
            List<String> words = new ArrayList<>(List.of(line.substring(end + 1).trim().split(" ")));
            words.removeIf(w -> w.startsWith("dev=") || w.startsWith("flags=") || w.equals("server_side")
                    || w.equals("deny_join_id0"));
            words.sort(null);
            kept.add(line.substring(1, end).trim() + " " + String.join(" ", words));
        }
        return kept;
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    private static int ipMajorVersion() throws Exception {
        String version = Shell.run(IP, "-V");
        Matcher m = Pattern.compile("iproute2-(?:ss)?(\\d+)").matcher(version);
        assertTrue(m.find(), version);
        return Integer.parseInt(m.group(1));
    }

    /** {@code ip -n NS mptcp monitor}, its standard output in a file. */
    private static final class IpMonitor implements AutoCloseable {
        private final Path out = Files.createTempFile("mptcp4j-test-ip-", ".out");
        private final Process process;

        IpMonitor(String namespace) throws IOException {
            process = new ProcessBuilder(IP, "-n", namespace, "mptcp", "monitor").redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        }

        List<String> lines() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8).lines().toList();
        }

        /** Its lines once one contains {@code text} (or 10 s passed). */
        List<String> awaitLine(String text) throws Exception {
            for (int i = 0; i < 500 && lines().stream().noneMatch(l -> l.contains(text)); i++) {
                Thread.sleep(20);
            }
            return lines();
        }

        @Override
        public void close() throws IOException {
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                process.destroyForcibly();
                Files.deleteIfExists(out);
            }
        }
    }
}
