package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mptcp4j.testing.Corpus;

/**
 * sock_diag's messages ({@link DiagMessages}) and the records' fields ({@link DiagRecordWriter}):
 * the dumps captured from the kernel ({@code fuzz/corpus/sock_diag}) read into the records
 * their connections, listeners and subflows make, each subflow's lookup request naming
 * exactly that socket; the requests and the kernel's error answers byte for byte; tcp_info and
 * mptcp_info read at the kernel's offsets, at every length an older kernel could send; and
 * the dumps mutated (lengths that lie, attributes cut, strings without their NUL, random
 * bytes), read without a throw, without a write outside the record and with records of the
 * kind and family their message gives. Nothing here calls the kernel.
 */
class DiagMessagesTest {
    private static final int MUTATED = 5000;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int EPERM = 1;
    /** struct inet_diag_msg's inet_diag_sockid, and where a request holds it: 48 bytes. */
    private static final int MSG_ID = 16 + 4;
    private static final int REQUEST_ID = 16 + 8;
    private static final int ID_SIZE = 48;
    private static final byte GUARD = (byte) 0xa5;
    /** tcp_info's tcpi_total_rto (u16). */
    private static final int TOTAL_RTO = 240;

    private final DiagMessages messages = new DiagMessages();
    private final DiagRecordWriter writer = new DiagRecordWriter();

    /** The captured dumps hold connections, listeners and subflows of both families, as the test network made them. */
    @Test
    void capturedDumpsReadIntoTheirRecords() throws Exception {
        int[] kinds = new int[4];
        int ipv6 = 0;
        ByteBuffer records = direct(DiagRecord.SIZE);
        DiagRecord r = new DiagRecord(records).wrap(0);
        for (Message m : capturedMessages()) {
            if (!messages.parse(m.buffer, m.at, m.protocol, records, 0)) {
                continue;
            }
            assertTrue(r.kind() >= DiagRecord.CONNECTION && r.kind() <= DiagRecord.LISTENER);
            kinds[r.kind()]++;
            ipv6 += r.family() == AF_INET6 ? 1 : 0;
            assertEquals(m.buffer.get(m.at + 16) & 0xff, r.family());
            assertEquals(m.protocol == DiagMessages.IPPROTO_TCP, r.kind() == DiagRecord.SUBFLOW);
            if (r.kind() == DiagRecord.SUBFLOW) {
                assertTrue(r.token() != 0 && r.rttMicros() != 0, "a subflow has its connection's token and an RTT");
            }
            if (r.kind() == DiagRecord.CONNECTION) {
                assertTrue(r.token() != 0);
            }
            if (r.kind() == DiagRecord.LISTENER) {
                assertTrue(r.localPort() == 5201 || r.localPort() == 7000, "port " + r.localPort());
            }
            byte[] local = new byte[16];
            r.copyLocalAddress(local);
            assertTrue(inTestNetwork(local, r.family()), HexFormat.of().formatHex(local));
        }
        assertTrue(kinds[DiagRecord.CONNECTION] > 0 && kinds[DiagRecord.SUBFLOW] > 0 && kinds[DiagRecord.LISTENER] > 0,
                Arrays.toString(kinds));
        assertTrue(ipv6 > 0);
    }

    /**
     * Each captured subflow's lookup request names exactly that socket (ports, addresses,
     * interface, cookie, as the kernel reported them), and the kernel's answer to it, the same
     * message as in a dump, reads as the same record.
     */
    @Test
    void capturedSubflowsLookUpThemselves() throws Exception {
        ByteBuffer records = direct(2 * DiagRecord.SIZE);
        int subflows = 0;
        for (Message m : capturedMessages()) {
            if (m.protocol != DiagMessages.IPPROTO_TCP || !messages.parse(m.buffer, m.at, DiagMessages.IPPROTO_TCP, records, 0)) {
                continue;
            }
            subflows++;
            assertEquals(1, messages.lookupAnswer(m.buffer, m.at, records, DiagRecord.SIZE));
            assertArrayEquals(bytes(records, 0, DiagRecord.SIZE), bytes(records, DiagRecord.SIZE, DiagRecord.SIZE));
            ByteBuffer request = direct(DiagMessages.LOOKUP_SIZE + 8);
            for (int i = 0; i < request.capacity(); i++) {
                request.put(i, GUARD);
            }
            assertTrue(DiagMessages.writeLookup(records, 0, 77, request, 0));
            for (int i = DiagMessages.LOOKUP_SIZE; i < request.capacity(); i++) {
                assertEquals(GUARD, request.get(i), "nothing written past the request");
            }
            assertEquals(DiagMessages.LOOKUP_SIZE, request.getInt(0));
            assertEquals(SOCK_DIAG_BY_FAMILY, request.getShort(4));
            assertEquals(NLM_F_REQUEST, request.getShort(6), "no NLM_F_DUMP: one socket");
            assertEquals(77, request.getInt(8));
            assertEquals(m.buffer.get(m.at + 16), request.get(16), "sdiag_family");
            assertEquals(DiagMessages.IPPROTO_TCP, request.get(17));
            assertEquals(2, request.get(18), "idiag_ext: INET_DIAG_INFO");
            assertArrayEquals(bytes(m.buffer, m.at + MSG_ID, ID_SIZE), bytes(request, REQUEST_ID, ID_SIZE), "the socket's id");
        }
        assertTrue(subflows > 0);
    }

    /** A record of neither IP family asks for nothing, and writes nothing. */
    @Test
    void aLookupIsOnlyForAnIpSocket() {
        ByteBuffer records = direct(DiagRecord.SIZE);
        ByteBuffer request = direct(DiagMessages.LOOKUP_SIZE);
        for (int family : new int[] {0, 1, 3, 9, 11, 0xffff}) {
            records.putShort(DiagRecordWriter.FAMILY, (short) family);
            assertFalse(DiagMessages.writeLookup(records, 0, 1, request, 0));
            assertArrayEquals(new byte[DiagMessages.LOOKUP_SIZE], bytes(request, 0, DiagMessages.LOOKUP_SIZE));
        }
    }

    /** A dump's request, byte for byte: struct inet_diag_req_v2, and for MPTCP the protocol attribute (5.9). */
    @Test
    void dumpRequests() {
        ByteBuffer out = direct(DiagMessages.DUMP_REQUEST_SIZE);
        assertEquals(80, DiagMessages.writeDumpRequest(out, AF_INET6, DiagMessages.IPPROTO_MPTCP, 9));
        ByteBuffer expected = direct(80);
        expected.putInt(0, 80).putShort(4, (short) SOCK_DIAG_BY_FAMILY).putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP))
                .putInt(8, 9).put(16, (byte) AF_INET6).put(17, (byte) DiagMessages.IPPROTO_TCP).put(18, (byte) 2)
                .putInt(20, -1) // idiag_states: all
                .putShort(72, (short) 8).putShort(74, (short) 3).putInt(76, DiagMessages.IPPROTO_MPTCP);
        assertArrayEquals(bytes(expected, 0, 80), bytes(out, 0, 80));
        assertEquals(72, DiagMessages.writeDumpRequest(out, AF_INET, DiagMessages.IPPROTO_TCP, 10));
        expected.putInt(0, 72).putInt(8, 10).put(16, (byte) AF_INET);
        assertArrayEquals(bytes(expected, 0, 72), bytes(out, 0, 72));
    }

    /** An error answer: a socket gone reads as nothing, another error as its errno, a number no kernel sends as EPROTO. */
    @Test
    void lookupErrors() {
        ByteBuffer records = direct(DiagRecord.SIZE);
        assertEquals(0, lookupAnswer(-2, 36, records));
        assertEquals(-EPERM, lookupAnswer(-EPERM, 36, records));
        assertEquals(0, lookupAnswer(0, 36, records));
        assertEquals(-DiagMessages.EPROTO, lookupAnswer(5, 36, records));
        assertEquals(-4095, lookupAnswer(-4095, 36, records));
        assertEquals(-DiagMessages.EPROTO, lookupAnswer(-4096, 36, records));
        assertEquals(-DiagMessages.EPROTO, lookupAnswer(Integer.MIN_VALUE, 36, records));
        // Too short to hold the error and the request's header.
        assertEquals(0, lookupAnswer(-EPERM, 20, records));
        assertArrayEquals(new byte[DiagRecord.SIZE], bytes(records, 0, DiagRecord.SIZE), "no record written");
    }

    private int lookupAnswer(int error, int length, ByteBuffer records) {
        ByteBuffer answer = direct(36).putInt(0, length).putShort(4, (short) DiagMessages.NLMSG_ERROR).putInt(16, error);
        return messages.lookupAnswer(answer, 0, records, 0);
    }

    /**
     * The captured dumps mutated, and error answers: each message read as part of an MPTCP dump,
     * of a TCP dump and as a lookup's answer, in a datagram of exactly its size and into a
     * record between two guards. Nothing throws, nothing is written outside the record, a
     * record is of the kind its dump gives with its message's family, an answer is 1, 0 or a
     * negative errno, and a subflow's lookup request fits its {@link DiagMessages#LOOKUP_SIZE}.
     */
    @Test
    void mutatedDumpsKeepTheInvariants() throws Exception {
        List<byte[]> seeds = seeds();
        List<byte[]> inputs = new ArrayList<>(seeds);
        inputs.addAll(errorAnswers());
        SplittableRandom random = new SplittableRandom(0x646961675f6d7367L);
        for (int i = 0; i < MUTATED; i++) {
            inputs.add(mutate(random, seeds.get(random.nextInt(seeds.size()))));
        }
        ByteBuffer records = direct(3 * DiagRecord.SIZE);
        DiagRecord r = new DiagRecord(records).wrap(1);
        ByteBuffer request = direct(DiagMessages.LOOKUP_SIZE);
        int[] outcomes = new int[4]; // connections or listeners, subflows, lookup errors, lookups written
        for (byte[] input : inputs) {
            // Exactly the datagram: a read past it throws.
            ByteBuffer datagram = direct(input.length).put(0, input);
            for (int at = 0, length; (length = ReplyDecoder.messageLength(datagram, at, input.length - at)) > 0;
                    at += NetlinkWriter.align(length)) {
                int family = length > 16 ? datagram.get(at + 16) & 0xff : -1;
                guard(records);
                if (messages.parse(datagram, at, DiagMessages.IPPROTO_MPTCP, records, DiagRecord.SIZE)) {
                    assertTrue(r.kind() == DiagRecord.CONNECTION || r.kind() == DiagRecord.LISTENER);
                    assertEquals(family, r.family());
                    outcomes[0]++;
                }
                assertGuarded(records);
                if (messages.parse(datagram, at, DiagMessages.IPPROTO_TCP, records, DiagRecord.SIZE)) {
                    assertEquals(DiagRecord.SUBFLOW, r.kind());
                    assertEquals(family, r.family());
                    outcomes[1]++;
                    if (DiagMessages.writeLookup(records, DiagRecord.SIZE, 77, request, 0)) {
                        assertTrue(family == AF_INET || family == AF_INET6);
                        assertEquals(DiagMessages.LOOKUP_SIZE, request.getInt(0));
                        outcomes[3]++;
                    } else {
                        assertTrue(family != AF_INET && family != AF_INET6);
                    }
                }
                assertGuarded(records);
                int answer = messages.lookupAnswer(datagram, at, records, DiagRecord.SIZE);
                assertTrue(answer <= 1 && answer > -4096, "answer " + answer);
                if (answer == 1) {
                    assertEquals(DiagRecord.SUBFLOW, r.kind());
                }
                outcomes[2] += answer < 0 ? 1 : 0;
                assertGuarded(records);
            }
        }
        // The inputs reach every outcome: mutations that only ever meet malformed messages prove little.
        for (int outcome : outcomes) {
            assertTrue(outcome > 20, "outcomes " + Arrays.toString(outcomes));
        }
    }

    /** tcp_info at the kernel's offsets (linux/tcp.h) into the record, as much as each kernel sends. */
    @Test
    void tcpInfoFields() {
        ByteBuffer info = direct(248);
        info.put(0, (byte) 1).put(2, (byte) 3).put(4, (byte) 4) // state, retransmits, backoff
                .putInt(8, 200_000).putInt(32, 5).putInt(68, 1234).putInt(72, 56) // rto, lost, rtt, rttvar
                .putInt(80, 10).putInt(100, 7) // snd_cwnd, total_retrans
                .putLong(120, 1000L).putLong(128, 2000L).putLong(160, 3000L) // bytes_acked, bytes_received, delivery_rate
                .putLong(200, 4000L).putLong(208, 500L) // bytes_sent, bytes_retrans
                .putShort(TOTAL_RTO, (short) 6); // total_rto (6.7)
        ByteBuffer records = direct(DiagRecord.SIZE);
        DiagRecord r = new DiagRecord(records).wrap(0);
        writer.tcp(records, 0, info, 0, 248);
        assertEquals(1, r.state());
        assertEquals(3, r.retransmits());
        assertEquals(4, r.backoff());
        assertEquals(200_000, r.rtoMicros());
        assertEquals(5, r.lost());
        assertEquals(1234, r.rttMicros());
        assertEquals(56, r.rttvarMicros());
        assertEquals(10, r.sendCongestionWindow());
        assertEquals(7, r.totalRetransmits());
        assertEquals(1000, r.bytesAcked());
        assertEquals(2000, r.bytesReceived());
        assertEquals(3000, r.deliveryRate());
        assertEquals(4000, r.bytesSent());
        assertEquals(500, r.bytesRetransmitted());
        assertEquals(6, r.rtoTimeouts());
        // 5.4's struct ends at tcpi_snd_wnd: no timeouts counted.
        DiagRecordWriter.clear(records, 0);
        writer.tcp(records, 0, info, 0, 232);
        assertEquals(0, r.rtoTimeouts());
        assertEquals(4000, r.bytesSent());
        // A struct that ends before tcpi_delivered (192 bytes): no bytes sent or retransmitted.
        DiagRecordWriter.clear(records, 0);
        writer.tcp(records, 0, info, 0, 192);
        assertEquals(0, r.bytesSent());
        assertEquals(0, r.bytesRetransmitted());
        assertEquals(3000, r.deliveryRate());
        assertEquals(1234, r.rttMicros());
    }

    /** mptcp_info at the kernel's offsets (linux/mptcp.h) into the record. */
    @Test
    void mptcpInfoFields() {
        ByteBuffer info = direct(96);
        info.put(0, (byte) 2).put(1, (byte) 3).put(2, (byte) 4) // subflows, add_addr_signal, add_addr_accepted
                .putInt(8, 0x5).putInt(12, 0xcafe) // flags, token
                .put(40, (byte) 6).putInt(44, 7) // local_addr_used, retransmits
                .putLong(48, 80L).putLong(56, 90L).putLong(64, 100L).putLong(72, 110L) // bytes retrans, sent, received, acked
                .put(80, (byte) 9); // subflows_total
        ByteBuffer records = direct(DiagRecord.SIZE);
        DiagRecord r = new DiagRecord(records).wrap(0);
        writer.mptcp(records, 0, info, 0, 96);
        assertEquals(2, r.subflows());
        assertEquals(3, r.addAddrSignal());
        assertEquals(4, r.addAddrAccepted());
        assertEquals(0x5, r.flags());
        assertEquals(0xcafe, r.token());
        assertEquals(6, r.localAddressesUsed());
        assertEquals(7, r.retransmits());
        assertEquals(80, r.bytesRetransmitted());
        assertEquals(90, r.bytesSent());
        assertEquals(100, r.bytesReceived());
        assertEquals(110, r.bytesAcked());
        assertEquals(9, r.subflowsTotal());
        // The struct's first form (5.7) ends after mptcpi_rcv_nxt, at 40 bytes.
        DiagRecordWriter.clear(records, 0);
        writer.mptcp(records, 0, info, 0, 40);
        assertEquals(0xcafe, r.token());
        assertEquals(0, r.localAddressesUsed());
        assertEquals(0, r.bytesSent());
        assertEquals(0, r.subflowsTotal());
    }

    /**
     * Random tcp_info and mptcp_info, cut at every length from 0 to past the struct: each reads
     * as the whole struct with zeros after the cut (tcpi_total_rto, past the struct the writer
     * copies, is read only whole), and no byte past the cut is read (the struct sits in a
     * buffer of exactly the cut's size).
     */
    @Test
    void infoStructsOfEveryLengthReadAsZeroFilled() {
        SplittableRandom random = new SplittableRandom(0x7463705f696e666fL);
        ByteBuffer cut = direct(DiagRecord.SIZE);
        ByteBuffer whole = direct(DiagRecord.SIZE);
        for (int k = 0; k < 6; k++) {
            byte[] info = new byte[300];
            random.nextBytes(info);
            for (int n = 0; n <= info.length; n++) {
                ByteBuffer exact = direct(n).put(0, info, 0, n);
                ByteBuffer padded = direct(info.length).put(0, info, 0, n == TOTAL_RTO + 1 ? TOTAL_RTO : n);
                DiagRecordWriter.clear(cut, 0);
                DiagRecordWriter.clear(whole, 0);
                writer.tcp(cut, 0, exact, 0, n);
                writer.tcp(whole, 0, padded, 0, info.length);
                assertArrayEquals(bytes(whole, 0, DiagRecord.SIZE), bytes(cut, 0, DiagRecord.SIZE), "tcp_info of " + n);
                DiagRecordWriter.clear(cut, 0);
                DiagRecordWriter.clear(whole, 0);
                writer.mptcp(cut, 0, exact, 0, n);
                writer.mptcp(whole, 0, padded, 0, info.length);
                assertArrayEquals(bytes(whole, 0, DiagRecord.SIZE), bytes(cut, 0, DiagRecord.SIZE), "mptcp_info of " + n);
            }
        }
    }

    /** A sockaddr_in or sockaddr_in6's address and port (network order) into the record; any other family, none. */
    @Test
    void socketAddresses() {
        ByteBuffer records = direct(16);
        ByteBuffer sa = direct(128);
        sa.putShort(0, (short) AF_INET).put(2, (byte) 0x1f).put(3, (byte) 0x90).put(4, new byte[] {10, 0, 0, 1});
        assertEquals(8080, DiagRecordWriter.address(records, 0, sa, 0));
        assertArrayEquals(new byte[] {10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, bytes(records, 0, 16));
        byte[] v6 = HexFormat.of().parseHex("fd000231000100000000000000000001");
        sa.putShort(0, (short) AF_INET6).put(2, (byte) 0x14).put(3, (byte) 0x51).putInt(4, 0x12345678).put(8, v6);
        assertEquals(5201, DiagRecordWriter.address(records, 0, sa, 0));
        assertArrayEquals(v6, bytes(records, 0, 16));
        sa.putShort(0, (short) 1); // AF_UNIX
        assertEquals(0, DiagRecordWriter.address(records, 0, sa, 0));
        assertArrayEquals(new byte[16], bytes(records, 0, 16));
    }

    /** Zero, or the test network's: 10.231/16, fd00:231::/32, and 10.231/16 mapped into IPv6. */
    private static boolean inTestNetwork(byte[] addr, int family) {
        if (Arrays.equals(addr, 0, family == AF_INET6 ? 16 : 4, new byte[16], 0, family == AF_INET6 ? 16 : 4)) {
            return true;
        }
        if (family == AF_INET) {
            return addr[0] == 10 && addr[1] == (byte) 231;
        }
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
        return Arrays.equals(addr, 0, 4, new byte[] {(byte) 0xfd, 0, 2, 0x31}, 0, 4)
                || Arrays.equals(addr, 0, 12, mapped, 0, 12) && addr[12] == 10 && addr[13] == (byte) 231;
    }

    private static void guard(ByteBuffer records) {
        for (int i = 0; i < DiagRecord.SIZE; i++) {
            records.put(i, GUARD);
            records.put(2 * DiagRecord.SIZE + i, GUARD);
        }
    }

    private static void assertGuarded(ByteBuffer records) {
        for (int i = 0; i < DiagRecord.SIZE; i++) {
            if (records.get(i) != GUARD || records.get(2 * DiagRecord.SIZE + i) != GUARD) {
                throw new AssertionError("written outside the record, at " + i);
            }
        }
    }

    /** One message of a captured dump, in its datagram of exactly its size, and the protocol dumped. */
    private record Message(ByteBuffer buffer, int at, int protocol) {}

    private static List<Message> capturedMessages() throws IOException {
        Path corpus = Path.of("fuzz", "corpus", "sock_diag");
        List<Message> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path f : files.sorted().toList()) {
                byte[] bytes = Files.readAllBytes(f);
                ByteBuffer datagram = direct(bytes.length).put(0, bytes);
                int protocol = f.getFileName().toString().startsWith("tcp") ? DiagMessages.IPPROTO_TCP : DiagMessages.IPPROTO_MPTCP;
                for (int at = 0, length; (length = ReplyDecoder.messageLength(datagram, at, bytes.length - at)) > 0;
                        at += NetlinkWriter.align(length)) {
                    all.add(new Message(datagram, at, protocol));
                }
            }
        }
        assertFalse(all.isEmpty(), corpus + " is empty");
        return all;
    }

    /** A seed changed by one to four mutations: random bytes, a length or type that lies, a cut. */
    private static byte[] mutate(SplittableRandom random, byte[] seed) {
        byte[] b = seed.clone();
        ByteBuffer buffer = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        for (int n = 1 + random.nextInt(4); n > 0 && b.length > 0; n--) {
            switch (random.nextInt(7)) {
                case 0 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                case 1 -> { // a length or type of an attribute (or anything on a 4-byte boundary)
                    if (b.length >= 4) {
                        int at = random.nextInt(b.length / 4) * 4 + random.nextInt(2) * 2;
                        buffer.putShort(at, (short) (random.nextBoolean() ? random.nextInt(300) : random.nextInt(1 << 16)));
                    }
                }
                case 2 -> { // the message's own length
                    if (b.length >= 4) {
                        buffer.putInt(0, buffer.getInt(0) + random.nextInt(-64, 64));
                    }
                }
                case 3 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
                case 4 -> { // the ULP name: its letters, its NUL, its length over the padding
                    int name = indexOf(b, new byte[] {'m', 'p', 't', 'c', 'p'});
                    if (name >= 4 && name + 8 <= b.length) {
                        if (random.nextBoolean()) {
                            b[name + random.nextInt(6)] = (byte) random.nextInt(256);
                        } else {
                            buffer.putShort(name - 4, (short) (4 + random.nextInt(9)));
                            b[name + 6 + random.nextInt(2)] = (byte) random.nextInt(256);
                        }
                    }
                }
                case 5 -> { // an attribute's length, at any depth: cut short, or past its end
                    List<Integer> attributes = new ArrayList<>();
                    List<Integer> nested = new ArrayList<>();
                    for (int at = 0, length; (length = ReplyDecoder.messageLength(buffer, at, b.length - at)) > 0;
                            at += NetlinkWriter.align(length)) {
                        attributes(buffer, at + 88, at + length, 0, attributes, nested);
                    }
                    if (!nested.isEmpty() && random.nextInt(3) > 0) {
                        attributes = nested; // the subflow's numbers and the ULP name, where the policy bites
                    }
                    if (!attributes.isEmpty()) {
                        int at = attributes.get(random.nextInt(attributes.size()));
                        int length = buffer.getShort(at) & 0xffff;
                        buffer.putShort(at, (short) (random.nextBoolean() ? random.nextInt(length + 1) : length + random.nextInt(8)));
                    }
                }
                default -> { // the message type: SOCK_DIAG_BY_FAMILY, NLMSG_ERROR or another
                    if (b.length >= 6) {
                        int[] types = {20, 2, 3, random.nextInt(1 << 16)};
                        buffer.putShort(4, (short) types[random.nextInt(types.length)]);
                    }
                }
            }
            buffer = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        }
        return b;
    }

    /** The offsets of the attributes in [from, end) into {@code top}, and of those in the ULP info's nests into {@code nested}. */
    private static void attributes(ByteBuffer b, int from, int end, int depth, List<Integer> top, List<Integer> nested) {
        for (int at = from; at + 4 <= end;) {
            int length = b.getShort(at) & 0xffff;
            if (length < 4 || at + length > end) {
                return;
            }
            (depth == 0 ? top : nested).add(at);
            int type = b.getShort(at + 2) & 0x3fff;
            if (depth == 0 && type == 19 || depth == 1 && type == 3) {
                attributes(b, at + 4, at + length, depth + 1, top, nested);
            }
            at += (length + 3) & ~3;
        }
    }

    /** NLMSG_ERROR answers: gone (ENOENT), an acknowledgement, errnos, a number that is none, cut short. */
    private static List<byte[]> errorAnswers() {
        List<byte[]> answers = new ArrayList<>();
        for (int error : new int[] {-2, 0, -1, -22, -105, -4095, -4096, Integer.MIN_VALUE, 5}) {
            for (int length : new int[] {36, 35, 20, 16}) {
                ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
                b.putInt(0, length).putShort(4, (short) 2).putInt(16, error);
                answers.add(b.array());
            }
        }
        return answers;
    }

    private static int indexOf(byte[] b, byte[] what) {
        for (int i = 0; i + what.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }

    private static List<byte[]> seeds() {
        return Corpus.files("sock_diag");
    }

    private static byte[] bytes(ByteBuffer b, int at, int length) {
        byte[] out = new byte[length];
        b.get(at, out);
        return out;
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }
}
