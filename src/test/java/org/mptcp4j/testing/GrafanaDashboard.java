package org.mptcp4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped Grafana dashboard, packaging/grafana/mptcp4j-dashboard.json: its panels' PromQL
 * expressions and its variables' queries, and the metric names they read.
 */
public record GrafanaDashboard(Map<String, Object> model) {
    public static final Path FILE = Path.of("packaging", "grafana", "mptcp4j-dashboard.json");

    /** What PromQL calls a metric name; not one when a '(' follows (a function) or a word or '.' precedes (a number). */
    private static final Pattern NAME = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][\\w:]*+(?!\\s*\\()");
    /** Words of PromQL's grammar that are not metric names. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");
    /** What names no metric: quoted strings, label matchers, ranges, label lists of grouping and matching. */
    private static final Pattern NOT_NAMES = Pattern.compile(
            "\"(?:[^\"\\\\]|\\\\.)*\"|\\{(?:\"(?:[^\"\\\\]|\\\\.)*\"|[^}\"])*}|\\[[^\\]]*]|\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** A variable's query: label_values(METRIC{...}, LABEL). */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][\\w:]*)");

    public static GrafanaDashboard read() throws IOException {
        return new GrafanaDashboard(Json.object(Json.parse(Files.readString(FILE))));
    }

    /** The panels, those inside rows included. */
    public List<Map<String, Object>> panels() {
        List<Map<String, Object>> panels = new ArrayList<>();
        for (Object p : Json.array(model.get("panels"))) {
            Map<String, Object> panel = Json.object(p);
            panels.add(panel);
            if (panel.containsKey("panels")) {
                Json.array(panel.get("panels")).forEach(inner -> panels.add(Json.object(inner)));
            }
        }
        return panels;
    }

    /** The targets of every panel. */
    public List<Map<String, Object>> targets() {
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Map<String, Object> panel : panels()) {
            if (panel.containsKey("targets")) {
                Json.array(panel.get("targets")).forEach(t -> targets.add(Json.object(t)));
            }
        }
        return targets;
    }

    /** The PromQL of every target. */
    public List<String> expressions() {
        return targets().stream().map(t -> (String) t.get("expr")).toList();
    }

    /** The template variables. */
    public List<Map<String, Object>> variables() {
        return Json.array(Json.object(model.get("templating")).get("list")).stream().map(Json::object).toList();
    }

    /** The metric names {@code promql} reads. */
    public static Set<String> metricNames(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(NOT_NAMES.matcher(promql).replaceAll(" "));
        while (m.find()) {
            if (!KEYWORDS.contains(m.group().toLowerCase(java.util.Locale.ROOT))) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** Every metric name the panels and the variables read. */
    public Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        expressions().forEach(e -> names.addAll(metricNames(e)));
        for (Map<String, Object> variable : variables()) {
            if ("query".equals(variable.get("type"))) {
                Matcher m = LABEL_VALUES.matcher((String) variable.get("definition"));
                if (!m.find()) {
                    throw new IllegalArgumentException("variable " + variable.get("name") + " is not label_values(METRIC, LABEL)");
                }
                names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * {@code promql} as Prometheus itself can run it: the dashboard's variables all match, and
     * Grafana's rate interval is what a 1 s scrape interval needs.
     */
    public static String withVariablesSet(String promql) {
        return promql.replace("$__rate_interval", "10s").replace("$instance", ".*").replace("$netns", ".*");
    }
}
