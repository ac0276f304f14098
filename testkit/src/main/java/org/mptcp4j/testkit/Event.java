package org.mptcp4j.testkit;

import java.net.InetAddress;
import java.util.Objects;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * An MPTCP event the fake kernel sends, as the kernel would (Linux 6.18's attributes: ports in
 * network order, the server side and deny-join-id0 in FLAGS). Made by a builder from
 * {@link Events} or from a {@link FakeKernel}, whose builders send it:
 *
 * <pre>{@code
 * kernel.established(0x1c0ffee5).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
 * Event e = Events.subflowClosed(0x1c0ffee5).local("10.0.1.1", 40001).remote("10.0.0.2", 443)
 *         .localId(1).error(111).build();
 * }</pre>
 *
 * Addresses are given as literals (IPv4 or IPv6; no name is looked up).
 */
public final class Event {
    final MptcpEventType type;
    final int token;
    final InetAddress local;
    final int localPort;
    final InetAddress remote;
    final int remotePort;
    final int localId;
    final int remoteId;
    final boolean serverSide;
    final boolean denyJoinId0;
    final boolean backup;
    final int error;
    final int ifIndex;
    final long resetReason;
    final long timeoutMicros;

    private Event(Builder b) {
        this.type = b.type;
        this.token = b.token;
        this.local = b.local;
        this.localPort = b.localPort;
        this.remote = b.remote;
        this.remotePort = b.remotePort;
        this.localId = b.localId;
        this.remoteId = b.remoteId;
        this.serverSide = b.serverSide;
        this.denyJoinId0 = b.denyJoinId0;
        this.backup = b.backup;
        this.error = b.error;
        this.ifIndex = b.ifIndex;
        this.resetReason = b.resetReason;
        this.timeoutMicros = b.timeoutMicros;
    }

    public MptcpEventType type() {
        return type;
    }

    public int token() {
        return token;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(type.name());
        if (type != MptcpEventType.LISTENER_CREATED && type != MptcpEventType.LISTENER_CLOSED) {
            s.append(" token=").append(String.format("%08x", token));
        }
        if (local != null) {
            s.append(" local=").append(local.getHostAddress()).append(':').append(localPort);
        }
        if (remote != null) {
            s.append(" remote=").append(remote.getHostAddress()).append(':').append(remotePort);
        }
        return s.append(" ids ").append(localId).append('/').append(remoteId).toString();
    }

    /** Sets an event's attributes; what a type does not carry is refused, what it needs is checked at {@link #build}. */
    public static final class Builder {
        private final MptcpEventType type;
        private final int token;
        private final FakeKernel kernel;
        private InetAddress local;
        private int localPort;
        private InetAddress remote;
        private int remotePort;
        private int localId;
        private int remoteId;
        private boolean serverSide;
        private boolean denyJoinId0;
        private boolean backup;
        private int error;
        private int ifIndex;
        private long resetReason;
        private long timeoutMicros;

        Builder(MptcpEventType type, int token, FakeKernel kernel) {
            this.type = type;
            this.token = token;
            this.kernel = kernel;
        }

        /** The local address and port: this host's side (saddr, sport); a listener's address. */
        public Builder local(String address, int port) {
            return local(literal(address), port);
        }

        public Builder local(InetAddress address, int port) {
            refuse(type == MptcpEventType.ANNOUNCED || type == MptcpEventType.REMOVED || type == MptcpEventType.CLOSED,
                    "a local address");
            this.local = Objects.requireNonNull(address, "address");
            this.localPort = port(port);
            return this;
        }

        /** The peer's address and port (daddr, dport); for ANNOUNCED, the address the peer announced. */
        public Builder remote(String address, int port) {
            return remote(literal(address), port);
        }

        public Builder remote(InetAddress address, int port) {
            refuse(type == MptcpEventType.LISTENER_CREATED || type == MptcpEventType.LISTENER_CLOSED
                    || type == MptcpEventType.REMOVED || type == MptcpEventType.CLOSED, "a remote address");
            this.remote = Objects.requireNonNull(address, "address");
            this.remotePort = port(port);
            return this;
        }

        /** The local address id (loc_id) of a subflow. */
        public Builder localId(int id) {
            refuse(!subflow(), "a local id");
            this.localId = id(id);
            return this;
        }

        /** The remote address id (rem_id): a subflow's, or the address ANNOUNCED or REMOVED. */
        public Builder remoteId(int id) {
            refuse(!subflow() && type != MptcpEventType.ANNOUNCED && type != MptcpEventType.REMOVED, "a remote id");
            this.remoteId = id(id);
            return this;
        }

        /** CREATED, ESTABLISHED: this host accepted the connection. */
        public Builder serverSide() {
            refuse(!connection(), "the server side");
            this.serverSide = true;
            return this;
        }

        /** CREATED, ESTABLISHED: the peer refuses joins to its initial address (MP_CAPABLE's C flag). */
        public Builder denyJoinId0() {
            refuse(!connection(), "deny-join-id0");
            this.denyJoinId0 = true;
            return this;
        }

        /** A subflow the peer marked as backup (SUB_PRIORITY: its new priority). */
        public Builder backup(boolean backup) {
            refuse(!subflow(), "a backup flag");
            this.backup = backup;
            return this;
        }

        /** SUB_CLOSED: the subflow's error (sk_err), e.g. {@link org.mptcp4j.protocol.Errno#ECONNREFUSED}. */
        public Builder error(int errno) {
            refuse(type != MptcpEventType.SUB_CLOSED, "an error");
            if (errno < 0 || errno > 255) {
                throw new IllegalArgumentException("the kernel sends a subflow's error as one byte: " + errno);
            }
            this.error = errno;
            return this;
        }

        /** The interface a subflow is bound to. */
        public Builder ifIndex(int index) {
            refuse(!subflow(), "an interface");
            this.ifIndex = index;
            return this;
        }

        /** SUB_CLOSED: the MP_TCPRST reason the peer sent. */
        public Builder resetReason(long reason) {
            refuse(type != MptcpEventType.SUB_CLOSED, "a reset reason");
            this.resetReason = reason;
            return this;
        }

        /** A subflow timeout's retransmission timeout, in microseconds. */
        public Builder rtoMicros(long micros) {
            refuse(type != MptcpEventType.SUBFLOW_TIMEOUT, "an RTO");
            this.timeoutMicros = micros;
            return this;
        }

        /** The event, checked: a connection's and subflow's events need both addresses, a listener's its own. */
        public Event build() {
            if ((connection() || subflow()) && (local == null || remote == null)) {
                throw new IllegalStateException(type + " needs local(...) and remote(...)");
            }
            if (type == MptcpEventType.ANNOUNCED && remote == null) {
                throw new IllegalStateException("ANNOUNCED needs remote(...): the address the peer announced");
            }
            if ((type == MptcpEventType.LISTENER_CREATED || type == MptcpEventType.LISTENER_CLOSED) && local == null) {
                throw new IllegalStateException(type + " needs local(...): the address listened on");
            }
            if (local != null && remote != null && local.getAddress().length != remote.getAddress().length) {
                throw new IllegalStateException(type + " between two families: " + local + " and " + remote);
            }
            return new Event(this);
        }

        /**
         * Sends the event to the controller of the kernel this builder came from, and waits until
         * the loop has handled it ({@link FakeKernel#send}).
         *
         * @throws IllegalStateException for a builder from {@link Events}, which belongs to no kernel
         */
        public FakeKernel send() {
            if (kernel == null) {
                throw new IllegalStateException("this event belongs to no kernel: build() it and give it to FakeKernel.send");
            }
            return kernel.send(build());
        }

        private boolean connection() {
            return type == MptcpEventType.CREATED || type == MptcpEventType.ESTABLISHED;
        }

        private boolean subflow() {
            return type == MptcpEventType.SUB_ESTABLISHED || type == MptcpEventType.SUB_CLOSED
                    || type == MptcpEventType.SUB_PRIORITY || type == MptcpEventType.SUBFLOW_TIMEOUT;
        }

        private void refuse(boolean refused, String what) {
            if (refused) {
                throw new IllegalStateException(type + " carries no " + what);
            }
        }

        private static int port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("a port is 0..65535: " + port);
            }
            return port;
        }

        private static int id(int id) {
            if (id < 0 || id > 255) {
                throw new IllegalArgumentException("an address id is 0..255: " + id);
            }
            return id;
        }
    }

    /** An address literal, never looked up by name. */
    static InetAddress literal(String address) {
        Objects.requireNonNull(address, "address");
        if (address.isEmpty() || !(address.indexOf(':') >= 0 || address.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address literal: '" + address + "'");
        }
        try {
            return InetAddress.getByName(address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address literal: '" + address + "'", e);
        }
    }
}
