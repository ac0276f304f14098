package org.mptcp4j.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.netlink.EventDecoder;
import org.mptcp4j.netlink.EventRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode and dispatch of a batch of kernel events: the native parser (libnl, one JNI call for
 * the batch) against the pure-Java parser of the same raw bytes. Dispatch reads the fields a
 * controller reads (type, token, addresses, ports) through the record flyweight. Results are
 * per event; with -prof gc, gc.alloc.rate.norm is the allocation per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-XX:+UseParallelGC")
public class DecodeBenchmark {
    @Param({"native", "java"})
    public String decoder;

    /** Events per poll: 1 is the latency case, 16 a burst. */
    @Param({"1", "16"})
    public int batch;

    private EventDecoder eventDecoder;
    private ByteBuffer raw;
    private int length;

    @Setup
    public void setUp() {
        eventDecoder = new EventDecoder(EventBytes.FAMILY, 64, decoder.equals("java"));
        raw = EventBytes.batch(batch);
        length = raw.limit();
        if (eventDecoder.decode(raw, length) != batch) {
            throw new IllegalStateException("the " + decoder + " decoder did not decode the batch");
        }
    }

    @Benchmark
    public long decodeAndDispatch() {
        int n = eventDecoder.decode(raw, length);
        long sum = 0;
        for (int i = 0; i < n; i++) {
            EventRecord e = eventDecoder.record(i);
            sum += e.type().ordinal() + e.token() + e.localAddressIpv4() + e.remoteAddressIpv4() + e.localPort()
                    + e.remotePort() + e.localId();
        }
        return sum / batch;
    }
}
