package org.mptcp4j.loop;

/** Where the kernel's event messages are parsed into records. */
public enum EventDecoding {
    /** In C with libnl, as they are received: one JNI call per poll returns decoded records. */
    NATIVE,
    /** In Java: C only receives the datagrams into a buffer Java reads and parses. */
    JAVA
}
