package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.testing.Corpus;

/**
 * The rtnetlink decoder on hand-built messages: as a namespace's root could make the kernel
 * send them (indices up to Integer.MAX_VALUE, names of 15 bytes) and as no kernel would (names
 * without a NUL, prefixes longer than the address, indices beyond an int, attributes cut
 * short, more links than the table holds); and on the datagrams captured from the kernel
 * ({@code fuzz/corpus/rtnl}), mutated. Each message sits in a buffer of exactly its size, and
 * the records in one of exactly their capacity, so that a read or a write past either throws.
 */
class RtnlDecoderTest {
    private static final int UP = 0x1 | 0x40; // IFF_UP | IFF_RUNNING
    private static final int IFF_UP = 0x1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int IFLA_IFNAME = 3;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int IFA_FLAGS = 8;
    private static final int IFA_F_NODAD = 0x02;
    private static final int IFA_F_TENTATIVE = 0x40;
    private static final int IFA_F_PERMANENT = 0x80;
    private static final int CAPACITY = 64;
    private static final int NLMSG_NOOP = 1;

    private final ByteBuffer records = ByteBuffer.allocateDirect(CAPACITY * EventRecord.SIZE)
            .order(ByteOrder.nativeOrder());
    private final EventRecord record = new EventRecord(records);
    private RtnlDecoder decoder;

    @BeforeEach
    void newDecoder() {
        decoder = new RtnlDecoder(records);
    }

    /** An attribute: type, then its payload. */
    private record Attr(int type, byte[] data) {}

    /** A message of {@code type} with the family header and attributes given; the last attribute is not padded. */
    private static ByteBuffer message(int type, byte[] header, Attr... attrs) {
        int length = 16 + align(header.length);
        for (int i = 0; i < attrs.length; i++) {
            int a = 4 + attrs[i].data.length;
            length += i + 1 < attrs.length ? align(a) : a;
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        b.putInt(0, length);
        b.putShort(4, (short) type);
        b.put(16, header);
        int at = 16 + align(header.length);
        for (Attr a : attrs) {
            b.putShort(at, (short) (4 + a.data.length));
            b.putShort(at + 2, (short) a.type);
            b.put(at + 4, a.data);
            at += align(4 + a.data.length);
        }
        return b;
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    /** RTM_NEWLINK / RTM_DELLINK; {@code name} as IFLA_IFNAME's bytes (none when null). */
    private static ByteBuffer link(int type, int ifindex, int flags, byte[] name) {
        ByteBuffer ifi = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        ifi.putInt(4, ifindex);
        ifi.putInt(8, flags);
        return name == null ? message(type, ifi.array()) : message(type, ifi.array(), new Attr(IFLA_IFNAME, name));
    }

    /** A name and its NUL. */
    private static byte[] name(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        byte[] withNul = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withNul, 0, bytes.length);
        return withNul;
    }

    private static byte[] ifaddrmsg(int family, int prefix, int ifindex) {
        ByteBuffer ifa = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        ifa.put(0, (byte) family);
        ifa.put(1, (byte) prefix);
        ifa.put(3, (byte) 200); // RT_SCOPE_SITE
        ifa.putInt(4, ifindex);
        return ifa.array();
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value).array();
    }

    private static ByteBuffer address(int type, String text, int prefix, int ifindex, int flags) throws Exception {
        byte[] addr = InetAddress.getByName(text).getAddress();
        return message(type, ifaddrmsg(addr.length == 4 ? AF_INET : AF_INET6, prefix, ifindex),
                new Attr(IFA_ADDRESS, addr), new Attr(IFA_FLAGS, u32(flags)));
    }

    /** Reads one message; the number of records it wrote. */
    private int read(ByteBuffer message, boolean seeding) {
        int before = decoder.recordCount();
        decoder.read(message, 0, seeding, 7);
        return decoder.recordCount() - before;
    }

    private EventRecord last() {
        return record.wrap(decoder.recordCount() - 1);
    }

    private static String nameOf(EventRecord r) {
        return r.interfaceName();
    }

    private int at(int index, int offset) {
        return index * EventRecord.SIZE + offset;
    }

    @Test
    void hugeIndicesTakeAFewSlots() throws Exception {
        assertEquals(0, read(link(16, 1 << 30, UP, name("huge")), true));
        assertEquals(0, read(link(16, 100_000_000, UP, name("near")), true));
        assertEquals(0, read(link(16, Integer.MAX_VALUE, 0, name("largest")), true));
        assertEquals(3, decoder.linkCount());
        assertEquals(64, decoder.tableSize());
        assertEquals(1, read(link(16, Integer.MAX_VALUE, UP, name("largest")), false));
        int i = decoder.recordCount() - 1;
        assertEquals(EventRecord.LINK_UP_TYPE, records.getShort(at(i, EventRecord.TYPE)) & 0xffff);
        assertEquals(Integer.MAX_VALUE, records.getInt(at(i, EventRecord.IF_IDX)));
        assertEquals("largest", nameOf(last()));
        assertEquals(7, records.getLong(at(i, EventRecord.RX_NANOS)));
        assertEquals(UP, records.getShort(at(i, EventRecord.FLAGS)));
        assertEquals((1 << 15) | (1 << 13), records.getInt(at(i, EventRecord.ATTRS)));
        // Unchanged: nothing to say.
        assertEquals(0, read(link(16, 1 << 30, UP, name("huge")), false));
        assertEquals(1, read(link(16, 1 << 30, IFF_UP, name("huge")), false));
        assertEquals(EventRecord.LINK_DOWN_TYPE, records.getShort(at(1, EventRecord.TYPE)) & 0xffff);
        assertEquals("huge", nameOf(last()));
        // An address on it carries the link's name.
        assertEquals(1, read(address(20, "10.77.0.1", 24, 100_000_000, IFA_F_PERMANENT), false));
        i = decoder.recordCount() - 1;
        assertEquals(EventRecord.LOCAL_ADDRESS_ADDED_TYPE, records.getShort(at(i, EventRecord.TYPE)) & 0xffff);
        assertEquals(100_000_000, records.getInt(at(i, EventRecord.IF_IDX)));
        assertEquals("near", nameOf(last()));
        assertEquals(AF_INET, records.getShort(at(i, EventRecord.FAMILY)));
        assertEquals(24, records.get(at(i, EventRecord.PREFIX_LEN)));
        byte[] addr = new byte[16];
        records.get(at(i, EventRecord.LOCAL_ADDR), addr);
        assertArrayEquals(new byte[] {10, 77, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, addr);
        assertEquals(IFA_F_PERMANENT, records.getShort(at(i, EventRecord.FLAGS)) & 0xffff);
        assertEquals((1 << 15) | (1 << 2) | (1 << 5) | (1 << 13), records.getInt(at(i, EventRecord.ATTRS)));
        // Removed: reported with its name, then forgotten.
        assertEquals(1, read(link(17, 100_000_000, UP, name("near")), false));
        assertEquals(EventRecord.LINK_DOWN_TYPE,
                records.getShort(at(decoder.recordCount() - 1, EventRecord.TYPE)) & 0xffff);
        assertEquals("near", nameOf(last()));
        assertFalse(decoder.tracks(100_000_000));
        assertEquals(2, decoder.linkCount());
        // No index of zero or below.
        assertEquals(0, read(link(16, 0, UP, name("zero")), false));
        assertEquals(0, read(link(16, -5, UP, name("minus")), false));
        assertEquals(2, decoder.linkCount());
        assertEquals(0, decoder.untracked());
    }

    @Test
    void namesAreTakenOnlyAsTheKernelMakesThem() {
        assertEquals(1, read(link(16, 3, UP, name("m4j-longest-115")), false));
        assertEquals("m4j-longest-115", nameOf(last()));
        // 16 bytes and no NUL: no name, and no read past it.
        assertEquals(1, read(link(16, 4, UP, "abcdefghijklmnop".getBytes(StandardCharsets.US_ASCII)), false));
        assertEquals("", nameOf(last()));
        // Longer than a name can be.
        assertEquals(1, read(link(16, 5, UP, name("abcdefghijklmnopqrstuvwxyz")), false));
        assertEquals("", nameOf(last()));
        // Cut before its NUL, or empty.
        assertEquals(1, read(link(16, 6, UP, "abc".getBytes(StandardCharsets.US_ASCII)), false));
        assertEquals("", nameOf(last()));
        assertEquals(1, read(link(16, 7, UP, new byte[1]), false));
        assertEquals("", nameOf(last()));
        // A rename is taken; a message without a name keeps the one known.
        assertEquals(1, read(link(16, 3, 0, name("renamed")), false));
        assertEquals("renamed", nameOf(last()));
        assertEquals(1, read(link(16, 3, UP, null), false));
        assertEquals("renamed", nameOf(last()));
        // Bytes after the NUL are not the name's.
        assertEquals(1, read(link(16, 8, UP, "eth\0junk".getBytes(StandardCharsets.US_ASCII)), false));
        assertEquals("eth", nameOf(last()));
        byte[] padded = new byte[16];
        records.get(at(decoder.recordCount() - 1, EventRecord.REMOTE_ADDR), padded);
        assertArrayEquals(new byte[] {'e', 't', 'h', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, padded);
        // Headers cut short.
        ByteBuffer cut = link(16, 9, UP, name("cut"));
        cut.putInt(0, 16 + 4);
        assertEquals(0, read(cut, false));
        assertFalse(decoder.tracks(9));
    }

    @Test
    void attributesCutShortAreNotRead() {
        // IFLA_IFNAME says it runs past the message: not an attribute, so no name.
        ByteBuffer beyond = link(16, 10, UP, name("beyond"));
        beyond.putShort(32, (short) 200);
        assertEquals(1, read(beyond, false));
        assertEquals("", nameOf(last()));
        // The message ends inside the attribute's header.
        ByteBuffer header = link(16, 11, UP, name("x"));
        header.putInt(0, 16 + 16 + 2);
        assertEquals(1, read(header, false));
        assertEquals("", nameOf(last()));
        // An attribute shorter than its own header ends the walk.
        ByteBuffer tiny = link(16, 12, UP, name("tiny"));
        tiny.putShort(32, (short) 2);
        assertEquals(1, read(tiny, false));
        assertEquals("", nameOf(last()));
    }

    @Test
    void addressesTheKernelCouldNotSendAreSkipped() throws Exception {
        assertEquals(1, read(address(20, "10.0.0.1", 32, 2, 0), false));
        assertEquals(32, last().prefixLength());
        assertEquals("", nameOf(last()));
        assertEquals(2, records.getInt(at(decoder.recordCount() - 1, EventRecord.IF_IDX)));
        assertEquals(0, read(address(20, "10.0.0.1", 33, 2, 0), false));
        assertEquals(0, read(address(20, "10.0.0.1", 255, 2, 0), false));
        assertEquals(1, read(address(20, "fd00::1", 128, 2, 0), false));
        assertEquals(AF_INET6, records.getShort(at(decoder.recordCount() - 1, EventRecord.FAMILY)));
        assertEquals(128, last().prefixLength());
        assertEquals(0, read(address(20, "fd00::1", 129, 2, 0), false));
        assertEquals(0, read(address(20, "10.0.0.1", 24, 0, 0), false));
        assertEquals(0, read(address(20, "10.0.0.1", 24, 0x80000000, 0), false));
        assertEquals(1, read(address(20, "10.0.0.1", 24, Integer.MAX_VALUE, 0), false));
        assertEquals(Integer.MAX_VALUE, records.getInt(at(decoder.recordCount() - 1, EventRecord.IF_IDX)));
        // In duplicate address detection: not yet; its removal is said.
        assertEquals(0, read(address(20, "fd00::2", 64, 2, IFA_F_TENTATIVE), false));
        assertEquals(1, read(address(21, "fd00::2", 64, 2, IFA_F_TENTATIVE), false));
        assertEquals(EventRecord.LOCAL_ADDRESS_REMOVED_TYPE,
                records.getShort(at(decoder.recordCount() - 1, EventRecord.TYPE)) & 0xffff);
        // An address of the wrong length for its family.
        assertEquals(0, read(message(20, ifaddrmsg(AF_INET, 24, 2),
                new Attr(IFA_LOCAL, "0123456789abcdef".getBytes(StandardCharsets.US_ASCII))), false));
        // Attributes out of the policy refuse the whole message: an address of 17 bytes, flags of 2.
        assertEquals(0, read(message(20, ifaddrmsg(AF_INET, 24, 2), new Attr(IFA_ADDRESS, new byte[4]),
                new Attr(IFA_LOCAL, new byte[17])), false));
        assertEquals(0, read(message(20, ifaddrmsg(AF_INET, 24, 2), new Attr(IFA_ADDRESS, new byte[4]),
                new Attr(IFA_FLAGS, new byte[2])), false));
        // No address at all, or a family that is neither.
        assertEquals(0, read(message(20, ifaddrmsg(AF_INET, 24, 2), new Attr(IFA_FLAGS, u32(0))), false));
        assertEquals(0, read(message(20, ifaddrmsg(7, 24, 2), new Attr(IFA_ADDRESS, new byte[4])), false));
        // The family header cut short.
        ByteBuffer cut = address(20, "10.0.0.1", 24, 2, 0);
        cut.putInt(0, 16 + 7);
        assertEquals(0, read(cut, false));
        assertEquals(0, decoder.linkCount());
    }

    @Test
    void anAddressIsDecodedIntoTheLocalAddressRecord() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(LocalAddressDump.SIZE).order(ByteOrder.nativeOrder());
        assertTrue(decoder.decodeAddress(address(20, "fd00::9", 64, 1 << 30, IFA_F_NODAD), 0, out, 0));
        assertEquals(AF_INET6, out.get(LocalAddressDump.FAMILY));
        assertEquals(64, out.get(LocalAddressDump.PREFIX_LEN));
        assertEquals((byte) 200, out.get(LocalAddressDump.SCOPE));
        assertEquals(1 << 30, out.getInt(LocalAddressDump.IF_INDEX));
        assertEquals(IFA_F_NODAD, out.getInt(LocalAddressDump.FLAGS));
        byte[] addr = new byte[16];
        out.get(LocalAddressDump.ADDR, addr);
        assertArrayEquals(InetAddress.getByName("fd00::9").getAddress(), addr);
        // IFA_LOCAL before IFA_ADDRESS (a point-to-point link's peer); without IFA_FLAGS the header's flags.
        byte[] header = ifaddrmsg(AF_INET, 32, 3);
        header[2] = (byte) IFA_F_PERMANENT;
        assertTrue(decoder.decodeAddress(message(20, header, new Attr(IFA_ADDRESS, new byte[] {10, 0, 0, 2}),
                new Attr(IFA_LOCAL, new byte[] {10, 0, 0, 1})), 0, out, 0));
        out.get(LocalAddressDump.ADDR, addr);
        assertArrayEquals(new byte[] {10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, addr);
        assertEquals(IFA_F_PERMANENT, out.getInt(LocalAddressDump.FLAGS));
    }

    @Test
    void recordsStopAtCapacity() {
        decoder.recordCount(CAPACITY - 1);
        assertEquals(1, read(link(16, 2, UP, name("a")), false));
        assertEquals(0, read(link(16, 2, 0, name("a")), false));
        decoder.lost(7);
        assertEquals(CAPACITY, decoder.recordCount());
        // The link's state moved on even with no room to say so.
        assertTrue(decoder.tracks(2));
    }

    @Test
    void theTableHoldsItsBoundAndStaysConsistent() {
        int max = RtnlDecoder.LINKS_MAX;
        int n = max + 100;
        Set<Integer> present = new HashSet<>();
        for (int i = 1; i <= max; i++) {
            assertTrue(decoder.add(i * 7919) >= 0);
            present.add(i * 7919);
        }
        assertEquals(max, decoder.linkCount());
        assertEquals(2 * max, decoder.tableSize());
        assertEquals(0, decoder.untracked());
        // Full: one more goes untracked, counted.
        assertEquals(-1, decoder.add((max + 1) * 7919));
        assertEquals(1, decoder.untracked());
        assertEquals(decoder.find(2 * 7919), decoder.add(2 * 7919));
        // Its link changes carry the name their message gives, each reported; its addresses none.
        assertEquals(1, read(link(16, 1 << 30, UP, name("beyond")), false));
        assertEquals(1, read(link(16, 1 << 30, UP, name("beyond")), false));
        assertEquals("beyond", nameOf(last()));
        assertEquals(EventRecord.LINK_UP_TYPE,
                records.getShort(at(decoder.recordCount() - 1, EventRecord.TYPE)) & 0xffff);
        assertEquals(3, decoder.untracked());
        assertEquals(0, read(link(16, 1 << 30, UP, name("beyond")), true));
        assertEquals(4, decoder.untracked());
        // Removals and additions in a random order keep every link reachable (linear probing's backward shift).
        Random random = new Random(15);
        for (int k = 0; k < 3000; k++) {
            int index = (1 + random.nextInt(max)) * 7919;
            decoder.remove(index);
            present.remove(index);
        }
        assertConsistent(present, n);
        for (int k = 0; k < 3000; k++) {
            int index = (1 + random.nextInt(n)) * 7919;
            if (decoder.add(index) >= 0) {
                present.add(index);
            }
        }
        assertConsistent(present, n);
        assertTrue(decoder.linkCount() <= max);
        assertEquals(2 * max, decoder.tableSize());

        // After lost events, a full table makes room by forgetting a link not heard of since.
        for (int i = 1; i <= n && decoder.linkCount() < max; i++) {
            if (decoder.add(i * 7919) >= 0) {
                present.add(i * 7919);
            }
        }
        assertEquals(max, decoder.linkCount());
        long untracked = decoder.untracked();
        decoder.recordCount(0);
        decoder.lost(7);
        assertEquals(1, decoder.recordCount());
        assertEquals(EventRecord.EVENTS_LOST_TYPE, records.getShort(EventRecord.TYPE) & 0xffff);
        assertEquals(7, records.getLong(EventRecord.RX_NANOS));
        decoder.recordCount(0);
        assertEquals(1, read(link(16, 1 << 30, UP, name("new")), false));
        assertEquals("new", nameOf(last()));
        assertEquals(max, decoder.linkCount());
        assertEquals(untracked, decoder.untracked());
        assertTrue(decoder.tracks(1 << 30));
    }

    private void assertConsistent(Set<Integer> present, int n) {
        for (int i = 1; i <= n; i++) {
            int slot = decoder.find(i * 7919);
            assertEquals(present.contains(i * 7919), slot >= 0, "link " + i * 7919);
        }
        assertEquals(present.size(), decoder.linkCount());
    }

    /** Links by the thousand, indices anywhere up to Integer.MAX_VALUE: the table never outgrows its bound. */
    @Test
    void anyIndicesKeepTheTableBounded() {
        Random random = new Random(42);
        for (int k = 0; k < 20_000; k++) {
            int index = 1 + random.nextInt(Integer.MAX_VALUE);
            read(link(random.nextInt(4) == 0 ? 17 : 16, index, random.nextBoolean() ? UP : 0, name("l" + k)), true);
            assertTrue(decoder.linkCount() <= RtnlDecoder.LINKS_MAX);
            assertTrue(decoder.tableSize() <= 2 * RtnlDecoder.LINKS_MAX);
        }
        assertTrue(decoder.untracked() > 0);
    }

    /**
     * Messages with random bytes changed (lengths, types, indices, flags, attributes): never an
     * exception, never a read past the message, never more records than room or links than
     * the bound.
     */
    @Test
    void mutatedMessagesNeverThrow() throws Exception {
        ByteBuffer[] seeds = {
            link(16, 3, UP, name("eth0")), link(17, 4, 0, name("m4j-longest-115")),
            address(20, "10.0.0.1", 24, 3, IFA_F_PERMANENT), address(21, "fd00::1", 64, 4, 0),
            message(20, ifaddrmsg(AF_INET, 24, 2), new Attr(IFA_ADDRESS, new byte[4]),
                    new Attr(IFA_LOCAL, new byte[] {10, 0, 0, 1}), new Attr(IFA_FLAGS, u32(0))),
        };
        Random random = new Random(7);
        for (int k = 0; k < 200_000; k++) {
            ByteBuffer seed = seeds[random.nextInt(seeds.length)];
            ByteBuffer m = ByteBuffer.allocate(seed.capacity()).order(ByteOrder.nativeOrder());
            m.put(0, seed, 0, seed.capacity());
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                int at = 16 + random.nextInt(m.capacity() - 16);
                m.put(at, (byte) random.nextInt(256));
            }
            // The message's own length stays within its buffer, as the receive loop checks before.
            if (random.nextInt(8) == 0) {
                m.putInt(0, 16 + random.nextInt(m.capacity() - 15));
            }
            if (decoder.recordCount() == CAPACITY) {
                decoder.recordCount(0);
            }
            decoder.read(m, 0, random.nextInt(8) == 0, 7);
            assertTrue(decoder.recordCount() <= CAPACITY);
            ByteBuffer out = ByteBuffer.allocate(LocalAddressDump.SIZE).order(ByteOrder.nativeOrder());
            decoder.decodeAddress(m, 0, out, 0);
        }
        assertTrue(decoder.linkCount() <= RtnlDecoder.LINKS_MAX);
    }

    /**
     * The kernel's own datagrams (link dumps, link and address changes), as captured and then
     * with one to four mutations each (random bytes, an attribute's or the message's length,
     * a cut), read as the monitor reads them (an answer of the seed dump when the sequence
     * number is not 0; an NLMSG_NOOP stands for lost changes) and as the address dump decodes
     * them. Nothing throws; every record is of the monitor's kinds with a positive interface
     * index, a NUL-padded name and, for an address, a prefix within it; the table stays within
     * its bound, at most half full.
     */
    @Test
    void capturedAndMutatedDatagramsKeepTheInvariants() throws Exception {
        List<byte[]> seeds = corpus();
        Random random = new Random(0x72746e6cL);
        int[] outcomes = new int[5]; // link up, link down, address added, address removed, addresses decoded
        for (int k = 0; k < 20_000; k++) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            byte[] datagram = k < seeds.size() ? seeds.get(k) : mutate(random, seed);
            ByteBuffer d = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
            for (int at = 0, length; (length = ReplyDecoder.messageLength(d, at, datagram.length - at)) > 0;
                    at += NetlinkWriter.align(length)) {
                // The message alone, in a buffer of its length, as the receive loop hands it over.
                ByteBuffer m = ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder()).put(0, d, at, length);
                if (decoder.recordCount() == CAPACITY) {
                    decoder.recordCount(0);
                }
                int before = decoder.recordCount();
                if ((m.getShort(4) & 0xffff) == NLMSG_NOOP) {
                    decoder.lost(7);
                } else {
                    decoder.read(m, 0, m.getInt(8) != 0, 7);
                }
                assertTrue(decoder.recordCount() <= CAPACITY);
                for (int i = before; i < decoder.recordCount(); i++) {
                    assertRecord(i, outcomes);
                }
                assertTrue(decoder.linkCount() <= RtnlDecoder.LINKS_MAX);
                assertTrue(decoder.linkCount() * 2 <= decoder.tableSize() || decoder.tableSize() == 0);
                ByteBuffer out = ByteBuffer.allocate(LocalAddressDump.SIZE).order(ByteOrder.nativeOrder());
                if (decoder.decodeAddress(m, 0, out, 0)) {
                    outcomes[4]++;
                    assertAddress(out.get(LocalAddressDump.FAMILY) & 0xff, out.get(LocalAddressDump.PREFIX_LEN) & 0xff,
                            out, LocalAddressDump.ADDR);
                    assertTrue(out.getInt(LocalAddressDump.IF_INDEX) > 0);
                }
            }
        }
        // Mutations that only ever meet malformed messages would prove little.
        for (int outcome : outcomes) {
            assertTrue(outcome > 100, "outcomes " + Arrays.toString(outcomes));
        }
    }

    private void assertRecord(int index, int[] outcomes) {
        int type = records.getShort(at(index, EventRecord.TYPE)) & 0xffff;
        if (type == EventRecord.EVENTS_LOST_TYPE) {
            return;
        }
        boolean address = type == EventRecord.LOCAL_ADDRESS_ADDED_TYPE || type == EventRecord.LOCAL_ADDRESS_REMOVED_TYPE;
        assertTrue(address || type == EventRecord.LINK_UP_TYPE || type == EventRecord.LINK_DOWN_TYPE, "type " + type);
        outcomes[switch (type) {
            case EventRecord.LINK_UP_TYPE -> 0;
            case EventRecord.LINK_DOWN_TYPE -> 1;
            case EventRecord.LOCAL_ADDRESS_ADDED_TYPE -> 2;
            default -> 3;
        }]++;
        assertTrue(records.getInt(at(index, EventRecord.IF_IDX)) > 0);
        int name = at(index, EventRecord.REMOTE_ADDR);
        int length = 0;
        while (length < RtnlDecoder.NAME_SIZE && records.get(name + length) != 0) {
            length++;
        }
        assertTrue(length < RtnlDecoder.NAME_SIZE, "a NUL within the name");
        for (int i = length; i < RtnlDecoder.NAME_SIZE; i++) {
            assertEquals(0, records.get(name + i), "NUL-padded");
        }
        int family = records.getShort(at(index, EventRecord.FAMILY)) & 0xffff;
        int prefix = records.get(at(index, EventRecord.PREFIX_LEN)) & 0xff;
        if (address) {
            assertAddress(family, prefix, records, at(index, EventRecord.LOCAL_ADDR));
        } else {
            assertEquals(0, family);
            assertEquals(0, prefix);
        }
    }

    private static void assertAddress(int family, int prefix, ByteBuffer b, int addr) {
        assertTrue(family == AF_INET || family == AF_INET6, "family " + family);
        assertTrue(prefix <= (family == AF_INET ? 32 : 128), "prefix " + prefix);
        if (family == AF_INET) {
            for (int i = 4; i < 16; i++) {
                assertEquals(0, b.get(addr + i), "an IPv4 address is 4 bytes");
            }
        }
    }

    /** A datagram changed by one to four mutations: random bytes, a length that lies, a cut. */
    private static byte[] mutate(Random random, byte[] seed) {
        byte[] b = seed.clone();
        for (int n = 1 + random.nextInt(4); n > 0 && b.length > 0; n--) {
            ByteBuffer buffer = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
            switch (random.nextInt(5)) {
                case 0, 1 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                case 2 -> { // an attribute's length or type (or anything on a 4-byte boundary)
                    if (b.length >= 4) {
                        int at = random.nextInt(b.length / 4) * 4 + random.nextInt(2) * 2;
                        buffer.putShort(at, (short) (random.nextBoolean() ? random.nextInt(40) : random.nextInt(1 << 16)));
                    }
                }
                case 3 -> { // the first message's own length
                    if (b.length >= 4) {
                        buffer.putInt(0, buffer.getInt(0) + random.nextInt(-32, 32));
                    }
                }
                default -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            }
        }
        return b;
    }

    private static List<byte[]> corpus() {
        return Corpus.files("rtnl");
    }
}
