package org.mptcp4j.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.loop.EventLoop;

/** Runs a task on an event loop's thread and waits for its result: what the loop's own callers may touch. */
public final class OnLoop {
    private OnLoop() {
    }

    /** {@code task}'s result, or its exception, once the loop has run it (at most a minute). */
    public static <T> T call(EventLoop loop, Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(60, TimeUnit.SECONDS);
    }
}
