package org.mptcp4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/** Keeps a copy of every event an event loop hands it, and waits for the ones a test expects. */
public final class EventRecorder implements EventHandler {
    private final BlockingQueue<SeenEvent> queue = new LinkedBlockingQueue<>();
    private final List<SeenEvent> all = new ArrayList<>();

    @Override
    public void onEvent(MptcpEvent event) {
        queue.add(SeenEvent.of(event));
    }

    /** The next event of {@code type} matching {@code filter}, skipping others; fails after 10 s. */
    public SeenEvent await(MptcpEventType type, Predicate<SeenEvent> filter) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long left = deadline - System.nanoTime();
            SeenEvent e = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (e == null) {
                fail("no " + type + " event within 10 s; saw " + all);
            }
            all.add(e);
            if (e.type() == type && filter.test(e)) {
                return e;
            }
        }
    }

    public SeenEvent await(MptcpEventType type) throws InterruptedException {
        return await(type, e -> true);
    }

    /** Every event seen so far, awaited or not. */
    public List<SeenEvent> seen() {
        queue.drainTo(all);
        return List.copyOf(all);
    }
}
