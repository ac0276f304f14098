package org.mptcp4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.EventCounter;
import org.mptcp4j.protocol.MptcpEvent;

/**
 * The daemon side of the churn benchmark: an event loop on a namespace at the default buffer
 * size, counting every event, and once a second a JSON line with events handled and lost,
 * the loop thread's and the process's CPU time, heap and RSS.
 *
 *   java -cp benchmarks.jar org.mptcp4j.benchmarks.ChurnMonitor NETNS SECONDS [native|java]
 */
public final class ChurnMonitor {
    private static long handled;

    private ChurnMonitor() {}

    public static void main(String[] args) throws Exception {
        NetworkNamespace ns = NetworkNamespace.named(args[0]);
        int seconds = Integer.parseInt(args[1]);
        EventDecoding decoding = args.length > 2 && args[2].equals("java") ? EventDecoding.JAVA : EventDecoding.NATIVE;
        EventLoop loop = EventLoop.builder(ChurnMonitor::count).namespace(ns).decoding(decoding).build();
        Thread thread = loop.start();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var memory = ManagementFactory.getMemoryMXBean();
        System.out.println("{\"ready\":true,\"receive_buffer\":" + loop.receiveBufferSize() + "}");
        for (int s = 1; s <= seconds; s++) {
            Thread.sleep(1000);
            System.out.printf("{\"t\":%d,\"events\":%d,\"lost\":%d,\"dropped_datagrams\":%d,\"loop_cpu_ns\":%d,"
                    + "\"process_cpu_ns\":%d,\"heap_used\":%d,\"rss\":%d}%n", s, loop.counter(EventCounter.RECORDS),
                    loop.counter(EventCounter.LOST), loop.counter(EventCounter.TRUNCATED),
                    threads.getThreadCpuTime(thread.getId()), os.getProcessCpuTime(),
                    memory.getHeapMemoryUsage().getUsed(), rss());
        }
        loop.close();
        System.out.println("{\"handled\":" + handled + "}");
    }

    private static void count(MptcpEvent event) {
        handled++;
    }

    private static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
