package org.mptcp4j.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.standin.KernelStandIn;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ThreadStatus;

/**
 * An event loop's thread sets its own policy and CPUs before its first poll, as /proc shows
 * them; the thread that built the loop keeps its own, and no thread is left real-time once
 * the loop has ended. Root, for CAP_SYS_NICE.
 */
@KernelTest
class ThreadSchedulingKernelTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final String NAME = "m4j-rt-loop";

    /** The calling thread, as /proc/thread-self names it. */
    private static ThreadStatus own() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // PID/task/TID
            return ThreadStatus.of(PID, Long.parseLong(self.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theLoopThreadRunsUnderSchedFifoOnItsCpuFromBeforeItsFirstPoll() throws Exception {
        ThreadStatus caller = own();
        CompletableFuture<ThreadStatus> atStart = new CompletableFuture<>();
        EventHandler handler = new EventHandler() {
            @Override
            public void onEvent(MptcpEvent event) {}

            @Override
            public void onLoopStart(EventLoop loop) {
                atStart.complete(own());
            }
        };
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c);
                EventLoop loop = kernel.loop(handler).name(NAME).realtimePriority(50)
                        .cpus(CpuSet.of(0)).build()) {
            assertEquals(List.of(), ThreadStatus.realtime(PID), "build() tried the settings on a thread that has ended");
            assertEquals(caller, own(), "the building thread keeps its own scheduling");
            loop.start();
            ThreadStatus first = atStart.get(10, TimeUnit.SECONDS);
            assertEquals(new ThreadStatus(first.tid(), ThreadStatus.SCHED_FIFO, 50, "0"), first);
            assertEquals(first, ThreadStatus.named(PID, NAME), "as the loop runs");
            CompletableFuture<ThreadStatus> task = new CompletableFuture<>();
            loop.execute(() -> task.complete(own()));
            assertEquals(first, task.get(10, TimeUnit.SECONDS), "tasks run on it");
            assertEquals(List.of(first), ThreadStatus.realtime(PID), "the loop's thread alone");
        }
        assertEquals(List.of(), ThreadStatus.awaitThreads(PID, NAME, 0), "the loop's thread ends");
        assertEquals(List.of(), ThreadStatus.realtime(PID), "none is left real-time");
        assertEquals(caller, own());
    }

    @Test
    void aCpuThisProcessMayNotRunOnIsRefusedWhenTheLoopIsBuilt() throws Exception {
        int cpu = ThreadStatus.cpuNotAllowed();
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kernel.loop(event -> {})
                    .name(NAME).cpus(CpuSet.of(0, cpu)).build());
            assertEquals("CPUs of event loop thread " + NAME + ": no CPU " + cpu + " to run on here (this process may run"
                    + " on CPUs " + CpuSet.allowed() + ")", e.getMessage());
        }
        assertEquals(List.of(), ThreadStatus.realtime(PID));
    }

    /** Applied by a thread of its own, the settings are that thread's alone, as /proc shows them. */
    @Test
    void theSettingsAreTheApplyingThreadsAlone() throws Exception {
        ThreadStatus caller = own();
        CompletableFuture<ThreadStatus> applied = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                ThreadScheduling.of(NAME, 50, CpuSet.of(0)).apply();
                applied.complete(own());
            } catch (RuntimeException e) {
                applied.completeExceptionally(e);
            }
        }, NAME);
        thread.start();
        ThreadStatus status = applied.get(10, TimeUnit.SECONDS);
        assertEquals(new ThreadStatus(status.tid(), ThreadStatus.SCHED_FIFO, 50, "0"), status);
        assertEquals(caller, own());
        thread.join();
        assertEquals(List.of(), ThreadStatus.realtime(PID));
    }

    /** What the kernel refuses is named with the call and its errno: a priority beyond SCHED_FIFO's 99, CPUs none of which is there. */
    @Test
    void theKernelsRefusalsAreNamed() throws Exception {
        MptcpException priority = assertThrows(MptcpException.class, () -> ThreadScheduling.of(NAME, 100, null).check());
        assertEquals("give event loop thread " + NAME + " SCHED_FIFO priority 100 (sched_setscheduler): Invalid argument"
                + " (EINVAL)", priority.getMessage());
        int cpu = ThreadStatus.cpuNotAllowed();
        MptcpException cpus = assertThrows(MptcpException.class, () -> ThreadScheduling.of(NAME, 0, CpuSet.of(cpu)).apply());
        assertEquals("run event loop thread " + NAME + " on CPUs " + CpuSet.of(cpu) + " (sched_setaffinity): Invalid argument"
                + " (EINVAL)", cpus.getMessage());
        assertEquals(List.of(), ThreadStatus.realtime(PID));
    }
}
