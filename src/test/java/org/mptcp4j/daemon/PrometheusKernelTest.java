package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.GrafanaDashboard;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.MetricsScrape;
import org.mptcp4j.testing.Prometheus;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;

/**
 * A real Prometheus server (Debian's package) scrapes the daemon managing real connections in
 * test namespaces, over loopback, and reads back what the daemon counted; the daemon's
 * exposition passes promtool; the shipped Grafana dashboard reads only what the daemon exports,
 * and Prometheus runs each of its expressions.
 */
@KernelTest
class PrometheusKernelTest {
    private static final int CONNECTIONS = 3;
    private static final int EXTRA_SUBFLOWS = 2;

    @TempDir
    Path dir;

    @Test
    void prometheusReadsBackWhatTheDaemonCountedAndTheDashboardReadsOnlyExportedMetrics() throws Exception {
        try (ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", t.clientName(), "--control-socket",
                        "off", "--metrics", "127.0.0.1:0", "--controller", "ndiffports", "subflows=" + EXTRA_SUBFLOWS)) {
            InetSocketAddress endpoint = daemon.awaitMetricsEndpoint();
            try (Prometheus prometheus = Prometheus.scraping(endpoint, "mptcp4j", dir)) {
                assertEquals(BigDecimal.ONE, prometheus.awaitValue("up{job=\"mptcp4j\"}", 1), prometheus.log());
                List<MptcpSocket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        sockets.add(t.connect());
                    }
                    for (MptcpSocket socket : sockets) {
                        Transfers.awaitInfo(socket, info -> info.extraSubflows() == EXTRA_SUBFLOWS);
                    }
                } finally {
                    for (MptcpSocket socket : sockets) {
                        socket.close();
                    }
                }
                String ns = "netns=\"" + t.clientName() + "\"";
                MetricsScrape scrape = MetricsScrape.until(endpoint,
                        s -> s.counter("mptcp4j_events_total{" + ns + ",type=\"CLOSED\"}") >= CONNECTIONS, 30);
                assertEquals("", Prometheus.checkMetrics(scrape.body()), scrape.body());

                // What Prometheus stored from its own scrapes, through its query API.
                for (String[] expected : new String[][] {
                    {"mptcp4j_events_total{" + ns + ",type=\"ESTABLISHED\"}", String.valueOf(CONNECTIONS)},
                    {"mptcp4j_events_total{" + ns + ",type=\"SUB_ESTABLISHED\"}", String.valueOf(CONNECTIONS * EXTRA_SUBFLOWS)},
                    {"mptcp4j_events_total{" + ns + ",type=\"CLOSED\"}", String.valueOf(CONNECTIONS)},
                    {"mptcp4j_commands_total{" + ns + ",command=\"SUBFLOW_CREATE\",result=\"ok\"}",
                        String.valueOf(CONNECTIONS * EXTRA_SUBFLOWS)},
                    {"mptcp4j_connections{" + ns + "}", "0"},
                    {"mptcp4j_build_info{job=\"mptcp4j\",transport=\""
                        + Transport.selected().name().toLowerCase(Locale.ROOT) + "\"}", "1"}}) {
                    long value = Long.parseLong(expected[1]);
                    assertEquals(BigDecimal.valueOf(value), prometheus.awaitValue(expected[0], value), expected[0]);
                }
                assertTrue(prometheus.value("process_cpu_seconds_total{job=\"mptcp4j\"}").signum() > 0);

                Set<String> exported = new TreeSet<>();
                scrape.samples().keySet().forEach(series -> exported.add(series.replaceFirst("\\{.*", "")));
                GrafanaDashboard dashboard = GrafanaDashboard.read();
                Set<String> read = dashboard.metricNames();
                assertTrue(exported.containsAll(read), "read by the dashboard, not exported: "
                        + read.stream().filter(name -> !exported.contains(name)).toList());
                // Every panel shows data, but the failed commands' (none failed). A counter's series
                // appears with its first event, and a rate needs two scrapes of it: hence the wait.
                for (String expression : dashboard.expressions()) {
                    String promql = GrafanaDashboard.withVariablesSet(expression);
                    if (expression.contains("result=\"error\"")) {
                        assertEquals(List.of(), prometheus.query(promql).get("result"), promql);
                    } else {
                        assertTrue(prometheus.awaitData(promql), "no data for the dashboard's " + promql);
                    }
                }
            }
            assertEquals(0, daemon.terminate(), daemon.err());
        }
    }
}
