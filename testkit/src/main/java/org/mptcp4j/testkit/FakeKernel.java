package org.mptcp4j.testkit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.LocalAddress;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;
import org.mptcp4j.standin.Answers;

/**
 * A kernel for one controller in a unit test: it hosts the controller as the daemon does (a
 * {@link ControllerHost} in an event loop) over a stand-in for the kernel's netlink sockets,
 * sends it the events the test makes, and hands the test each command the controller sends,
 * decoded, to look at and to answer. It needs no root and no MPTCP kernel.
 *
 * <pre>{@code
 * try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(2))) {
 *     kernel.established(0x1c0ffee5).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
 *     Command first = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
 *     assertEquals(443, first.remotePort());
 *     kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
 *     kernel.assertNoMoreCommands();
 * }
 * }</pre>
 *
 * <p><b>Events</b> are sent on the kernel's event socket as the kernel writes them, and
 * {@link #send} returns once the loop has handled them: the commands they caused are then
 * waiting in {@link #nextCommand()}. A {@link Recording} of a real namespace is sent with
 * {@link #replay}.
 *
 * <p><b>Commands</b> are answered by the {@linkplain Builder#answers answer policy} (default: every
 * one accepted), after one-off answers the test queued ({@link #answerNext}); a held command
 * ({@link Answer#hold()}) waits for the test's {@link Command#ok()} or {@link Command#fail}. Every
 * wait is bounded ({@link Builder#timeout}, default 5 s): what did not come fails the test with an
 * {@link AssertionError} that says what did. Dumps (the host's look at the endpoints, a
 * connection's address list) are answered empty and are not among the commands.
 *
 * <p><b>Time</b> stands still until the test {@linkplain #advance advances} it: the loop's timers
 * and {@code ControllerContext.nanoTime()} go by the kit's clock, and every timer of the
 * controller that falls due runs, in order, at its time.
 *
 * <p><b>What the kernel knows</b> of connections (sock_diag: {@code ControllerContext.connection},
 * {@code connections}) is what the test said with {@link #knows}; events do not change it. The
 * namespace's usable addresses are those of {@link Builder#localAddresses} (none by default).
 * Subflow timeouts of connections the controller watches are sent with {@link #subflowTimeout}.
 *
 * <p>The controller's exceptions are logged by the loop as always and kept here: {@link #close}
 * fails with them unless the test took them ({@link #takeErrors}). Not simulated: resyncs (no
 * connection is discovered; lost events cannot be made), local address and link changes, the
 * multipath-tcp.org v0.95 family.
 */
public final class FakeKernel implements AutoCloseable {
    /** How long a wait lasts by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Where the kit's clock starts: any value would do, as the loop compares times by their difference. */
    private static final long CLOCK_START = TimeUnit.HOURS.toNanos(1);
    /** What a wait looks at between its checks. */
    private static final long CHECK_MILLIS = 5;
    /** Rounds of timers due at one time, at most: more means one is due again at once, for ever. */
    private static final int MAX_TIMER_ROUNDS = 10_000;
    private static final Set<MptcpEventType> RTNETLINK = EnumSet.of(MptcpEventType.LOCAL_ADDRESS_ADDED,
            MptcpEventType.LOCAL_ADDRESS_REMOVED, MptcpEventType.LINK_UP, MptcpEventType.LINK_DOWN);

    private final AtomicLong clock = new AtomicLong(CLOCK_START);
    private final long timeoutNanos;
    private final Function<Command, Answer> policy;
    private final List<LocalAddress> localAddresses;
    private final StandIn standIn;
    private final PathManager pathManager;
    private final EventLoop loop;
    private final Thread answering;
    private volatile boolean closing;
    private final BlockingQueue<Command> pending = new LinkedBlockingQueue<>();
    private final List<Command> commands = new CopyOnWriteArrayList<>();
    private final Deque<OneOff> oneOffs = new ArrayDeque<>();
    /** The command the policy held, waiting for the test's answer; null when none. */
    private volatile Command held;
    private final Map<Integer, ConnectionInfo> known = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Set<Integer> watched = ConcurrentHashMap.newKeySet();
    private final List<Timer> timers = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** A failure of the answering thread, said by the next wait. */
    private volatile RuntimeException answeringFailed;

    private record OneOff(PmCommand command, Answer answer) {}

    private FakeKernel(Builder b, Controller controller) {
        this.timeoutNanos = b.timeout.toNanos();
        this.policy = b.policy;
        this.localAddresses = List.copyOf(b.localAddresses);
        this.standIn = new StandIn(clock::get);
        PathManager pm = null;
        EventLoop built = null;
        try {
            pm = standIn.pathManager();
            ControllerHost host = new ControllerHost(new HostedController(Objects.requireNonNull(controller, "controller"), this), pm)
                    .listsConnections(false);
            // rtnetlink would bring the test machine's own address changes: not the kit's to send.
            EnumSet<MptcpEventType> types = EnumSet.copyOf(host.eventTypes());
            types.removeAll(RTNETLINK);
            built = standIn.loop(host).eventTypes(types.toArray(MptcpEventType[]::new)).name("mptcp4j-testkit-loop")
                    .build();
        } catch (RuntimeException | Error e) {
            if (pm != null) {
                pm.close();
            }
            standIn.close();
            throw e;
        }
        this.pathManager = pm;
        this.loop = built;
        this.answering = new Thread(this::answer, "mptcp4j-testkit-kernel");
        answering.setDaemon(true);
        answering.start();
        loop.start();
        awaitIdle(); // the controller has started
    }

    /** A kernel hosting {@code controller}, with the defaults ({@link #builder()} for others). */
    public static FakeKernel hosting(Controller controller) {
        return builder().host(controller);
    }

    /** A kernel hosting the controller {@code provider} makes with {@code parameters}, as the daemon's configuration would. */
    public static FakeKernel hosting(ControllerProvider provider, Map<String, String> parameters) {
        return builder().host(provider, parameters);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a fake kernel; {@link #host} starts it. */
    public static final class Builder {
        private Duration timeout = DEFAULT_TIMEOUT;
        private Function<Command, Answer> policy = c -> Answer.ok();
        private final List<LocalAddress> localAddresses = new ArrayList<>();

        private Builder() {}

        /** How long waits for the controller last (default {@link #DEFAULT_TIMEOUT}). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("a timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** How commands are answered unless {@link FakeKernel#answerNext} said otherwise (default: accepted). */
        public Builder answers(Function<Command, Answer> policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Every command waits for the test's answer ({@link Command#ok()}, {@link Command#fail}). */
        public Builder holdCommands() {
            return answers(c -> Answer.hold());
        }

        /**
         * The namespace's addresses subflows can start from ({@code ControllerContext.usableLocalAddresses}),
         * in order, each on an interface of its own (index 2, 3, ...).
         */
        public Builder localAddresses(String... addresses) {
            for (String a : addresses) {
                InetAddress address = Event.literal(a);
                localAddresses.add(new LocalAddress(address, address instanceof Inet4Address ? 24 : 64,
                        localAddresses.size() + 2, LocalAddress.SCOPE_GLOBAL, 0));
            }
            return this;
        }

        /** Starts the kernel with {@code controller}; returns once the controller has started. */
        public FakeKernel host(Controller controller) {
            return new FakeKernel(this, controller);
        }

        /** As {@link #host(Controller)}, with the controller {@code provider} makes with {@code parameters}. */
        public FakeKernel host(ControllerProvider provider, Map<String, String> parameters) {
            return host(provider.create(ControllerParameters.of(provider.name(), parameters)));
        }
    }

    // ---------------------------------------------------------------- events

    /** A connection was created; {@code send()} the builder. */
    public Event.Builder created(int token) {
        return new Event.Builder(MptcpEventType.CREATED, token, this);
    }

    /** The connection is fully established. */
    public Event.Builder established(int token) {
        return new Event.Builder(MptcpEventType.ESTABLISHED, token, this);
    }

    public Event.Builder closed(int token) {
        return new Event.Builder(MptcpEventType.CLOSED, token, this);
    }

    /** The peer announced an address. */
    public Event.Builder announced(int token) {
        return new Event.Builder(MptcpEventType.ANNOUNCED, token, this);
    }

    /** The peer removed an address. */
    public Event.Builder removed(int token) {
        return new Event.Builder(MptcpEventType.REMOVED, token, this);
    }

    public Event.Builder subflowEstablished(int token) {
        return new Event.Builder(MptcpEventType.SUB_ESTABLISHED, token, this);
    }

    public Event.Builder subflowClosed(int token) {
        return new Event.Builder(MptcpEventType.SUB_CLOSED, token, this);
    }

    public Event.Builder subflowPriority(int token) {
        return new Event.Builder(MptcpEventType.SUB_PRIORITY, token, this);
    }

    public Event.Builder listenerCreated() {
        return new Event.Builder(MptcpEventType.LISTENER_CREATED, 0, this);
    }

    public Event.Builder listenerClosed() {
        return new Event.Builder(MptcpEventType.LISTENER_CLOSED, 0, this);
    }

    /**
     * A retransmission timeout on a subflow of connection {@code token}, which the controller
     * watches ({@code ControllerContext.watchTimeouts}): what the host reports then. Give the
     * subflow's addresses, and its RTO with {@code rtoMicros}.
     */
    public Event.Builder subflowTimeout(int token) {
        return new Event.Builder(MptcpEventType.SUBFLOW_TIMEOUT, token, this);
    }

    /**
     * Sends {@code events}, each as the kernel would (a datagram of its own), and waits until the
     * loop has handled them, or until the controller waits for a held command.
     *
     * @throws IllegalStateException for a subflow timeout of a connection the controller does not watch
     * @throws AssertionError when the loop did not get through them within the timeout
     */
    public FakeKernel send(Event... events) {
        for (Event e : events) {
            if (e.type == MptcpEventType.SUBFLOW_TIMEOUT) {
                if (!watched.contains(e.token)) {
                    throw new IllegalStateException("the controller does not watch connection " + hex(e.token)
                            + " for timeouts: the host would report none");
                }
                TimeoutEvent timeout = new TimeoutEvent(e.token, e.local, e.localPort, e.localId, e.remote, e.remotePort,
                        e.remoteId, e.timeoutMicros, clock.get());
                loop.execute(() -> loop.deliver(timeout));
            } else {
                standIn.send(e);
            }
        }
        awaitIdle();
        return this;
    }

    /**
     * Sends a recording's events in order, advancing the clock to each event's time in the
     * recording (the controller's timers run between them as they would have), and waits until
     * the loop has handled them. A recording with commands ({@code mptcp4j run --record}) has
     * the controller's commands answered as the kernel answered the recorded ones: the n-th
     * command of a kind gets the n-th recorded answer of that kind ({@link #answerNext}, queued
     * before the first event); compare {@link #commands()} to {@link Recording#commands()}.
     *
     * @return the number of events sent
     */
    public int replay(Recording recording) {
        for (Command c : recording.commands()) {
            if (c.command() != null && c.answer() != null) {
                answerNext(c.command(), c.answer());
            }
        }
        long start = clock.get();
        int sent = 0;
        for (StandIn.Recorded.Datagram d : recording.datagrams()) {
            long at = start + d.offsetNanos();
            if (at - clock.get() > 0) {
                advance(Duration.ofNanos(at - clock.get()));
            }
            byte[] bytes = d.bytes().clone();
            sent += ownFamily(bytes);
            standIn.sendDatagram(bytes);
            awaitIdle();
        }
        return sent;
    }

    /** Gives each message of a recorded datagram the stand-in's family id; the number of messages. */
    private static int ownFamily(byte[] datagram) {
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        int n = 0;
        for (int at = 0; at + 16 <= datagram.length; n++) {
            int length = b.getInt(at);
            b.putShort(at + 4, (short) StandIn.FAMILY_ID);
            if (length < 16) {
                return n + 1;
            }
            at += (length + 3) & ~3;
        }
        return n;
    }

    // ---------------------------------------------------------------- commands

    /**
     * The next command the controller sent that the test has not taken yet, waiting up to the
     * timeout for it.
     *
     * @throws AssertionError when none came, saying what the controller sent and threw
     */
    public Command nextCommand() {
        Command c;
        try {
            c = pending.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a command", e);
        }
        if (c == null) {
            throw new AssertionError("no command from the controller within " + Duration.ofNanos(timeoutNanos).toMillis()
                    + " ms; " + state());
        }
        return c;
    }

    /**
     * The next command, which must be {@code expected}.
     *
     * @throws AssertionError when none came, or another did
     */
    public Command nextCommand(PmCommand expected) {
        Command c = nextCommand();
        if (c.command() != expected) {
            throw new AssertionError("expected " + expected + ", the controller sent " + c + "; " + state());
        }
        return c;
    }

    /**
     * Waits until the loop has handled everything sent so far, then asserts that the test has
     * taken every command the controller sent.
     *
     * @throws AssertionError naming the commands not taken
     */
    public void assertNoMoreCommands() {
        awaitIdle();
        if (!pending.isEmpty()) {
            throw new AssertionError("commands not expected: " + List.copyOf(pending) + "; " + state());
        }
    }

    /** Every command the controller sent so far, taken or not, in order. */
    public List<Command> commands() {
        return List.copyOf(commands);
    }

    /**
     * Answers the next {@code command} the controller sends with {@code answer}, ahead of the
     * policy; several queue up, each used once, in order.
     */
    public FakeKernel answerNext(PmCommand command, Answer answer) {
        synchronized (oneOffs) {
            oneOffs.add(new OneOff(Objects.requireNonNull(command, "command"), Objects.requireNonNull(answer, "answer")));
        }
        return this;
    }

    /** Refuses the next {@code command} with {@code errno} and the extended ack {@code message}. */
    public FakeKernel failNext(PmCommand command, int errno, String message) {
        return answerNext(command, Answer.fail(errno, message));
    }

    private Answer answerFor(Command c) {
        synchronized (oneOffs) {
            for (var i = oneOffs.iterator(); i.hasNext(); ) {
                OneOff o = i.next();
                if (o.command() == c.command()) {
                    i.remove();
                    return o.answer();
                }
            }
        }
        return Objects.requireNonNull(policy.apply(c), "the answer policy gave no answer");
    }

    /** The kernel's side of the command socket: takes each request, answers it as the test says. */
    private void answer() {
        try {
            while (!closing) {
                byte[] datagram = standIn.receiveRequest((int) CHECK_MILLIS * 10);
                if (datagram == null) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
                for (int at = 0; at + 16 <= datagram.length; ) {
                    int length = b.getInt(at);
                    if (length < 16 || at + length > datagram.length) {
                        break;
                    }
                    byte[] message = new byte[length];
                    b.get(at, message);
                    answerOne(message);
                    at += (length + 3) & ~3;
                }
            }
        } catch (RuntimeException e) {
            if (!closing) {
                answeringFailed = e;
            }
        }
    }

    private void answerOne(byte[] message) {
        Command c = Command.decode(message);
        if (c == null) {
            return; // shorter than a request: nothing any path manager sends
        }
        if (c.dump()) {
            standIn.sendAnswer(Answers.done(c.request()));
            return;
        }
        commands.add(c);
        pending.add(c);
        Answer a = closing ? Answer.ok() : answerFor(c);
        if (a.held()) {
            held = c;
            try {
                a = waitForTest(c);
            } finally {
                held = null;
            }
        } else if (!c.answerIfOpen(a)) {
            a = c.answer();
        }
        standIn.sendAnswer(Answers.error(c.request(), a.errno(), a.message()));
    }

    /** A held command's answer, once the test gives it (or the kernel closes: then ok). */
    private Answer waitForTest(Command c) {
        while (true) {
            try {
                return c.answerFuture().get(CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (closing) {
                    c.answerIfOpen(Answer.ok());
                }
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException("waiting for the test's answer: " + e, e);
            }
        }
    }

    // ---------------------------------------------------------------- time

    /** The kit's clock, in nanoseconds: what {@code ControllerContext.nanoTime()} reads. */
    public long nanoTime() {
        return clock.get();
    }

    /**
     * Moves the clock {@code duration} on, running each timer of the controller that falls due
     * at its time, in order, and waits until the loop has handled what they did.
     *
     * @throws IllegalStateException while a held command waits for the test's answer
     */
    public FakeKernel advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not go back: " + duration);
        }
        long target = clock.get() + duration.toNanos();
        for (int rounds = 0; ; rounds++) {
            if (rounds > MAX_TIMER_ROUNDS) {
                throw new AssertionError("timers kept falling due without the clock moving on: " + timers + "; " + state());
            }
            if (held != null) {
                throw new IllegalStateException("the controller waits for the answer to " + held
                        + ": answer it before advancing the clock");
            }
            long next = Long.MAX_VALUE;
            boolean any = false;
            for (Timer t : timers) {
                if (!t.done && (!any || t.due - next < 0)) {
                    next = t.due;
                    any = true;
                }
            }
            if (!any || next - target > 0) {
                clock.set(target);
                runDue();
                return this;
            }
            if (next - clock.get() > 0) { // one due already (a delay of 0) runs now: the clock never goes back
                clock.set(next);
                rounds = 0;
            }
            runDue();
        }
    }

    /**
     * Wakes the loop to run its timers due, and waits for them: the first round runs them
     * after its tasks, a second round's task comes after that.
     */
    private void runDue() {
        awaitIdle();
        awaitIdle();
    }

    /** A controller's timer, and when the loop runs it next by the kit's clock. */
    private final class Timer implements EventLoop.Scheduled, Runnable {
        final long periodNanos;
        final boolean repeats;
        final Runnable action;
        volatile long due;
        volatile boolean done;
        EventLoop.Scheduled scheduled;

        Timer(long periodNanos, boolean repeats, Runnable action) {
            this.periodNanos = periodNanos;
            this.repeats = repeats;
            this.action = action;
        }

        /** On the loop's thread, when due: the next time is set first, as the loop sets it. */
        @Override
        public void run() {
            if (repeats) {
                due = clock.get() + periodNanos;
            } else {
                done = true;
                timers.remove(this);
            }
            action.run();
        }

        @Override
        public void cancel() {
            done = true;
            timers.remove(this);
            scheduled.cancel();
        }
    }

    /** A timer of the controller: scheduled on the loop by {@code schedule}, and followed here. */
    EventLoop.Scheduled timer(Duration delay, boolean repeats, Runnable action,
            Function<Runnable, EventLoop.Scheduled> schedule) {
        Timer t = new Timer(delay.toNanos(), repeats, Objects.requireNonNull(action, "action"));
        t.due = clock.get() + t.periodNanos;
        t.scheduled = schedule.apply(t);
        timers.add(t);
        return t;
    }

    // ---------------------------------------------------------------- what the kernel knows

    /** From now on sock_diag reports {@code connection} (replacing what it said of the same token). */
    public FakeKernel knows(ConnectionInfo connection) {
        known.put(connection.token(), connection);
        return this;
    }

    /** {@link #knows(ConnectionInfo)} of what {@code connection} builds. */
    public FakeKernel knows(Diag.ConnectionBuilder connection) {
        return knows(connection.build());
    }

    /** From now on sock_diag does not report connection {@code token}. */
    public FakeKernel forgets(int token) {
        known.remove(token);
        return this;
    }

    List<ConnectionInfo> connections() {
        synchronized (known) {
            return List.copyOf(known.values());
        }
    }

    ConnectionInfo connection(int token) {
        return known.get(token);
    }

    List<LocalAddress> localAddresses() {
        return localAddresses;
    }

    /** Whether the controller watches connection {@code token} for subflow timeouts. */
    public boolean watches(int token) {
        return watched.contains(token);
    }

    void watch(int token, boolean watch) {
        if (watch) {
            watched.add(token);
        } else {
            watched.remove(token);
        }
    }

    // ---------------------------------------------------------------- waiting and failures

    /**
     * Waits until the loop has handled every event sent and task queued so far, or a held
     * command waits for the test.
     */
    private void awaitIdle() {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (true) {
                // A look from the loop's thread at the end of a round; one each, so that the
                // loop polls its socket in between (a look that queued itself again would not).
                CompletableFuture<Boolean> pendingEvents = new CompletableFuture<>();
                loop.execute(() -> pendingEvents.complete(loop.eventsPending()));
                Boolean pending;
                while ((pending = waitFor(pendingEvents)) == null) {
                    if (held != null) {
                        return;
                    }
                    if (!loop.isRunning() || answeringFailed != null) {
                        throw new AssertionError("the fake kernel stopped; " + state());
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError("the controller did not get through what was sent within "
                                + Duration.ofNanos(timeoutNanos).toMillis() + " ms (blocked, or busy); " + state());
                    }
                }
                if (!pending) {
                    return;
                }
            }
        } catch (IllegalStateException e) {
            throw new AssertionError("the fake kernel's loop has stopped; " + state(), e);
        }
    }

    /** The future's value, or null when it takes longer than a check's time. */
    private static <T> T waitFor(CompletableFuture<T> future) {
        try {
            return future.get(CHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the controller", e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    void controllerFailed(Throwable e) {
        errors.add(e);
    }

    /** What the controller threw so far, oldest first. */
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    /** What the controller threw so far, which {@link #close} then no longer fails with. */
    public List<Throwable> takeErrors() {
        List<Throwable> taken = List.copyOf(errors);
        errors.removeAll(taken);
        return taken;
    }

    /** What the test reads when something did not come. */
    private String state() {
        StringBuilder s = new StringBuilder("the controller sent ").append(commands.isEmpty() ? "nothing" : commands);
        if (!errors.isEmpty()) {
            s.append("; it threw ").append(errors);
        }
        if (loop.failure() != null) {
            s.append("; the loop stopped on ").append(loop.failure());
        }
        if (answeringFailed != null) {
            s.append("; the kernel's side failed: ").append(answeringFailed);
        }
        return s.toString();
    }

    private static String hex(int token) {
        return String.format("%08x", token);
    }

    /**
     * Stops the loop (the controller's {@code stop()} runs, its commands accepted), closes the
     * stand-in, and fails with what the controller threw that the test did not take.
     *
     * @throws AssertionError when the controller threw
     */
    @Override
    public void close() {
        closing = true;
        Command waiting = held;
        if (waiting != null) {
            waiting.answerIfOpen(Answer.ok());
        }
        try {
            loop.close();
        } finally {
            try {
                answering.join(TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pathManager.close();
            standIn.close();
        }
        if (!errors.isEmpty()) {
            AssertionError failure = new AssertionError("the controller threw " + errors.size() + " time(s): " + errors);
            errors.forEach(failure::addSuppressed);
            throw failure;
        }
    }
}
