package org.mptcp4j.protocol;

import org.mptcp4j.netlink.NativeLibrary;

/** Names and texts of Linux errno values, from the C library (error paths only). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOBUFS = 105;
    public static final int EPROTONOSUPPORT = 93;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;
    public static final int ENOSPC = 28;
    public static final int EADDRINUSE = 98;
    public static final int EMSGSIZE = 90;
    public static final int EDESTADDRREQ = 89;
    public static final int ENOTCONN = 107;

    private Errno() {}

    /** "EINVAL" for 22; "errno N" when there is no name. */
    public static String name(int errno) {
        NativeLibrary.ensureLoaded();
        String name = errnoName(errno);
        return "E?".equals(name) ? "errno " + errno : name;
    }

    /** "Invalid argument" for 22. */
    public static String text(int errno) {
        NativeLibrary.ensureLoaded();
        return errnoText(errno);
    }

    private static native String errnoName(int errno);

    private static native String errnoText(int errno);
}
