package org.mptcp4j.testkit;

/**
 * Error numbers the kernel's path manager answers commands with (Linux values), for
 * {@link Answer#fail} and {@link Command#fail}; a controller sees them as
 * {@link org.mptcp4j.pm.PathManagerException#errno()}.
 */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    ESRCH(3),
    EBADF(9),
    EAGAIN(11),
    ENOMEM(12),
    EACCES(13),
    EBUSY(16),
    EEXIST(17),
    EINVAL(22),
    ENOSPC(28),
    ENOPROTOOPT(92),
    EOPNOTSUPP(95),
    EADDRINUSE(98),
    EADDRNOTAVAIL(99),
    ENETUNREACH(101),
    ENOBUFS(105),
    ENOTCONN(107),
    ETIMEDOUT(110),
    ECONNREFUSED(111),
    EHOSTUNREACH(113);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The error number, as {@code PathManagerException.errno()} gives it. */
    public int number() {
        return number;
    }
}
