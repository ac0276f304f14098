package org.mptcp4j.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2LongHashMap;
import org.mptcp4j.pm.TokenMap;
import org.mptcp4j.table.RowTable;
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
 * The per-connection tables against Agrona's primitive maps, at {@code size} connections with
 * random or sequential tokens. Token to object: mptcp4j's {@link TokenMap} against
 * {@link Int2ObjectHashMap}; token to long: {@link RowTable} with one field (what the metrics'
 * table of subflows by token is) against {@link Long2LongHashMap} (Agrona has no int to long
 * map; its int to int one would not hold a long). Each map is built as it is
 * used, grown from empty with its own defaults. {@code get}: a lookup of a present token, the
 * tokens taken in turn. {@code churn}: the oldest connection closes (remove) and a new one opens
 * (put), so that the size stays put and each table reaches its steady state. With -prof gc,
 * gc.alloc.rate.norm is the allocation per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 2, jvmArgsAppend = "-XX:+UseParallelGC")
public class TokenTableBenchmark {
    private static final Object STATE = new Object();

    @Param({"1000", "70000", "1000000"})
    public int size;

    @Param({"random", "sequential"})
    public String tokens;

    /** 2 * size distinct tokens; those open are {@code size} in a row from {@code oldest}, wrapping. */
    private int[] ring;
    private int oldest;
    private int next;

    private TokenMap<Object> tokenMap;
    private Int2ObjectHashMap<Object> int2Object;
    private RowTable rowTable;
    private Long2LongHashMap long2Long;

    @Setup
    public void setUp() {
        ring = new int[2 * size];
        if (tokens.equals("random")) {
            SplittableRandom random = new SplittableRandom(15);
            int[] distinct = random.ints(ring.length + ring.length / 4).sorted().distinct().toArray();
            for (int i = 0; i < ring.length; i++) { // a partial shuffle: the first ring.length, in random order
                int j = i + random.nextInt(distinct.length - i);
                ring[i] = distinct[j];
                distinct[j] = distinct[i];
            }
        } else {
            for (int i = 0; i < ring.length; i++) {
                ring[i] = 1 + i;
            }
        }
        tokenMap = new TokenMap<>();
        int2Object = new Int2ObjectHashMap<>();
        rowTable = RowTable.keyedByInt(1, false, 0);
        long2Long = new Long2LongHashMap(-1);
        for (int i = 0; i < size; i++) {
            tokenMap.put(ring[i], STATE);
            int2Object.put(ring[i], STATE);
            rowTable.setField(rowTable.insert(ring[i]), 0, i);
            long2Long.put(ring[i], i);
        }
        oldest = 0;
        next = 0;
    }

    /** The next open token to look up. */
    private int openToken() {
        int token = ring[next];
        next = next + 1 == size ? 0 : next + 1;
        return token;
    }

    /** Closes the oldest connection's token and returns a new one, not open. */
    private int turn() {
        int opening = oldest + size;
        oldest = oldest + 1 == ring.length ? 0 : oldest + 1;
        return ring[opening < ring.length ? opening : opening - ring.length];
    }

    @Benchmark
    public Object tokenMapGet() {
        return tokenMap.get(openToken());
    }

    @Benchmark
    public Object int2ObjectGet() {
        return int2Object.get(openToken());
    }

    @Benchmark
    public long rowTableGet() {
        return rowTable.field(rowTable.find(openToken()), 0);
    }

    @Benchmark
    public long long2LongGet() {
        return long2Long.get(openToken());
    }

    @Benchmark
    public Object tokenMapChurn() {
        Object closed = tokenMap.remove(ring[oldest]);
        tokenMap.put(turn(), STATE);
        return closed;
    }

    @Benchmark
    public Object int2ObjectChurn() {
        Object closed = int2Object.remove(ring[oldest]);
        int2Object.put(turn(), STATE);
        return closed;
    }

    @Benchmark
    public long rowTableChurn() {
        int slot = rowTable.find(ring[oldest]);
        long closed = rowTable.field(slot, 0);
        rowTable.removeAt(slot);
        rowTable.setField(rowTable.insert(turn()), 0, closed);
        return closed;
    }

    @Benchmark
    public long long2LongChurn() {
        long closed = long2Long.remove(ring[oldest]);
        long2Long.put(turn(), closed);
        return closed;
    }
}
