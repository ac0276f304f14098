package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * Writes a path-manager command into the command socket's request buffer (the layout
 * include/mptcp4j/command_request.h shows, which the tests' libnl reference reads). Presence
 * bits say which attributes the encoders put on the wire.
 *
 * <pre>
 * request:  0 cmd u8 | 1 loc_id u8 | 2 present u16 | 4 token u32 | 8 rcv_add_addrs u32
 *          12 subflows u32 | 16 addr (32) | 48 remote (32) | 80 event_flags u32 | 84 reserved | 88
 * address:  0 family u16 | 2 port u16 | 4 id u8 | 5 present u8 | 8 flags u32 | 12 if_idx s32
 *          16 addr[16] | 32
 * </pre>
 */
public final class CommandRequest {
    static final int SIZE = 88;
    static final int ADDRESS_SIZE = 32;
    static final int CMD = 0;
    static final int LOC_ID = 1;
    static final int PRESENT = 2;
    static final int TOKEN = 4;
    static final int RCV_ADD_ADDRS = 8;
    static final int SUBFLOWS = 12;
    static final int ADDR = 16;
    static final int REMOTE = 48;
    static final int EVENT_FLAGS = 80;
    static final int A_FAMILY = 0;
    static final int A_PORT = 2;
    static final int A_ID = 4;
    static final int A_PRESENT = 5;
    static final int A_FLAGS = 8;
    static final int A_IF_IDX = 12;
    static final int A_ADDR = 16;

    static final int HAS_TOKEN = 0x1;
    static final int HAS_LOC_ID = 0x2;
    static final int HAS_ADDR = 0x4;
    static final int HAS_REMOTE = 0x8;
    static final int HAS_RCV_ADD_ADDRS = 0x10;
    static final int HAS_SUBFLOWS = 0x20;
    static final int DUMP = 0x40;
    static final int HAS_EVENT_FLAGS = 0x80;

    static final int ADDR_HAS_ADDR = 0x1;
    static final int ADDR_HAS_ID = 0x2;
    static final int ADDR_HAS_PORT = 0x4;
    static final int ADDR_HAS_FLAGS = 0x8;
    static final int ADDR_HAS_IF_IDX = 0x10;

    private final ByteBuffer buffer;

    CommandRequest(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /** Clears the request and sets its command ({@code PmCommand.id()}). */
    public CommandRequest reset(int command) {
        for (int i = 0; i < SIZE; i += Long.BYTES) {
            buffer.putLong(i, 0L);
        }
        buffer.put(CMD, (byte) command);
        return this;
    }

    public CommandRequest token(int token) {
        buffer.putInt(TOKEN, token);
        return present(HAS_TOKEN);
    }

    public CommandRequest localId(int id) {
        buffer.put(LOC_ID, (byte) id);
        return present(HAS_LOC_ID);
    }

    public CommandRequest receiveAddAddrs(int limit) {
        buffer.putInt(RCV_ADD_ADDRS, limit);
        return present(HAS_RCV_ADD_ADDRS);
    }

    /** Asks for every entry (NLM_F_DUMP) instead of an acknowledgement. */
    public CommandRequest dump() {
        return present(DUMP);
    }

    public CommandRequest subflows(int limit) {
        buffer.putInt(SUBFLOWS, limit);
        return present(HAS_SUBFLOWS);
    }

    /** The events a v0.95 SET_FILTER lets through: its MPTCPF_EVENT_* bits (CREATED 1 &lt;&lt; 1 up to SUB_PRIORITY 1 &lt;&lt; 8). */
    public CommandRequest eventFlags(int flags) {
        buffer.putInt(EVENT_FLAGS, flags);
        return present(HAS_EVENT_FLAGS);
    }

    /** MPTCP_PM_ATTR_ADDR: every part of {@code address} that is set. */
    public CommandRequest address(MptcpAddress address) {
        return address(address, address.flags());
    }

    /** MPTCP_PM_ATTR_ADDR with {@code flags} in place of the address's own flags. */
    public CommandRequest address(MptcpAddress address, int flags) {
        putAddress(ADDR, address, true, flags);
        return present(HAS_ADDR);
    }

    /**
     * MPTCP_PM_ATTR_ADDR_REMOTE: family, address and port (all upstream reads). The id, when
     * set, is kept for v0.95's SUB_CREATE (rem_id) without its presence bit: upstream has no remote id.
     */
    public CommandRequest remote(MptcpAddress address) {
        putAddress(REMOTE, address, false, 0);
        return present(HAS_REMOTE);
    }

    /** Reads an address in the request layout at {@code at} of {@code b} into {@code dst}: the one decoder of it. */
    static void readAddress(ByteBuffer b, int at, MptcpAddress dst) {
        int family = b.getShort(at + A_FAMILY) & 0xffff;
        int present = b.get(at + A_PRESENT) & 0xff;
        dst.clearAddress().clearId().port(0).flags(0).ifIndex(0);
        if ((present & ADDR_HAS_ADDR) != 0 && (family == MptcpAddress.AF_INET || family == MptcpAddress.AF_INET6)) {
            dst.setRaw(family, b, at + A_ADDR);
        }
        if ((present & ADDR_HAS_ID) != 0) {
            dst.id(b.get(at + A_ID) & 0xff);
        }
        if ((present & ADDR_HAS_PORT) != 0) {
            dst.port(b.getShort(at + A_PORT) & 0xffff);
        }
        if ((present & ADDR_HAS_FLAGS) != 0) {
            dst.flags(b.getInt(at + A_FLAGS));
        }
        if ((present & ADDR_HAS_IF_IDX) != 0) {
            dst.ifIndex(b.getInt(at + A_IF_IDX));
        }
    }

    private void putAddress(int at, MptcpAddress a, boolean local, int flags) {
        int present = 0;
        buffer.putShort(at + A_FAMILY, (short) a.family());
        if (a.family() != 0) {
            int length = a.isIpv6() ? 16 : 4;
            for (int i = 0; i < length; i++) {
                buffer.put(at + A_ADDR + i, a.addressByte(i));
            }
            present |= ADDR_HAS_ADDR;
        }
        if (a.port() != 0) {
            buffer.putShort(at + A_PORT, (short) a.port());
            present |= ADDR_HAS_PORT;
        }
        if (a.hasId()) {
            buffer.put(at + A_ID, (byte) a.id());
            present |= local ? ADDR_HAS_ID : 0;
        }
        if (local && flags != 0) {
            buffer.putInt(at + A_FLAGS, flags);
            present |= ADDR_HAS_FLAGS;
        }
        if (local && a.ifIndex() != 0) {
            buffer.putInt(at + A_IF_IDX, a.ifIndex());
            present |= ADDR_HAS_IF_IDX;
        }
        buffer.put(at + A_PRESENT, (byte) present);
    }

    private CommandRequest present(int bit) {
        buffer.putShort(PRESENT, (short) (buffer.getShort(PRESENT) | bit));
        return this;
    }
}
