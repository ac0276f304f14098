package org.mptcp4j.natives;

import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.util.Objects;

/**
 * {@link LinuxCalls} for the JNI transport: each method one libc call in {@code libmptcp4j.so}
 * (native/native_linux_calls.c), the same call {@code ForeignLinuxCalls} makes through
 * {@code java.lang.foreign}. The netlink protocol above is Java, written once for both
 * transports. References, offsets and lengths are checked here: the native side trusts them
 * (a null reaching JNI would take the JVM down, not throw).
 */
final class NativeLinuxCalls implements LinuxCalls {
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    /** A sockaddr_nl, then its length as a native int. */
    private static final int SENDER_SIZE = 16;

    NativeLinuxCalls() {
        NativeLibrary.ensureLoaded();
    }

    /** Checks that {@code [offset, offset + length)} lies in direct {@code buffer}. */
    private static void within(ByteBuffer buffer, int offset, int length) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length) {
            throw new IndexOutOfBoundsException(offset + "+" + length + " outside " + buffer.capacity() + " bytes");
        }
    }

    @Override
    public int open(String path, int flags) {
        return open0(Objects.requireNonNull(path, "path"), flags);
    }

    @Override
    public int close(int fd) {
        return close0(fd);
    }

    @Override
    public int duplicate(int fd) {
        return fcntl0(fd, F_DUPFD_CLOEXEC, 0);
    }

    @Override
    public int fileFlags(int fd) {
        return fcntl0(fd, F_GETFL, 0);
    }

    @Override
    public int setFileFlags(int fd, int flags) {
        return fcntl0(fd, F_SETFL, flags);
    }

    @Override
    public int dup3(int from, int to, int flags) {
        return dup30(from, to, flags);
    }

    @Override
    public int namespaceType(int fd) {
        return namespaceType0(fd);
    }

    @Override
    public int setns(int fd, int nstype) {
        return setns0(fd, nstype);
    }

    @Override
    public long inode(int fd) {
        return inode0(fd);
    }

    @Override
    public int interfaceIndex(String name) {
        return interfaceIndex0(Objects.requireNonNull(name, "name"));
    }

    @Override
    public byte[] interfaceName(int index) {
        return interfaceName0(index);
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return socket0(domain, type, protocol);
    }

    @Override
    public int bindNetlink(int fd, int portId, int groups) {
        return bindNetlink0(fd, portId, groups);
    }

    @Override
    public int connectNetlink(int fd, int portId) {
        return connectNetlink0(fd, portId);
    }

    @Override
    public long netlinkPortId(int fd) {
        return netlinkPortId0(fd);
    }

    @Override
    public int setIntOption(int fd, int level, int name, int value) {
        return setIntOption0(fd, level, name, value);
    }

    @Override
    public int intOption(int fd, int level, int name) {
        return intOption0(fd, level, name);
    }

    @Override
    public int send(int fd, ByteBuffer buffer, int offset, int length, int flags) {
        within(buffer, offset, length);
        return send0(fd, buffer, offset, length, flags);
    }

    @Override
    public int receive(int fd, ByteBuffer buffer, int offset, int length, int flags, ByteBuffer sender) {
        within(buffer, offset, length);
        within(sender, 0, SENDER_SIZE);
        return receive0(fd, buffer, offset, length, flags, sender);
    }

    @Override
    public int poll(int fd0, int fd1, int fd2, int timeoutMillis) {
        return poll0(fd0, fd1, fd2, timeoutMillis);
    }

    @Override
    public long pollThenReceive(int fd0, int fd1, int fd2, int timeoutMillis, ByteBuffer buffer, int offset, int length,
            int flags, ByteBuffer sender) {
        within(buffer, offset, length);
        within(sender, 0, SENDER_SIZE);
        return pollThenReceive0(fd0, fd1, fd2, timeoutMillis, buffer, offset, length, flags, sender);
    }

    @Override
    public int eventfd(int flags) {
        return eventfd0(flags);
    }

    @Override
    public int writeCounter(int fd, long value) {
        return writeCounter0(fd, value);
    }

    @Override
    public int readCounter(int fd) {
        return readCounter0(fd);
    }

    @Override
    public int mptcpFullInfo(int fd, ByteBuffer info, int subflows, int tcpInfoSize) {
        long size = MPTCP_FULL_INFO_SIZE + (long) subflows * (MPTCP_SUBFLOW_INFO_SIZE + tcpInfoSize);
        if (subflows < 0 || tcpInfoSize < 0 || !info.isDirect() || info.capacity() < size) {
            throw new IllegalArgumentException("no room for " + subflows + " subflows' MPTCP_FULL_INFO");
        }
        return mptcpFullInfo0(fd, info, subflows, tcpInfoSize);
    }

    @Override
    public int channelDescriptor(NetworkChannel channel) {
        return channelDescriptor0(Objects.requireNonNull(channel, "channel"));
    }

    @Override
    public int effectiveUid() {
        return effectiveUid0();
    }

    @Override
    public int processId() {
        return processId0();
    }

    @Override
    public int setScheduler(int pid, int policy, int priority) {
        return setScheduler0(pid, policy, priority);
    }

    @Override
    public int setAffinity(int pid, long[] mask) {
        return setAffinity0(pid, Objects.requireNonNull(mask, "mask"));
    }

    @Override
    public int affinity(int pid, long[] mask) {
        return affinity0(pid, Objects.requireNonNull(mask, "mask"));
    }

    @Override
    public int attachFilter(int fd, long[] program) {
        return attachFilter0(fd, Objects.requireNonNull(program, "program"));
    }

    @Override
    public long socketPair(int domain, int type, int protocol) {
        return socketPair0(domain, type, protocol);
    }

    @Override
    public int pollEvents(int fd, int events, int timeoutMillis) {
        return pollEvents0(fd, events, timeoutMillis);
    }

    @Override
    public int bindUnix(int fd, byte[] address) {
        return bindUnix0(fd, Objects.requireNonNull(address, "address"));
    }

    @Override
    public int sendToUnix(int fd, byte[] address, ByteBuffer buffer, int offset, int length, int flags) {
        within(buffer, offset, length);
        return sendToUnix0(fd, Objects.requireNonNull(address, "address"), buffer, offset, length, flags);
    }

    private static native int open0(String path, int flags);

    private static native int close0(int fd);

    private static native int fcntl0(int fd, int command, int argument);

    private static native int dup30(int from, int to, int flags);

    private static native int namespaceType0(int fd);

    private static native int setns0(int fd, int nstype);

    private static native long inode0(int fd);

    private static native int interfaceIndex0(String name);

    private static native byte[] interfaceName0(int index);

    private static native int socket0(int domain, int type, int protocol);

    private static native int bindNetlink0(int fd, int portId, int groups);

    private static native int connectNetlink0(int fd, int portId);

    private static native long netlinkPortId0(int fd);

    private static native int setIntOption0(int fd, int level, int name, int value);

    private static native int intOption0(int fd, int level, int name);

    private static native int send0(int fd, ByteBuffer buffer, int offset, int length, int flags);

    private static native int receive0(int fd, ByteBuffer buffer, int offset, int length, int flags, ByteBuffer sender);

    private static native int poll0(int fd0, int fd1, int fd2, int timeoutMillis);

    private static native long pollThenReceive0(int fd0, int fd1, int fd2, int timeoutMillis, ByteBuffer buffer,
            int offset, int length, int flags, ByteBuffer sender);

    private static native int eventfd0(int flags);

    private static native int writeCounter0(int fd, long value);

    private static native int readCounter0(int fd);

    private static native int mptcpFullInfo0(int fd, ByteBuffer info, int subflows, int tcpInfoSize);

    private static native int channelDescriptor0(Object channel);

    private static native int effectiveUid0();

    private static native int processId0();

    private static native int setScheduler0(int pid, int policy, int priority);

    private static native int setAffinity0(int pid, long[] mask);

    private static native int affinity0(int pid, long[] mask);

    private static native int attachFilter0(int fd, long[] program);

    private static native long socketPair0(int domain, int type, int protocol);

    private static native int pollEvents0(int fd, int events, int timeoutMillis);

    private static native int bindUnix0(int fd, byte[] address);

    private static native int sendToUnix0(int fd, byte[] address, ByteBuffer buffer, int offset, int length, int flags);
}
