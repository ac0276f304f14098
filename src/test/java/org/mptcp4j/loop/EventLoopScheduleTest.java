package org.mptcp4j.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.standin.KernelStandIn;
import org.mptcp4j.testing.HeldLoop;

/**
 * Scheduled work on a loop fed by a stand-in kernel, its rounds run by the test: a period that
 * would carry the due time past the clock's range is refused, never run on every round.
 */
class EventLoopScheduleTest {
    private static final int ROUNDS = 50;

    private static EventLoop loop(KernelStandIn kernel, IdleStrategy idle) {
        return kernel.loop(event -> {}).idleStrategy(idle).build();
    }

    @Test
    void aHugePeriodOrDelayIsRefusedOrWaitedForNeverRunOnEveryRound() {
        for (Duration huge : new Duration[] {Duration.ofNanos(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE / 2 + 1),
            Duration.ofDays(1_000_000), Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(2), Duration.ofDays(1)}) {
            for (boolean periodic : new boolean[] {true, false}) {
                try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c);
                        EventLoop loop = loop(kernel, IdleStrategy.busySpin())) {
                    AtomicInteger runs = new AtomicInteger();
                    try {
                        if (periodic) {
                            loop.schedule(huge, runs::incrementAndGet);
                        } else {
                            loop.runLater(huge, runs::incrementAndGet);
                        }
                    } catch (IllegalArgumentException e) {
                        assertTrue(e.getMessage().startsWith((periodic ? "period" : "delay")
                                + " must be a duration in " + (periodic ? "1ms" : "0s") + "..1d, not "), e.getMessage());
                        continue;
                    }
                    for (int i = 0; i < ROUNDS; i++) {
                        loop.doWork();
                    }
                    assertEquals(0, runs.get(), (periodic ? "schedule " : "runLater ") + huge + ": ran in " + ROUNDS
                            + " rounds");
                }
            }
        }
    }

    /**
     * A loop asked to stop while a callback blocks it (the daemon replacing it) runs none of its
     * timers once the callback returns, though they are overdue by then: they would run beside
     * the new loop's. A timer asking the loop to stop keeps the next due ones from running.
     */
    @Test
    void noScheduledWorkRunsOnceStopIsAsked() throws Exception {
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c);
                EventLoop loop = loop(kernel, IdleStrategy.blocking())) {
            AtomicInteger runs = new AtomicInteger();
            loop.schedule(Duration.ofMillis(1), runs::incrementAndGet);
            loop.start();
            // A callback (here a task: tasks and events come before the round's scheduled work) that blocks.
            HeldLoop held = HeldLoop.hold(loop);
            int before = runs.get();
            loop.stop();
            Thread.sleep(10); // the timer is overdue when the callback returns
            held.release();
            assertTrue(loop.finishedWithin(60));
            assertEquals(before, runs.get(), "timer runs after the blocked callback returned");
        }
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c);
                EventLoop loop = loop(kernel, IdleStrategy.busySpin())) {
            AtomicInteger second = new AtomicInteger();
            loop.runLater(Duration.ZERO, loop::stop);
            loop.runLater(Duration.ZERO, second::incrementAndGet);
            Thread.sleep(2); // both due
            loop.doWork();
            assertEquals(0, second.get(), "due work run after the loop was asked to stop");
        }
    }

    @Test
    void periodicWorkRunsOncePerPeriodAndTheWaitIsCutShortForIt() {
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c);
                EventLoop loop = loop(kernel, IdleStrategy.blocking())) {
            AtomicInteger runs = new AtomicInteger();
            AtomicInteger once = new AtomicInteger();
            loop.schedule(Duration.ofMillis(1), runs::incrementAndGet);
            loop.runLater(Duration.ZERO, once::incrementAndGet);
            // Blocking: each round waits for the next due work (no event comes), then runs it.
            // The first round runs it too when a millisecond has passed since schedule().
            for (int i = 0; i < ROUNDS; i++) {
                int before = runs.get();
                loop.doWork();
                int ran = runs.get() - before;
                assertTrue(ran <= 1, "round " + (i + 1) + " ran the periodic work " + ran + " times");
            }
            assertEquals(1, once.get());
            assertTrue(runs.get() >= 1, "never ran in " + ROUNDS + " rounds");
        }
    }
}
