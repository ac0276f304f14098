package org.mptcp4j.loop;

import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.MptcpException;

/**
 * What an event loop's thread sets for itself as it starts, before its first poll: SCHED_FIFO
 * at a priority, so that an event wakes it ahead of every ordinary thread however busy the
 * CPUs are, and the CPUs it may run on. The JDK has no way to set either for one thread.
 */
final class ThreadScheduling {
    /** CPU numbers stay below this: the kernel's largest NR_CPUS. */
    static final int MAX_CPUS = 8192;
    private static final int MASK_WORDS = MAX_CPUS / 64;

    private final String thread;
    /** 0: the policy the thread was started with is kept. */
    private final int priority;
    /** null: the CPUs the thread was started with are kept. */
    private final CpuSet cpus;

    private ThreadScheduling(String thread, int priority, CpuSet cpus) {
        this.thread = thread;
        this.priority = priority;
        this.cpus = cpus;
    }

    /** The settings for the loop thread named {@code thread}; null when there are none. */
    static ThreadScheduling of(String thread, int priority, CpuSet cpus) {
        return priority == 0 && cpus == null ? null : new ThreadScheduling(thread, priority, cpus);
    }

    /**
     * Sets the CPUs, then the policy, of the calling thread.
     *
     * @throws MptcpException naming the call, the errno and, for EPERM, the capability it needs
     */
    void apply() {
        if (cpus != null) {
            int result = runOn(cpus.mask(MASK_WORDS));
            if (result < 0) {
                throw new MptcpException("run event loop thread " + thread + " on CPUs " + cpus + " (sched_setaffinity)",
                        -result, null);
            }
        }
        if (priority != 0) {
            int result = fifo(priority);
            if (result < 0) {
                throw new MptcpException("give event loop thread " + thread + " SCHED_FIFO priority " + priority
                        + " (sched_setscheduler)", -result, null);
            }
        }
    }

    /**
     * Whether the loop's thread will be allowed these settings, without touching the caller's:
     * the CPUs must be ones this process may run on, and the settings are applied to a thread
     * made for the purpose, which then ends.
     *
     * @throws IllegalArgumentException naming CPUs this process may not run on
     * @throws MptcpException as {@link #apply()}
     */
    void check() {
        if (cpus != null) {
            cpus.requireAllowed("CPUs of event loop thread " + thread);
        }
        AtomicReference<RuntimeException> refused = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        new Thread(() -> {
            try {
                apply();
            } catch (RuntimeException e) {
                refused.set(e);
            } finally {
                done.countDown();
            }
        }, "mptcp4j-scheduling-check").start();
        awaitUninterruptibly(done);
        if (refused.get() != null) {
            throw refused.get();
        }
    }

    /** Waits for {@code latch}, an interrupt kept for later: what is awaited comes at once. */
    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The CPUs this process may run on: the online ones, less what taskset, a cpuset or CPUAffinity= left out. */
    static BitSet allowedCpus() {
        long[] mask = new long[MASK_WORDS];
        int result = allowed(mask);
        if (result < 0) {
            throw new MptcpException("read the CPUs this process may run on (sched_getaffinity)", -result, null);
        }
        return BitSet.valueOf(mask);
    }

    // Pid 0 is the calling thread: the system call runs on it, through either transport.

    private static int fifo(int priority) {
        return Transport.linux().setScheduler(0, LinuxCalls.SCHED_FIFO, priority);
    }

    private static int runOn(long[] mask) {
        return Transport.linux().setAffinity(0, mask);
    }

    /** The CPUs of the process's main thread (what taskset, cpusets and CPUAffinity= left it) into {@code mask}; their count. */
    private static int allowed(long[] mask) {
        LinuxCalls linux = Transport.linux();
        int result = linux.affinity(linux.processId(), mask);
        if (result < 0) {
            return result;
        }
        int count = 0;
        for (long word : mask) {
            count += Long.bitCount(word);
        }
        return count;
    }
}
