package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.TrafficTap;

/**
 * The socket path-manager commands go out on, apart from the event socket so that answers and
 * events never queue behind each other. A command is written with {@link #request()} and sent
 * by {@link #send()}, which returns its sequence number without waiting; {@link #receive}
 * reads the next datagram of answers into {@link ReplyRecord}s that carry that number. Several
 * requests may be in flight. The native side keeps only answers addressed to this socket's
 * port id and sent by the kernel. Not thread-safe: one thread sends and receives.
 *
 * <p>The request is written the same way for both {@link Dialect}s: upstream's is encoded
 * natively (libnl), v0.95's in Java ({@link V095CommandEncoder}) and sent as it is.
 */
public final class CommandSocket implements AutoCloseable {
    private final ByteBuffer requestBuffer;
    private final CommandRequest request;
    private final ReplyRecord reply;
    private final Dialect dialect;
    /** v0.95 only: the message its encoder writes, and the encoder; else null. */
    private final ByteBuffer message;
    private final V095CommandEncoder v095;
    private long handle;
    /** Told of the traffic when recorded, else null; with its buffer. */
    private TrafficTap tap;
    private ByteBuffer tapBuffer;

    /** Opens in {@code namespace} when {@code fd} is -1, else adopts {@code fd}. */
    private CommandSocket(Dialect dialect, NetworkNamespace namespace, int fd, int familyId, int portId) {
        RecordLayouts.ensureChecked();
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.requestBuffer = ByteBuffer.allocateDirect(CommandRequest.SIZE).order(ByteOrder.nativeOrder());
        ByteBuffer replies = ByteBuffer.allocateDirect(ReplyRecord.CAPACITY * ReplyRecord.SIZE).order(ByteOrder.nativeOrder());
        ByteBuffer texts = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE);
        this.request = new CommandRequest(requestBuffer);
        this.reply = new ReplyRecord(replies, texts);
        this.handle = fd < 0 ? open(namespace.fd(), dialect.family(), requestBuffer, replies, texts)
                : adopt(fd, familyId, portId, requestBuffer, replies, texts);
        this.message = dialect == Dialect.V095 ? ByteBuffer.allocateDirect(V095_MESSAGE_SIZE) : null;
        this.v095 = dialect == Dialect.V095 ? new V095CommandEncoder(message, familyId(handle)) : null;
    }

    /** The longest v0.95 command (SUB_CREATE with IPv6 addresses, port, backup and interface) is 92 bytes. */
    private static final int V095_MESSAGE_SIZE = 256;

    /** Opens a command socket in {@code namespace}; throws MptcpException without mptcp_pm. */
    public static CommandSocket open(NetworkNamespace namespace) {
        return open(namespace, Dialect.UPSTREAM);
    }

    /** Opens a command socket for {@code dialect}'s family in {@code namespace}; throws MptcpException without it. */
    public static CommandSocket open(NetworkNamespace namespace, Dialect dialect) {
        return new CommandSocket(dialect, Objects.requireNonNull(namespace, "namespace"), -1, 0, 0);
    }

    /**
     * A command socket over {@code fd}, one end of a connected datagram socket pair whose other
     * end answers in the kernel's place as family {@code familyId} (a {@link org.mptcp4j.standin.KernelStandIn}
     * replaying recorded traffic). Requests go out from port id {@code portId}. The socket owns
     * {@code fd} from now on; the native side closes it when adopting fails.
     */
    public static CommandSocket adopt(int fd, Dialect dialect, int familyId, int portId) {
        return new CommandSocket(dialect, null, fd, familyId, portId);
    }

    /** The family this socket speaks. */
    public Dialect dialect() {
        return dialect;
    }

    /** The request to fill before {@link #send()}. */
    public CommandRequest request() {
        return request;
    }

    /** Sends the request: its sequence number (positive), or a negative errno. */
    public int send() {
        if (v095 == null) {
            int seq = send(handle());
            if (tap != null && seq > 0) {
                int length = lastRequest(handle, tapBuffer);
                tap.request(tapBuffer, Math.max(length, 0));
            }
            return seq;
        }
        int length = v095.encode(requestBuffer);
        int seq = length < 0 ? length : sendMessage(handle(), message, length);
        if (tap != null && seq > 0) {
            tap.request(message, length);
        }
        return seq;
    }

    /**
     * Tells {@code tap} of every request sent and every datagram of answers received from now
     * on (null: no more). With a tap each datagram is copied once more; without, nothing is.
     */
    public void tap(TrafficTap tap) {
        if (tap != null && tapBuffer == null) {
            tapBuffer = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE);
        }
        this.tap = tap;
    }

    /**
     * Encodes the request into {@code out} (direct) as {@link #send()} would send it, without
     * sending: how benchmarks compare encoders. Returns the message's length or a negative errno.
     */
    public int encode(ByteBuffer out) {
        if (v095 == null) {
            return encode(handle(), out);
        }
        int length = v095.encode(requestBuffer);
        if (length > out.capacity()) {
            return -Errno.EMSGSIZE;
        }
        if (length > 0) {
            out.put(0, message, 0, length);
        }
        return length;
    }

    /** The generic netlink id of the family this socket speaks, in its namespace (its requests' nlmsg_type). */
    public int familyId() {
        return familyId(handle());
    }

    /** The port id the kernel knows this socket by (nlmsg_pid of its requests). */
    public int portId() {
        return portId(handle());
    }

    /**
     * Reads one datagram of answers, waiting up to {@code timeoutMillis} (-1: no limit, 0: not at all).
     *
     * @return answers now readable with {@link #reply(int)}; 0 if none came; a negative errno
     *     (-ENOBUFS: answers were dropped because the socket was full)
     */
    public int receive(int timeoutMillis) {
        int n = receive(handle(), timeoutMillis);
        if (tap != null && n > 0) {
            int length = lastAnswer(handle, tapBuffer);
            tap.answer(tapBuffer, Math.max(length, 0));
        }
        return n;
    }

    /** The flyweight pointed at answer {@code index} of the last receive. */
    public ReplyRecord reply(int index) {
        return reply.wrap(index);
    }

    /** Messages dropped because they were not the kernel's answers to this socket. */
    public long foreignMessages() {
        return foreignMessages(handle());
    }

    private long handle() {
        long h = handle;
        if (h == 0) {
            throw new IllegalStateException("command socket is closed");
        }
        return h;
    }

    @Override
    public void close() {
        if (handle != 0) {
            long h = handle;
            handle = 0;
            close(h);
        }
    }

    private static native long open(int netnsFd, String family, ByteBuffer request, ByteBuffer replies, ByteBuffer texts);

    private static native long adopt(int fd, int familyId, int portId, ByteBuffer request, ByteBuffer replies,
            ByteBuffer texts);

    private static native int send(long handle);

    private static native int sendMessage(long handle, ByteBuffer message, int length);

    private static native int familyId(long handle);

    private static native int encode(long handle, ByteBuffer out);

    private static native int lastRequest(long handle, ByteBuffer out);

    private static native int lastAnswer(long handle, ByteBuffer out);

    private static native int portId(long handle);

    private static native int receive(long handle, int timeoutMillis);

    private static native long foreignMessages(long handle);

    private static native void close(long handle);
}
