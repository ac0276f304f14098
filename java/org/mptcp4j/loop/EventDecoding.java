package org.mptcp4j.loop;

import org.mptcp4j.natives.Transport;

/**
 * Where the kernel's event messages are parsed into records, once received into a buffer.
 * Both give the same records and the same counters and allocate nothing.
 */
public enum EventDecoding {
    /** In C with libnl, one JNI call per datagram: the JNI transport only. */
    NATIVE,
    /**
     * In Java. The default: about 2.5 times faster than libnl's parsing (JMH,
     * benchmarks/README.md).
     */
    JAVA;

    /**
     * The decoding a configuration or command line names: {@code java} or {@code native}.
     *
     * @param name {@code java} or {@code native}
     * @return the decoding
     * @throws IllegalArgumentException naming the text and the accepted names, or that
     *     {@code native} needs the JNI transport this process does not run on
     */
    public static EventDecoding parse(String name) {
        return switch (name) {
            case "java" -> JAVA;
            case "native" -> NATIVE.requireTransport();
            default -> throw new IllegalArgumentException("'" + name + "' is not accepted (java, native)");
        };
    }

    /** This decoding, if the process's transport has it: libnl's decoder lives in libmptcp4j.so. */
    EventDecoding requireTransport() {
        if (this == NATIVE && Transport.foreign()) {
            throw new IllegalArgumentException("'native' decoding is libnl's, in libmptcp4j.so, and this process runs"
                    + " on the FFM transport without it: use 'java' (the same records)");
        }
        return this;
    }
}
