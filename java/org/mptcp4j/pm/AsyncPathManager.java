package org.mptcp4j.pm;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.mptcp4j.netlink.CommandRequest;
import org.mptcp4j.netlink.CommandSocket;
import org.mptcp4j.netlink.ReplyRecord;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.protocol.PmCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path manager's commands in asynchronous form: each returns at once with a future of the
 * kernel's answer. One thread of this object sends them on its own command socket, up to a
 * window of requests in flight, and matches each answer to its request by sequence number
 * (the socket keeps only the kernel's answers to its port id); dumps are read to their end.
 *
 * <p>Futures complete on that thread, in the order the kernel answers: attach slow work with
 * the {@code *Async} methods of CompletableFuture. Arguments are copied at the call, so a
 * caller may reuse its {@link MptcpAddress} objects at once.
 */
public final class AsyncPathManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncPathManager.class);
    /** Requests in flight at most: their answers must fit the socket's receive buffer. */
    public static final int DEFAULT_WINDOW = 256;

    private final NetworkNamespace namespace;
    private final KernelFeatures features;
    private final CommandSocket socket;
    private final AnnouncedListeners listeners;
    private final int window;
    private final LinkedBlockingQueue<Pending<?>> submitted = new LinkedBlockingQueue<>();
    private final Map<Integer, Pending<?>> inFlight = new HashMap<>();
    private final ArrayDeque<Integer> sendOrder = new ArrayDeque<>();
    /** The kernel runs one dump per socket at a time (EBUSY otherwise): the others wait here. */
    private final ArrayDeque<Pending<?>> waitingDumps = new ArrayDeque<>();
    private boolean dumpInFlight;
    private final Thread thread;
    private volatile boolean closed;

    private static final Pending<Void> CLOSE = new Pending<>(null, false, null, ReplyCollector.NONE);

    /** One submitted command: how to write it, what its answers become, and who waits. */
    private static final class Pending<T> {
        final PmCommand command;
        final boolean dump;
        final Consumer<CommandRequest> encoder;
        final ReplyCollector<T> collector;
        final CompletableFuture<T> future = new CompletableFuture<>();
        long sentNanos;

        Pending(PmCommand command, boolean dump, Consumer<CommandRequest> encoder, ReplyCollector<T> collector) {
            this.command = command;
            this.dump = dump;
            this.encoder = encoder;
            this.collector = collector;
        }

        void finish(ReplyRecord reply) {
            if (reply.error() != 0) {
                future.completeExceptionally(new PathManagerException(command.name(), -reply.error(), reply.text()));
                return;
            }
            try {
                future.complete(collector.result());
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }
    }

    private AsyncPathManager(NetworkNamespace namespace, Dialect dialect, int window) {
        if (window < 1 || window > 4096) {
            throw new IllegalArgumentException("window must be 1..4096: " + window);
        }
        this.namespace = namespace;
        this.window = window;
        this.features = KernelFeatures.probe(namespace, dialect);
        this.socket = CommandSocket.open(namespace, dialect);
        this.listeners = new AnnouncedListeners(namespace);
        this.thread = new Thread(this::run, "mptcp4j-commands");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * An asynchronous path manager for {@code namespace}, with the default window.
     *
     * @param namespace the network namespace
     * @return the path manager; close it
     */
    public static AsyncPathManager open(NetworkNamespace namespace) {
        return open(namespace, DEFAULT_WINDOW);
    }

    /**
     * An asynchronous path manager for {@code namespace} keeping up to {@code window} requests in flight.
     *
     * @param namespace the network namespace
     * @param window the most requests in flight
     * @return the path manager; close it
     */
    public static AsyncPathManager open(NetworkNamespace namespace, int window) {
        return open(namespace, KernelFeatures.detectDialect(Objects.requireNonNull(namespace, "namespace")), window);
    }

    /**
     * As {@link #open(NetworkNamespace, int)}, speaking {@code dialect}'s family. The per-connection
     * commands are pipelined on both; {@link PathManager#setEventFilter} and
     * {@link PathManager#connectionExists} are the synchronous path manager's.
     *
     * @param namespace the network namespace
     * @param dialect the family to speak
     * @param window the most requests in flight
     * @return the path manager; close it
     */
    public static AsyncPathManager open(NetworkNamespace namespace, Dialect dialect, int window) {
        return new AsyncPathManager(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(dialect,
                "dialect"), window);
    }

    /**
     * The namespace whose path manager this is.
     *
     * @return the namespace
     */
    public NetworkNamespace namespace() {
        return namespace;
    }

    /**
     * What the kernel offers, read when it was opened.
     *
     * @return the kernel's features
     */
    public KernelFeatures features() {
        return features;
    }

    /**
     * The family it speaks: the one the kernel offers ({@link KernelFeatures#detectDialect}).
     *
     * @return the dialect spoken
     */
    public Dialect dialect() {
        return socket.dialect();
    }

    // ---- the commands: see PathManager for what each does ----

    /**
     * As {@link PathManager#announce(int, MptcpAddress)}: no listener is opened.
     *
     * @param token the connection's token
     * @param address the address to announce, with its id 1..255
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> announce(int token, MptcpAddress address) {
        return announce(token, address, false);
    }

    /**
     * As {@link PathManager#announce(int, MptcpAddress, boolean)}; the listener opens before the request goes out.
     *
     * @param token the connection's token
     * @param address the address to announce, with its id 1..255
     * @param listen whether to open a listener on its IP and port first
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> announce(int token, MptcpAddress address, boolean listen) {
        MptcpAddress a = copy(address);
        if (!listen) {
            return submit(KernelFeature.ANNOUNCE, r -> Requests.announce(r, token, a), ReplyCollector.NONE);
        }
        InetSocketAddress listener;
        try {
            features.require(KernelFeature.ANNOUNCE);
            listener = listeners.prepare(a);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return submit(KernelFeature.ANNOUNCE, r -> Requests.announce(r, token, a), ReplyCollector.NONE)
                .whenComplete((ok, error) -> {
                    if (error == null) {
                        listeners.commit(token, a.id(), listener);
                    } else {
                        listeners.abort(listener);
                    }
                });
    }

    /**
     * As {@link PathManager#remove}; a listener opened for the announcement is released once it is done.
     *
     * @param token the connection's token
     * @param localId the local address id to withdraw
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> remove(int token, int localId) {
        return submit(KernelFeature.REMOVE, r -> Requests.remove(r, token, localId), ReplyCollector.NONE)
                .thenApply(ok -> {
                    listeners.release(token, localId);
                    return ok;
                });
    }

    /**
     * As {@link PathManager#createSubflow}.
     *
     * @param token the connection's token
     * @param local the subflow's local address
     * @param remote the peer's address
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> createSubflow(int token, MptcpAddress local, MptcpAddress remote) {
        MptcpAddress l = copy(local);
        MptcpAddress r = copy(remote);
        return submit(KernelFeature.SUBFLOW_CREATE, req -> Requests.createSubflow(req, token, l, r), ReplyCollector.NONE);
    }

    /**
     * As {@link PathManager#destroySubflow}.
     *
     * @param token the connection's token
     * @param local the subflow's local address and port
     * @param remote the peer's address and port
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> destroySubflow(int token, MptcpAddress local, MptcpAddress remote) {
        MptcpAddress l = copy(local);
        MptcpAddress r = copy(remote);
        return submit(KernelFeature.SUBFLOW_DESTROY, req -> Requests.destroySubflow(req, token, l, r), ReplyCollector.NONE);
    }

    /**
     * As {@link PathManager#setBackup}.
     *
     * @param token the connection's token
     * @param local the subflow's local address
     * @param remote the peer's address
     * @param backup whether the subflow becomes a backup
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> setBackup(int token, MptcpAddress local, MptcpAddress remote, boolean backup) {
        MptcpAddress l = copy(local);
        MptcpAddress r = copy(remote);
        return submit(KernelFeature.SUBFLOW_SET_BACKUP, req -> Requests.setBackup(req, token, l, r, backup),
                ReplyCollector.NONE);
    }

    /**
     * As {@link PathManager#localAddresses}.
     *
     * @param token the connection's token
     * @return completes with the connection's local addresses
     */
    public CompletableFuture<List<MptcpAddress>> localAddresses(int token) {
        return submitDump(KernelFeature.CONNECTION_ADDRESSES, r -> Requests.connectionAddresses(r, token, -1),
                ReplyCollector.addresses());
    }

    /**
     * As {@link PathManager#localAddress}.
     *
     * @param token the connection's token
     * @param id the local address id
     * @return completes with that local address
     */
    public CompletableFuture<MptcpAddress> localAddress(int token, int id) {
        return submit(KernelFeature.CONNECTION_ADDRESSES, r -> Requests.connectionAddresses(r, token, id),
                ReplyCollector.address(PmCommand.GET_ADDR));
    }

    /**
     * Listeners opened for the announcements of connection {@code token} are released.
     *
     * @param token the connection's token
     */
    public void connectionClosed(int token) {
        listeners.releaseConnection(token);
    }

    /**
     * As {@link PathManager#addEndpoint}.
     *
     * @param endpoint the endpoint to add
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> addEndpoint(MptcpAddress endpoint) {
        MptcpAddress e = copy(endpoint);
        return submit(KernelFeature.ENDPOINT_ADD, r -> Requests.addEndpoint(r, e), ReplyCollector.NONE);
    }

    /**
     * As {@link PathManager#deleteEndpoint(MptcpAddress)}.
     *
     * @param endpoint the endpoint, by id (id 0: by address)
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> deleteEndpoint(MptcpAddress endpoint) {
        MptcpAddress e = copy(endpoint);
        return submit(KernelFeature.ENDPOINT_DELETE, r -> Requests.deleteEndpoint(r, e), ReplyCollector.NONE);
    }

    /**
     * As {@link PathManager#endpoint}.
     *
     * @param id the endpoint's address id
     * @return completes with the endpoint
     */
    public CompletableFuture<MptcpAddress> endpoint(int id) {
        return submit(KernelFeature.ENDPOINT_GET, r -> Requests.endpoints(r, id), ReplyCollector.address(PmCommand.GET_ADDR));
    }

    /**
     * As {@link PathManager#endpoints}.
     *
     * @return completes with every endpoint of the namespace
     */
    public CompletableFuture<List<MptcpAddress>> endpoints() {
        return submitDump(KernelFeature.ENDPOINT_GET, r -> Requests.endpoints(r, -1), ReplyCollector.addresses());
    }

    /**
     * As {@link PathManager#flushEndpoints}.
     *
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> flushEndpoints() {
        return submit(KernelFeature.ENDPOINT_FLUSH, Requests::flushEndpoints, ReplyCollector.NONE);
    }

    /**
     * As {@link PathManager#setEndpointFlags}.
     *
     * @param endpoint the endpoint, by id or address, with its new flags
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> setEndpointFlags(MptcpAddress endpoint) {
        MptcpAddress e = copy(endpoint);
        return submit(KernelFeature.ENDPOINT_SET_FLAGS, r -> Requests.setEndpointFlags(r, e), ReplyCollector.NONE);
    }

    /**
     * As {@link PathManager#limits}.
     *
     * @return completes with the limits
     */
    public CompletableFuture<Limits> limits() {
        return submit(KernelFeature.LIMITS_GET, Requests::limits, ReplyCollector.limits());
    }

    /**
     * As {@link PathManager#setLimits}.
     *
     * @param limits the new limits
     * @return completes when the kernel has answered
     */
    public CompletableFuture<Void> setLimits(Limits limits) {
        Objects.requireNonNull(limits);
        return submit(KernelFeature.LIMITS_SET, r -> Requests.setLimits(r, limits), ReplyCollector.NONE);
    }

    private static MptcpAddress copy(MptcpAddress address) {
        return new MptcpAddress().set(Objects.requireNonNull(address));
    }

    private <T> CompletableFuture<T> submit(KernelFeature feature, Consumer<CommandRequest> encoder,
            ReplyCollector<T> collector) {
        return submit(feature, false, encoder, collector);
    }

    private <T> CompletableFuture<T> submitDump(KernelFeature feature, Consumer<CommandRequest> encoder,
            ReplyCollector<T> collector) {
        return submit(feature, true, encoder, collector);
    }

    private <T> CompletableFuture<T> submit(KernelFeature feature, boolean dump, Consumer<CommandRequest> encoder,
            ReplyCollector<T> collector) {
        if (!features.supports(feature)) {
            try {
                features.require(feature);
            } catch (MptcpException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        Pending<T> pending = new Pending<>(feature.command(), dump, encoder, collector);
        submitted.add(pending);
        if (closed && submitted.remove(pending)) {
            pending.future.completeExceptionally(new IllegalStateException("the path manager is closed"));
        }
        return pending.future;
    }

    /** The command thread: send while the window allows, read answers, complete futures. */
    private void run() {
        try {
            boolean closing = false;
            while (!closing || !inFlight.isEmpty() || !waitingDumps.isEmpty()) {
                closing |= sendAllowed(closing);
                if (!inFlight.isEmpty()) {
                    receive();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("mptcp4j command thread failed: " + e.getMessage(), e);
            failInFlight(e);
        } finally {
            closed = true;
            failQueued();
            socket.close();
            listeners.close();
        }
    }

    /** Sends queued requests while fewer than the window are in flight; true once asked to close. */
    private boolean sendAllowed(boolean closing) throws InterruptedException {
        while (inFlight.size() < window) {
            Pending<?> next;
            if (!dumpInFlight && !waitingDumps.isEmpty()) {
                next = waitingDumps.poll();
            } else if (closing) {
                return true;
            } else {
                next = inFlight.isEmpty() ? submitted.take() : submitted.poll();
            }
            if (next == null) {
                return false;
            }
            if (next == CLOSE) {
                return true;
            }
            if (next.dump && dumpInFlight) {
                waitingDumps.add(next);
                continue;
            }
            dumpInFlight |= next.dump;
            next.encoder.accept(socket.request());
            int seq = socket.send();
            if (seq < 0) {
                next.future.completeExceptionally(PathManager.sendFailed(next.command, -seq));
                continue;
            }
            next.sentNanos = System.nanoTime();
            inFlight.put(seq, next);
            sendOrder.add(seq);
        }
        return closing;
    }

    private void receive() {
        int n = socket.receive((int) PathManager.TIMEOUT_MILLIS);
        if (n < 0) {
            // ENOBUFS: answers were dropped; which requests lost theirs is unknown.
            failInFlight(new PathManagerException("receive answers", -n, inFlight.size() + " requests in flight lost"));
            return;
        }
        for (int i = 0; i < n; i++) {
            ReplyRecord reply = socket.reply(i);
            Pending<?> pending = inFlight.get(reply.seq());
            if (pending == null) {
                continue;
            }
            if (!reply.isFinal()) {
                pending.collector.onData(reply);
            } else {
                inFlight.remove(reply.seq());
                dumpInFlight &= !pending.dump;
                pending.finish(reply);
            }
        }
        expireOldest();
    }

    /** Requests sent long ago without an answer fail with ETIMEDOUT; oldest first. */
    private void expireOldest() {
        long limit = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(PathManager.TIMEOUT_MILLIS);
        while (!sendOrder.isEmpty()) {
            Pending<?> oldest = inFlight.get(sendOrder.peek());
            if (oldest == null) {
                sendOrder.poll();
            } else if (oldest.sentNanos - limit < 0) {
                inFlight.remove(sendOrder.poll());
                dumpInFlight &= !oldest.dump;
                oldest.future.completeExceptionally(new PathManagerException(oldest.command.name(), Errno.ETIMEDOUT,
                        "no answer from the kernel within " + PathManager.TIMEOUT_MILLIS + " ms"));
            } else {
                return;
            }
        }
    }

    private void failInFlight(Exception cause) {
        for (Pending<?> pending : inFlight.values()) {
            pending.future.completeExceptionally(cause);
        }
        inFlight.clear();
        sendOrder.clear();
        dumpInFlight = false;
    }

    private void failQueued() {
        submitted.addAll(waitingDumps);
        waitingDumps.clear();
        Pending<?> pending;
        while ((pending = submitted.poll()) != null) {
            if (pending != CLOSE) {
                pending.future.completeExceptionally(new IllegalStateException("the path manager is closed"));
            }
        }
    }

    /**
     * Sends what was submitted before, lets the requests in flight finish, fails what comes
     * after, and closes the socket.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        submitted.add(CLOSE);
        if (Thread.currentThread() == thread) {
            return; // called from a future's callback: the thread ends after this round
        }
        try {
            thread.join(PathManager.TIMEOUT_MILLIS + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
