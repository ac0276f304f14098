package org.mptcp4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.mptcp4j.loop.CpuSet;

/**
 * A thread's scheduling as the kernel reports it in /proc: its policy and real-time priority
 * ({@code stat} fields 41 and 40) and the CPUs it may run on ({@code Cpus_allowed_list}).
 */
public record ThreadStatus(long tid, int policy, int realtimePriority, String cpus) {
    public static final int SCHED_OTHER = 0;
    public static final int SCHED_FIFO = 1;
    /** The kernel keeps a thread's name (comm) to 15 bytes. */
    private static final int COMM_LENGTH = 15;

    /** Thread {@code tid} of process {@code pid}. */
    public static ThreadStatus of(long pid, long tid) throws IOException {
        Path task = task(pid, tid);
        String stat = Files.readString(task.resolve("stat"));
        // Fields after the name, which may hold spaces and parentheses: the 3rd is first.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
        String cpus = Files.readAllLines(task.resolve("status")).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElseThrow();
        return new ThreadStatus(tid, Integer.parseInt(fields[41 - 3]), Integer.parseInt(fields[40 - 3]), cpus);
    }

    /** The one thread of process {@code pid} named {@code name} (as the kernel keeps it: cut to 15 bytes). */
    public static ThreadStatus named(long pid, String name) throws IOException {
        List<Long> found = tids(pid, name);
        assertEquals(1, found.size(), "threads named " + name + " in process " + pid + ": " + found);
        return of(pid, found.get(0));
    }

    /** The threads of process {@code pid} named {@code name}. */
    public static List<Long> tids(long pid, String name) throws IOException {
        String comm = name.length() > COMM_LENGTH ? name.substring(0, COMM_LENGTH) : name;
        List<Long> found = new ArrayList<>();
        for (long tid : tasks(pid)) {
            try {
                if (Files.readString(task(pid, tid).resolve("comm")).strip().equals(comm)) {
                    found.add(tid);
                }
            } catch (NoSuchFileException ended) {
                // a thread that ended since the list was read
            }
        }
        return found;
    }

    /**
     * Waits up to 10 s until process {@code pid} has {@code count} threads named {@code name}
     * (one ending, another starting); their ids then.
     */
    public static List<Long> awaitThreads(long pid, String name, int count) throws IOException, InterruptedException {
        List<Long> found = tids(pid, name);
        for (int i = 0; i < 500 && found.size() != count; i++) {
            Thread.sleep(20);
            found = tids(pid, name);
        }
        return found;
    }

    /**
     * The threads of process {@code pid} under a real-time policy, once the short-lived thread
     * on which building a loop tries its settings ({@code mptcp4j-scheduling-check}) has ended.
     */
    public static List<ThreadStatus> realtime(long pid) throws IOException, InterruptedException {
        assertEquals(List.of(), awaitThreads(pid, "mptcp4j-scheduling-check", 0), "the check's thread ends");
        return all(pid).stream().filter(t -> t.policy() != SCHED_OTHER).toList();
    }

    /** The lowest CPU number this process may not run on: offline, absent, or outside its affinity. */
    public static int cpuNotAllowed() {
        CpuSet allowed = CpuSet.allowed();
        int cpu = 0;
        while (allowed.contains(cpu)) {
            cpu++;
        }
        return cpu;
    }

    /** Every thread of process {@code pid}. */
    public static List<ThreadStatus> all(long pid) throws IOException {
        List<ThreadStatus> all = new ArrayList<>();
        for (long tid : tasks(pid)) {
            try {
                all.add(of(pid, tid));
            } catch (NoSuchFileException ended) {
                // a thread that ended since the list was read
            }
        }
        return all;
    }

    private static List<Long> tasks(long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.map(t -> Long.parseLong(t.getFileName().toString())).toList();
        }
    }

    private static Path task(long pid, long tid) {
        return Path.of("/proc", Long.toString(pid), "task", Long.toString(tid));
    }
}
