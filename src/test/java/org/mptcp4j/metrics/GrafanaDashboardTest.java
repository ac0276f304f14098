package org.mptcp4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mptcp4j.testing.GrafanaDashboard;
import org.mptcp4j.testing.Json;

/**
 * The shipped dashboard's form; that it reads only what the daemon exports is
 * PrometheusKernelTest's, against a real daemon and a real Prometheus.
 */
class GrafanaDashboardTest {
    @Test
    void metricNamesAreWhatTheExpressionsSelectNotFunctionsLabelsOrNumbers() {
        assertEquals(Set.of("mptcp4j_events_total"), GrafanaDashboard.metricNames(
                "sum by (type) (rate(mptcp4j_events_total{instance=~\"$instance\",netns=~\"$netns\"}[$__rate_interval]))"));
        assertEquals(Set.of("x_bucket"), GrafanaDashboard.metricNames(
                "histogram_quantile(0.99, sum by (le) (rate(x_bucket{le!=\"a}b\"}[5m])))"));
        assertEquals(Set.of("process_start_time_seconds"), GrafanaDashboard.metricNames("time() - process_start_time_seconds"));
        assertEquals(Set.of("a_total", "b_info"), GrafanaDashboard.metricNames(
                "rate(a_total[1m] offset 5m) * on (instance) group_left (version) b_info > bool 1e3"));
    }

    @Test
    void everyPanelReadsTheChosenPrometheusDataSource() throws Exception {
        GrafanaDashboard dashboard = GrafanaDashboard.read();
        Map<String, Object> datasource = dashboard.variables().stream().filter(v -> "datasource".equals(v.get("name")))
                .findFirst().orElseThrow();
        assertEquals("datasource", datasource.get("type"));
        assertEquals("prometheus", datasource.get("query"));
        Map<String, Object> chosen = Map.of("type", "prometheus", "uid", "${datasource}");
        Set<Object> ids = new HashSet<>();
        for (Map<String, Object> panel : dashboard.panels()) {
            assertTrue(ids.add(panel.get("id")), "panel id " + panel.get("id") + " twice");
            assertFalse(((String) panel.get("title")).isBlank(), panel.toString());
            if (!"row".equals(panel.get("type"))) {
                assertEquals(chosen, panel.get("datasource"), (String) panel.get("title"));
                assertFalse(Json.array(panel.get("targets")).isEmpty(), (String) panel.get("title"));
            }
        }
        List<Map<String, Object>> targets = dashboard.targets();
        assertTrue(targets.size() >= 20, "targets: " + targets.size());
        for (Map<String, Object> target : targets) {
            assertEquals(chosen, target.get("datasource"), target.toString());
            assertFalse(GrafanaDashboard.metricNames((String) target.get("expr")).isEmpty(), target.toString());
        }
        for (Map<String, Object> variable : dashboard.variables()) {
            if ("query".equals(variable.get("type"))) {
                assertEquals(chosen, variable.get("datasource"), (String) variable.get("name"));
            }
        }
    }
}
