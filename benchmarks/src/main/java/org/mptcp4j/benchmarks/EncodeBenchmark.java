package org.mptcp4j.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.netlink.CommandSocket;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.MptcpAddress;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding SUBFLOW_CREATE with the library's Java encoder, which both transports send: the
 * request filled, the message written. Nothing is sent; the setup checks the length of the
 * message. Needs the mptcp_pm family, not root. (libnl's encoder, which the library used
 * before, is no longer in it; its figure in benchmarks/README.md is from commit 8791526.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-XX:+UseParallelGC")
public class EncodeBenchmark {
    /** SUBFLOW_CREATE with a token and two IPv4 addresses, one with an id, one with a port. */
    private static final int LENGTH = 84;
    private final MptcpAddress local = MptcpAddress.parse("10.231.2.1", 0).id(2);
    private final MptcpAddress remote = MptcpAddress.parse("10.231.1.2", 5201);
    private CommandSocket socket;
    private ByteBuffer javaOut;

    @Setup(Level.Trial)
    public void setUp() {
        socket = CommandSocket.open(NetworkNamespace.current());
        javaOut = ByteBuffer.allocateDirect(512).order(ByteOrder.nativeOrder());
        int length = javaEncode();
        if (length != LENGTH) {
            socket.close();
            throw new IllegalStateException("SUBFLOW_CREATE encoded in " + length + " bytes, not " + LENGTH);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        socket.close();
    }

    @Benchmark
    public int javaEncode() {
        socket.request().reset(10).token(0x1c0ffee5).address(local).remote(remote);
        return socket.encode(javaOut);
    }
}
