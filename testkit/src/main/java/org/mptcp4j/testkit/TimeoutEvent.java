package org.mptcp4j.testkit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpAttribute;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * SUBFLOW_TIMEOUT, which no kernel sends: the controller host makes it when sock_diag shows a
 * watched subflow's retransmission timeout. The kit makes it in the host's place, with what the
 * host's report carries (token, the subflow's addresses, ports and ids, its RTO).
 */
final class TimeoutEvent implements MptcpEvent {
    private final int token;
    private final InetAddress local;
    private final int localPort;
    private final InetAddress remote;
    private final int remotePort;
    private final int localId;
    private final int remoteId;
    private final long rtoMicros;
    private final long receivedNanos;

    TimeoutEvent(int token, InetAddress local, int localPort, int localId, InetAddress remote, int remotePort,
            int remoteId, long rtoMicros, long receivedNanos) {
        this.token = token;
        this.local = local;
        this.localPort = localPort;
        this.localId = localId;
        this.remote = remote;
        this.remotePort = remotePort;
        this.remoteId = remoteId;
        this.rtoMicros = rtoMicros;
        this.receivedNanos = receivedNanos;
    }

    @Override
    public MptcpEventType type() {
        return MptcpEventType.SUBFLOW_TIMEOUT;
    }

    @Override
    public int typeId() {
        return MptcpEventType.SUBFLOW_TIMEOUT.id();
    }

    @Override
    public int attributes() {
        int bits = MptcpAttribute.TOKEN.bit() | MptcpAttribute.FAMILY.bit() | MptcpAttribute.LOC_ID.bit()
                | MptcpAttribute.REM_ID.bit() | MptcpAttribute.SPORT.bit() | MptcpAttribute.DPORT.bit()
                | MptcpAttribute.TIMEOUT.bit();
        return bits | (ipv4() ? MptcpAttribute.SADDR4.bit() | MptcpAttribute.DADDR4.bit()
                : MptcpAttribute.SADDR6.bit() | MptcpAttribute.DADDR6.bit());
    }

    private boolean ipv4() {
        return local instanceof Inet4Address;
    }

    @Override
    public int token() {
        return token;
    }

    @Override
    public int family() {
        return ipv4() ? MptcpAddress.AF_INET : MptcpAddress.AF_INET6;
    }

    @Override
    public int localId() {
        return localId;
    }

    @Override
    public int remoteId() {
        return remoteId;
    }

    @Override
    public int localPort() {
        return localPort;
    }

    @Override
    public int remotePort() {
        return remotePort;
    }

    @Override
    public int localAddressIpv4() {
        return ipv4() ? ByteBuffer.wrap(local.getAddress()).getInt() : 0;
    }

    @Override
    public int remoteAddressIpv4() {
        return ipv4() ? ByteBuffer.wrap(remote.getAddress()).getInt() : 0;
    }

    @Override
    public void copyLocalAddress(byte[] dst, int offset) {
        byte[] a = local.getAddress();
        System.arraycopy(a, 0, dst, offset, a.length);
    }

    @Override
    public void copyRemoteAddress(byte[] dst, int offset) {
        byte[] a = remote.getAddress();
        System.arraycopy(a, 0, dst, offset, a.length);
    }

    @Override
    public void copyLocal(MptcpAddress dst) {
        dst.set(local, localPort);
    }

    @Override
    public void copyRemote(MptcpAddress dst) {
        dst.set(remote, remotePort);
    }

    @Override
    public InetAddress localAddress() {
        return local;
    }

    @Override
    public InetAddress remoteAddress() {
        return remote;
    }

    @Override
    public boolean backup() {
        return false;
    }

    @Override
    public int error() {
        return 0;
    }

    @Override
    public int flags() {
        return 0;
    }

    @Override
    public boolean serverSide() {
        return false;
    }

    @Override
    public boolean denyJoinId0() {
        return false;
    }

    @Override
    public int ifIndex() {
        return 0;
    }

    @Override
    public long timeout() {
        return rtoMicros;
    }

    @Override
    public long resetReason() {
        return 0;
    }

    @Override
    public int resetFlags() {
        return 0;
    }

    @Override
    public int prefixLength() {
        return 0;
    }

    @Override
    public String interfaceName() {
        return "";
    }

    @Override
    public long receivedNanos() {
        return receivedNanos;
    }

    @Override
    public String toString() {
        return "SUBFLOW_TIMEOUT token=" + String.format("%08x", token) + " local=" + local.getHostAddress() + ":" + localPort
                + " remote=" + remote.getHostAddress() + ":" + remotePort + " rto=" + rtoMicros + "us";
    }
}
