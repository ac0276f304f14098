package org.mptcp4j.command;

import java.util.concurrent.CountDownLatch;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * What every command shares, on the command line and on the daemon's control socket: the exit
 * statuses, the namespace a command names, and waiting for an interrupt.
 */
public final class Commands {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    /** What was asked about is not there ('exists'): an answer, not a failure. */
    public static final int ABSENT = 3;

    private Commands() {
    }

    /** The namespace {@code --netns} names, else this process's. */
    public static NetworkNamespace namespace(Arguments a) {
        return a.has("netns") ? NetworkNamespace.named(a.get("netns", "")) : NetworkNamespace.current();
    }

    /** Blocks until SIGINT or SIGTERM, then runs {@code onStop} before the JVM exits. */
    public static void awaitInterrupt(Runnable onStop) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            onStop.run();
            stopped.countDown();
        }, "mptcp4j-shutdown"));
        stopped.await();
    }
}
