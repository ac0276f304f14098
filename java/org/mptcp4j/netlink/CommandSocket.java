package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * The socket path-manager commands go out on, apart from the event socket so that replies
 * and events never queue behind each other. A command is written with {@link #request()},
 * sent and acknowledged by {@link #execute()}; the native side checks the reply's sequence
 * number and port id. Not thread-safe: callers serialize.
 */
public final class CommandSocket implements AutoCloseable {
    private final ByteBuffer requestBuffer;
    private final ByteBuffer reply;
    private final CommandRequest request;
    private long handle;

    private CommandSocket(NetworkNamespace namespace) {
        NativeLibrary.ensureLoaded();
        this.requestBuffer = ByteBuffer.allocateDirect(CommandRequest.SIZE).order(ByteOrder.nativeOrder());
        this.reply = ByteBuffer.allocateDirect(CommandRequest.REPLY_SIZE).order(ByteOrder.nativeOrder());
        this.request = new CommandRequest(requestBuffer);
        this.handle = open(namespace.fd(), requestBuffer, reply);
    }

    /** Opens a command socket in {@code namespace}; throws MptcpException without mptcp_pm. */
    public static CommandSocket open(NetworkNamespace namespace) {
        return new CommandSocket(namespace);
    }

    /** The request to fill before {@link #execute()}. */
    public CommandRequest request() {
        return request;
    }

    /** Sends the request and waits for the kernel's answer: 0, or a negative errno. */
    public int execute() {
        if (handle == 0) {
            throw new IllegalStateException("command socket is closed");
        }
        return execute(handle);
    }

    /** The kernel's extended-ack message for the last failed command, or null (allocates). */
    public String extack() {
        int length = reply.getShort(CommandRequest.REPLY_EXTACK_LEN) & 0xffff;
        if (length == 0) {
            return null;
        }
        byte[] text = new byte[length];
        reply.get(CommandRequest.REPLY_EXTACK, text, 0, length);
        return new String(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (handle != 0) {
            long h = handle;
            handle = 0;
            close(h);
        }
    }

    private static native long open(int netnsFd, ByteBuffer request, ByteBuffer reply);

    private static native int execute(long handle);

    private static native void close(long handle);
}
