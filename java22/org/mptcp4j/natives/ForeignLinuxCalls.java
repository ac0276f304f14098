package org.mptcp4j.natives;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import org.mptcp4j.protocol.Errno;

/**
 * {@link LinuxCalls} on the Foreign Function and Memory API (JDK 22+): libc called directly,
 * errno captured by the linker right after each call. Compiled for JDK 22 and loaded by
 * {@link Transport} only on a runtime that has the API. The scratch memory a call needs (the
 * errno capture, a pollfd array, a socket address) is per thread and made once, so that the
 * event path allocates nothing.
 */
@SuppressWarnings("restricted") // the point of this class: downcalls into libc
final class ForeignLinuxCalls implements LinuxCalls {
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final long NS_GET_NSTYPE = 0xb703;
    private static final short POLLIN = 0x1;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final int SOCKADDR_NL_SIZE = 12;
    /** struct sockaddr_un: sun_family, then sun_path's 108 bytes. */
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_SIZE = 108;
    private static final int ENAMETOOLONG = 36;
    /** struct stat's st_ino: after st_dev, on x86_64 and aarch64 alike. */
    private static final long STAT_INO_OFFSET = 8;
    private static final long STAT_SIZE = 256;
    private static final int IF_NAMESIZE = 16;
    private static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_VALUE =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

    private static final MethodHandle OPEN = call("open", FunctionDescriptor.of(INT, ADDRESS, INT), true);
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(INT, INT), false);
    private static final MethodHandle FCNTL = call("fcntl", FunctionDescriptor.of(INT, INT, INT, INT), true);
    private static final MethodHandle DUP3 = call("dup3", FunctionDescriptor.of(INT, INT, INT, INT), false);
    private static final MethodHandle IOCTL = call("ioctl", FunctionDescriptor.of(INT, INT, LONG), true);
    private static final MethodHandle SETNS = call("setns", FunctionDescriptor.of(INT, INT, INT), false);
    private static final MethodHandle FSTAT = call("fstat", FunctionDescriptor.of(INT, INT, ADDRESS), false);
    private static final MethodHandle IF_NAMETOINDEX =
            call("if_nametoindex", FunctionDescriptor.of(INT, ADDRESS), false);
    private static final MethodHandle IF_INDEXTONAME =
            call("if_indextoname", FunctionDescriptor.of(ADDRESS, INT, ADDRESS), false);
    private static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(INT, INT, INT, INT), false);
    private static final MethodHandle BIND = call("bind", FunctionDescriptor.of(INT, INT, ADDRESS, INT), false);
    private static final MethodHandle CONNECT = call("connect", FunctionDescriptor.of(INT, INT, ADDRESS, INT), false);
    private static final MethodHandle GETSOCKNAME =
            call("getsockname", FunctionDescriptor.of(INT, INT, ADDRESS, ADDRESS), false);
    private static final MethodHandle SETSOCKOPT =
            call("setsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ADDRESS, INT), false);
    private static final MethodHandle GETSOCKOPT =
            call("getsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ADDRESS, ADDRESS), false);
    // The calls of the event path take raw addresses (LONG: a pointer on LP64), so that no
    // segment is made per call: the buffers' addresses are looked up once per thread.
    private static final MethodHandle SEND = call("send", FunctionDescriptor.of(LONG, INT, LONG, LONG, INT), false);
    private static final MethodHandle RECVFROM =
            call("recvfrom", FunctionDescriptor.of(LONG, INT, LONG, LONG, INT, LONG, LONG), false);
    private static final MethodHandle SENDTO =
            call("sendto", FunctionDescriptor.of(LONG, INT, LONG, LONG, INT, ADDRESS, INT), false);
    private static final MethodHandle POLL = call("poll", FunctionDescriptor.of(INT, LONG, LONG, INT), false);
    private static final MethodHandle EVENTFD = call("eventfd", FunctionDescriptor.of(INT, INT, INT), false);
    private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(LONG, INT, LONG, LONG), false);
    private static final MethodHandle READ = call("read", FunctionDescriptor.of(LONG, INT, LONG, LONG), false);

    /** A thread's scratch: errno capture (at 0), then room for pollfds, a socket address or a stat. */
    private static final long SCRATCH_DATA = 64;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** One thread's scratch memory, and the addresses of the last two buffers it passed. */
    private static final class Scratch {
        final MemorySegment state = Arena.ofAuto().allocate(SCRATCH_DATA + STAT_SIZE, 16);
        final long data = state.address() + SCRATCH_DATA;
        private ByteBuffer recent;
        private long recentAddress;
        private ByteBuffer older;
        private long olderAddress;

        /** The address of direct {@code buffer}'s first byte. */
        long address(ByteBuffer buffer) {
            if (buffer == recent) {
                return recentAddress;
            }
            if (buffer == older) {
                older = recent;
                recent = buffer;
                long address = olderAddress;
                olderAddress = recentAddress;
                recentAddress = address;
                return address;
            }
            if (!buffer.isDirect()) {
                throw new IllegalArgumentException("not a direct buffer");
            }
            older = recent;
            olderAddress = recentAddress;
            recent = buffer;
            recentAddress = MemorySegment.ofBuffer(buffer).address() - buffer.position();
            return recentAddress;
        }
    }

    /**
     * A downcall handle for libc's {@code name}; {@code variadic} names the calls whose last
     * parameter is C's "...", which the linker must be told is variadic.
     */
    private static MethodHandle call(String name, FunctionDescriptor descriptor, boolean variadic) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        int fixed = descriptor.argumentLayouts().size() - 1;
        return variadic
                ? LINKER.downcallHandle(symbol, descriptor, ERRNO, Linker.Option.firstVariadicArg(fixed))
                : LINKER.downcallHandle(symbol, descriptor, ERRNO);
    }

    private static MemorySegment scratch() {
        return SCRATCH.get().state;
    }

    /** Checks that {@code [offset, offset + length)} lies in {@code buffer}: the C side trusts the address. */
    private static void within(ByteBuffer buffer, int offset, int length) {
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length) {
            throw new IndexOutOfBoundsException(offset + "+" + length + " outside " + buffer.capacity() + " bytes");
        }
    }

    /** The result, or the negative errno the call left when it failed (-1). */
    private static int result(MemorySegment state, long rc) {
        return rc == -1 ? -(int) ERRNO_VALUE.get(state, 0L) : (int) rc;
    }

    private static MemorySegment data(MemorySegment scratch) {
        return scratch.asSlice(SCRATCH_DATA);
    }

    private static RuntimeException failed(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    @Override
    public int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = scratch();
            return result(state, (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int close(int fd) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) CLOSE.invokeExact(state, fd));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int duplicate(int fd) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) FCNTL.invokeExact(state, fd, F_DUPFD_CLOEXEC, 0));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int fileFlags(int fd) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) FCNTL.invokeExact(state, fd, F_GETFL, 0));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int setFileFlags(int fd, int flags) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) FCNTL.invokeExact(state, fd, F_SETFL, flags));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int dup3(int from, int to, int flags) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) DUP3.invokeExact(state, from, to, flags));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int namespaceType(int fd) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) IOCTL.invokeExact(state, fd, NS_GET_NSTYPE));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int setns(int fd, int nstype) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) SETNS.invokeExact(state, fd, nstype));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public long inode(int fd) {
        try {
            MemorySegment state = scratch();
            MemorySegment stat = data(state);
            int rc = result(state, (int) FSTAT.invokeExact(state, fd, stat));
            return rc < 0 ? rc : stat.get(LONG, STAT_INO_OFFSET);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int interfaceIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = scratch();
            int index = (int) IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(name));
            return index != 0 ? index : -(int) ERRNO_VALUE.get(state, 0L);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public byte[] interfaceName(int index) {
        if (index <= 0) {
            return null;
        }
        try {
            MemorySegment state = scratch();
            MemorySegment name = data(state).asSlice(0, IF_NAMESIZE);
            MemorySegment found = (MemorySegment) IF_INDEXTONAME.invokeExact(state, index, name);
            if (found.equals(MemorySegment.NULL)) {
                return null;
            }
            int length = 0;
            while (length < IF_NAMESIZE && name.get(ValueLayout.JAVA_BYTE, length) != 0) {
                length++;
            }
            return name.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) SOCKET.invokeExact(state, domain, type, protocol));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /** A sockaddr_nl for {@code portId} and {@code groups} in the thread's scratch. */
    private static MemorySegment netlinkAddress(MemorySegment state, int portId, int groups) {
        MemorySegment address = data(state).asSlice(0, SOCKADDR_NL_SIZE);
        address.fill((byte) 0);
        address.set(SHORT, 0, (short) AF_NETLINK);
        address.set(INT, 4, portId);
        address.set(INT, 8, groups);
        return address;
    }

    @Override
    public int bindNetlink(int fd, int portId, int groups) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) BIND.invokeExact(state, fd, netlinkAddress(state, portId, groups),
                    SOCKADDR_NL_SIZE));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int connectNetlink(int fd, int portId) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) CONNECT.invokeExact(state, fd, netlinkAddress(state, portId, 0),
                    SOCKADDR_NL_SIZE));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public long netlinkPortId(int fd) {
        try {
            MemorySegment state = scratch();
            MemorySegment address = netlinkAddress(state, 0, 0);
            MemorySegment length = data(state).asSlice(16, 4);
            length.set(INT, 0, SOCKADDR_NL_SIZE);
            int rc = result(state, (int) GETSOCKNAME.invokeExact(state, fd, address, length));
            return rc < 0 ? rc : Integer.toUnsignedLong(address.get(INT, 4));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int setIntOption(int fd, int level, int name, int value) {
        try {
            MemorySegment state = scratch();
            MemorySegment option = data(state).asSlice(0, 4);
            option.set(INT, 0, value);
            return result(state, (int) SETSOCKOPT.invokeExact(state, fd, level, name, option, 4));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int intOption(int fd, int level, int name) {
        try {
            MemorySegment state = scratch();
            MemorySegment option = data(state).asSlice(0, 8);
            option.set(INT, 4, 4);
            int rc = result(state, (int) GETSOCKOPT.invokeExact(state, fd, level, name, option.asSlice(0, 4),
                    option.asSlice(4, 4)));
            return rc < 0 ? rc : option.get(INT, 0);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int send(int fd, ByteBuffer buffer, int offset, int length, int flags) {
        within(buffer, offset, length);
        try {
            Scratch scratch = SCRATCH.get();
            return result(scratch.state, (long) SEND.invokeExact(scratch.state, fd, scratch.address(buffer) + offset,
                    (long) length, flags));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int receive(int fd, ByteBuffer buffer, int offset, int length, int flags, ByteBuffer sender) {
        within(buffer, offset, length);
        within(sender, 0, SOCKADDR_NL_SIZE + 4);
        try {
            Scratch scratch = SCRATCH.get();
            sender.putInt(SOCKADDR_NL_SIZE, SOCKADDR_NL_SIZE);
            long from = scratch.address(sender);
            return result(scratch.state, (long) RECVFROM.invokeExact(scratch.state, fd, scratch.address(buffer) + offset,
                    (long) length, flags, from, from + SOCKADDR_NL_SIZE));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int poll(int fd0, int fd1, int fd2, int timeoutMillis) {
        try {
            Scratch scratch = SCRATCH.get();
            MemorySegment state = scratch.state;
            // poll(2) skips a negative descriptor: slot i stays argument i.
            watch(state, 0, fd0);
            watch(state, 1, fd1);
            watch(state, 2, fd2);
            int rc = result(state, (int) POLL.invokeExact(state, scratch.data, 3L, timeoutMillis));
            if (rc <= 0) {
                return rc;
            }
            int ready = 0;
            for (int i = 0; i < 3; i++) {
                if ((state.get(SHORT, SCRATCH_DATA + i * 8L + 6) & (POLLIN | POLLERR | POLLHUP)) != 0) {
                    ready |= 1 << i;
                }
            }
            return ready;
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /** Writes pollfd {@code slot} in the scratch's data. */
    private static void watch(MemorySegment state, int slot, int fd) {
        state.set(INT, SCRATCH_DATA + slot * 8L, fd);
        state.set(SHORT, SCRATCH_DATA + slot * 8L + 4, POLLIN);
        state.set(SHORT, SCRATCH_DATA + slot * 8L + 6, (short) 0);
    }

    @Override
    public int eventfd(int flags) {
        try {
            MemorySegment state = scratch();
            return result(state, (int) EVENTFD.invokeExact(state, 0, flags));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int writeCounter(int fd, long value) {
        try {
            Scratch scratch = SCRATCH.get();
            scratch.state.set(LONG, SCRATCH_DATA, value);
            return result(scratch.state, (long) WRITE.invokeExact(scratch.state, fd, scratch.data, 8L));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int readCounter(int fd) {
        try {
            Scratch scratch = SCRATCH.get();
            int rc = result(scratch.state, (long) READ.invokeExact(scratch.state, fd, scratch.data, 8L));
            if (rc == -EAGAIN) {
                return 0;
            }
            return rc < 0 ? rc : scratch.state.get(LONG, SCRATCH_DATA) != 0 ? 1 : 0;
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    // sock_diag and MPTCP socket options

    private static final int SOL_MPTCP = 284;
    private static final int MPTCP_FULL_INFO = 4;

    @Override
    public int mptcpFullInfo(int fd, ByteBuffer info, int subflows, int tcpInfoSize) {
        long size = MPTCP_FULL_INFO_SIZE + (long) subflows * (MPTCP_SUBFLOW_INFO_SIZE + tcpInfoSize);
        if (subflows < 0 || tcpInfoSize < 0 || info.capacity() < size) {
            throw new IllegalArgumentException("no room for " + subflows + " subflows' MPTCP_FULL_INFO");
        }
        try {
            MemorySegment state = scratch();
            MemorySegment full = MemorySegment.ofBuffer(info).asSlice(0, size);
            full.fill((byte) 0);
            long subflowInfos = full.address() + MPTCP_FULL_INFO_SIZE;
            full.set(INT, 4, tcpInfoSize); // size_tcpinfo_user
            full.set(INT, 12, MPTCP_SUBFLOW_INFO_SIZE); // size_sfinfo_user
            full.set(INT, 20, subflows); // size_arrays_user
            full.set(LONG, 24, subflowInfos); // subflow_info
            full.set(LONG, 32, subflowInfos + (long) subflows * MPTCP_SUBFLOW_INFO_SIZE); // tcp_info
            MemorySegment length = data(state).asSlice(0, 4);
            length.set(INT, 0, MPTCP_FULL_INFO_SIZE);
            int rc = result(state, (int) GETSOCKOPT.invokeExact(state, fd, SOL_MPTCP, MPTCP_FULL_INFO,
                    full.asSlice(0, MPTCP_FULL_INFO_SIZE), length));
            return Math.min(rc, 0);
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /** The JDK channels' "int fdVal", per channel class; null where a class has none. */
    private static final ClassValue<Field> DESCRIPTOR_FIELD = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            try {
                Field field = type.getDeclaredField("fdVal");
                field.setAccessible(true);
                return field;
            } catch (NoSuchFieldException e) {
                return null;
            } catch (RuntimeException e) { // InaccessibleObjectException: the package is not open to us
                throw new IllegalStateException("MPTCP channels on the FFM transport read the JDK channel's"
                        + " descriptor by reflection: run with --add-opens java.base/sun.nio.ch=org.mptcp4j"
                        + " (=ALL-UNNAMED on the class path); the JNI transport needs no such option", e);
            }
        }
    };

    @Override
    public int channelDescriptor(NetworkChannel channel) {
        Field field = DESCRIPTOR_FIELD.get(channel.getClass());
        if (field == null) {
            throw new IllegalArgumentException("not a JDK socket channel (no fdVal field)");
        }
        try {
            return field.getInt(channel);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    // credentials, scheduling, socket pairs

    private static final MethodHandle GETEUID = call("geteuid", FunctionDescriptor.of(INT), false);
    private static final MethodHandle GETPID = call("getpid", FunctionDescriptor.of(INT), false);
    private static final MethodHandle SCHED_SETSCHEDULER =
            call("sched_setscheduler", FunctionDescriptor.of(INT, INT, INT, ADDRESS), false);
    private static final MethodHandle SCHED_SETAFFINITY =
            call("sched_setaffinity", FunctionDescriptor.of(INT, INT, LONG, ADDRESS), false);
    private static final MethodHandle SCHED_GETAFFINITY =
            call("sched_getaffinity", FunctionDescriptor.of(INT, INT, LONG, ADDRESS), false);
    private static final MethodHandle SOCKETPAIR =
            call("socketpair", FunctionDescriptor.of(INT, INT, INT, INT, ADDRESS), false);

    @Override
    public int effectiveUid() {
        try {
            return (int) GETEUID.invokeExact(scratch());
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int processId() {
        try {
            return (int) GETPID.invokeExact(scratch());
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int setScheduler(int pid, int policy, int priority) {
        try {
            MemorySegment state = scratch();
            MemorySegment param = data(state).asSlice(0, 4); // struct sched_param: the priority alone
            param.set(INT, 0, priority);
            return result(state, (int) SCHED_SETSCHEDULER.invokeExact(state, pid, policy, param));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    // A CPU mask (1 KiB for 8192 CPUs) outgrows the scratch; these calls are made once a thread.

    @Override
    public int setAffinity(int pid, long[] mask) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = scratch();
            MemorySegment set = arena.allocate(LONG, mask.length);
            MemorySegment.copy(mask, 0, set, LONG, 0, mask.length);
            return result(state, (int) SCHED_SETAFFINITY.invokeExact(state, pid, set.byteSize(), set));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int affinity(int pid, long[] mask) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = scratch();
            MemorySegment set = arena.allocate(LONG, mask.length);
            int rc = result(state, (int) SCHED_GETAFFINITY.invokeExact(state, pid, set.byteSize(), set));
            if (rc >= 0) {
                MemorySegment.copy(set, LONG, 0, mask, 0, mask.length);
            }
            return rc;
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int attachFilter(int fd, long[] program) {
        if (program.length < 1 || program.length > MAX_FILTER_INSTRUCTIONS) {
            return -Errno.EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = scratch();
            MemorySegment code = arena.allocate(LONG, program.length);
            MemorySegment.copy(program, 0, code, LONG, 0, program.length);
            // struct sock_fprog: the instruction count, then (aligned) the pointer to them.
            MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(SHORT, 0, (short) program.length);
            fprog.set(ValueLayout.ADDRESS, 8, code);
            return result(state, (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog,
                    (int) fprog.byteSize()));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public long socketPair(int domain, int type, int protocol) {
        try {
            MemorySegment state = scratch();
            MemorySegment fds = data(state).asSlice(0, 8);
            int rc = result(state, (int) SOCKETPAIR.invokeExact(state, domain, type, protocol, fds));
            return rc < 0 ? rc : (long) fds.get(INT, 0) << 32 | Integer.toUnsignedLong(fds.get(INT, 4));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int pollEvents(int fd, int events, int timeoutMillis) {
        try {
            Scratch scratch = SCRATCH.get();
            MemorySegment state = scratch.state;
            state.set(INT, SCRATCH_DATA, fd);
            state.set(SHORT, SCRATCH_DATA + 4, (short) events);
            state.set(SHORT, SCRATCH_DATA + 6, (short) 0);
            int rc = result(state, (int) POLL.invokeExact(state, scratch.data, 1L, timeoutMillis));
            return rc <= 0 ? rc : Short.toUnsignedInt(state.get(SHORT, SCRATCH_DATA + 6));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    /** A sockaddr_un for {@code path} (1 to 107 bytes) in the thread's scratch. */
    private static MemorySegment unixAddress(MemorySegment state, byte[] path) {
        MemorySegment address = data(state).asSlice(0, SUN_PATH_OFFSET + SUN_PATH_SIZE);
        address.fill((byte) 0);
        address.set(SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(path, 0, address, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, path.length);
        return address;
    }

    /** The address's length: a path's terminating NUL counted, as sd_notify does; an abstract name has none. */
    private static int unixAddressLength(byte[] path) {
        return SUN_PATH_OFFSET + path.length + (path[0] != 0 ? 1 : 0);
    }

    private static boolean fitsSunPath(byte[] path) {
        return path.length >= 1 && path.length < SUN_PATH_SIZE;
    }

    @Override
    public int bindUnix(int fd, byte[] path) {
        if (!fitsSunPath(path)) {
            return -ENAMETOOLONG;
        }
        try {
            MemorySegment state = scratch();
            return result(state, (int) BIND.invokeExact(state, fd, unixAddress(state, path), unixAddressLength(path)));
        } catch (Throwable t) {
            throw failed(t);
        }
    }

    @Override
    public int sendToUnix(int fd, byte[] path, ByteBuffer buffer, int offset, int length, int flags) {
        within(buffer, offset, length);
        if (!fitsSunPath(path)) {
            return -ENAMETOOLONG;
        }
        try {
            Scratch scratch = SCRATCH.get();
            return result(scratch.state, (long) SENDTO.invokeExact(scratch.state, fd, scratch.address(buffer) + offset,
                    (long) length, flags, unixAddress(scratch.state, path), unixAddressLength(path)));
        } catch (Throwable t) {
            throw failed(t);
        }
    }
}
