package org.mptcp4j.natives;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.mptcp4j.protocol.Errno;

/**
 * A Unix-domain datagram socket, which the JDK before 22 does not have: the daemon's way to the
 * service manager ({@code NOTIFY_SOCKET}), the journal ({@code /run/systemd/journal/socket})
 * and syslog ({@code /dev/log}). An address is a path, or {@code @name} for the abstract
 * namespace, as {@code NOTIFY_SOCKET} writes it. Safe for use by several threads: each send is
 * one system call.
 */
public final class UnixDatagram implements AutoCloseable {
    /** sun_path's size, its terminating NUL included. */
    private static final int PATH_MAX = 108;

    private final int fd;
    private volatile boolean closed;

    private UnixDatagram(int fd) {
        this.fd = fd;
    }

    /** A socket that sends to any address. */
    public static UnixDatagram open() throws IOException {
        int fd = Transport.linux().socket(LinuxCalls.AF_UNIX, LinuxCalls.SOCK_DGRAM | LinuxCalls.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket(AF_UNIX, SOCK_DGRAM)", -fd);
        }
        return new UnixDatagram(fd);
    }

    /** A socket bound to {@code address}, receiving what is sent there (a path is created, and left). */
    public static UnixDatagram bind(String address) throws IOException {
        byte[] bytes = address(address);
        UnixDatagram socket = open();
        int rc = Transport.linux().bindUnix(socket.fd, bytes);
        if (rc < 0) {
            socket.close();
            throw failure("bind(" + address + ")", -rc);
        }
        return socket;
    }

    /**
     * Sends {@code data}'s remaining bytes (a direct buffer) to {@code address} as one datagram.
     * Never waits: a reader that stopped reading (a hung journal or syslog) is EAGAIN, so that no
     * thread that logs or notifies can hang on it.
     *
     * @throws IOException naming the address and the kernel's refusal (ENOENT, ECONNREFUSED:
     *     nobody listens there; EMSGSIZE: too large for one datagram; EAGAIN: its queue is full)
     */
    public void send(String address, ByteBuffer data) throws IOException {
        byte[] bytes = address(address);
        int offset = data.position();
        int length = data.remaining();
        int rc;
        do {
            rc = Transport.linux().sendToUnix(fd, bytes, data, offset, length,
                    LinuxCalls.MSG_NOSIGNAL | LinuxCalls.MSG_DONTWAIT);
        } while (rc == -Errno.EINTR);
        if (rc < 0) {
            throw failure("sendto(" + address + ")", -rc);
        }
    }

    /**
     * One datagram into {@code into} (direct) from its position, up to its limit, waiting up to
     * {@code timeoutMillis}; the position is moved past it.
     *
     * @return whether one arrived in time
     */
    public boolean receive(ByteBuffer into, int timeoutMillis) throws IOException {
        LinuxCalls linux = Transport.linux();
        int ready;
        while ((ready = linux.pollEvents(fd, LinuxCalls.POLLIN, timeoutMillis)) == -Errno.EINTR) {
            // a signal: wait again
        }
        if (ready < 0) {
            throw failure("poll", -ready);
        }
        if (ready == 0) {
            return false;
        }
        int rc = linux.receive(fd, into, into.position(), into.remaining(), LinuxCalls.MSG_DONTWAIT,
                ByteBuffer.allocateDirect(16));
        if (rc == -Errno.EAGAIN) {
            return false;
        }
        if (rc < 0) {
            throw failure("recv", -rc);
        }
        into.position(into.position() + rc);
        return true;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Transport.linux().close(fd);
        }
    }

    /** sun_path's bytes: '@' first names the abstract namespace (a NUL there). */
    static byte[] address(String address) throws IOException {
        byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length >= PATH_MAX) {
            throw new IOException("'" + address + "' is no Unix socket address (1 to " + (PATH_MAX - 1) + " bytes)");
        }
        if (bytes[0] == '@') {
            bytes[0] = 0;
        }
        return bytes;
    }

    private static IOException failure(String call, int errno) {
        return new IOException(call + ": " + Errno.text(errno) + " (" + Errno.name(errno) + ")"); // as every other I/O error
    }
}
