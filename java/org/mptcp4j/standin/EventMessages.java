package org.mptcp4j.standin;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpAttribute;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * Writes MPTCP event messages as an upstream kernel multicasts them (attribute sets of 6.18:
 * ports in network order, the side in FLAGS), into one datagram: traffic made up for a
 * {@link KernelStandIn}, such as the daemon's start-up warm-up. Other messages are
 * written attribute by attribute: {@link #begin}, the attributes, {@link #end}.
 */
public final class EventMessages {
    /** MPTCP_PM_EV_FLAG_SERVER_SIDE in FLAGS. */
    private static final int FLAG_SERVER_SIDE = 0x2;

    private final int familyId;
    private final ByteBuffer buffer;
    private int start = -1;

    /**
     * A writer for family {@code familyId} into a datagram of up to {@code capacity} bytes.
     *
     * @param familyId the generic netlink id of the event family
     * @param capacity the datagram's size, in bytes
     */
    public EventMessages(int familyId, int capacity) {
        this.familyId = familyId;
        this.buffer = ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
    }

    /**
     * CREATED or ESTABLISHED of connection {@code token} between two address and port pairs.
     *
     * @param type CREATED or ESTABLISHED
     * @param token the connection's token
     * @param serverSide whether the local end accepted the connection
     * @param local the local address
     * @param localPort the local port
     * @param remote the peer's address
     * @param remotePort the peer's port
     * @return this writer
     */
    public EventMessages connection(MptcpEventType type, int token, boolean serverSide, InetAddress local,
            int localPort, InetAddress remote, int remotePort) {
        endpoints(type, token, local, localPort, remote, remotePort);
        u8(MptcpAttribute.LOC_ID, 0).u8(MptcpAttribute.REM_ID, 0);
        if (serverSide) {
            u16(MptcpAttribute.FLAGS, FLAG_SERVER_SIDE);
        }
        return end();
    }

    /**
     * SUB_ESTABLISHED, SUB_CLOSED or SUB_PRIORITY of a subflow of connection {@code token}.
     *
     * @param type SUB_ESTABLISHED, SUB_CLOSED or SUB_PRIORITY
     * @param token the connection's token
     * @param local the subflow's local address
     * @param localPort the local port
     * @param localId the local address id
     * @param remote the peer's address
     * @param remotePort the peer's port
     * @param remoteId the peer's address id
     * @param backup whether the subflow is a backup
     * @return this writer
     */
    public EventMessages subflow(MptcpEventType type, int token, InetAddress local, int localPort, int localId,
            InetAddress remote, int remotePort, int remoteId, boolean backup) {
        endpoints(type, token, local, localPort, remote, remotePort);
        return u8(MptcpAttribute.LOC_ID, localId).u8(MptcpAttribute.REM_ID, remoteId)
                .u8(MptcpAttribute.BACKUP, backup ? 1 : 0).end();
    }

    /**
     * ANNOUNCED by the peer of connection {@code token}: its address {@code id}.
     *
     * @param token the connection's token
     * @param id the announced address id, 1..255
     * @param address the announced address
     * @param port the announced port (0: none)
     * @return this writer
     */
    public EventMessages announced(int token, int id, InetAddress address, int port) {
        begin(MptcpEventType.ANNOUNCED).u32(MptcpAttribute.TOKEN, token).u16(MptcpAttribute.FAMILY, family(address));
        address(address, MptcpAttribute.DADDR4, MptcpAttribute.DADDR6);
        return u8(MptcpAttribute.REM_ID, id).be16(MptcpAttribute.DPORT, port).end();
    }

    /**
     * REMOVED by the peer of connection {@code token}: its address {@code id}.
     *
     * @param token the connection's token
     * @param id the removed address id
     * @return this writer
     */
    public EventMessages removed(int token, int id) {
        return begin(MptcpEventType.REMOVED).u32(MptcpAttribute.TOKEN, token).u8(MptcpAttribute.REM_ID, id).end();
    }

    /**
     * LISTENER_CREATED or LISTENER_CLOSED: an MPTCP socket of the namespace listening on an address and port.
     *
     * @param type LISTENER_CREATED or LISTENER_CLOSED
     * @param address the address listened on
     * @param port the port listened on
     * @return this writer
     */
    public EventMessages listener(MptcpEventType type, InetAddress address, int port) {
        begin(type).u16(MptcpAttribute.FAMILY, family(address)).be16(MptcpAttribute.SPORT, port);
        address(address, MptcpAttribute.SADDR4, MptcpAttribute.SADDR6);
        return end();
    }

    /**
     * CLOSED of connection {@code token}.
     *
     * @param token the connection's token
     * @return this writer
     */
    public EventMessages closed(int token) {
        return begin(MptcpEventType.CLOSED).u32(MptcpAttribute.TOKEN, token).end();
    }

    /**
     * The messages written since the last {@link #clear}, as one datagram.
     *
     * @return the datagram's bytes
     */
    public byte[] datagram() {
        byte[] bytes = new byte[buffer.position()];
        buffer.get(0, bytes);
        return bytes;
    }

    /**
     * Starts over, with no message.
     *
     * @return this writer
     */
    public EventMessages clear() {
        buffer.clear();
        return this;
    }

    private void endpoints(MptcpEventType type, int token, InetAddress local, int localPort, InetAddress remote,
            int remotePort) {
        begin(type).u32(MptcpAttribute.TOKEN, token).u16(MptcpAttribute.FAMILY, family(local));
        address(local, MptcpAttribute.SADDR4, MptcpAttribute.SADDR6);
        address(remote, MptcpAttribute.DADDR4, MptcpAttribute.DADDR6);
        be16(MptcpAttribute.SPORT, localPort).be16(MptcpAttribute.DPORT, remotePort);
    }

    /**
     * AF_INET or AF_INET6: the FAMILY attribute's value for {@code address}.
     *
     * @param address an IPv4 or IPv6 address
     * @return AF_INET or AF_INET6
     */
    public static int family(InetAddress address) {
        return address instanceof Inet4Address ? MptcpAddress.AF_INET : MptcpAddress.AF_INET6;
    }

    /**
     * Starts a message of {@code type}: nlmsghdr (type: the family) and genlmsghdr (cmd: the event type).
     *
     * @param type the event type
     * @return this writer
     */
    public EventMessages begin(MptcpEventType type) {
        start = buffer.position();
        buffer.putInt(0).putShort((short) familyId).putShort((short) 0).putInt(0).putInt(0);
        buffer.put((byte) type.id()).put((byte) 1).putShort((short) 0);
        return this;
    }

    /**
     * Ends the message begun last: sets its length.
     *
     * @return this writer
     */
    public EventMessages end() {
        buffer.putInt(start, buffer.position() - start);
        return this;
    }

    /**
     * {@code address} as attribute {@code v4} or {@code v6}, by its family.
     *
     * @param address the address to add
     * @param v4 the attribute for an IPv4 address
     * @param v6 the attribute for an IPv6 address
     * @return this writer
     */
    public EventMessages address(InetAddress address, MptcpAttribute v4, MptcpAttribute v6) {
        byte[] bytes = address.getAddress();
        attribute(address instanceof Inet4Address ? v4 : v6, bytes.length).put(bytes);
        return pad();
    }

    /**
     * Adds a one-byte attribute.
     *
     * @param type the attribute
     * @param value its value, 0..255
     * @return this writer
     */
    public EventMessages u8(MptcpAttribute type, int value) {
        attribute(type, 1).put((byte) value);
        return pad();
    }

    /**
     * Adds a two-byte attribute in host order.
     *
     * @param type the attribute
     * @param value its value, 0..65535
     * @return this writer
     */
    public EventMessages u16(MptcpAttribute type, int value) {
        attribute(type, 2).putShort((short) value);
        return pad();
    }

    /**
     * Ports go in network order.
     *
     * @param type the attribute
     * @param value its value, 0..65535
     * @return this writer
     */
    public EventMessages be16(MptcpAttribute type, int value) {
        attribute(type, 2).put((byte) (value >>> 8)).put((byte) value);
        return pad();
    }

    /**
     * Adds a four-byte attribute in host order.
     *
     * @param type the attribute
     * @param value its value
     * @return this writer
     */
    public EventMessages u32(MptcpAttribute type, int value) {
        attribute(type, 4).putInt(value);
        return this;
    }

    private ByteBuffer attribute(MptcpAttribute type, int length) {
        return buffer.putShort((short) (4 + length)).putShort((short) type.id());
    }

    private EventMessages pad() {
        while ((buffer.position() & 3) != 0) {
            buffer.put((byte) 0);
        }
        return this;
    }
}
