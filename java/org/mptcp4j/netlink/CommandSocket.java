package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.protocol.TrafficTap;

/**
 * The socket path-manager commands go out on, apart from the event socket so that answers and
 * events never queue behind each other. A command is written with {@link #request()} and sent
 * by {@link #send()}, which returns its sequence number without waiting; {@link #receive}
 * reads the next datagram of answers into {@link ReplyRecord}s that carry that number. Several
 * requests may be in flight. Only answers addressed to this socket's port id and sent by the
 * kernel are kept. Not thread-safe: one thread sends and receives.
 *
 * <p>The request is encoded for either {@link Dialect} ({@link UpstreamCommandEncoder},
 * {@link V095CommandEncoder}), stamped with the next sequence number and this socket's port id
 * and sent by a {@link JavaNetlinkSocket}; answers are decoded by {@link ReplyDecoder}. Both
 * transports run this same code over their {@link LinuxCalls}.
 */
public final class CommandSocket implements AutoCloseable {
    private final ByteBuffer requestBuffer;
    private final CommandRequest request;
    private final ReplyRecord reply;
    private final Dialect dialect;
    /** The message the dialect's encoder writes; one of the two encoders, the other null. */
    private final ByteBuffer message;
    private final UpstreamCommandEncoder upstream;
    private final V095CommandEncoder v095;
    /** The socket, the datagram it received last and the decoder of its answers. */
    private final JavaNetlinkSocket channel;
    private final ByteBuffer rx;
    private final ReplyDecoder decoder;
    private final int familyId;
    private final int portId;
    private int seq;
    private boolean closed;
    /** Told of the traffic when recorded, else null. */
    private TrafficTap tap;

    /** Opens in {@code namespace} when {@code fd} is -1, else adopts {@code fd}. */
    private CommandSocket(Dialect dialect, NetworkNamespace namespace, int fd, int familyId, int portId) {
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.requestBuffer = ByteBuffer.allocateDirect(CommandRequest.SIZE).order(ByteOrder.nativeOrder());
        ByteBuffer replies = ByteBuffer.allocateDirect(ReplyRecord.CAPACITY * ReplyRecord.SIZE).order(ByteOrder.nativeOrder());
        ByteBuffer texts = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE);
        this.request = new CommandRequest(requestBuffer);
        this.reply = new ReplyRecord(replies, texts);
        this.channel = fd < 0 ? openChannel(namespace) : JavaNetlinkSocket.adopt(fd);
        try {
            this.familyId = fd < 0 ? channel.resolve(dialect.family(), null)[0] : familyId;
            this.portId = fd < 0 ? channel.portId() : portId;
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
        this.rx = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE).order(ByteOrder.nativeOrder());
        this.decoder = new ReplyDecoder(replies, texts, this.familyId, this.portId);
        this.message = ByteBuffer.allocateDirect(MESSAGE_SIZE).order(ByteOrder.nativeOrder());
        this.upstream = dialect == Dialect.UPSTREAM ? new UpstreamCommandEncoder(message, this.familyId, this.portId) : null;
        this.v095 = dialect == Dialect.V095 ? new V095CommandEncoder(message, this.familyId) : null;
    }

    /**
     * Room for the longest command of either family (upstream's SET_FLAGS with two IPv6
     * addresses and every attribute is under 150 bytes; v0.95's SUB_CREATE 92).
     */
    private static final int MESSAGE_SIZE = 256;
    /** Room for the acknowledgements of a full window of pipelined requests. */
    private static final int RECEIVE_BUFFER_BYTES = 4 << 20;

    /** The socket: generic netlink in {@code namespace}, extended acknowledgements, capped. */
    private static JavaNetlinkSocket openChannel(NetworkNamespace namespace) {
        JavaNetlinkSocket socket = JavaNetlinkSocket.open(namespace.fd(), LinuxCalls.NETLINK_GENERIC, "generic netlink");
        int rc = socket.setNetlinkOption(LinuxCalls.NETLINK_EXT_ACK, 1);
        if (rc >= 0) {
            rc = socket.setNetlinkOption(LinuxCalls.NETLINK_CAP_ACK, 1);
        }
        if (rc >= 0) {
            rc = socket.setReceiveBuffer(RECEIVE_BUFFER_BYTES);
        }
        if (rc < 0) {
            socket.close();
            throw new MptcpException("configure command socket", -rc, null);
        }
        return socket;
    }

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
     * {@code fd} from now on, and closes it when adopting fails.
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
        ensureOpen();
        int length = upstream != null ? upstream.encode(requestBuffer, 0) : v095.encode(requestBuffer);
        if (length < 0) {
            return length;
        }
        if (++seq <= 0) {
            seq = 1; // they go back to callers as positive ints
        }
        message.putInt(8, seq);
        message.putInt(12, portId);
        int rc = channel.send(message, 0, length);
        if (rc < 0) {
            return rc;
        }
        if (tap != null) {
            tap.request(message, length);
        }
        return seq;
    }

    /**
     * Tells {@code tap} of every request sent and every datagram of answers received from now
     * on (null: no more).
     */
    public void tap(TrafficTap tap) {
        this.tap = tap;
    }

    /**
     * Encodes the request into {@code out} as {@link #send()} would send it (sequence number 0),
     * without sending: the Java encoder of the socket's dialect. Returns the length or a negative errno.
     */
    public int encode(ByteBuffer out) {
        ensureOpen();
        int length = upstream != null ? upstream.encode(requestBuffer, 0) : v095.encode(requestBuffer);
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
        ensureOpen();
        return familyId;
    }

    /** The port id the kernel knows this socket by (nlmsg_pid of its requests). */
    public int portId() {
        ensureOpen();
        return portId;
    }

    /**
     * Reads one datagram of answers, waiting up to {@code timeoutMillis} (-1: no limit, 0: not at all).
     *
     * @return answers now readable with {@link #reply(int)}; 0 if none came; a negative errno
     *     (-ENOBUFS: answers were dropped because the socket was full)
     */
    public int receive(int timeoutMillis) {
        ensureOpen();
        if (timeoutMillis != 0) {
            int ready = channel.poll(-1, -1, timeoutMillis);
            if (ready <= 0) {
                return ready == -Errno.EINTR ? 0 : ready;
            }
        }
        int length = channel.receive(rx, 0, rx.capacity());
        if (length == JavaNetlinkSocket.SKIPPED) {
            decoder.decode(rx, 0, -1); // another sender's datagram: counted as foreign
            return 0;
        }
        if (length == JavaNetlinkSocket.TRUNCATED) {
            return -Errno.EMSGSIZE;
        }
        if (length <= 0) {
            return length;
        }
        int n = decoder.decode(rx, length, 0);
        if (tap != null && n > 0) {
            tap.answer(rx, length);
        }
        return n;
    }

    /** The flyweight pointed at answer {@code index} of the last receive. */
    public ReplyRecord reply(int index) {
        return reply.wrap(index);
    }

    /** Messages dropped because they were not the kernel's answers to this socket. */
    public long foreignMessages() {
        ensureOpen();
        return decoder.foreignMessages();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("command socket is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }
}
