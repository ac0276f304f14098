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
 * Encoding SUBFLOW_CREATE: libnl (Java fills the request struct, one JNI call, libnl writes
 * the message; the library's encoder until both transports moved to Java) against the library's
 * Java encoder, which both transports send. Nothing is sent; the setup checks that both produce
 * the same bytes. Needs the mptcp_pm family and the JNI transport, not root.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-XX:+UseParallelGC")
public class EncodeBenchmark {
    private final MptcpAddress local = MptcpAddress.parse("10.231.2.1", 0).id(2);
    private final MptcpAddress remote = MptcpAddress.parse("10.231.1.2", 5201);
    private CommandSocket socket;
    private ByteBuffer out;
    private ByteBuffer javaOut;

    @Setup(Level.Trial)
    public void setUp() {
        socket = CommandSocket.open(NetworkNamespace.current());
        out = ByteBuffer.allocateDirect(512).order(ByteOrder.nativeOrder());
        javaOut = ByteBuffer.allocateDirect(512).order(ByteOrder.nativeOrder());
        socket.request().reset(10).token(0x1c0ffee5).address(local).remote(remote);
        int nativeLength = socket.encodeWithLibnl(out);
        int javaLength = socket.encode(javaOut);
        ByteBuffer j = javaOut;
        // Sequence numbers differ; everything else must be the same bytes.
        out.putInt(8, 0);
        j.putInt(8, 0);
        if (nativeLength != javaLength || !out.slice(0, nativeLength).equals(j.slice(0, javaLength))) {
            throw new IllegalStateException("the encoders disagree: native " + nativeLength + " bytes, java " + javaLength);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        socket.close();
    }

    @Benchmark
    public int nativeEncode() {
        socket.request().reset(10).token(0x1c0ffee5).address(local).remote(remote);
        return socket.encodeWithLibnl(out);
    }

    @Benchmark
    public int javaEncode() {
        socket.request().reset(10).token(0x1c0ffee5).address(local).remote(remote);
        return socket.encode(javaOut);
    }
}
