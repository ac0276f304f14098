package org.mptcp4j.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A namespace's link and address changes from rtnetlink messages into event records, and
 * RTM_NEWADDR answers into local address records ({@link LocalAddressDump}).
 *
 * <p>All of it comes from a namespace whose root may be hostile: an interface index is any
 * positive int it chose, a name any bytes. Memory is bounded by the links tracked
 * ({@link #LINKS_MAX}), never by an index; every message costs bounded time and nothing
 * here throws for what a message holds. Allocates only when the link table grows.
 */
final class RtnlDecoder {
    /** Links tracked (state and name) at most. */
    static final int LINKS_MAX = RtnlMonitor.LINKS_MAX;
    /** IFNAMSIZ: a name and its NUL, as in the event record's remote_addr. */
    static final int NAME_SIZE = 16;

    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;

    private static final int NLMSG_HDRLEN = 16;
    private static final int NLA_TYPE_MASK = 0x3fff;
    private static final int IFINFOMSG_SIZE = 16;
    private static final int IFADDRMSG_SIZE = 8;
    private static final int IFLA_IFNAME = 3;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int IFA_FLAGS = 8;
    private static final int IFF_UP = 0x1;
    private static final int IFF_RUNNING = 0x40;
    private static final int IFA_F_DADFAILED = 0x08;
    private static final int IFA_F_TENTATIVE = 0x40;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private static final byte UNKNOWN = 0;
    private static final byte DOWN = 1;
    private static final byte UP = 2;
    private static final int MIN_SLOTS = 64;

    /** MPTCP_ATTR_* bits of the record's attrs that these records carry. */
    private static final int ATTR_FAMILY = 1 << 2;
    private static final int ATTR_SADDR4 = 1 << 5;
    private static final int ATTR_SADDR6 = 1 << 6;
    private static final int ATTR_FLAGS = 1 << 13;
    private static final int ATTR_IF_IDX = 1 << 15;

    /**
     * Links by ifindex: open addressing with linear probing, at most half full; index 0 is a
     * free slot. Sizes: 0, or a power of two up to 2 * LINKS_MAX.
     */
    private int[] indices = new int[0];
    private byte[] states = new byte[0];
    private byte[] names = new byte[0];
    private int count;
    /** Events were lost since some links were last heard of: those may be gone. */
    private boolean stale;
    /** Link messages that found no room in the table. */
    private long untracked;

    private final ByteBuffer records;
    private final int capacity;
    private int written;
    /** What a link message says of the link's name, and one address decoded (scratch). */
    private final byte[] seen = new byte[NAME_SIZE];
    private final ByteBuffer address = ByteBuffer.allocate(LocalAddressDump.SIZE).order(ByteOrder.nativeOrder());
    /** The address policy: IFA_ADDRESS and IFA_LOCAL of 4 to 16 bytes, IFA_FLAGS of 4 or more. */
    private final NetlinkAttributes ifa = new NetlinkAttributes(
            new int[] {0, 4, 4, 0, 0, 0, 0, 0, 4}, new int[] {0, 16, 16, 0, 0, 0, 0, 0, 0});

    /** Writes event records into {@code records} (native order, whole records). */
    RtnlDecoder(ByteBuffer records) {
        this.records = records.duplicate().order(ByteOrder.nativeOrder());
        this.capacity = records.capacity() / EventRecord.SIZE;
    }

    /** Decodes addresses alone ({@link #decodeAddress}): no room for event records. */
    RtnlDecoder() {
        this(ByteBuffer.allocate(0));
    }

    /** Records written so far (the next goes at this index). */
    int recordCount() {
        return written;
    }

    /** The next record goes at {@code index}. */
    void recordCount(int index) {
        written = index;
    }

    long untracked() {
        return untracked;
    }

    int linkCount() {
        return count;
    }

    int tableSize() {
        return indices.length;
    }

    /** Whether the link is tracked. */
    boolean tracks(int ifindex) {
        return find(ifindex) >= 0;
    }

    // The link table.

    /** Indices are chosen by whoever creates a link: mixed (murmur3's finalizer), so that close ones spread. */
    private static int homeOf(int ifindex, int size) {
        int h = ifindex;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h & (size - 1);
    }

    /** The link's slot, or -1. */
    int find(int ifindex) {
        int size = indices.length;
        if (size == 0 || ifindex <= 0) {
            return -1;
        }
        // Ends: the table is never more than half full.
        for (int i = homeOf(ifindex, size);; i = (i + 1) & (size - 1)) {
            if (indices[i] == ifindex) {
                return i;
            }
            if (indices[i] == 0) {
                return -1;
            }
        }
    }

    private static int insert(int[] indices, int ifindex) {
        int size = indices.length;
        int i = homeOf(ifindex, size);
        while (indices[i] != 0) {
            i = (i + 1) & (size - 1);
        }
        indices[i] = ifindex;
        return i;
    }

    private void grow() {
        int size = indices.length == 0 ? MIN_SLOTS : indices.length * 2;
        int[] newIndices = new int[size];
        byte[] newStates = new byte[size];
        byte[] newNames = new byte[size * NAME_SIZE];
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] != 0) {
                int slot = insert(newIndices, indices[i]);
                newStates[slot] = states[i];
                System.arraycopy(names, i * NAME_SIZE, newNames, slot * NAME_SIZE, NAME_SIZE);
            }
        }
        indices = newIndices;
        states = newStates;
        names = newNames;
    }

    /** Removes a link not heard of since events were lost, if there is one: it may be gone. */
    private boolean forgetStale() {
        if (!stale) {
            return false;
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] != 0 && states[i] == UNKNOWN) {
                remove(indices[i]);
                return true;
            }
        }
        stale = false;
        return false;
    }

    /**
     * The link's slot, a new one (state unknown, unnamed) if it had none; -1, counted, when
     * ifindex is not positive or the table is full. A full table makes room by forgetting a
     * link not heard of since events were lost.
     */
    int add(int ifindex) {
        int found = find(ifindex);
        if (found >= 0) {
            return found;
        }
        if (ifindex <= 0 || (count >= LINKS_MAX && !forgetStale())) {
            untracked++;
            return -1;
        }
        if ((count + 1) * 2 > indices.length) {
            grow();
        }
        count++;
        return insert(indices, ifindex);
    }

    void remove(int ifindex) {
        int slot = find(ifindex);
        if (slot < 0) {
            return;
        }
        // Backward shift: each later link of the run moves into the hole unless that would put it before its home.
        int mask = indices.length - 1;
        int hole = slot;
        for (int i = (hole + 1) & mask; indices[i] != 0; i = (i + 1) & mask) {
            int home = homeOf(indices[i], indices.length);
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                indices[hole] = indices[i];
                states[hole] = states[i];
                System.arraycopy(names, i * NAME_SIZE, names, hole * NAME_SIZE, NAME_SIZE);
                hole = i;
            }
        }
        indices[hole] = 0;
        states[hole] = UNKNOWN;
        Arrays.fill(names, hole * NAME_SIZE, (hole + 1) * NAME_SIZE, (byte) 0);
        count--;
    }

    // The monitor's messages.

    /**
     * One message the kernel sent the monitor, at {@code at} of {@code b} (its nlmsg_len bytes
     * there): a link change or an address change into at most one record; anything else or
     * malformed is skipped. {@code seeding}: an answer to the monitor's own link dump, which
     * only fills the table.
     */
    void read(ByteBuffer b, int at, boolean seeding, long rxNanos) {
        int type = b.getShort(at + 4) & 0xffff;
        if (type == RTM_NEWLINK || type == RTM_DELLINK) {
            readLink(b, at, type == RTM_DELLINK, seeding, rxNanos);
        } else if (type == RTM_NEWADDR || type == RTM_DELADDR) {
            readAddress(b, at, type == RTM_DELADDR, rxNanos);
        }
    }

    /** The kernel dropped changes (ENOBUFS): EVENTS_LOST, and each link's next state is reported even if unchanged. */
    void lost(long rxNanos) {
        if (written < capacity) {
            int r = clear(written++);
            records.putShort(r + EventRecord.TYPE, (short) EventRecord.EVENTS_LOST_TYPE);
            records.putLong(r + EventRecord.RX_NANOS, rxNanos);
        }
        Arrays.fill(states, UNKNOWN);
        stale = count > 0;
    }

    private int clear(int index) {
        int r = index * EventRecord.SIZE;
        for (int i = 0; i < EventRecord.SIZE; i += Long.BYTES) {
            records.putLong(r + i, 0L);
        }
        return r;
    }

    /** The next record's offset, zeroed and filled with what every record here has; -1 when there is no room. */
    private int nextRecord(int type, int ifindex, byte[] name, int nameAt, long rxNanos) {
        if (written >= capacity) {
            return -1;
        }
        int r = clear(written++);
        records.putShort(r + EventRecord.TYPE, (short) type);
        records.putLong(r + EventRecord.RX_NANOS, rxNanos);
        records.putInt(r + EventRecord.IF_IDX, ifindex);
        records.putInt(r + EventRecord.ATTRS, ATTR_IF_IDX);
        if (name != null) {
            records.put(r + EventRecord.REMOTE_ADDR, name, nameAt, NAME_SIZE);
        }
        return r;
    }

    private static boolean validHeader(ByteBuffer b, int at, int familyHeader) {
        return b.getInt(at) >= NLMSG_HDRLEN + familyHeader;
    }

    /**
     * IFLA_IFNAME into {@link #seen}, if the message has one: NUL-padded when it is a name the
     * kernel allows (1 to 15 bytes, then a NUL within the attribute), else empty.
     */
    private boolean readName(ByteBuffer b, int at) {
        int attr = findAttribute(b, at, IFINFOMSG_SIZE, IFLA_IFNAME);
        if (attr < 0) {
            return false;
        }
        int length = (b.getShort(attr) & 0xffff) - NetlinkAttributes.NLA_HDRLEN;
        int room = Math.min(length, NAME_SIZE);
        int nul = -1;
        for (int i = 0; i < room && nul < 0; i++) {
            if (b.get(attr + NetlinkAttributes.NLA_HDRLEN + i) == 0) {
                nul = i;
            }
        }
        Arrays.fill(seen, (byte) 0);
        if (nul > 0) {
            b.get(attr + NetlinkAttributes.NLA_HDRLEN, seen, 0, nul);
        }
        return true;
    }

    private void readLink(ByteBuffer b, int at, boolean removed, boolean seeding, long rxNanos) {
        if (!validHeader(b, at, IFINFOMSG_SIZE)) {
            return;
        }
        int ifindex = b.getInt(at + NLMSG_HDRLEN + 4);
        if (ifindex <= 0) {
            return;
        }
        int flags = b.getInt(at + NLMSG_HDRLEN + 8);
        byte now = !removed && (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) != 0 ? UP : DOWN;
        // What this message says of the link; the table's entry keeps it when there is one.
        boolean named = readName(b, at);
        if (!named) {
            Arrays.fill(seen, (byte) 0);
        }
        int link = removed ? find(ifindex) : add(ifindex);
        boolean report = !seeding;
        if (link >= 0) {
            if (named) { // a rename comes as RTM_NEWLINK
                System.arraycopy(seen, 0, names, link * NAME_SIZE, NAME_SIZE);
            }
            report = report && states[link] != now;
            states[link] = now;
        }
        if (report) {
            int r = nextRecord(now == UP ? EventRecord.LINK_UP_TYPE : EventRecord.LINK_DOWN_TYPE, ifindex,
                    link >= 0 ? names : seen, link >= 0 ? link * NAME_SIZE : 0, rxNanos);
            if (r >= 0) {
                records.putShort(r + EventRecord.FLAGS, (short) flags);
                records.putInt(r + EventRecord.ATTRS, ATTR_IF_IDX | ATTR_FLAGS);
            }
        }
        if (removed && link >= 0) {
            remove(ifindex);
        }
    }

    private void readAddress(ByteBuffer b, int at, boolean removed, long rxNanos) {
        if (!decodeAddress(b, at, address, 0)) {
            return;
        }
        int flags = address.getInt(LocalAddressDump.FLAGS);
        // An IPv6 address in duplicate address detection cannot be used yet: it is reported when
        // the kernel announces it again without the flag; one that failed DAD never is.
        if (!removed && (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0) {
            return;
        }
        int ifindex = address.getInt(LocalAddressDump.IF_INDEX);
        int link = find(ifindex);
        int r = nextRecord(removed ? EventRecord.LOCAL_ADDRESS_REMOVED_TYPE : EventRecord.LOCAL_ADDRESS_ADDED_TYPE,
                ifindex, link >= 0 ? names : null, link * NAME_SIZE, rxNanos);
        if (r < 0) {
            return;
        }
        int family = address.get(LocalAddressDump.FAMILY) & 0xff;
        records.putShort(r + EventRecord.FAMILY, (short) family);
        for (int i = 0; i < 16; i++) {
            records.put(r + EventRecord.LOCAL_ADDR + i, address.get(LocalAddressDump.ADDR + i));
        }
        records.put(r + EventRecord.PREFIX_LEN, address.get(LocalAddressDump.PREFIX_LEN));
        records.putShort(r + EventRecord.FLAGS, (short) flags);
        records.putInt(r + EventRecord.ATTRS,
                ATTR_IF_IDX | ATTR_FAMILY | (family == AF_INET ? ATTR_SADDR4 : ATTR_SADDR6) | ATTR_FLAGS);
    }

    /**
     * The offset of the first attribute of {@code type} after the family header of
     * {@code familyHeader} bytes, or -1 (libnl's nlmsg_find_attr).
     */
    private static int findAttribute(ByteBuffer b, int at, int familyHeader, int type) {
        int a = at + NLMSG_HDRLEN + NetlinkWriter.align(familyHeader);
        int rem = b.getInt(at) - NLMSG_HDRLEN - NetlinkWriter.align(familyHeader);
        for (int total; (total = NetlinkAttributes.lengthAt(b, a, rem)) > 0; ) {
            if ((b.getShort(a + 2) & NLA_TYPE_MASK) == type) {
                return a;
            }
            rem -= NetlinkWriter.align(total);
            a += NetlinkWriter.align(total);
        }
        return -1;
    }

    /**
     * An RTM_NEWADDR or RTM_DELADDR message at {@code at} of {@code b} into the 28-byte local
     * address record at {@code outAt} of {@code out} (native order): true, or false (nothing
     * written) when it is not an IPv4 or IPv6 address of an interface the kernel could have
     * sent (prefix length within the address, interface index a positive int), or when an
     * attribute breaks the address policy.
     */
    boolean decodeAddress(ByteBuffer b, int at, ByteBuffer out, int outAt) {
        if (!validHeader(b, at, IFADDRMSG_SIZE)
                || !ifa.parse(b, at + NLMSG_HDRLEN + IFADDRMSG_SIZE, b.getInt(at) - NLMSG_HDRLEN - IFADDRMSG_SIZE)) {
            return false;
        }
        // IFA_LOCAL is this host's address on point-to-point links; IFA_ADDRESS elsewhere.
        int addr = ifa.has(IFA_LOCAL) ? IFA_LOCAL : ifa.has(IFA_ADDRESS) ? IFA_ADDRESS : -1;
        int family = b.get(at + NLMSG_HDRLEN) & 0xff;
        int prefixLength = b.get(at + NLMSG_HDRLEN + 1) & 0xff;
        int len = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
        int ifindex = b.getInt(at + NLMSG_HDRLEN + 4);
        if (addr < 0 || len == 0 || ifa.length(addr) != len || prefixLength > len * 8 || ifindex <= 0) {
            return false;
        }
        for (int i = 0; i < LocalAddressDump.SIZE; i += Integer.BYTES) {
            out.putInt(outAt + i, 0);
        }
        out.put(outAt + LocalAddressDump.FAMILY, (byte) family);
        out.put(outAt + LocalAddressDump.PREFIX_LEN, (byte) prefixLength);
        out.put(outAt + LocalAddressDump.SCOPE, b.get(at + NLMSG_HDRLEN + 3));
        out.putInt(outAt + LocalAddressDump.FLAGS,
                ifa.has(IFA_FLAGS) ? b.getInt(ifa.payload(IFA_FLAGS)) : b.get(at + NLMSG_HDRLEN + 2) & 0xff);
        out.putInt(outAt + LocalAddressDump.IF_INDEX, ifindex);
        for (int i = 0; i < len; i++) {
            out.put(outAt + LocalAddressDump.ADDR + i, b.get(ifa.payload(addr) + i));
        }
        return true;
    }
}
