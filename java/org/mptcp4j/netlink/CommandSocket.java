package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * The socket path-manager commands go out on, apart from the event socket so that answers and
 * events never queue behind each other. A command is written with {@link #request()} and sent
 * by {@link #send()}, which returns its sequence number without waiting; {@link #receive}
 * reads the next datagram of answers into {@link ReplyRecord}s that carry that number. Several
 * requests may be in flight. The native side keeps only answers addressed to this socket's
 * port id and sent by the kernel. Not thread-safe: one thread sends and receives.
 */
public final class CommandSocket implements AutoCloseable {
    private final ByteBuffer requestBuffer;
    private final CommandRequest request;
    private final ReplyRecord reply;
    private long handle;

    private CommandSocket(NetworkNamespace namespace) {
        NativeLibrary.ensureLoaded();
        this.requestBuffer = ByteBuffer.allocateDirect(CommandRequest.SIZE).order(ByteOrder.nativeOrder());
        ByteBuffer replies = ByteBuffer.allocateDirect(ReplyRecord.CAPACITY * ReplyRecord.SIZE).order(ByteOrder.nativeOrder());
        ByteBuffer texts = ByteBuffer.allocateDirect(ReplyRecord.TEXT_SIZE);
        this.request = new CommandRequest(requestBuffer);
        this.reply = new ReplyRecord(replies, texts);
        this.handle = open(namespace.fd(), requestBuffer, replies, texts);
    }

    /** Opens a command socket in {@code namespace}; throws MptcpException without mptcp_pm. */
    public static CommandSocket open(NetworkNamespace namespace) {
        return new CommandSocket(namespace);
    }

    /** The request to fill before {@link #send()}. */
    public CommandRequest request() {
        return request;
    }

    /** Sends the request: its sequence number (positive), or a negative errno. */
    public int send() {
        return send(handle());
    }

    /**
     * Encodes the request into {@code out} (direct) as {@link #send()} would send it, without
     * sending: how benchmarks compare encoders. Returns the message's length or a negative errno.
     */
    public int encode(ByteBuffer out) {
        return encode(handle(), out);
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
        return receive(handle(), timeoutMillis);
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

    private static native long open(int netnsFd, ByteBuffer request, ByteBuffer replies, ByteBuffer texts);

    private static native int send(long handle);

    private static native int encode(long handle, ByteBuffer out);

    private static native int portId(long handle);

    private static native int receive(long handle, int timeoutMillis);

    private static native long foreignMessages(long handle);

    private static native void close(long handle);
}
