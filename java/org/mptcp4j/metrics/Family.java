package org.mptcp4j.metrics;

import java.util.function.BiConsumer;

/**
 * A metric family: its name, Prometheus type and help, and what writes one source's samples of
 * it. The exposition writes HELP and TYPE once, then every source's samples.
 */
record Family(String name, String type, String help, BiConsumer<PathManagerMetrics, Samples> samples) {
    static final String COUNTER = "counter";
    static final String GAUGE = "gauge";
    static final String HISTOGRAM = "histogram";
    static final String SUMMARY = "summary";
}
