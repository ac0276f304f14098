package org.mptcp4j.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The process's own gauges, under the names Prometheus client libraries use: resident memory,
 * open file descriptors, and the JVM heap. A soak run reads them to show that nothing grows.
 */
final class ProcessMetrics {
    private ProcessMetrics() {}

    static void write(Samples out) {
        long rss = residentBytes();
        if (rss >= 0) {
            out.header(new Family("process_resident_memory_bytes", Family.GAUGE, "Resident memory size in bytes", null));
            out.sample("process_resident_memory_bytes").value(rss);
        }
        long fds = openDescriptors();
        if (fds >= 0) {
            out.header(new Family("process_open_fds", Family.GAUGE, "Number of open file descriptors", null));
            out.sample("process_open_fds").value(fds);
        }
        Runtime runtime = Runtime.getRuntime();
        out.header(new Family("jvm_memory_heap_used_bytes", Family.GAUGE, "Java heap in use, garbage included", null));
        out.sample("jvm_memory_heap_used_bytes").value(runtime.totalMemory() - runtime.freeMemory());
        out.header(new Family("jvm_memory_heap_committed_bytes", Family.GAUGE, "Java heap the JVM holds", null));
        out.sample("jvm_memory_heap_committed_bytes").value(runtime.totalMemory());
    }

    /** VmRSS of /proc/self/status, or -1 where there is none. */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or an unexpected line: the gauge is left out
        }
        return -1;
    }

    /** Entries of /proc/self/fd (the listing's own descriptor included), or -1. */
    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
