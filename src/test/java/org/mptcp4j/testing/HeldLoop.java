package org.mptcp4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.loop.EventLoop;

/**
 * An event loop held inside one of its tasks, as a stalled daemon would be, so that the kernel's
 * messages pile up in its sockets; {@link #release()} lets it go on.
 */
public final class HeldLoop {
    private final CountDownLatch release = new CountDownLatch(1);

    private HeldLoop() {}

    /** Returns once the loop's thread is held. */
    public static HeldLoop hold(EventLoop loop) throws InterruptedException {
        HeldLoop held = new HeldLoop();
        CountDownLatch holding = new CountDownLatch(1);
        loop.execute(() -> {
            holding.countDown();
            try {
                held.release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS), "the loop ran the holding task");
        return held;
    }

    public void release() {
        release.countDown();
    }
}
