package org.mptcp4j.standin;

import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.mptcp4j.access.StandInAccess;
import org.mptcp4j.loop.EventHandler;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.netlink.CommandSocket;
import org.mptcp4j.netlink.EventSocket;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpException;

/**
 * Stands in for the kernel's side of the path-manager netlink sockets, to run a controller
 * against recorded traffic of either {@link Dialect} without that kernel. The event and command
 * sockets are connected AF_UNIX datagram sockets instead of netlink, whose other ends this
 * object reads and writes; everything else (receiving, decoding, encoding, matching answers to
 * requests) is what runs against a live kernel.
 *
 * <pre>{@code
 * try (KernelStandIn kernel = KernelStandIn.create(Dialect.V095, 0x16);
 *      EventLoop loop = kernel.loop(new ControllerHost(controller, kernel.pathManager())).build()) {
 *     loop.start();
 *     kernel.sendEvents(recordedEstablished);
 *     byte[] request = kernel.receiveRequest(1000);   // what the controller asked
 *     kernel.sendAnswer(recordedAck);                 // seq and port id set to the request's
 * }
 * }</pre>
 *
 * <p>Messages are sent as given: sequence numbers and port ids in recorded answers must be
 * set to those of the requests they answer ({@link #PORT_ID}). One thread uses each direction.
 */
public final class KernelStandIn implements StandInAccess.EventSource, AutoCloseable {
    /** The port id the command socket sends its requests from. */
    public static final int PORT_ID = 0x4d34;
    private static final int DATAGRAM_MAX = 32 << 10;

    private final Dialect dialect;
    private final int familyId;
    /**
     * What is sent, each direction under its own lock: a sender of events that waits for the
     * loop to read never holds up the answers the loop waits for. What is received, by the one
     * receiving thread.
     */
    private final ByteBuffer events = ByteBuffer.allocateDirect(DATAGRAM_MAX);
    private final ByteBuffer answers = ByteBuffer.allocateDirect(DATAGRAM_MAX);
    private final ByteBuffer received = ByteBuffer.allocateDirect(DATAGRAM_MAX);
    /** Where the receive puts the sender's address, which nothing reads. */
    private final ByteBuffer sender = ByteBuffer.allocateDirect(16);
    private int eventsFd = -1;
    private int commandsFd = -1;
    private int eventSocketFd = -1;
    private int commandSocketFd = -1;
    private volatile LongSupplier clock = StandInAccess.SYSTEM_CLOCK;

    static {
        // Their static initializers register the hooks this stand-in reaches them by.
        try {
            MethodHandles.lookup().ensureInitialized(PathManager.class);
            MethodHandles.lookup().ensureInitialized(EventLoop.class);
        } catch (IllegalAccessException e) {
            throw new AssertionError("public classes of this module", e);
        }
    }

    private KernelStandIn(Dialect dialect, int familyId) {
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.familyId = familyId;
        long events = pair();
        long commands;
        try {
            commands = pair();
        } catch (RuntimeException e) {
            closeFd((int) (events >>> 32));
            closeFd((int) events);
            throw e;
        }
        eventsFd = (int) (events >>> 32);
        eventSocketFd = (int) events;
        commandsFd = (int) (commands >>> 32);
        commandSocketFd = (int) commands;
    }

    /**
     * A stand-in for a kernel of {@code dialect} whose path-manager family has id {@code familyId}.
     *
     * @param dialect the family it stands in for
     * @param familyId the family's generic netlink id
     * @return the stand-in; close it
     */
    public static KernelStandIn create(Dialect dialect, int familyId) {
        if (familyId < 0x10 || familyId > 0xffff) {
            throw new IllegalArgumentException("generic netlink family ids are 16..65535: " + familyId);
        }
        return new KernelStandIn(dialect, familyId);
    }

    private static long pair() {
        long fds = Transport.linux().socketPair(LinuxCalls.AF_UNIX, LinuxCalls.SOCK_SEQPACKET | LinuxCalls.SOCK_CLOEXEC, 0);
        if (fds < 0) {
            throw new MptcpException("create a socket pair", (int) -fds, null);
        }
        return fds;
    }

    /**
     * The family it stands in for.
     *
     * @return the dialect
     */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * The family id it answers to.
     *
     * @return the family's generic netlink id
     */
    public int familyId() {
        return familyId;
    }

    /**
     * Sets the clock, in nanoseconds, that a loop over this stand-in keeps its timers by (default
     * {@link System#nanoTime()}): the kernel's monotonic clock is the stand-in's to give too, and
     * a test that advances it runs the timers due. Set before the loop is built.
     *
     * @param nanoTime the clock, in nanoseconds
     * @return this stand-in
     */
    public KernelStandIn clock(LongSupplier nanoTime) {
        this.clock = Objects.requireNonNull(nanoTime, "nanoTime");
        return this;
    }

    /** The clock a loop over this stand-in keeps its timers by. */
    @Override
    public LongSupplier clock() {
        return clock;
    }

    /**
     * A path manager whose commands this stand-in receives, with every command of its dialect
     * ({@link org.mptcp4j.pm.KernelFeatures#assumed}); once. Announcements with a listener open
     * none (they are counted as open): a made-up announcement must not take a port of the
     * caller's namespace.
     *
     * @return the path manager
     */
    public PathManager pathManager() {
        return (PathManager) StandInAccess.pathManagers().over(commandSocket(), dialect);
    }

    /**
     * A loop to be built that hears the events this stand-in sends rather than the kernel's (its
     * dialect; the namespace then only serves local address events); it takes the event socket.
     *
     * @param handler the handler of the loop's events
     * @return the loop's builder
     */
    public EventLoop.Builder loop(EventHandler handler) {
        EventLoop.Builder builder = EventLoop.builder(handler);
        StandInAccess.loopBuilders().hear(builder, this);
        return builder;
    }

    /** The event socket fed by {@link #sendEvents}, for a loop built by {@link #loop}; once. */
    @Override
    public synchronized EventSocket eventSocket(int recordCapacity, boolean javaDecoding) {
        if (recordCapacity < 1) { // checked here, while the stand-in still owns the fd
            throw new IllegalArgumentException("record capacity must be at least 1: " + recordCapacity);
        }
        int fd = take(eventSocketFd, "event");
        eventSocketFd = -1;
        return EventSocket.adopt(fd, dialect, familyId, recordCapacity, javaDecoding);
    }

    private synchronized CommandSocket commandSocket() {
        int fd = take(commandSocketFd, "command");
        commandSocketFd = -1;
        return CommandSocket.adopt(fd, dialect, familyId, PORT_ID);
    }

    private static int take(int fd, String which) {
        if (fd < 0) {
            throw new IllegalStateException("the " + which + " socket was already taken, or the stand-in is closed");
        }
        return fd;
    }

    /**
     * Sends {@code datagram} (one or more netlink messages) to the event socket, as the kernel multicasts them.
     *
     * @param datagram the netlink messages
     */
    public void sendEvents(byte[] datagram) {
        send(true, datagram);
    }

    /**
     * Sends {@code datagram} (one or more netlink messages) to the command socket, as the kernel answers.
     *
     * @param datagram the netlink messages
     */
    public void sendAnswer(byte[] datagram) {
        send(false, datagram);
    }

    private void send(boolean event, byte[] datagram) {
        if (datagram.length > DATAGRAM_MAX) {
            throw new IllegalArgumentException("datagram of " + datagram.length + " bytes, at most " + DATAGRAM_MAX);
        }
        ByteBuffer buffer = event ? events : answers;
        // The direction's lock, then this one: close takes both in that order too.
        synchronized (buffer) {
            int fd;
            synchronized (this) {
                fd = event ? eventsFd : commandsFd;
            }
            if (fd < 0) {
                throw new IllegalStateException("the stand-in is closed");
            }
            buffer.clear();
            buffer.put(datagram);
            int rc = sendDatagram(fd, buffer, datagram.length);
            if (rc < 0) {
                throw new MptcpException(event ? "send events" : "send an answer", -rc, null);
            }
        }
    }

    /**
     * The next request the command socket sent, waiting up to {@code timeoutMillis}; null when
     * none came.
     *
     * @param timeoutMillis the most milliseconds to wait
     * @return the request's bytes, or null
     */
    public byte[] receiveRequest(int timeoutMillis) {
        int fd;
        synchronized (this) {
            fd = commandsFd;
        }
        if (fd < 0) {
            throw new IllegalStateException("the stand-in is closed");
        }
        int n = receiveDatagram(fd, received, timeoutMillis);
        if (n < 0) {
            throw new MptcpException("receive a request", -n, null);
        }
        if (n == 0) {
            return null;
        }
        byte[] bytes = new byte[n];
        received.get(0, bytes);
        return bytes;
    }

    /** Closes the stand-in's ends, and those of sockets not taken (taken sockets close their own). */
    @Override
    public void close() {
        synchronized (events) {
            synchronized (answers) {
                synchronized (this) {
                    for (int fd : new int[] {eventsFd, commandsFd, eventSocketFd, commandSocketFd}) {
                        if (fd >= 0) {
                            closeFd(fd);
                        }
                    }
                    eventsFd = commandsFd = eventSocketFd = commandSocketFd = -1;
                }
            }
        }
    }

    // The system calls below go to the transport in use, JNI or FFM.

    /** Sends the first {@code length} bytes of {@code buffer} as one datagram; 0 or a negative errno. */
    private static int sendDatagram(int fd, ByteBuffer buffer, int length) {
        int rc;
        while ((rc = Transport.linux().send(fd, buffer, 0, length, LinuxCalls.MSG_NOSIGNAL)) < 0) {
            if (rc != -Errno.EINTR) {
                return rc;
            }
        }
        return 0;
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: no limit) for a datagram and reads it into {@code
     * buffer}: its length, 0 when none came, -EMSGSIZE when it did not fit, or a negative errno.
     */
    private int receiveDatagram(int fd, ByteBuffer buffer, int timeoutMillis) {
        LinuxCalls linux = Transport.linux();
        int revents;
        while ((revents = linux.pollEvents(fd, LinuxCalls.POLLIN, timeoutMillis)) == -Errno.EINTR) {
            // a signal: wait again
        }
        if (revents <= 0) {
            return revents;
        }
        int capacity = buffer.capacity();
        int length;
        while ((length = linux.receive(fd, buffer, 0, capacity, LinuxCalls.MSG_DONTWAIT | LinuxCalls.MSG_TRUNC,
                sender)) < 0) {
            if (length == -Errno.EAGAIN) {
                return 0;
            }
            if (length != -Errno.EINTR) {
                return length;
            }
        }
        // An empty datagram is one; nothing from a peer that hung up is the end.
        if (length == 0 && (revents & LinuxCalls.POLLHUP) != 0) {
            return -Errno.ENOTCONN;
        }
        return length > capacity ? -Errno.EMSGSIZE : length;
    }

    private static void closeFd(int fd) {
        Transport.linux().close(fd);
    }
}
