package org.mptcp4j.natives;

import java.nio.ByteBuffer;

/**
 * The Linux system calls both transports make, implemented twice: through libmptcp4j.so
 * ({@link Transport#JNI}) and through java.lang.foreign ({@link Transport#FFM}). Each is one
 * libc call, returning what the call returns or a negative errno, never throwing for the
 * kernel's refusals. Everything above them (the netlink protocol, namespaces) is written once
 * in Java over this interface. Buffers are direct; none is kept after a call returns.
 */
public interface LinuxCalls {
    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_ROUTE = 0;
    int NETLINK_SOCK_DIAG = 4;
    int NETLINK_GENERIC = 16;
    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    int SO_RCVBUFFORCE = 33;
    int SO_ATTACH_FILTER = 26;
    int SO_DETACH_FILTER = 27;
    /** The most instructions {@link #attachFilter} takes. */
    int MAX_FILTER_INSTRUCTIONS = 64;
    int SOL_NETLINK = 270;
    int NETLINK_ADD_MEMBERSHIP = 1;
    int NETLINK_CAP_ACK = 10;
    int NETLINK_EXT_ACK = 11;
    int MSG_DONTWAIT = 0x40;
    /** With MSG_TRUNC a netlink receive returns the datagram's whole length, larger than the buffer when cut. */
    int MSG_TRUNC = 0x20;
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int O_NONBLOCK = 0x800;
    int CLONE_NEWNET = 0x40000000;
    int EFD_CLOEXEC = 0x80000;
    int EFD_NONBLOCK = 0x800;

    /** open(2); the descriptor. */
    int open(String path, int flags);

    int close(int fd);

    /** fcntl(fd, F_DUPFD_CLOEXEC, 0): another descriptor of the same file. */
    int duplicate(int fd);

    /** fcntl(fd, F_GETFL): the file status flags. */
    int fileFlags(int fd);

    /** fcntl(fd, F_SETFL, flags). */
    int setFileFlags(int fd, int flags);

    /** dup3(2): {@code from} also at number {@code to}, whatever {@code to} was closed at once. */
    int dup3(int from, int to, int flags);

    /** ioctl(fd, NS_GET_NSTYPE): the CLONE_NEW* type of a namespace file. */
    int namespaceType(int fd);

    /** setns(2) for the calling thread. */
    int setns(int fd, int nstype);

    /** fstat(2)'s st_ino, or a negative errno. */
    long inode(int fd);

    /** if_nametoindex(3) in the calling thread's namespace: the index, or a negative errno. */
    int interfaceIndex(String name);

    /** if_indextoname(3) in the calling thread's namespace: the name's bytes, or null. */
    byte[] interfaceName(int index);

    int socket(int domain, int type, int protocol);

    /** bind(2) of a netlink socket to {@code portId} (0: the kernel picks) and {@code groups}. */
    int bindNetlink(int fd, int portId, int groups);

    /** connect(2) of a netlink socket to {@code portId} (0: the kernel): only that port's unicasts arrive. */
    int connectNetlink(int fd, int portId);

    /** getsockname(2)'s nl_pid, an unsigned 32-bit number: the port id the kernel gave a netlink socket. */
    long netlinkPortId(int fd);

    int setIntOption(int fd, int level, int name, int value);

    /**
     * setsockopt(SO_ATTACH_FILTER) of a classic BPF program, replacing the socket's filter: each
     * instruction a struct sock_filter packed as {@code k << 32 | jf << 24 | jt << 16 | code}
     * (its bytes in a little-endian long, the only byte order this project builds for), at most
     * {@link #MAX_FILTER_INSTRUCTIONS}; 0, or a negative errno (EINVAL for a program the kernel
     * or this call refuses).
     */
    int attachFilter(int fd, long[] program);

    /** getsockopt(2) of an int option: its value (not negative for the options asked), or a negative errno. */
    int intOption(int fd, int level, int name);

    /** send(2) of {@code length} bytes at {@code offset}. */
    int send(int fd, ByteBuffer buffer, int offset, int length, int flags);

    /**
     * recvfrom(2) into {@code length} bytes at {@code offset}; the sender's address goes to
     * {@code sender} (direct, 16 bytes: a sockaddr_nl, then its length as a native int at 12).
     */
    int receive(int fd, ByteBuffer buffer, int offset, int length, int flags, ByteBuffer sender);

    /**
     * poll(2) for input on up to three descriptors (a negative one is ignored): bit i of the
     * result is set when descriptor i is readable or has an error or hang-up to report; 0 on
     * timeout; a negative errno.
     */
    int poll(int fd0, int fd1, int fd2, int timeoutMillis);

    /**
     * {@link #poll}, then, when {@code fd0} is readable, {@link #receive} from it with the
     * other arguments: an event loop's wait and first receive in one call (one crossing into
     * native code on JNI). The poll's ready bits in the high half and the receive's result (0
     * when fd0 was not readable) in the low half; 0 on timeout; a failed poll's negative errno.
     */
    default long pollThenReceive(int fd0, int fd1, int fd2, int timeoutMillis, ByteBuffer buffer, int offset,
            int length, int flags, ByteBuffer sender) {
        int ready = poll(fd0, fd1, fd2, timeoutMillis);
        if (ready <= 0) {
            return ready;
        }
        int received = (ready & 1) != 0 ? receive(fd0, buffer, offset, length, flags, sender) : 0;
        return (long) ready << 32 | Integer.toUnsignedLong(received);
    }

    /** eventfd(2). */
    int eventfd(int flags);

    /** Writes the 8-byte counter of an eventfd. */
    int writeCounter(int fd, long value);

    /** Reads the 8-byte counter of an eventfd: 0 when it was 0 (non-blocking), else 1, or a negative errno. */
    int readCounter(int fd);

    // sock_diag and MPTCP socket options

    /** sizeof(struct mptcp_full_info) (6.5). */
    int MPTCP_FULL_INFO_SIZE = 136;
    /** sizeof(struct mptcp_subflow_info): an id, then the two addresses as sockaddr_storage. */
    int MPTCP_SUBFLOW_INFO_SIZE = 264;

    /**
     * getsockopt(SOL_MPTCP, MPTCP_FULL_INFO, Linux 6.5) into {@code info}: a struct
     * mptcp_full_info at 0, which this call points at the two arrays behind it in the same
     * buffer, {@code subflows} struct mptcp_subflow_info then {@code subflows} struct tcp_info
     * of {@code tcpInfoSize} bytes each, and whose user sizes it sets; 0, or a negative errno.
     */
    int mptcpFullInfo(int fd, ByteBuffer info, int subflows, int tcpInfoSize);

    /**
     * The descriptor under a JDK socket channel (sun.nio.ch keeps it in "int fdVal", JDK 17
     * to 25): JNI reads it past the module boundary, FFM by reflection, which needs
     * {@code --add-opens java.base/sun.nio.ch=org.mptcp4j}. Throws IllegalArgumentException
     * for a channel without it, IllegalStateException when the package is not open.
     */
    int channelDescriptor(java.nio.channels.NetworkChannel channel);

    // credentials, scheduling, socket pairs

    int AF_UNIX = 1;
    int SOCK_SEQPACKET = 5;
    int SCHED_FIFO = 1;
    int MSG_NOSIGNAL = 0x4000;
    int POLLIN = 0x1;
    int POLLHUP = 0x10;

    /** geteuid(2), which cannot fail. */
    int effectiveUid();

    /** getpid(2): the process, where 0 in the sched_* calls is the calling thread. */
    int processId();

    /** sched_setscheduler(2) of {@code pid} (0: the calling thread) to {@code policy} at {@code priority}. */
    int setScheduler(int pid, int policy, int priority);

    /** sched_setaffinity(2) of {@code pid} (0: the calling thread): CPU n is bit n % 64 of {@code mask[n / 64]}. */
    int setAffinity(int pid, long[] mask);

    /** sched_getaffinity(2) of {@code pid} into {@code mask}, laid out as {@link #setAffinity}'s; left as it was on failure. */
    int affinity(int pid, long[] mask);

    /** socketpair(2): the two descriptors packed as {@code (first << 32) | second}, or a negative errno. */
    long socketPair(int domain, int type, int protocol);

    /** poll(2) for {@code events} on one descriptor: its revents (not 0), 0 on timeout, or a negative errno. */
    int pollEvents(int fd, int events, int timeoutMillis);

    // Unix datagrams: the service manager's notifications, the journal, syslog

    int SOCK_DGRAM = 2;

    /** bind(2) of a Unix socket to {@code address}: sun_path's bytes, a NUL first for the abstract namespace. */
    int bindUnix(int fd, byte[] address);

    /** sendto(2) of {@code length} bytes at {@code offset} to the Unix socket at {@code address} (as {@link #bindUnix}'s). */
    int sendToUnix(int fd, byte[] address, ByteBuffer buffer, int offset, int length, int flags);
}
