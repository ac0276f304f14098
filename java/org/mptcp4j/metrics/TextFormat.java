package org.mptcp4j.metrics;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Prometheus text exposition format, version 0.0.4, of several namespaces' metrics: each
 * family once, with its HELP and TYPE lines, followed by the samples of every namespace.
 */
public final class TextFormat {
    /** The Content-Type of the format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private TextFormat() {}

    /**
     * The metrics of {@code sources}, built-in families first, then the functions by name.
     *
     * @param sources the metrics' sources
     * @return the text
     */
    public static String write(Collection<? extends PathManagerMetrics> sources) {
        return write(sources, false);
    }

    /**
     * As {@link #write(Collection)}, followed by the process's own families when {@code process}
     * ({@code mptcp4j_build_info}, and {@code process_*} and {@code jvm_*} as the Prometheus Java
     * client 1.x names them): what an endpoint serving the whole process shows.
     *
     * @param sources the metrics' sources
     * @param process whether to add the process's families
     * @return the text
     */
    public static String write(Collection<? extends PathManagerMetrics> sources, boolean process) {
        Samples out = new Samples();
        for (Family family : PathManagerMetrics.FAMILIES) {
            out.header(family);
            for (PathManagerMetrics source : sources) {
                family.samples().accept(source, out);
            }
        }
        // A function name may be exposed by several sources: its first registration gives the header.
        Map<String, Family> functions = new LinkedHashMap<>();
        for (PathManagerMetrics source : sources) {
            for (Family family : source.functions()) {
                functions.putIfAbsent(family.name(), family);
            }
        }
        for (Family first : functions.values()) {
            out.header(first);
            for (PathManagerMetrics source : sources) {
                Family family = source.functionNamed(first.name());
                if (family != null) {
                    family.samples().accept(source, out);
                }
            }
        }
        if (process) {
            ProcessMetrics.write(out);
        }
        return out.toString();
    }
}
