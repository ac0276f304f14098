package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.natives.LinuxCalls;
import org.mptcp4j.natives.NamespaceEntry;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpException;

/**
 * A netlink socket made and read in Java over the system calls of either transport. Made inside the namespace
 * (the thread enters and leaves at once), bound by the kernel, connected to the kernel (port
 * 0) so that no other process's unicast reaches it, and every datagram's sender checked: a
 * multicast from another port is skipped.
 */
final class JavaNetlinkSocket implements AutoCloseable {
    /** What {@link #receive} returns for a datagram to skip: not the kernel's, or cut short (counted by the caller). */
    static final int SKIPPED = Integer.MIN_VALUE;
    static final int TRUNCATED = Integer.MIN_VALUE + 1;
    /** sizeof(struct sockaddr_nl), the address length of every netlink sender. */
    private static final int SOCKADDR_NL_LENGTH = 12;

    private final LinuxCalls linux;
    private final int fd;
    /** Whether the peer is a socket pair's end (a stand-in for the kernel): no netlink sender to check. */
    private final boolean adopted;
    /** Mask of the sender check: all ones for a netlink socket, 0 for an adopted one. */
    private final int senderCheck;
    /** recvfrom's sockaddr_nl and its length (see {@link LinuxCalls#receive}). */
    private final ByteBuffer sender = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private volatile boolean closed;

    private JavaNetlinkSocket(LinuxCalls linux, int fd, boolean adopted) {
        this.linux = linux;
        this.fd = fd;
        this.adopted = adopted;
        this.senderCheck = adopted ? 0 : -1;
    }

    /** A socket of netlink {@code protocol} in the namespace open at {@code netnsFd} (-1: the caller's). */
    static JavaNetlinkSocket open(int netnsFd, int protocol, String what) {
        LinuxCalls linux = Transport.linux();
        int saved = NamespaceEntry.enter(linux, netnsFd);
        if (saved < 0 && saved != NamespaceEntry.STAYED) {
            throw new MptcpException("enter network namespace", -saved, null);
        }
        int fd;
        try {
            fd = linux.socket(LinuxCalls.AF_NETLINK, LinuxCalls.SOCK_RAW | LinuxCalls.SOCK_CLOEXEC, protocol);
        } finally {
            NamespaceEntry.leave(linux, saved);
        }
        if (fd < 0) {
            throw new MptcpException("connect " + what + " socket", -fd, null);
        }
        JavaNetlinkSocket socket = new JavaNetlinkSocket(linux, fd, false);
        int rc = linux.bindNetlink(fd, 0, 0);
        if (rc < 0) {
            socket.close();
            throw new MptcpException("connect " + what + " socket", -rc, null);
        }
        rc = linux.connectNetlink(fd, 0);
        if (rc < 0) {
            socket.close();
            throw new MptcpException("connect " + what + " socket to the kernel", -rc, null);
        }
        return socket;
    }

    /** A socket over {@code fd}, a socket pair's end whose peer speaks netlink in the kernel's place. */
    static JavaNetlinkSocket adopt(int fd) {
        return new JavaNetlinkSocket(Transport.linux(), fd, true);
    }

    int fd() {
        return fd;
    }

    /** The port id the kernel gave this socket; 0 for an adopted one. */
    int portId() {
        if (adopted) {
            return 0;
        }
        long port = linux.netlinkPortId(fd);
        if (port < 0) {
            throw new MptcpException("read netlink port id", (int) -port, null);
        }
        return (int) port; // the kernel's u32, as messages carry it
    }

    /** The system calls this socket makes. */
    LinuxCalls linux() {
        return linux;
    }

    /**
     * SO_RCVBUFFORCE (CAP_NET_ADMIN, which a path manager has), else SO_RCVBUF (capped by
     * rmem_max): the size in effect (the kernel doubles what is asked), or a negative errno.
     */
    int setReceiveBuffer(int bytes) {
        if (linux.setIntOption(fd, LinuxCalls.SOL_SOCKET, LinuxCalls.SO_RCVBUFFORCE, bytes) < 0) {
            int rc = linux.setIntOption(fd, LinuxCalls.SOL_SOCKET, LinuxCalls.SO_RCVBUF, bytes);
            if (rc < 0) {
                return rc;
            }
        }
        return receiveBufferSize();
    }

    int receiveBufferSize() {
        return linux.intOption(fd, LinuxCalls.SOL_SOCKET, LinuxCalls.SO_RCVBUF);
    }

    /** Sets an int socket option of the netlink level; a negative errno when refused. */
    int setNetlinkOption(int name, int value) {
        return linux.setIntOption(fd, LinuxCalls.SOL_NETLINK, name, value);
    }

    /** Sends {@code length} bytes: the count, or a negative errno. */
    int send(ByteBuffer message, int offset, int length) {
        int rc;
        do {
            rc = linux.send(fd, message, offset, length, 0);
        } while (rc == -Errno.EINTR);
        return rc;
    }

    /**
     * Receives one datagram without waiting: its length; 0 when there is none; {@link #SKIPPED}
     * for one another port sent; {@link #TRUNCATED} for one longer than {@code length};
     * -ENOTCONN once an adopted socket's peer closed; else a negative errno (-ENOBUFS: the
     * kernel dropped messages).
     */
    int receive(ByteBuffer buffer, int offset, int length) {
        int n;
        do {
            n = linux.receive(fd, buffer, offset, length, LinuxCalls.MSG_DONTWAIT | LinuxCalls.MSG_TRUNC, sender);
        } while (n == -Errno.EINTR);
        return received(n, length);
    }

    /**
     * {@link #poll}, then {@link #receive} when this socket is readable, in one call: the poll's
     * bits in the high half, the receive's result as {@link #receive} gives it in the low half
     * (0 when it was not made, or was interrupted); 0 on timeout; a failed poll's negative errno.
     */
    long pollThenReceive(int other1, int other2, int timeoutMillis, ByteBuffer buffer, int offset, int length) {
        long r = linux.pollThenReceive(fd, other1, other2, timeoutMillis, buffer, offset, length,
                LinuxCalls.MSG_DONTWAIT | LinuxCalls.MSG_TRUNC, sender);
        if (r <= 0) {
            return r;
        }
        int n = (int) r;
        int checked = n == -Errno.EINTR ? 0 : received(n, length);
        return r & 0xffffffff00000000L | Integer.toUnsignedLong(checked);
    }

    /** What {@link #receive} returns for the receive's result {@code n}. */
    private int received(int n, int length) {
        if (n == -Errno.EAGAIN) {
            return 0;
        }
        if (n < 0) {
            return n;
        }
        int addressLength = sender.getInt(12);
        if (n == 0 && addressLength == 0) {
            return -Errno.ENOTCONN; // an adopted socket pair reads 0 bytes once its peer closed
        }
        if (n > length) {
            return TRUNCATED;
        }
        // The kernel sends from a sockaddr_nl of port 0. Checked with no branch on the socket's
        // kind: the warm-up runs this over a stand-in's socket pair, and a branch it never took
        // would throw the compiled event path away at the first real event.
        int notKernel = (addressLength ^ SOCKADDR_NL_LENGTH)
                | ((sender.getShort(0) & 0xffff) ^ LinuxCalls.AF_NETLINK) | sender.getInt(4);
        if ((notKernel & senderCheck) != 0) {
            return SKIPPED;
        }
        return n;
    }

    /** How long the controller's answers are waited for. */
    private static final int CONTROLLER_TIMEOUT_MILLIS = 5_000;

    /**
     * The generic netlink family {@code family}'s id and, when {@code group} is not null, that
     * multicast group's id: asked of the kernel's controller on this socket.
     *
     * @throws MptcpException ENOENT when the family or the group is not there
     */
    int[] resolve(String family, String group) {
        GenericNetlinkControl.Family found = family(family);
        if (found.error() != 0) {
            throw new MptcpException("resolve generic netlink family " + family, -found.error(), null);
        }
        if (group == null) {
            return new int[] {found.id()};
        }
        int groupId = found.group(group);
        if (groupId < 0) {
            throw new MptcpException("resolve multicast group " + group, Errno.ENOENT, null);
        }
        return new int[] {found.id(), groupId};
    }

    /** The controller's description of family {@code name} (its error: -ENOENT when there is none). */
    GenericNetlinkControl.Family family(String name) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(16384).order(ByteOrder.nativeOrder());
        int seq = 1;
        request(buffer, GenericNetlinkControl.writeGetFamily(buffer, name, seq, portId()), "resolve generic netlink family " + name);
        for (;;) {
            int n = await(buffer, "resolve generic netlink family " + name);
            GenericNetlinkControl.Family found = GenericNetlinkControl.parse(buffer, 0, n, seq);
            if (found != null) {
                return found;
            }
        }
    }

    /** Sends the {@code length} bytes at 0 of {@code buffer}; throws naming {@code operation} when refused. */
    void request(ByteBuffer buffer, int length, String operation) {
        int rc = length < 0 ? length : send(buffer, 0, length);
        if (rc < 0) {
            throw new MptcpException(operation, -rc, null);
        }
    }

    /** The next datagram of answers, at 0 of {@code buffer}: its length; throws after the controller's timeout. */
    int await(ByteBuffer buffer, String operation) {
        for (;;) {
            int ready = poll(-1, -1, CONTROLLER_TIMEOUT_MILLIS);
            if (ready <= 0) {
                throw new MptcpException(operation, ready == 0 ? Errno.ETIMEDOUT : -ready, null);
            }
            int n = receive(buffer, 0, buffer.capacity());
            if (n > 0) {
                return n;
            }
            if (n != 0 && n != SKIPPED) {
                throw new MptcpException(operation, n == TRUNCATED ? Errno.EMSGSIZE : -n, null);
            }
        }
    }

    /** Waits up to {@code timeoutMillis} for this socket or the other two (-1: none): {@link LinuxCalls#poll}'s bits. */
    int poll(int other1, int other2, int timeoutMillis) {
        return linux.poll(fd, other1, other2, timeoutMillis);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            linux.close(fd);
        }
    }
}
