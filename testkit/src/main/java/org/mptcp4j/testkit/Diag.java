package org.mptcp4j.testkit;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.protocol.EventFormat;

/**
 * Builders of what sock_diag reports of a connection and its subflows, for
 * {@link FakeKernel#knows}: what a controller reads through {@code ControllerContext.connection}
 * and {@code connections} (rates, bytes, RTO backoff...). What is not set reads as 0; states
 * default to established.
 *
 * <pre>{@code
 * kernel.knows(Diag.connection(token).local("10.0.0.1", 40000).remote("10.0.0.2", 443)
 *         .subflow(Diag.subflow().local("10.0.0.1", 40000).remote("10.0.0.2", 443).bytesAcked(1 << 20))
 *         .subflow(Diag.subflow().local("10.0.1.1", 40001).remote("10.0.0.2", 443).ids(1, 0).deliveryRate(1000)));
 * }</pre>
 */
public final class Diag {
    /** TCP_ESTABLISHED. */
    public static final int ESTABLISHED = 1;
    /** TCP_CLOSE. */
    public static final int CLOSED = 7;
    private static final int FLAG_BACKUP_REMOTE = 1 << 4;
    private static final int FLAG_BACKUP_LOCAL = 1 << 5;
    private static final int FLAG_FULLY_ESTABLISHED = 1 << 6;

    private Diag() {}

    /** Connection {@code token}; with no subflow given, its initial one between its own addresses. */
    public static ConnectionBuilder connection(int token) {
        return new ConnectionBuilder(token);
    }

    /** A subflow, fully established. */
    public static SubflowBuilder subflow() {
        return new SubflowBuilder();
    }

    /** A connection as sock_diag reports it. */
    public static final class ConnectionBuilder {
        private final int token;
        private InetSocketAddress local;
        private InetSocketAddress remote;
        private int state = ESTABLISHED;
        private boolean serverSide;
        private boolean fallback;
        private int localAddressesUsed;
        private long retransmits;
        private long bytesSent;
        private long bytesReceived;
        private long bytesAcked;
        private long bytesRetransmitted;
        private final List<SubflowBuilder> subflows = new ArrayList<>();

        private ConnectionBuilder(int token) {
            this.token = token;
        }

        public ConnectionBuilder local(String address, int port) {
            this.local = new InetSocketAddress(Event.literal(address), port);
            return this;
        }

        public ConnectionBuilder remote(String address, int port) {
            this.remote = new InetSocketAddress(Event.literal(address), port);
            return this;
        }

        /** The TCP-like state (default {@link #ESTABLISHED}). */
        public ConnectionBuilder state(int state) {
            this.state = state;
            return this;
        }

        public ConnectionBuilder serverSide() {
            this.serverSide = true;
            return this;
        }

        /** Fell back to plain TCP. */
        public ConnectionBuilder fallback() {
            this.fallback = true;
            return this;
        }

        /** mptcpi_local_addr_used. */
        public ConnectionBuilder localAddressesUsed(int n) {
            this.localAddressesUsed = n;
            return this;
        }

        public ConnectionBuilder retransmits(long n) {
            this.retransmits = n;
            return this;
        }

        public ConnectionBuilder bytesSent(long n) {
            this.bytesSent = n;
            return this;
        }

        public ConnectionBuilder bytesReceived(long n) {
            this.bytesReceived = n;
            return this;
        }

        public ConnectionBuilder bytesAcked(long n) {
            this.bytesAcked = n;
            return this;
        }

        public ConnectionBuilder bytesRetransmitted(long n) {
            this.bytesRetransmitted = n;
            return this;
        }

        /** One more subflow, in the order sock_diag lists them. */
        public ConnectionBuilder subflow(SubflowBuilder subflow) {
            subflows.add(Objects.requireNonNull(subflow, "subflow"));
            return this;
        }

        public ConnectionInfo build() {
            if (local == null || remote == null) {
                throw new IllegalStateException("connection " + EventFormat.token(token) + " needs local(...) and remote(...)");
            }
            List<SubflowInfo> built = new ArrayList<>();
            if (subflows.isEmpty()) {
                built.add(new SubflowBuilder().local(local).remote(remote).build(token));
            }
            for (SubflowBuilder s : subflows) {
                built.add(s.build(token));
            }
            return new ConnectionInfo(token, local, remote, state, serverSide, fallback ? 1 : 0,
                    Math.max(0, built.size() - 1), 0, 0, localAddressesUsed, retransmits, bytesSent, bytesReceived,
                    bytesAcked, bytesRetransmitted, List.copyOf(built));
        }
    }

    /** A subflow as sock_diag reports it (tcp_info and the MPTCP subflow info). */
    public static final class SubflowBuilder {
        private InetSocketAddress local;
        private InetSocketAddress remote;
        private int state = ESTABLISHED;
        private int localId;
        private int remoteId;
        private int flags = FLAG_FULLY_ESTABLISHED;
        private long rttMicros;
        private long rtoMicros;
        private int backoff;
        private long retransmits;
        private long totalRetransmits;
        private int rtoTimeouts;
        private long bytesSent;
        private long bytesAcked;
        private long bytesReceived;
        private long deliveryRate;
        private int ifIndex;

        private SubflowBuilder() {}

        public SubflowBuilder local(String address, int port) {
            return local(new InetSocketAddress(Event.literal(address), port));
        }

        public SubflowBuilder remote(String address, int port) {
            return remote(new InetSocketAddress(Event.literal(address), port));
        }

        SubflowBuilder local(InetSocketAddress a) {
            this.local = a;
            return this;
        }

        SubflowBuilder remote(InetSocketAddress a) {
            this.remote = a;
            return this;
        }

        /** The TCP state (default {@link #ESTABLISHED}). */
        public SubflowBuilder state(int state) {
            this.state = state;
            return this;
        }

        public SubflowBuilder ids(int localId, int remoteId) {
            this.localId = localId;
            this.remoteId = remoteId;
            return this;
        }

        /** This host marked it as backup. */
        public SubflowBuilder backup() {
            this.flags |= FLAG_BACKUP_LOCAL;
            return this;
        }

        /** The peer marked it as backup. */
        public SubflowBuilder peerBackup() {
            this.flags |= FLAG_BACKUP_REMOTE;
            return this;
        }

        /** Its MPTCP handshake is not complete yet (it is by default). */
        public SubflowBuilder notFullyEstablished() {
            this.flags &= ~FLAG_FULLY_ESTABLISHED;
            return this;
        }

        public SubflowBuilder rttMicros(long micros) {
            this.rttMicros = micros;
            return this;
        }

        public SubflowBuilder rtoMicros(long micros) {
            this.rtoMicros = micros;
            return this;
        }

        /** The RTO backoff exponent: above 0 while retransmission timeouts repeat. */
        public SubflowBuilder backoff(int backoff) {
            this.backoff = backoff;
            return this;
        }

        public SubflowBuilder retransmits(long n) {
            this.retransmits = n;
            return this;
        }

        public SubflowBuilder totalRetransmits(long n) {
            this.totalRetransmits = n;
            return this;
        }

        public SubflowBuilder rtoTimeouts(int n) {
            this.rtoTimeouts = n;
            return this;
        }

        public SubflowBuilder bytesSent(long n) {
            this.bytesSent = n;
            return this;
        }

        public SubflowBuilder bytesAcked(long n) {
            this.bytesAcked = n;
            return this;
        }

        public SubflowBuilder bytesReceived(long n) {
            this.bytesReceived = n;
            return this;
        }

        /** tcp_info's delivery rate estimate, bytes per second. */
        public SubflowBuilder deliveryRate(long bytesPerSecond) {
            this.deliveryRate = bytesPerSecond;
            return this;
        }

        public SubflowBuilder ifIndex(int index) {
            this.ifIndex = index;
            return this;
        }

        SubflowInfo build(int token) {
            if (local == null || remote == null) {
                throw new IllegalStateException("a subflow of " + EventFormat.token(token) + " needs local(...) and remote(...)");
            }
            return new SubflowInfo(local, remote, state, localId, remoteId, token, 0, flags, rttMicros, rtoMicros, backoff,
                    retransmits, totalRetransmits, rtoTimeouts, bytesSent, bytesAcked, bytesReceived, deliveryRate, ifIndex);
        }
    }
}
