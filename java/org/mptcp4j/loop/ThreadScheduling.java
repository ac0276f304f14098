package org.mptcp4j.loop;

import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.mptcp4j.natives.NativeLibrary;
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
        NativeLibrary.ensureLoaded();
        if (cpus != null) {
            int result = setAffinity(cpus.mask(MASK_WORDS));
            if (result < 0) {
                throw new MptcpException("run event loop thread " + thread + " on CPUs " + cpus + " (sched_setaffinity)",
                        -result, null);
            }
        }
        if (priority != 0) {
            int result = setFifo(priority);
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
        NativeLibrary.ensureLoaded();
        long[] mask = new long[MASK_WORDS];
        int result = allowedCpus(mask);
        if (result < 0) {
            throw new MptcpException("read the CPUs this process may run on (sched_getaffinity)", -result, null);
        }
        return BitSet.valueOf(mask);
    }

    private static native int setFifo(int priority);

    private static native int setAffinity(long[] mask);

    private static native int allowedCpus(long[] mask);
}
