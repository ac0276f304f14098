package org.mptcp4j.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.mptcp4j.natives.Transport;

/**
 * The process's own families: {@code mptcp4j_build_info}, then the {@code process_*} and
 * {@code jvm_*} families under the names, types and help of the Prometheus Java client 1.x
 * ({@code prometheus-metrics-instrumentation-jvm}'s ProcessMetrics, JvmMemoryMetrics,
 * JvmThreadsMetrics, JvmGarbageCollectorMetrics, JvmClassLoadingMetrics and
 * JvmRuntimeInfoMetric), so that dashboards made for JVMs work unchanged. Only the cheap ones:
 * no thread states or deadlock search, which walk every thread at each scrape.
 */
final class ProcessMetrics {
    static final String BUILD_INFO = "mptcp4j_build_info";
    /** Written by the build (version, revision); absent when the classes were built otherwise. */
    private static final String BUILD_PROPERTIES = "build.properties";
    private static final Properties BUILD = buildProperties();

    private ProcessMetrics() {}

    static void write(Samples out) {
        writeBuildInfo(out);
        writeProcess(out);
        writeJvm(out);
    }

    private static void writeBuildInfo(Samples out) {
        header(out, BUILD_INFO, Family.GAUGE, "mptcp4j's version, the commit it was built from, and the transport reaching the kernel.");
        out.sample(BUILD_INFO).label("version", BUILD.getProperty("version", "unknown"))
                .label("revision", BUILD.getProperty("revision", "unknown")).label("transport", transport()).value(1);
    }

    private static void writeProcess(Samples out) {
        Optional<Duration> cpu = ProcessHandle.current().info().totalCpuDuration();
        if (cpu.isPresent()) {
            header(out, "process_cpu_seconds_total", Family.COUNTER, "Total user and system CPU time spent in seconds.");
            out.sample("process_cpu_seconds_total").seconds(cpu.get().toNanos());
        }
        header(out, "process_start_time_seconds", Family.GAUGE, "Start time of the process since unix epoch in seconds.");
        out.sample("process_start_time_seconds").seconds(ManagementFactory.getRuntimeMXBean().getStartTime() * 1_000_000);
        gauge(out, "process_open_fds", "Number of open file descriptors.", openDescriptors());
        gauge(out, "process_max_fds", "Maximum number of open file descriptors.", maxDescriptors());
        List<String> status = lines(Path.of("/proc/self/status"));
        gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", statusBytes(status, "VmSize:"));
        gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", statusBytes(status, "VmRSS:"));
    }

    private static void writeJvm(Samples out) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        writeAreas(out, "jvm_memory_used_bytes", "Used bytes of a given JVM memory area.", heap, nonHeap, MemoryUsage::getUsed);
        writeAreas(out, "jvm_memory_committed_bytes", "Committed (bytes) of a given JVM memory area.", heap, nonHeap,
                MemoryUsage::getCommitted);
        writeAreas(out, "jvm_memory_max_bytes", "Max (bytes) of a given JVM memory area.", heap, nonHeap, MemoryUsage::getMax);
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
        writePools(out, "jvm_memory_pool_used_bytes", "Used bytes of a given JVM memory pool.", pools, MemoryUsage::getUsed);
        writePools(out, "jvm_memory_pool_committed_bytes", "Committed bytes of a given JVM memory pool.", pools,
                MemoryUsage::getCommitted);
        writePools(out, "jvm_memory_pool_max_bytes", "Max bytes of a given JVM memory pool.", pools, MemoryUsage::getMax);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        gauge(out, "jvm_threads_current", "Current thread count of a JVM", threads.getThreadCount());
        gauge(out, "jvm_threads_daemon", "Daemon thread count of a JVM", threads.getDaemonThreadCount());
        gauge(out, "jvm_threads_peak", "Peak thread count of a JVM", threads.getPeakThreadCount());
        header(out, "jvm_threads_started_total", Family.COUNTER, "Started thread count of a JVM");
        out.sample("jvm_threads_started_total").value(threads.getTotalStartedThreadCount());

        header(out, "jvm_gc_collection_seconds", Family.SUMMARY, "Time spent in a given JVM garbage collector in seconds.");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            out.sample("jvm_gc_collection_seconds_count").label("gc", gc.getName()).value(Math.max(0, gc.getCollectionCount()));
            out.sample("jvm_gc_collection_seconds_sum").label("gc", gc.getName())
                    .seconds(Math.max(0, gc.getCollectionTime()) * 1_000_000);
        }

        var classes = ManagementFactory.getClassLoadingMXBean();
        gauge(out, "jvm_classes_currently_loaded", "The number of classes that are currently loaded in the JVM",
                classes.getLoadedClassCount());
        header(out, "jvm_classes_loaded_total", Family.COUNTER,
                "The total number of classes that have been loaded since the JVM has started execution");
        out.sample("jvm_classes_loaded_total").value(classes.getTotalLoadedClassCount());
        header(out, "jvm_classes_unloaded_total", Family.COUNTER,
                "The total number of classes that have been unloaded since the JVM has started execution");
        out.sample("jvm_classes_unloaded_total").value(classes.getUnloadedClassCount());

        header(out, "jvm_runtime_info", Family.GAUGE, "JVM runtime info");
        out.sample("jvm_runtime_info").label("version", System.getProperty("java.runtime.version", "unknown"))
                .label("vendor", System.getProperty("java.vm.vendor", "unknown"))
                .label("runtime", System.getProperty("java.runtime.name", "unknown")).value(1);
    }

    private static void header(Samples out, String name, String type, String help) {
        out.header(new Family(name, type, help, null));
    }

    /** A gauge without labels; left out when its value could not be read (-1). */
    private static void gauge(Samples out, String name, String help, long value) {
        if (value >= 0) {
            header(out, name, Family.GAUGE, help);
            out.sample(name).value(value);
        }
    }

    private static void writeAreas(Samples out, String name, String help, MemoryUsage heap, MemoryUsage nonHeap,
            ToLongFunction<MemoryUsage> value) {
        header(out, name, Family.GAUGE, help);
        out.sample(name).label("area", "heap").value(value.applyAsLong(heap));
        out.sample(name).label("area", "nonheap").value(value.applyAsLong(nonHeap));
    }

    private static void writePools(Samples out, String name, String help, List<MemoryPoolMXBean> pools,
            ToLongFunction<MemoryUsage> value) {
        header(out, name, Family.GAUGE, help);
        for (MemoryPoolMXBean pool : pools) {
            MemoryUsage usage = pool.getUsage();
            if (usage != null) { // a pool no longer valid
                out.sample(name).label("pool", pool.getName()).value(value.applyAsLong(usage));
            }
        }
    }

    /** jni or ffm; none when no transport could be chosen (the metrics are still served). */
    private static String transport() {
        try {
            return Transport.selected().name().toLowerCase(Locale.ROOT);
        } catch (RuntimeException e) {
            return "none";
        }
    }

    private static Properties buildProperties() {
        Properties build = new Properties();
        try (InputStream in = ProcessMetrics.class.getResourceAsStream(BUILD_PROPERTIES)) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // the labels say unknown
        }
        return build;
    }

    /** The file's lines; none where it cannot be read (not Linux). */
    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** A "Vm...: N kB" line of /proc/self/status in bytes, or -1. */
    private static long statusBytes(List<String> status, String key) {
        for (String line : status) {
            if (line.startsWith(key)) {
                try {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
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

    /** The soft limit of open files, from /proc/self/limits; -1 when unknown or unlimited. */
    private static long maxDescriptors() {
        for (String line : lines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                try {
                    return Long.parseLong(soft);
                } catch (NumberFormatException e) {
                    return -1; // unlimited
                }
            }
        }
        return -1;
    }
}
