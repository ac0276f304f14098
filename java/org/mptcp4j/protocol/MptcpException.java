package org.mptcp4j.protocol;


/**
 * Something mptcp4j could not do, in one line: the operation, the errno (when the kernel or
 * the C library gave one), the detail, and what to do about it when that is known.
 */
public class MptcpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What was being done. */
    private final String operation;
    /** The errno, 0 when none. */
    private final int errno;
    /** The kernel's or the library's own words. */
    private final String detail;

    /**
     * @param operation what was being done, e.g. "join multicast group mptcp_pm_events"
     * @param errno the positive errno value, or 0 when there is none
     * @param detail more text (the kernel's extended-ack message, a loader message), or null
     */
    public MptcpException(String operation, int errno, String detail) {
        super(format(operation, errno, detail));
        this.operation = operation;
        this.errno = errno;
        this.detail = detail;
    }

    /**
     * What was being done.
     *
     * @return the operation
     */
    public String operation() {
        return operation;
    }

    /**
     * The positive errno value, 0 when there is none.
     *
     * @return the errno value, or 0
     */
    public int errno() {
        return errno;
    }

    /**
     * The errno's name, e.g. "EINVAL"; empty when there is none.
     *
     * @return the errno's name, or empty
     */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }

    /**
     * Extra text, the kernel's extended-ack message for commands; may be null.
     *
     * @return the detail, or null
     */
    public String detail() {
        return detail;
    }

    private static String format(String operation, int errno, String detail) {
        StringBuilder text = new StringBuilder(operation);
        if (errno != 0) {
            text.append(": ").append(Errno.text(errno)).append(" (").append(Errno.name(errno)).append(')');
        }
        if (detail != null && !detail.isEmpty()) {
            text.append(": ").append(detail);
        }
        String hint = hint(operation, errno, detail);
        if (hint != null) {
            text.append(" - ").append(hint);
        }
        return text.toString();
    }

    /** The advice for the errors a newcomer meets first. */
    private static String hint(String operation, int errno, String detail) {
        if (operation.endsWith("(sched_setscheduler)") || operation.endsWith("(sched_setaffinity)")) {
            return errno != Errno.EPERM ? null : "real-time scheduling needs CAP_SYS_NICE, or an RLIMIT_RTPRIO of at"
                    + " least the priority (ulimit -r; systemd's LimitRTPRIO=)";
        }
        if (detail != null && detail.contains("userspace PM not selected")) {
            return "the in-kernel path manager owns this connection; run 'mptcp4j path-manager userspace'"
                    + " in its network namespace before the connection starts";
        }
        if (operation.startsWith("join multicast group") && (errno == Errno.EPERM || errno == Errno.EACCES)) {
            return "listening to MPTCP events needs CAP_NET_ADMIN: run as root or grant CAP_NET_ADMIN";
        }
        if (operation.contains("family mptcp_pm") && errno == Errno.ENOENT) {
            return "this kernel has no MPTCP path-manager interface: mptcp4j needs Linux 5.19 or later"
                    + " with CONFIG_MPTCP";
        }
        if (operation.contains("group mptcp_pm_events") && errno == Errno.ENOENT) {
            return "this kernel sends no MPTCP events: mptcp4j needs Linux 5.19 or later";
        }
        // setns() into another namespace needs CAP_SYS_ADMIN, which a path manager otherwise does without.
        if (errno == Errno.EPERM && operation.startsWith("enter network namespace")
                || detail != null && detail.contains("setns(CLONE_NEWNET): Operation not permitted")) {
            return "entering another network namespace needs CAP_SYS_ADMIN: run as root, or start mptcp4j inside"
                    + " that namespace (ip netns exec NAME, systemd's NetworkNamespacePath=) with CAP_NET_ADMIN alone";
        }
        if ((errno == Errno.EPERM || errno == Errno.EACCES) && !operation.startsWith("join")) {
            return "path-manager commands need CAP_NET_ADMIN: run as root or grant CAP_NET_ADMIN";
        }
        return null;
    }
}
