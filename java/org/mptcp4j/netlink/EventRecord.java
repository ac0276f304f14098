package org.mptcp4j.netlink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpAttribute;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/**
 * The flyweight over one decoded event record; the layout is include/mptcp4j/event_record.h,
 * checked against the native one when the library loads.
 *
 * <pre>
 *   0 rx_nanos u64 | 8 attrs u32 | 12 type u16 | 14 family u16 | 16 token u32
 *  20 loc_id u8 | 21 rem_id u8 | 22 backup u8 | 23 error u8 | 24 local_port u16 | 26 remote_port u16
 *  28 flags u16 | 30 server_side u8 | 31 prefix_len u8 | 32 if_idx s32 | 36 timeout u32 | 40 reset_reason u32
 *  44 reset_flags u32 | 48 local_addr[16] | 64 remote_addr[16] | 80
 * </pre>
 */
public final class EventRecord implements MptcpEvent {
    public static final int SIZE = 80;
    static final int RX_NANOS = 0;
    static final int ATTRS = 8;
    static final int TYPE = 12;
    static final int FAMILY = 14;
    static final int TOKEN = 16;
    static final int LOC_ID = 20;
    static final int REM_ID = 21;
    static final int BACKUP = 22;
    static final int ERROR = 23;
    static final int LOCAL_PORT = 24;
    static final int REMOTE_PORT = 26;
    static final int FLAGS = 28;
    static final int SERVER_SIDE = 30;
    static final int PREFIX_LEN = 31;
    static final int IF_IDX = 32;
    static final int TIMEOUT = 36;
    static final int RESET_REASON = 40;
    static final int RESET_FLAGS = 44;
    static final int LOCAL_ADDR = 48;
    static final int REMOTE_ADDR = 64;
    /** Counters kept per socket, and the id of the synthetic "events lost" record. */
    static final int COUNTER_COUNT = 8;
    static final int EVENTS_LOST_TYPE = 0x8001;
    static final int LOCAL_ADDRESS_ADDED_TYPE = 0x8010;
    static final int LOCAL_ADDRESS_REMOVED_TYPE = 0x8011;
    static final int LINK_UP_TYPE = 0x8012;
    static final int LINK_DOWN_TYPE = 0x8013;
    /** The raw buffer's header before each received datagram, and the length that marks lost events. */
    static final int RAW_HEADER_SIZE = 16;
    static final int RAW_EVENTS_LOST = 0xffffffff;

    static final int[] LAYOUT = {
        SIZE, RX_NANOS, ATTRS, TYPE, FAMILY, TOKEN, LOC_ID, REM_ID, BACKUP, ERROR, LOCAL_PORT,
        REMOTE_PORT, FLAGS, SERVER_SIDE, PREFIX_LEN, IF_IDX, TIMEOUT, RESET_REASON, RESET_FLAGS, LOCAL_ADDR,
        REMOTE_ADDR, COUNTER_COUNT, EVENTS_LOST_TYPE, LOCAL_ADDRESS_ADDED_TYPE, LOCAL_ADDRESS_REMOVED_TYPE,
        LINK_UP_TYPE, LINK_DOWN_TYPE, RAW_HEADER_SIZE, RAW_EVENTS_LOST,
    };

    private static final int FLAG_DENY_JOIN_ID0 = 0x1;
    private static final int FLAG_SERVER_SIDE = 0x2;

    private final ByteBuffer buffer;
    private int base;

    /** A flyweight over {@code records}, a native-order direct buffer of records. */
    public EventRecord(ByteBuffer records) {
        this.buffer = records.duplicate().order(ByteOrder.nativeOrder());
    }

    /** Points this flyweight at record {@code index}. */
    public EventRecord wrap(int index) {
        this.base = index * SIZE;
        return this;
    }

    @Override
    public MptcpEventType type() {
        return MptcpEventType.of(typeId());
    }

    @Override
    public int typeId() {
        return buffer.getShort(base + TYPE) & 0xffff;
    }

    @Override
    public int attributes() {
        return buffer.getInt(base + ATTRS);
    }

    @Override
    public int token() {
        return buffer.getInt(base + TOKEN);
    }

    @Override
    public int family() {
        return buffer.getShort(base + FAMILY) & 0xffff;
    }

    @Override
    public int localId() {
        return buffer.get(base + LOC_ID) & 0xff;
    }

    @Override
    public int remoteId() {
        return buffer.get(base + REM_ID) & 0xff;
    }

    @Override
    public int localPort() {
        return buffer.getShort(base + LOCAL_PORT) & 0xffff;
    }

    @Override
    public int remotePort() {
        return buffer.getShort(base + REMOTE_PORT) & 0xffff;
    }

    @Override
    public int localAddressIpv4() {
        return isIpv6() ? 0 : ipv4At(base + LOCAL_ADDR);
    }

    @Override
    public int remoteAddressIpv4() {
        return isIpv6() ? 0 : ipv4At(base + REMOTE_ADDR);
    }

    private int ipv4At(int offset) {
        return (buffer.get(offset) & 0xff) << 24 | (buffer.get(offset + 1) & 0xff) << 16
                | (buffer.get(offset + 2) & 0xff) << 8 | (buffer.get(offset + 3) & 0xff);
    }

    @Override
    public void copyLocalAddress(byte[] dst, int offset) {
        buffer.get(base + LOCAL_ADDR, dst, offset, addressLength());
    }

    @Override
    public void copyRemoteAddress(byte[] dst, int offset) {
        buffer.get(base + REMOTE_ADDR, dst, offset, addressLength());
    }

    private int addressLength() {
        return isIpv6() ? 16 : 4;
    }

    @Override
    public void copyLocal(MptcpAddress dst) {
        copyAddress(dst, base + LOCAL_ADDR, localPort());
    }

    @Override
    public void copyRemote(MptcpAddress dst) {
        copyAddress(dst, base + REMOTE_ADDR, remotePort());
    }

    private void copyAddress(MptcpAddress dst, int offset, int port) {
        if (isIpv6()) {
            dst.setRaw(MptcpAddress.AF_INET6, buffer, offset).port(port);
        } else {
            dst.setIpv4(ipv4At(offset), port);
        }
    }

    @Override
    public InetAddress localAddress() {
        return inet(MptcpAttribute.SADDR4, MptcpAttribute.SADDR6, base + LOCAL_ADDR);
    }

    @Override
    public InetAddress remoteAddress() {
        return inet(MptcpAttribute.DADDR4, MptcpAttribute.DADDR6, base + REMOTE_ADDR);
    }

    private InetAddress inet(MptcpAttribute v4, MptcpAttribute v6, int offset) {
        int length;
        if (has(v4)) {
            length = 4;
        } else if (has(v6)) {
            length = 16;
        } else {
            return null;
        }
        byte[] raw = new byte[length];
        buffer.get(offset, raw, 0, length);
        try {
            // Inet6Address keeps a v4-mapped address IPv6, as the kernel sent it.
            return length == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean backup() {
        return buffer.get(base + BACKUP) != 0;
    }

    @Override
    public int error() {
        return buffer.get(base + ERROR) & 0xff;
    }

    @Override
    public int flags() {
        return buffer.getShort(base + FLAGS) & 0xffff;
    }

    @Override
    public boolean serverSide() {
        return buffer.get(base + SERVER_SIDE) != 0 || (flags() & FLAG_SERVER_SIDE) != 0;
    }

    @Override
    public boolean denyJoinId0() {
        return (flags() & FLAG_DENY_JOIN_ID0) != 0;
    }

    @Override
    public int ifIndex() {
        return buffer.getInt(base + IF_IDX);
    }

    @Override
    public long timeout() {
        return buffer.getInt(base + TIMEOUT) & 0xffffffffL;
    }

    @Override
    public long resetReason() {
        return buffer.getInt(base + RESET_REASON) & 0xffffffffL;
    }

    @Override
    public int resetFlags() {
        return buffer.getInt(base + RESET_FLAGS);
    }

    @Override
    public int prefixLength() {
        return buffer.get(base + PREFIX_LEN) & 0xff;
    }

    @Override
    public String interfaceName() {
        int start = base + REMOTE_ADDR;
        int length = 0;
        while (length < 16 && buffer.get(start + length) != 0) {
            length++;
        }
        byte[] name = new byte[length];
        buffer.get(start, name, 0, length);
        return new String(name, StandardCharsets.UTF_8);
    }

    /** Byte {@code index} of the local address (0..15). */
    public int localAddressByte(int index) {
        return buffer.get(base + LOCAL_ADDR + index) & 0xff;
    }

    /** Whether the interface name in the record (local address and link events) is {@code name}, NUL-padded. */
    public boolean interfaceNameIs(byte[] name) {
        int start = base + REMOTE_ADDR;
        for (int i = 0; i < 16; i++) {
            byte expected = i < name.length ? name[i] : 0;
            if (buffer.get(start + i) != expected) {
                return false;
            }
            if (expected == 0) {
                return true;
            }
        }
        return true;
    }

    @Override
    public long receivedNanos() {
        return buffer.getLong(base + RX_NANOS);
    }

    @Override
    public String toString() {
        return EventFormat.line(this);
    }
}
