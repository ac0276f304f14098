package org.mptcp4j.natives;

import java.util.Locale;
import org.mptcp4j.protocol.MptcpException;

/**
 * How the library reaches the kernel, chosen once per class loader: {@link #JNI} through
 * {@code libmptcp4j.so} (C on libnl), or {@link #FFM} in Java alone through the Foreign
 * Function and Memory API of JDK 22 and later, with no native library of its own. The
 * property {@value #PROPERTY} ({@code jni} or {@code ffm}) asks for one; without it JNI is
 * used when the native library loads, FFM otherwise where the runtime has it.
 */
public enum Transport {
    JNI("JNI (libmptcp4j.so)"),
    FFM("FFM (java.lang.foreign, no native library)");

    public static final String PROPERTY = "mptcp4j.transport";
    /** Built for JDK 22 and present only when the build had a JDK 22 or later to compile it. */
    private static final String FOREIGN_CALLS = "org.mptcp4j.natives.ForeignLinuxCalls";

    private final String description;

    Transport(String description) {
        this.description = description;
    }

    /** What {@code mptcp4j version} prints. */
    public String description() {
        return description;
    }

    /** The choice, made on first use; or why none could be made, given to every caller. */
    private static volatile Transport chosen;
    private static LinuxCalls linux;
    private static RuntimeException failure;

    private static Transport choose() {
        Transport t = chosen;
        if (t != null) {
            return t;
        }
        synchronized (Transport.class) {
            if (chosen == null && failure == null) {
                try {
                    chooseOnce();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return chosen;
        }
    }

    private static void chooseOnce() {
        String asked = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        switch (asked) {
            case "jni" -> NativeLibrary.ensureLoaded();
            case "ffm" -> linux = foreignCalls(true);
            case "" -> {
                try {
                    NativeLibrary.ensureLoaded();
                } catch (MptcpException e) {
                    linux = foreignCalls(false);
                    if (linux == null) {
                        throw e;
                    }
                }
            }
            default -> throw new MptcpException("choose the transport", 0,
                    "-D" + PROPERTY + "=" + asked + " is not accepted (jni, ffm)");
        }
        Transport t = linux == null ? JNI : FFM;
        if (linux == null) {
            linux = new NativeLinuxCalls();
        }
        chosen = t; // last: the volatile write publishes linux
    }

    /** The transport in use; loads the native library when that is JNI. */
    public static Transport selected() {
        return choose();
    }

    /** Whether the pure-Java transport is the one in use. */
    public static boolean foreign() {
        return choose() == FFM;
    }

    /** The system calls of the transport in use: libc through libmptcp4j.so (JNI) or java.lang.foreign (FFM). */
    public static LinuxCalls linux() {
        choose();
        return linux;
    }

    /** The FFM calls, or null (or, when {@code required}, an error saying why) where this runtime lacks them. */
    private static LinuxCalls foreignCalls(boolean required) {
        int feature = Runtime.version().feature();
        if (feature < 22) {
            if (!required) {
                return null;
            }
            throw new MptcpException("use the FFM transport", 0,
                    "it needs Java 22 or later; this is Java " + feature);
        }
        try {
            return (LinuxCalls) Class.forName(FOREIGN_CALLS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            if (!required) {
                return null;
            }
            throw new MptcpException("use the FFM transport", 0,
                    "this build has no FFM classes (built without a JDK 22 or later): " + e);
        }
    }
}
