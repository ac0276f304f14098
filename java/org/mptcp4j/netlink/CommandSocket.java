package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.natives.Transport;
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
 * requests may be in flight. The native side keeps only answers addressed to this socket's
 * port id and sent by the kernel. Not thread-safe: one thread sends and receives.
 *
 * <p>The request is encoded in Java for both {@link Dialect}s ({@link UpstreamCommandEncoder},
 * {@link V095CommandEncoder}) on both transports and sent as it is: JNI's native send stamps
 * the sequence number and port id, FFM's Java one does the same. Answers are decoded natively
 * on JNI and by {@link ReplyDecoder} on FFM, into the same records (the two are checked against
 * each other byte for byte). libnl's encoder stays reachable as {@link #encodeWithLibnl}, the
 * reference the Java one is checked against.
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
    /** The native socket (JNI); on FFM {@link #FOREIGN} while open. 0 once closed. */
    private long handle;
    private static final long FOREIGN = -1;
    /** FFM only, else null: the socket, the datagram it received last and the decoder of its answers. */
    private final JavaNetlinkSocket channel;
    private final ByteBuffer rx;
    private final ReplyDecoder decoder;
    private final int familyId;
    private final int portId;
    private int seq;
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
        if (Transport.foreign()) {
            this.channel = fd < 0 ? openChannel(namespace, dialect) : JavaNetlinkSocket.adopt(fd);
            this.handle = FOREIGN;
            try {
                this.familyId = fd < 0 ? channel.resolve(dialect.family(), null)[0] : familyId;
                this.portId = fd < 0 ? channel.portId() : portId;
            } catch (RuntimeException e) {
                channel.close();
                throw e;
            }
            this.rx = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE).order(ByteOrder.nativeOrder());
            this.decoder = new ReplyDecoder(replies, texts, this.familyId, this.portId);
        } else {
            this.channel = null;
            this.rx = null;
            this.decoder = null;
            this.handle = fd < 0 ? open(namespace.fd(), dialect.family(), requestBuffer, replies, texts)
                    : adopt(fd, familyId, portId, requestBuffer, replies, texts);
            this.familyId = familyId(handle);
            this.portId = portId(handle);
        }
        this.message = ByteBuffer.allocateDirect(MESSAGE_SIZE).order(ByteOrder.nativeOrder());
        this.upstream = dialect == Dialect.UPSTREAM ? new UpstreamCommandEncoder(message, this.familyId, this.portId) : null;
        this.v095 = dialect == Dialect.V095 ? new V095CommandEncoder(message, this.familyId) : null;
    }

    /**
     * Room for the longest command of either family (upstream's SET_FLAGS with two IPv6
     * addresses and every attribute is under 150 bytes; v0.95's SUB_CREATE 92).
     */
    private static final int MESSAGE_SIZE = 256;
    /** Room for the acknowledgements of a full window of pipelined requests (as the native socket has). */
    private static final int RECEIVE_BUFFER_BYTES = 4 << 20;

    /** The FFM socket: generic netlink in {@code namespace}, extended acknowledgements, capped. */
    private static JavaNetlinkSocket openChannel(NetworkNamespace namespace, Dialect dialect) {
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
        long h = handle();
        int length = upstream != null ? upstream.encode(requestBuffer, 0) : v095.encode(requestBuffer);
        if (length < 0) {
            return length;
        }
        int sent = channel != null ? sendJava(length) : sendMessage(h, message, length);
        if (tap != null && sent > 0) {
            tap.request(message, length);
        }
        return sent;
    }

    /** The FFM send: the next sequence number and this socket's port id stamped, as the native one does. */
    private int sendJava(int length) {
        if (++seq <= 0) {
            seq = 1; // they go back to callers as positive ints
        }
        message.putInt(8, seq);
        message.putInt(12, portId);
        int rc = channel.send(message, 0, length);
        return rc < 0 ? rc : seq;
    }

    /**
     * Tells {@code tap} of every request sent and every datagram of answers received from now
     * on (null: no more). With a tap each datagram is copied once more; without, nothing is.
     */
    public void tap(TrafficTap tap) {
        if (tap != null && tapBuffer == null && channel == null) {
            tapBuffer = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE);
        }
        this.tap = tap;
    }

    /**
     * Encodes the request into {@code out} as {@link #send()} would send it (sequence number 0),
     * without sending: the Java encoder of the socket's dialect. Returns the length or a negative errno.
     */
    public int encode(ByteBuffer out) {
        handle();
        int length = upstream != null ? upstream.encode(requestBuffer, 0) : v095.encode(requestBuffer);
        if (length > out.capacity()) {
            return -Errno.EMSGSIZE;
        }
        if (length > 0) {
            out.put(0, message, 0, length);
        }
        return length;
    }

    /**
     * Encodes the upstream request into {@code out} (direct) with libnl, without sending: the
     * reference the Java encoder is checked against, and a benchmark subject. JNI only. Returns
     * the message's length or a negative errno.
     */
    public int encodeWithLibnl(ByteBuffer out) {
        if (channel != null || v095 != null) {
            throw new IllegalStateException("libnl encodes upstream requests on the JNI transport only");
        }
        return encode(handle(), out);
    }

    /** The generic netlink id of the family this socket speaks, in its namespace (its requests' nlmsg_type). */
    public int familyId() {
        handle();
        return familyId;
    }

    /** The port id the kernel knows this socket by (nlmsg_pid of its requests). */
    public int portId() {
        handle();
        return portId;
    }

    /**
     * Reads one datagram of answers, waiting up to {@code timeoutMillis} (-1: no limit, 0: not at all).
     *
     * @return answers now readable with {@link #reply(int)}; 0 if none came; a negative errno
     *     (-ENOBUFS: answers were dropped because the socket was full)
     */
    public int receive(int timeoutMillis) {
        long h = handle();
        if (channel != null) {
            return receiveJava(timeoutMillis);
        }
        int n = receive(h, timeoutMillis);
        if (tap != null && n > 0) {
            int length = lastAnswer(h, tapBuffer);
            tap.answer(tapBuffer, Math.max(length, 0));
        }
        return n;
    }

    /** The FFM receive: what the native one does, the answers decoded by {@link ReplyDecoder}. */
    private int receiveJava(int timeoutMillis) {
        if (timeoutMillis != 0) {
            int ready = channel.poll(-1, -1, timeoutMillis);
            if (ready <= 0) {
                return ready == -Errno.EINTR ? 0 : ready;
            }
        }
        int length = channel.receive(rx, 0, rx.capacity());
        if (length == JavaNetlinkSocket.SKIPPED) {
            decoder.decode(rx, 0, -1); // counted as foreign, as the native socket counts it
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
        long h = handle();
        return channel != null ? decoder.foreignMessages() : foreignMessages(h);
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
            if (channel != null) {
                channel.close();
            } else {
                close(h);
            }
        }
    }

    private static native long open(int netnsFd, String family, ByteBuffer request, ByteBuffer replies, ByteBuffer texts);

    private static native long adopt(int fd, int familyId, int portId, ByteBuffer request, ByteBuffer replies,
            ByteBuffer texts);

    private static native int sendMessage(long handle, ByteBuffer message, int length);

    private static native int familyId(long handle);

    private static native int encode(long handle, ByteBuffer out);

    private static native int lastAnswer(long handle, ByteBuffer out);

    private static native int portId(long handle);

    private static native int receive(long handle, int timeoutMillis);

    private static native long foreignMessages(long handle);

    private static native void close(long handle);
}
