package org.mptcp4j.loop;

import java.util.Arrays;
import java.util.BitSet;
import org.mptcp4j.pm.ValueRange;

/**
 * CPUs an event loop's thread may run on ({@link EventLoop.Builder#cpus}), written as taskset,
 * cpusets and {@code /proc/PID/status} write them: numbers and ranges, comma-separated
 * ({@code 1}, {@code 0,2-3}). Immutable.
 */
public final class CpuSet {
    /** The CPU numbers a set may hold: 0 to the kernel's largest NR_CPUS less one. */
    public static final ValueRange CPU = ValueRange.count(0, ThreadScheduling.MAX_CPUS - 1);

    private final BitSet cpus;

    private CpuSet(BitSet cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("a CPU set holds at least one CPU");
        }
        this.cpus = cpus;
    }

    /**
     * The CPUs {@code list} names: {@code 1}, {@code 0,2-3}.
     *
     * @param name the setting, for the message
     * @param list the CPU list
     * @return the set
     * @throws IllegalArgumentException naming {@code name}, the part not understood and the range
     */
    public static CpuSet parse(String name, String list) {
        BitSet cpus = new BitSet();
        for (String part : list.split(",", -1)) {
            String item = part.strip();
            int dash = item.indexOf('-');
            try {
                int first = CPU.parseInt(name, dash < 0 ? item : item.substring(0, dash));
                int last = dash < 0 ? first : CPU.parseInt(name, item.substring(dash + 1));
                if (last < first) {
                    throw new IllegalArgumentException(name + ": " + item + " is not a range FIRST-LAST of CPUs");
                }
                cpus.set(first, last + 1);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + ": a list of CPUs and ranges such as 1 or 0,2-3", e);
            }
        }
        return new CpuSet(cpus);
    }

    /**
     * These CPUs.
     *
     * @param cpus the CPU numbers
     * @return the set
     * @throws IllegalArgumentException when there are none, or one is outside {@link #CPU}
     */
    public static CpuSet of(int... cpus) {
        BitSet set = new BitSet();
        for (int cpu : cpus) {
            set.set((int) CPU.check("CPU", cpu));
        }
        return new CpuSet(set);
    }

    /**
     * The CPUs this process may run on: the online ones, less what taskset, a cpuset or systemd's CPUAffinity= left out.
     *
     * @return the allowed CPUs
     */
    public static CpuSet allowed() {
        return new CpuSet(ThreadScheduling.allowedCpus());
    }

    /**
     * This set, when this process may run on each of its CPUs.
     *
     * @param name the setting, for the message
     * @return this set
     * @throws IllegalArgumentException naming {@code name}, the CPUs it may not run on and those it may
     */
    public CpuSet requireAllowed(String name) {
        BitSet allowed = ThreadScheduling.allowedCpus();
        BitSet missing = (BitSet) cpus.clone();
        missing.andNot(allowed);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(name + ": no " + (missing.cardinality() == 1 ? "CPU " : "CPUs ")
                    + text(missing) + " to run on here (this process may run on CPUs " + text(allowed) + ")");
        }
        return this;
    }

    /**
     * Whether {@code cpu} is in the set.
     *
     * @param cpu the CPU number
     * @return whether it is in the set
     */
    public boolean contains(int cpu) {
        return cpu >= 0 && cpus.get(cpu);
    }

    /** The set as the kernel's bitmask: CPU n is bit n % 64 of word n / 64. */
    long[] mask(int words) {
        return Arrays.copyOf(cpus.toLongArray(), words);
    }

    /** The list as the kernel writes it: {@code 0,2-3}. */
    @Override
    public String toString() {
        return text(cpus);
    }

    private static String text(BitSet cpus) {
        StringBuilder text = new StringBuilder();
        for (int first = cpus.nextSetBit(0); first >= 0; first = cpus.nextSetBit(first + 1)) {
            int last = cpus.nextClearBit(first) - 1;
            text.append(text.length() == 0 ? "" : ",").append(first);
            if (last > first) {
                text.append('-').append(last);
            }
            first = last;
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet other && cpus.equals(other.cpus);
    }

    @Override
    public int hashCode() {
        return cpus.hashCode();
    }
}
