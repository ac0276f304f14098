package org.mptcp4j.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.netlink.CommandSocket;
import org.mptcp4j.netlink.EventRecord;
import org.mptcp4j.netlink.EventSocket;
import org.mptcp4j.netlink.ReplyRecord;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.PmCommand;
import org.mptcp4j.standin.KernelStandIn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two transports side by side: JNI (libmptcp4j.so) and FFM (pure Java). The transport is
 * chosen once per JVM, so each runs in its own: {@code -p transport=ffm -jvmArgsAppend
 * -Dmptcp4j.transport=ffm} (benchmarks/run-transports runs both on one JDK); the setup fails
 * when the parameter and the running transport differ.
 *
 * <p>Per event: a datagram of 1 or 16 events written into a socket pair in the kernel's place
 * (the stand-in's send, the same on both), received by the event socket, decoded by the Java
 * decoder and dispatched (the fields a controller reads). Scores are per event. Per command:
 * SET_LIMITS to the kernel of a namespace of its own, encoded, sent and its acknowledgement
 * received: one command's whole round trip through the real kernel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-XX:+UseParallelGC", "--enable-native-access=ALL-UNNAMED"})
public class TransportBenchmark {
    @Param({"jni"})
    public String transport;

    private KernelStandIn kernel;
    private EventSocket events;
    private byte[] one;
    private byte[] sixteen;

    private NetworkNamespace namespace;
    private String namespaceName;
    private CommandSocket commands;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        String running = Transport.selected().name().toLowerCase(Locale.ROOT);
        if (!running.equals(transport)) {
            throw new IllegalStateException("-p transport=" + transport + " but " + running + " runs: add"
                    + " -jvmArgsAppend -Dmptcp4j.transport=" + transport);
        }
        kernel = KernelStandIn.create(Dialect.UPSTREAM, EventBytes.FAMILY);
        events = kernel.eventSocket(64, true);
        one = bytes(EventBytes.batch(1));
        sixteen = bytes(EventBytes.batch(16));
        if (receive() != 0) {
            throw new IllegalStateException("events before any was sent");
        }
        kernel.sendEvents(sixteen);
        if (receive() != 16) {
            throw new IllegalStateException("the 16 events did not come back as 16 records");
        }

        namespaceName = "m4j-jmh-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", namespaceName);
        namespace = NetworkNamespace.named(namespaceName);
        commands = CommandSocket.open(namespace);
        if (setLimits() != 0) {
            throw new IllegalStateException("SET_LIMITS was refused");
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.limit()];
        buffer.get(0, b);
        return b;
    }

    private int receive() {
        return events.poll(0);
    }

    /** Reads the fields a controller reads, so that the decoding is not dead code. */
    private long dispatch(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            EventRecord e = events.record(i);
            sum += e.type().ordinal() + e.token() + e.localAddressIpv4() + e.remoteAddressIpv4() + e.localPort()
                    + e.remotePort() + e.localId();
        }
        return sum;
    }

    @Benchmark
    public long event() {
        kernel.sendEvents(one);
        return dispatch(receive());
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public long events16() {
        kernel.sendEvents(sixteen);
        return dispatch(receive());
    }

    /** The stand-in's send alone: what {@link #event} spends before the transport receives. */
    @Benchmark
    public void sendOnly() {
        kernel.sendEvents(one);
        events.poll(0); // keeps the socket from filling; counted, as in event()
    }

    @Benchmark
    public int command() {
        return setLimits();
    }

    /** SET_LIMITS and its acknowledgement: 0 or the kernel's negative errno. */
    private int setLimits() {
        commands.request().reset(PmCommand.SET_LIMITS.id()).receiveAddAddrs(2).subflows(2);
        int seq = commands.send();
        if (seq < 0) {
            return seq;
        }
        for (;;) {
            int n = commands.receive(1000);
            if (n <= 0) {
                return n == 0 ? -110 : n;
            }
            for (int i = 0; i < n; i++) {
                ReplyRecord reply = commands.reply(i);
                if (reply.seq() == seq && reply.isFinal()) {
                    return reply.error();
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        if (commands != null) {
            commands.close();
        }
        if (namespace != null) {
            namespace.close();
            run("ip", "netns", "del", namespaceName);
        }
        if (events != null) {
            events.close();
        }
        if (kernel != null) {
            kernel.close();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }
}
