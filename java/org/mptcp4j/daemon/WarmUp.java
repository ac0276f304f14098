package org.mptcp4j.daemon;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.mptcp4j.diag.LocalAddress;
import org.mptcp4j.diag.LocalAddresses;
import org.mptcp4j.logging.LogSettings;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.standin.Answers;
import org.mptcp4j.standin.EventMessages;
import org.mptcp4j.standin.KernelStandIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a namespace's loop starts, drives its controllers, hosted exactly as the daemon hosts
 * them, over made-up connections through a {@link KernelStandIn}, until the JIT has compiled
 * the event path: decoding, dispatch, the controllers, the commands and their answers. A fresh
 * JVM otherwise runs that path in the interpreter for its first few thousand events, and the
 * first connections after every restart wait for it (about 200 µs more each on the project's
 * machine, see benchmarks/README.md).
 *
 * <p>The made-up traffic never reaches the kernel: events come from the stand-in and every
 * command goes back to it and is acknowledged there. The namespace is only read (its
 * addresses, which the controllers choose subflows from), and the loop's start does not look
 * for the namespace's connections. Its threads log errors only meanwhile. The namespace's own
 * loop is subscribed before: its events wait in the socket until the warm-up ends.
 */
final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    /** A family id as the kernel gives them; the stand-in answers as that family. */
    private static final int FAMILY_ID = 0x1c;
    /** The compiler is done once its total time stood still this long ... */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** ... or after this long, whatever it still has queued. */
    private static final long COMPILATION_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);
    /**
     * The warm-up ends after this long, however many connections it made (the log line says
     * how many): where a connection makes many commands (ndiffports over a namespace with a
     * hundred addresses), the namespace's events wait no longer.
     */
    private static final long DRIVE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Controller settings warmed up in this JVM: compiled code serves every namespace. */
    private static final Set<String> WARMED = ConcurrentHashMap.newKeySet();

    private WarmUp() {}

    /**
     * Warms up the controllers {@code config} hosts with {@code connections}, unless done in this
     * JVM; ends early once {@code stop} says so (the daemon is asked to stop). Returns what to run
     * once the namespace's loop runs, before the daemon says it manages the namespace: it waits
     * until the compiler has done what the warm-up gave it, and logs the warm-up. The loop runs
     * meanwhile: it handles the events waiting, and a busy-polling loop holds its CPU before the
     * first connection that counts, not from it. Null when there was no warm-up.
     */
    static Runnable once(NamespaceConfig config, int connections, BooleanSupplier stop) {
        String key = config.controllerText() + "|" + config.idle() + "|" + config.decoding();
        if (connections == 0 || !WARMED.add(key)) {
            return null;
        }
        long start = System.nanoTime();
        // Loaded before the traffic, not after: classes loaded once the event path is compiled
        // can take its compiled code away again (assumptions about which classes exist).
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        // Its threads (this one, the loop and the stand-in's, which inherit it) log errors only;
        // the daemon's other loops log on.
        LogSettings.quietThisThread(true);
        int handled;
        try {
            handled = drive(config, connections, stop);
        } catch (RuntimeException e) {
            // Not a reason to leave the namespace unmanaged: its first connections are only slower.
            return () -> LOG.atWarn().addKeyValue("netns", config.label()).setCause(e)
                    .log("warm-up failed, the event path is compiled as events come: {}", e.getMessage());
        } finally {
            LogSettings.quietThisThread(false);
        }
        long drivenMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return () -> {
            long driven = System.nanoTime();
            boolean settled = compilationSettles(compiler, stop);
            long settledMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - driven);
            LOG.atInfo().addKeyValue("netns", config.label())
                    .log("warm-up: {} made-up connections of {} handled in {} ms, compiler {} after {} ms more", handled,
                            connections, drivenMillis, settled ? "idle" : "still busy", settledMillis);
        };
    }

    /** The made-up traffic through a stand-in; the connections whose CLOSED the loop handled. */
    private static int drive(NamespaceConfig config, int connections, BooleanSupplier stop) {
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, FAMILY_ID);
             Acknowledger acknowledger = new Acknowledger(kernel)) {
            NetworkNamespace namespace = config.open();
            Traffic traffic = new Traffic(LocalAddresses.usableForSubflows(namespace));
            ManagedNamespace hosted;
            try {
                hosted = ManagedNamespace.overStandIn(config, namespace, kernel);
            } catch (RuntimeException e) {
                namespace.close();
                throw e;
            }
            try {
                acknowledger.start();
                long deadline = System.nanoTime() + DRIVE_NANOS;
                int made = 0;
                for (int i = 0; made < connections && System.nanoTime() - deadline < 0 && !stop.getAsBoolean(); i++) {
                    // Mostly one connection at a time, as the first real ones come: the loop wakes
                    // for each, so that what runs once per poll is compiled too. Now and then more
                    // at once than ever before: a new controller finds no state of closed
                    // connections to reuse, and its first real connection must not be the first
                    // to take that path (the compiled code would be thrown away on it).
                    int together = (i & 1023) == 1023 ? 2 + (i >> 10) : 1;
                    made += traffic.connections(kernel, Math.min(together, connections - made));
                    while (hosted.metrics().events(MptcpEventType.CLOSED) < made && System.nanoTime() - deadline < 0) {
                        Thread.onSpinWait();
                    }
                    if ((i & 63) == 63) {
                        // Tasks now and then, as the daemon's watch and control socket give the loop.
                        hosted.watch();
                        hosted.onLoop(host -> null);
                        // The commands a loop's start sends, outside any event and answered by a
                        // dump: the real loop sends them first, and code compiled without them
                        // is thrown away by them (then interpreted for the first ~100 connections).
                        hosted.onLoop(host -> {
                            host.localAddressIds().reserveEndpoints(host.pathManager());
                            return null;
                        });
                    }
                    if ((i & 255) == 255) {
                        // Events no handler asked for (a listener opened), dropped before the
                        // handler: a wake-up with nothing to do is a path of its own.
                        traffic.listener(kernel, i);
                        Thread.sleep(1);
                    }
                }
                return (int) hosted.metrics().events(MptcpEventType.CLOSED);
            } catch (Exception e) {
                throw new DaemonException("warm-up: " + e.getMessage(), e);
            } finally {
                hosted.close();
            }
        }
    }

    /** Waits until the JIT compiler has been idle a while (bounded); whether it got there. */
    private static boolean compilationSettles(CompilationMXBean compiler, BooleanSupplier stop) {
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
            return false;
        }
        long deadline = System.nanoTime() + COMPILATION_WAIT_NANOS;
        long total = compiler.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        try {
            while (System.nanoTime() - deadline < 0 && !stop.getAsBoolean()) {
                Thread.sleep(10);
                long now = compiler.getTotalCompilationTime();
                if (now != total) {
                    total = now;
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince >= QUIET_NANOS) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * The connections the warm-up makes up, with what a kernel reports of them: mostly client
     * connections from the namespace's first address that get a subflow from each other one,
     * a quarter server side with a join from the peer, some IPv6, some with an address the
     * peer announces and removes, some with a subflow's priority changed. Each event is its
     * own datagram, as the kernel multicasts them; each type a controller may see comes, so
     * that the compiled code has met every path the first real connections take.
     */
    private static final class Traffic {
        private final EventMessages messages = new EventMessages(FAMILY_ID, 512);
        private final List<InetAddress> v4 = new ArrayList<>();
        private final List<InetAddress> v6 = new ArrayList<>();
        private final InetAddress peer4;
        private final InetAddress peer6;
        private final InetAddress peerOther4;
        private int made;

        Traffic(List<LocalAddress> locals) {
            for (LocalAddress a : locals) {
                (a.address() instanceof Inet4Address ? v4 : v6).add(a.address());
            }
            try {
                // Documentation prefixes (RFC 5737, RFC 3849): never a real peer.
                if (v4.isEmpty()) {
                    v4.add(InetAddress.getByName("192.0.2.1"));
                }
                if (v6.isEmpty()) {
                    v6.add(InetAddress.getByName("2001:db8::1"));
                }
                peer4 = InetAddress.getByName("198.51.100.1");
                peerOther4 = InetAddress.getByName("198.51.100.2");
                peer6 = InetAddress.getByName("2001:db8:1::1");
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Opens {@code together} connections, then lets each run its course; returns {@code together}. */
        int connections(KernelStandIn kernel, int together) {
            int first = made;
            for (int n = 0; n < together; n++) {
                open(kernel, made++);
            }
            for (int i = first; i < made; i++) {
                close(kernel, i);
            }
            return together;
        }

        private void open(KernelStandIn kernel, int i) {
            Connection c = connection(i);
            send(kernel, messages.clear().connection(MptcpEventType.CREATED, c.token, c.serverSide, c.local, c.localPort,
                    c.peer, c.peerPort));
            send(kernel, messages.clear().connection(MptcpEventType.ESTABLISHED, c.token, c.serverSide, c.local,
                    c.localPort, c.peer, c.peerPort));
        }

        private void close(KernelStandIn kernel, int i) {
            Connection c = connection(i);
            boolean announces = (i & 7) == 1 && !c.ipv6;
            if (announces) {
                send(kernel, messages.clear().announced(c.token, 1, peerOther4, 0));
            }
            // The joins the controller asked for (client side), or the peer's (server side).
            List<InetAddress> locals = c.ipv6 ? v6 : v4;
            for (int id = 1; id < Math.max(2, locals.size()); id++) {
                InetAddress from = id < locals.size() ? locals.get(id) : c.local;
                send(kernel, messages.clear().subflow(MptcpEventType.SUB_ESTABLISHED, c.token, from, c.localPort + id, id,
                        c.peer, c.peerPort, 0, false));
                if ((i & 15) == 2) {
                    send(kernel, messages.clear().subflow(MptcpEventType.SUB_PRIORITY, c.token, from, c.localPort + id,
                            id, c.peer, c.peerPort, 0, true));
                }
                send(kernel, messages.clear().subflow(MptcpEventType.SUB_CLOSED, c.token, from, c.localPort + id, id,
                        c.peer, c.peerPort, 0, false));
            }
            if (announces) {
                send(kernel, messages.clear().removed(c.token, 1));
            }
            send(kernel, messages.clear().closed(c.token));
        }

        /** Made-up connection {@code i}: a quarter server side, an eighth IPv6. */
        private Connection connection(int i) {
            boolean serverSide = (i & 3) == 3;
            boolean ipv6 = (i & 7) == 5;
            int port = 32768 + i % 28000;
            return new Connection((i + 1) * 0x9e3779b9, serverSide, ipv6, (ipv6 ? v6 : v4).get(0),
                    serverSide ? 443 : port, ipv6 ? peer6 : peer4, serverSide ? port : 443);
        }

        /** {@code token}: distinct for every made-up connection, never 0. */
        private record Connection(int token, boolean serverSide, boolean ipv6, InetAddress local, int localPort,
                InetAddress peer, int peerPort) {}

        void listener(KernelStandIn kernel, int i) {
            MptcpEventType type = (i & 256) == 0 ? MptcpEventType.LISTENER_CREATED : MptcpEventType.LISTENER_CLOSED;
            send(kernel, messages.clear().listener(type, v4.get(0), 443));
        }

        private static void send(KernelStandIn kernel, EventMessages message) {
            kernel.sendEvents(message.datagram());
        }
    }

    /**
     * Answers every command the controllers send as the kernel does, on a thread of its own: a
     * plain request with its acknowledgement; a dump (the endpoints) with NLMSG_DONE, every other
     * time after one endpoint, so that both an empty and a full dump have been met.
     */
    static final class Acknowledger implements AutoCloseable {
        private static final int NLM_F_DUMP = 0x300;
        /** The endpoint a full dump lists: the last id, a documentation address (RFC 5737). */
        private static final int ENDPOINT_ID = 255;
        private static final Inet4Address ENDPOINT_ADDRESS = documentationAddress();

        private final KernelStandIn kernel;
        private final Thread thread = new Thread(this::answer, "mptcp4j-warm-up-kernel");
        private volatile boolean closing;

        Acknowledger(KernelStandIn kernel) {
            this.kernel = kernel;
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void answer() {
            int dumps = 0;
            while (!closing) {
                byte[] request;
                try {
                    request = kernel.receiveRequest(100);
                } catch (RuntimeException e) {
                    return; // the stand-in closed
                }
                if (request == null || request.length < 16) {
                    continue;
                }
                int flags = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).getShort(6);
                if ((flags & NLM_F_DUMP) == NLM_F_DUMP) {
                    byte[] done = Answers.done(request);
                    if ((dumps++ & 1) == 1) { // one datagram: the endpoint, then the end
                        byte[] endpoint = Answers.endpoint(request, kernel.familyId(), ENDPOINT_ID, ENDPOINT_ADDRESS);
                        byte[] both = Arrays.copyOf(endpoint, endpoint.length + done.length);
                        System.arraycopy(done, 0, both, endpoint.length, done.length);
                        done = both;
                    }
                    kernel.sendAnswer(done);
                } else {
                    kernel.sendAnswer(Answers.acknowledgement(request));
                }
            }
        }

        private static Inet4Address documentationAddress() {
            try {
                return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) 254});
            } catch (UnknownHostException e) {
                throw new AssertionError(e); // four bytes are always an address
            }
        }

        @Override
        public void close() {
            closing = true;
            try {
                thread.join(TimeUnit.SECONDS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
