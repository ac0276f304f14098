package org.mptcp4j.loop;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mptcp4j.netlink.EventSocket;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.EventCounter;
import org.mptcp4j.pm.MptcpEvent;
import org.mptcp4j.pm.MptcpEventType;

/**
 * One thread that polls the MPTCP events of a network namespace and hands each to an
 * {@link EventHandler}, with no queue or second thread in between: a command the handler
 * issues runs on this thread, right after the event that caused it. Nothing is allocated
 * per event.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.builder(event -> System.out.println(event)).build()) {
 *     loop.run();   // until loop.stop() from another thread
 * }
 * }</pre>
 *
 * <p>Other threads talk to the loop through {@link #execute(Runnable)} and {@link #stop()}.
 * One thread runs the loop: {@link #run()} or {@link #start()}, once.
 */
public final class EventLoop implements Runnable, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    private final EventSocket socket;
    private final EventHandler handler;
    private final IdleStrategy idle;
    private final String name;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopRequested;
    /** Guarded by {@code tasks}: no task is accepted once set. */
    private boolean terminated;
    private volatile Thread thread;
    private long handlerErrors;

    private EventLoop(Builder b) {
        this.handler = b.handler;
        this.idle = b.idle;
        this.name = b.name != null ? b.name
                : b.namespace == NetworkNamespace.current() ? "mptcp4j-loop" : "mptcp4j-loop-" + b.namespace.name();
        this.socket = EventSocket.open(b.namespace, b.receiveBuffer, b.recordCapacity, b.decoding == EventDecoding.JAVA);
        socket.setTypeMask(b.typeMask);
    }

    /** A loop that hands events to {@code handler}; set the rest on the builder. */
    public static Builder builder(EventHandler handler) {
        return new Builder(handler);
    }

    /**
     * Polls and dispatches until {@link #stop()}, on the calling thread, then closes the
     * event socket.
     */
    @Override
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(name + " is already running");
        }
        loop();
    }

    private void loop() {
        thread = Thread.currentThread();
        try {
            while (!stopRequested) {
                doWork();
            }
        } finally {
            socket.close();
            thread = null;
            finished.countDown();
            failLeftoverTasks();
        }
    }

    /** Runs the loop on a new thread named after the namespace. */
    public Thread start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(name + " is already running");
        }
        Thread t = new Thread(this::loop, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * One round: polls (waiting as the idle strategy says when nothing is pending), hands
     * every event to the handler, runs queued tasks.
     *
     * @return events plus tasks handled
     */
    public int doWork() {
        int n = socket.poll(tasks.isEmpty() ? idle.receiveTimeoutMillis() : 0);
        for (int i = 0; i < n; i++) {
            dispatch(socket.record(i));
        }
        if (n > 0) {
            try {
                handler.onBatchEnd();
            } catch (RuntimeException e) {
                handlerErrors++;
                LOG.log(Level.WARNING, name + ": handler failed at the end of a batch: " + e.getMessage(), e);
            }
        }
        int work = n + runTasks();
        if (work == 0) {
            idle.idle();
        }
        return work;
    }

    private void dispatch(MptcpEvent event) {
        try {
            handler.onEvent(event);
        } catch (RuntimeException e) {
            handlerErrors++;
            LOG.log(Level.WARNING, () -> name + ": handler failed on " + event.type() + " token "
                    + Integer.toHexString(event.token()) + ": " + e.getMessage(), e);
        }
    }

    private int runTasks() {
        int done = 0;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, name + ": task failed: " + e.getMessage(), e);
            }
            done++;
        }
        return done;
    }

    /**
     * Runs {@code task} on the loop's thread at the end of the current round.
     *
     * @throws IllegalStateException when the loop has stopped (the task would never run)
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task);
        synchronized (tasks) {
            if (terminated) {
                throw new IllegalStateException(name + " has stopped");
            }
            tasks.add(task);
        }
        socket.wakeup();
    }

    /** Tasks queued while the loop was stopping never ran: say so rather than drop them silently. */
    private void failLeftoverTasks() {
        int dropped = 0;
        synchronized (tasks) {
            terminated = true;
            while (tasks.poll() != null) {
                dropped++;
            }
        }
        if (dropped > 0) {
            LOG.log(Level.WARNING, name + ": stopped with " + dropped + " task(s) not run");
        }
    }

    /** Asks the loop to finish its round and return from {@link #run()}; from any thread. */
    public void stop() {
        stopRequested = true;
        socket.wakeup();
    }

    /** Waits until {@link #run()} has returned. */
    public void awaitTermination() throws InterruptedException {
        finished.await();
    }

    /** Waits up to {@code seconds} for {@link #run()} to return; whether it did. */
    public boolean finishedWithin(long seconds) throws InterruptedException {
        return finished.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Whether a thread is inside {@link #run()}. */
    public boolean isRunning() {
        return thread != null;
    }

    /** What the native side counted on this loop's socket. */
    public long counter(EventCounter counter) {
        return socket.counter(counter);
    }

    /** Exceptions the handler threw (each logged, none stopped the loop). */
    public long handlerErrors() {
        return handlerErrors;
    }

    /** The thread running the loop, or null. */
    public Thread thread() {
        return thread;
    }

    public String name() {
        return name;
    }

    /** SO_RCVBUF of the event socket as the kernel applied it. */
    public int receiveBufferSize() {
        return socket.receiveBufferSize();
    }

    /**
     * Stops the loop and waits for it; closes the socket if the loop never ran. From the loop's
     * own thread (a handler or task) it only asks the loop to stop after the current round.
     */
    @Override
    public void close() {
        stop();
        if (Thread.currentThread() == thread) {
            return;
        }
        if (started.get()) {
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            socket.close();
        }
    }

    /** Settings of a loop; {@link #build()} opens its socket, so errors surface there. */
    public static final class Builder {
        private final EventHandler handler;
        private NetworkNamespace namespace = NetworkNamespace.current();
        private IdleStrategy idle = IdleStrategy.blocking();
        private int receiveBuffer = EventSocket.DEFAULT_RECEIVE_BUFFER;
        private int recordCapacity = EventSocket.DEFAULT_RECORD_CAPACITY;
        private long typeMask;
        private EventDecoding decoding = EventDecoding.JAVA;
        private String name;

        private Builder(EventHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            this.typeMask = mask(handler.eventTypes());
        }

        private static long mask(Iterable<MptcpEventType> types) {
            long mask = 0;
            for (MptcpEventType type : types) {
                mask |= type.mask();
            }
            return mask;
        }

        /** The namespace whose events to hear (default: the caller's). */
        public Builder namespace(NetworkNamespace namespace) {
            this.namespace = Objects.requireNonNull(namespace);
            return this;
        }

        public Builder idleStrategy(IdleStrategy idle) {
            this.idle = Objects.requireNonNull(idle);
            return this;
        }

        /** SO_RCVBUF of the event socket (default 2 MiB): the backlog the kernel keeps before dropping events. */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBuffer = bytes;
            return this;
        }

        /** Events decoded per poll at most (default 256). */
        public Builder recordCapacity(int records) {
            this.recordCapacity = records;
            return this;
        }

        /**
         * Only these event types reach the handler (in place of its {@link EventHandler#eventTypes()});
         * the others are dropped in native code.
         */
        public Builder eventTypes(MptcpEventType... types) {
            this.typeMask = mask(java.util.List.of(types));
            return this;
        }

        /**
         * Where events are parsed. The default, {@link EventDecoding#JAVA}, measured faster
         * (benchmarks/README.md): libnl's out-of-line accessors cost more than JIT-compiled Java.
         */
        public Builder decoding(EventDecoding decoding) {
            this.decoding = Objects.requireNonNull(decoding);
            return this;
        }

        /** The thread's name (default mptcp4j-loop-NAMESPACE). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public EventLoop build() {
            return new EventLoop(this);
        }
    }
}
