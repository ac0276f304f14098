package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.ConnectionHolder;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.MetricsScrape;

/**
 * Many connections, both ends managed by daemons: the server's by join-guard, the client's by
 * ndiffports with one extra subflow each. Every connection gets its subflow on both sides, no
 * event is lost, and once all have closed neither daemon keeps anything for any of them (the
 * per-connection tables of its host, policy, controllers, path manager and metrics). 20,000 in
 * the suite ({@code -Dmptcp4j.scale.connections=N} for more); {@code benchmarks/scale} holds
 * 100,000 and times them.
 */
@KernelTest
class ScaleKernelTest {
    private static final int CONNECTIONS = Integer.getInteger("mptcp4j.scale.connections", 20_000);
    /** Processes holding the connections, both ends each: 2 descriptors a connection. */
    private static final int HOLDERS = 4;
    /** New connections a second, all holders together, and closes likewise. */
    private static final int RATE = 1000;
    private static final int PORT = 5201;

    @Test
    void everyConnectionIsManagedAndForgottenOnceClosed() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2)) {
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            PathManagerMode.set(t.server(), PathManagerMode.USERSPACE);
            // Ports for 2 subflows a connection from 2 addresses: the client namespace's range, no other.
            Shell.run("ip", "netns", "exec", t.clientName(), "sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65535");
            try (CommandProcess server = daemon(t.serverName(), "join-guard");
                    CommandProcess client = daemon(t.clientName(), "ndiffports", "subflows=1")) {
                InetSocketAddress serverMetrics = server.awaitMetricsEndpoint();
                InetSocketAddress clientMetrics = client.awaitMetricsEndpoint();
                List<ConnectionHolder> holders = new ArrayList<>();
                long start = System.nanoTime();
                try {
                    for (int i = 0; i < HOLDERS; i++) {
                        holders.add(ConnectionHolder.start(t, 1 + i % 2, PORT + i, CONNECTIONS / HOLDERS, RATE / HOLDERS));
                    }
                    int fallbacks = 0;
                    for (ConnectionHolder h : holders) {
                        fallbacks += h.awaitHeld();
                    }
                    int n = CONNECTIONS / HOLDERS * HOLDERS;
                    System.out.printf("scale: %d connections open after %d s (%d fell back to TCP and were replaced)%n", n,
                            seconds(start), fallbacks);
                    Map<String, Long> c = managing(clientMetrics, n);
                    Map<String, Long> s = managing(serverMetrics, n);
                    System.out.printf("scale: managed on both sides after %d s%n", seconds(start));
                    for (Map<String, Long> m : List.of(c, s)) {
                        assertEquals(n, total(m, "mptcp4j_connections"), "connections managed: " + m);
                        assertEquals(2 * n, total(m, "mptcp4j_subflows"), "each with its one extra subflow: " + m);
                        assertEquals(0, total(m, "mptcp4j_events_lost_total"), "no event lost: " + m);
                        // The metrics' subflow count, the policy's choice, the controller's state: one entry of each at least.
                        assertTrue(total(m, "mptcp4j_connection_state_entries") >= n, "entries kept per connection: " + m);
                    }
                    assertEquals(n, total(c, "mptcp4j_commands_total", "command=\"SUBFLOW_CREATE\""),
                            "one SUBFLOW_CREATE a connection, none refused: " + c);
                    assertEquals(n, total(c, "mptcp4j_commands_total", "result=\"ok\""), c.toString());

                    ConnectionHolder.closeConnections(holders);
                    System.out.printf("scale: closed after %d s%n", seconds(start));
                    for (String ns : List.of(t.clientName(), t.serverName())) {
                        Map<String, Long> m = MetricsScrape.until(ns.equals(t.clientName()) ? clientMetrics : serverMetrics,
                                x -> total(x.counters(), "mptcp4j_events_total", "type=\"CLOSED\"") >= n
                                        && total(x.counters(), "mptcp4j_connections") == 0, 120).counters();
                        assertEquals(n, total(m, "mptcp4j_events_total", "type=\"CLOSED\""), "every CLOSED heard: " + m);
                        assertEquals(0, total(m, "mptcp4j_connections"), m.toString());
                        assertEquals(0, total(m, "mptcp4j_subflows"), m.toString());
                        assertEquals(0, total(m, "mptcp4j_connection_state_entries"), "nothing kept per connection: " + m);
                        assertEquals(0, total(m, "mptcp4j_events_lost_total"), "no event lost: " + m);
                    }
                    System.out.printf("scale: forgotten on both sides after %d s%n", seconds(start));
                } finally {
                    for (ConnectionHolder h : holders) {
                        h.close();
                    }
                }
                assertEquals(0, client.terminate(), client.err());
                assertEquals(0, server.terminate(), server.err());
            }
        }
    }

    /**
     * The daemon of {@code ns}, metrics on an ephemeral port; a receive buffer for ~80,000 events,
     * so that a machine busy with other tests does not overflow it (losing events is another test's).
     */
    private static CommandProcess daemon(String ns, String... controller) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-n", ns, "--control-socket", "off", "--metrics", "127.0.0.1:0",
                "--log-level", "warn", "--receive-buffer", "32M", "--controller"));
        args.addAll(List.of(controller));
        return CommandProcess.startAndAwaitReady(args.toArray(String[]::new));
    }

    private static long seconds(long since) {
        return (System.nanoTime() - since) / 1_000_000_000L;
    }

    /** Scrapes until the daemon manages {@code n} connections with 2 subflows each, 3 minutes at most. */
    private static Map<String, Long> managing(InetSocketAddress metrics, int n) throws Exception {
        return MetricsScrape.until(metrics, m -> total(m.counters(), "mptcp4j_connections") == n
                && total(m.counters(), "mptcp4j_subflows") == 2L * n, 180).counters();
    }

    /** The sum of the series of {@code name} whose labels contain each of {@code labels}. */
    private static long total(Map<String, Long> samples, String name, String... labels) {
        return samples.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .filter(e -> List.of(labels).stream().allMatch(e.getKey()::contains)).mapToLong(Map.Entry::getValue).sum();
    }
}
