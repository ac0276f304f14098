package org.mptcp4j.loop;

/**
 * Where the kernel's event messages are parsed into records. Both give the same records and
 * the same counters, allocate nothing, and cost one JNI call per poll.
 */
public enum EventDecoding {
    /** In C with libnl, as they are received. */
    NATIVE,
    /**
     * In Java: C only receives the datagrams into a buffer Java parses. The default: about 2.5
     * times faster than libnl's parsing (JMH, benchmarks/README.md).
     */
    JAVA;

    /**
     * The decoding a configuration or command line names: {@code java} or {@code native}.
     *
     * @throws IllegalArgumentException naming the text and the accepted names
     */
    public static EventDecoding parse(String name) {
        return switch (name) {
            case "java" -> JAVA;
            case "native" -> NATIVE;
            default -> throw new IllegalArgumentException("'" + name + "' is not accepted (java, native)");
        };
    }
}
