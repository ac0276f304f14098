package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.Controllers;
import org.mptcp4j.controller.announce.AnnounceController;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerException;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.protocol.PmCommand;
import org.mptcp4j.standin.KernelStandIn;

/**
 * Shipped controllers, unchanged, on both dialects, against a stand-in kernel that replays
 * recorded messages: ndiffports asked for two more subflows per connection (and announce,
 * below, for one address). Each dialect gets
 * its own recording of a client's connection (upstream: an ESTABLISHED captured on Linux 6.18,
 * {@code fuzz/corpus}; v0.95: the CREATED of mptcp-kernel-api.md section 7, and the ESTABLISHED
 * its kernel sends with the same attributes), the kernel's recorded acknowledgement for the
 * first subflow and its recorded refusal ("invalid token") for the second. What the controller
 * sends must be each family's own SUBFLOW_CREATE, byte for byte, as written here from each
 * family's header (not by the encoders under test).
 */
class DialectReplayTest {
    private static final int UPSTREAM_FAMILY = 0x1c; // as when the corpus was captured
    private static final int V095_FAMILY = V095Recording.FAMILY;
    private static final int WAIT_MILLIS = 10_000;
    private static final int NLM_F_REQUEST_ACK = 0x5;
    private static final int NLMSG_ERROR = 2;

    /** A recording of one connection in one dialect, and the SUBFLOW_CREATE it must lead to. */
    private record Recording(Dialect dialect, int familyId, byte[][] events, byte[] expectedCreate) {}

    private static Recording upstream() throws IOException {
        // Client side, token 0x66ea0628, 10.231.1.1:52416 -> 10.231.1.2:5201.
        byte[] established = corpus("event_decoder", "established-8e2f14ecfe1eadb5");
        GenlMessageBuilder create = new GenlMessageBuilder().message(UPSTREAM_FAMILY, PmCommand.SUBFLOW_CREATE.id())
                .u32(4, 0x66ea0628)
                .attribute(0x8000 | 1, nest(new GenlMessageBuilder().u16(1, 2).u8(2, 0).attribute(3, ip(10, 231, 1, 1))))
                .attribute(0x8000 | 6, nest(new GenlMessageBuilder().u16(1, 2).attribute(3, ip(10, 231, 1, 2)).u16(5, 5201)));
        return new Recording(Dialect.UPSTREAM, UPSTREAM_FAMILY, new byte[][] {established}, request(create));
    }

    private static Recording v095() {
        // Written from v0.95's include/uapi/linux/mptcp.h, not by the encoder under test:
        // MPTCP_CMD_SUB_CREATE 8; TOKEN 1, LOC_ID 3, REM_ID 4, FAMILY 2, DADDR4 7, DPORT 10 (host
        // order), SADDR4 5, BACKUP 11.
        GenlMessageBuilder create = new GenlMessageBuilder().message(V095_FAMILY, 8)
                .u32(1, 0x3942FF0A).u8(3, 0).u8(4, 0).u16(2, 2).attribute(7, ip(192, 168, 1, 11)).u16(10, 9999)
                .attribute(5, ip(192, 168, 1, 9)).u8(11, 0);
        return new Recording(Dialect.V095, V095_FAMILY, new byte[][] {V095Recording.created(), V095Recording.established()}, request(create));
    }

    @ParameterizedTest
    @MethodSource("org.mptcp4j.testing.Decodings#available")
    void ndiffportsSendsUpstreamsSubflowCreate(EventDecoding decoding) throws Exception {
        replay(upstream(), decoding);
    }

    @ParameterizedTest
    @MethodSource("org.mptcp4j.testing.Decodings#available")
    void ndiffportsSendsV095sSubCreate(EventDecoding decoding) throws Exception {
        replay(v095(), decoding);
    }

    private static void replay(Recording recording, EventDecoding decoding) throws Exception {
        byte[] ack = corpus("command_reply", "create4-cf221908d60d5725");
        byte[] invalidToken = corpus("command_reply", "bad-token-cb1afe154c28a6dd");
        NDiffPortsController ndiffports = NDiffPortsController.sameAddressPair(2);
        try (KernelStandIn kernel = KernelStandIn.create(recording.dialect(), recording.familyId())) {
            PathManager pm = kernel.pathManager();
            assertEquals(recording.dialect(), pm.dialect());
            try (pm; EventLoop loop = kernel.loop(new ControllerHost(ndiffports, pm))
                    .decoding(decoding).build()) {
                loop.start();
                for (byte[] event : recording.events()) {
                    kernel.sendEvents(event);
                }
                byte[] first = kernel.receiveRequest(WAIT_MILLIS);
                assertNotNull(first, "the controller asked for a subflow");
                assertRequest(recording.expectedCreate(), first);
                kernel.sendAnswer(answer(ack, first));

                byte[] second = kernel.receiveRequest(WAIT_MILLIS);
                assertNotNull(second, "and for a second one");
                assertRequest(recording.expectedCreate(), second);
                assertEquals(seq(first) + 1, seq(second), "sequence numbers count up");
                kernel.sendAnswer(answer(invalidToken, second));

                assertNull(kernel.receiveRequest(500), "two subflows asked, no more");
                loop.stop();
                assertTrue(loop.finishedWithin(10));
            }
            assertEquals(2, ndiffports.requested());
            assertEquals(1, ndiffports.failed(), "the recorded refusal reached the controller");
        }
    }

    /**
     * The shipped announce controller, unchanged, on both dialects: at start it reads the
     * namespace's endpoints to keep their ids, which upstream answers (the recorded empty dump)
     * and v0.95, which has none, is not asked; then each dialect's own ANNOUNCE of the address
     * under the id it was given.
     */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void announceSendsEachFamilysOwnAnnounce(Dialect dialect) throws Exception {
        boolean upstream = dialect == Dialect.UPSTREAM;
        byte[] ack = corpus("command_reply", "create4-cf221908d60d5725");
        byte[] noEndpoints = corpus("command_reply", "endpoints-bc297dac203de829");
        int family = upstream ? UPSTREAM_FAMILY : V095_FAMILY;
        AnnounceController announce = (AnnounceController) Controllers.create("announce",
                Map.of("addresses", upstream ? "10.231.9.9" : "192.168.2.9", "side", "any"));
        try (KernelStandIn kernel = KernelStandIn.create(dialect, family)) {
            PathManager pm = kernel.pathManager();
            try (pm; EventLoop loop = kernel.loop(new ControllerHost(announce, pm)).build()) {
                loop.start();
                if (upstream) {
                    // MPTCP_PM_CMD_GET_ADDR 3, NLM_F_REQUEST | NLM_F_DUMP, no attributes.
                    byte[] dump = kernel.receiveRequest(WAIT_MILLIS);
                    byte[] expected = request(new GenlMessageBuilder().message(family, 3));
                    ByteBuffer.wrap(expected).order(ByteOrder.nativeOrder()).putShort(6, (short) 0x301);
                    assertRequest(expected, dump);
                    kernel.sendAnswer(answer(noEndpoints, dump));
                    kernel.sendEvents(corpus("event_decoder", "established-8e2f14ecfe1eadb5"));
                } else {
                    kernel.sendEvents(V095Recording.established());
                }
                byte[] sent = kernel.receiveRequest(WAIT_MILLIS);
                GenlMessageBuilder expected = upstream
                        // MPTCP_PM_CMD_ANNOUNCE 8: TOKEN, ADDR {FAMILY, ID 1, ADDR4, FLAGS SIGNAL}.
                        ? new GenlMessageBuilder().message(family, 8).u32(4, 0x66ea0628).attribute(0x8000 | 1,
                                nest(new GenlMessageBuilder().u16(1, 2).u8(2, 1).attribute(3, ip(10, 231, 9, 9)).u32(6, 1)))
                        // MPTCP_CMD_ANNOUNCE 4: TOKEN, LOC_ID 1, FAMILY, SADDR4, BACKUP.
                        : new GenlMessageBuilder().message(family, 4).u32(1, 0x3942FF0A).u8(3, 1).u16(2, 2)
                                .attribute(5, ip(192, 168, 2, 9)).u8(11, 0);
                assertRequest(request(expected), sent);
                kernel.sendAnswer(answer(ack, sent));
                assertNull(kernel.receiveRequest(500), "one address, one announcement");
                loop.stop();
                assertTrue(loop.finishedWithin(10));
            }
            assertEquals(1, announce.announcements());
            assertEquals(0, announce.refused());
        }
    }

    /**
     * What a v0.95 kernel cannot tell is answered from what this side did, or said to be
     * missing: a connection's addresses are those announced here (so ids given through the
     * control socket are kept), connection info and timeouts are refused once, clearly, and an
     * event filter that would silence everything is not sent.
     */
    @Test
    void whatV095CannotTellIsAnsweredFromOwnStateOrRefused() throws Exception {
        byte[] ack = corpus("command_reply", "create4-cf221908d60d5725");
        int token = 0x3942FF0A;
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.V095, V095_FAMILY); PathManager pm = kernel.pathManager()) {
            Thread kernelSide = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    byte[] request = kernel.receiveRequest(WAIT_MILLIS);
                    if (request != null) {
                        kernel.sendAnswer(answer(ack, request));
                    }
                }
            });
            kernelSide.start();
            MptcpAddress announced = MptcpAddress.parse("192.168.2.9", 0).id(7);
            pm.announce(token, announced);
            assertEquals(List.of(MptcpAddress.parse("192.168.2.9", 0).id(7)), pm.localAddresses(token));
            assertEquals(7, pm.localAddress(token, 7).id());

            ControllerHost host = new ControllerHost(NDiffPortsController.sameAddressPair(1), pm);
            host.adoptAddresses(token);
            assertEquals(7, host.localAddressIds().idOf(MptcpAddress.parse("192.168.2.9", 0)),
                    "the id the connection uses stays with its address");
            assertFalse(host.hasConnectionInfo());
            MptcpException noInfo = assertThrows(MptcpException.class, host::connections);
            assertEquals(Errno.EOPNOTSUPP, noInfo.errno());
            assertTrue(noInfo.getMessage().contains("v0.95 kernel has no MPTCP sock_diag"), noInfo.getMessage());
            assertEquals(List.of(), host.resync(), "nothing to look at, nothing forgotten");

            pm.remove(token, 7);
            kernelSide.join(WAIT_MILLIS);
            assertEquals(List.of(), pm.localAddresses(token));
            assertThrows(PathManagerException.class, () -> pm.localAddress(token, 7));

            assertThrows(IllegalArgumentException.class, () -> pm.setEventFilter(EnumSet.of(MptcpEventType.LISTENER_CREATED)));
            assertNull(kernel.receiveRequest(0), "a filter of nothing is not sent");
        }
    }

    /** A stand-in that goes away is a broken socket to the loop, said once, not a loop spinning on nothing. */
    @Test
    void aClosedStandInStopsTheLoopWithENOTCONN() throws Exception {
        KernelStandIn kernel = KernelStandIn.create(Dialect.V095, V095_FAMILY);
        try (EventLoop loop = kernel.loop(event -> { }).build()) {
            loop.start();
            kernel.close();
            assertTrue(loop.finishedWithin(10));
            MptcpException e = assertInstanceOf(MptcpException.class, loop.failure());
            assertEquals(Errno.ENOTCONN, e.errno());
        }
    }

    /** Commands the controller API does not reach here fail as each family says, before anything is sent. */
    @Test
    void whatADialectLacksIsRefusedBeforeItIsSent() {
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.V095, V095_FAMILY); PathManager pm = kernel.pathManager()) {
            MptcpException e = assertThrows(MptcpException.class,
                    () -> pm.addEndpoint(MptcpAddress.parse("10.0.0.1", 0)));
            assertEquals(Errno.EOPNOTSUPP, e.errno());
            assertTrue(e.getMessage().contains("v0.95 mptcp family has no command for adding an endpoint"), e.getMessage());
            assertThrows(MptcpException.class, pm::limits);
            assertNull(kernel.receiveRequest(0), "nothing went to the kernel");
        }
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, UPSTREAM_FAMILY);
                PathManager pm = kernel.pathManager()) {
            MptcpException e = assertThrows(MptcpException.class,
                    () -> pm.setEventFilter(EnumSet.of(MptcpEventType.ESTABLISHED)));
            assertEquals(Errno.EOPNOTSUPP, e.errno());
            assertTrue(e.getMessage().contains("upstream mptcp_pm family has no command for filtering events"),
                    e.getMessage());
            assertNull(kernel.receiveRequest(0), "nothing went to the kernel");
        }
    }

    /** v0.95's own commands, and the translated ones, go out as its header defines them, and their answers are read. */
    @Test
    void v095CommandsGoOutAsItsHeaderDefinesThemAndTheirAnswersAreRead() throws Exception {
        byte[] ack = corpus("command_reply", "create4-cf221908d60d5725");
        int token = 0x3942FF0A;
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.V095, V095_FAMILY); PathManager pm = kernel.pathManager()) {
            Answerer kernelSide = new Answerer(kernel, ack, 4);
            kernelSide.start();
            pm.setEventFilter(EnumSet.of(MptcpEventType.ESTABLISHED, MptcpEventType.SUB_CLOSED, MptcpEventType.EVENTS_LOST));
            assertTrue(pm.connectionExists(token), "acknowledged: a live connection");
            PathManagerException refused = assertThrows(PathManagerException.class,
                    () -> pm.announce(token, MptcpAddress.parse("192.168.2.9", 0).id(3)));
            assertEquals(Errno.ENOTCONN, refused.errno(), "the stand-in's ENOTCONN, as the kernel's error");
            // A local address given by its id alone: no address from the command before may go with it.
            pm.createSubflow(token, new MptcpAddress().id(3), MptcpAddress.parse("192.168.1.11", 9999).id(5));
            kernelSide.join(WAIT_MILLIS);

            // MPTCP_CMD_SET_FILTER 14 with FLAGS 13: MPTCPF_EVENT_ESTABLISHED 1 << 2 | SUB_CLOSED 1 << 7.
            assertRequest(request(new GenlMessageBuilder().message(V095_FAMILY, 14).u16(13, 0x84)), kernelSide.requests[0]);
            // MPTCP_CMD_EXIST 15 with TOKEN 1.
            assertRequest(request(new GenlMessageBuilder().message(V095_FAMILY, 15).u32(1, token)), kernelSide.requests[1]);
            // MPTCP_CMD_ANNOUNCE 4: TOKEN, LOC_ID, FAMILY, SADDR4, BACKUP.
            assertRequest(request(new GenlMessageBuilder().message(V095_FAMILY, 4).u32(1, token).u8(3, 3).u16(2, 2)
                    .attribute(5, ip(192, 168, 2, 9)).u8(11, 0)), kernelSide.requests[2]);
            // MPTCP_CMD_SUB_CREATE 8 without SADDR: the kernel takes the address it holds for LOC_ID 3; REM_ID 5.
            assertRequest(request(new GenlMessageBuilder().message(V095_FAMILY, 8).u32(1, token).u8(3, 3).u8(4, 5)
                    .u16(2, 2).attribute(7, ip(192, 168, 1, 11)).u16(10, 9999).u8(11, 0)), kernelSide.requests[3]);

            PathManagerException noId = assertThrows(PathManagerException.class,
                    () -> pm.createSubflow(token, MptcpAddress.parse("192.168.1.9", 0), MptcpAddress.parse("192.168.1.11", 9999)));
            assertEquals("SUBFLOW_CREATE: Destination address required (EDESTADDRREQ): the v0.95 mptcp family needs the"
                    + " local address's id (loc_id)", noId.getMessage());
            assertNull(kernel.receiveRequest(0), "refused before it was sent");
        }
    }

    /** Answers each request with the recorded acknowledgement, the third with ENOTCONN instead. */
    private static final class Answerer extends Thread {
        final byte[][] requests;
        private final KernelStandIn kernel;
        private final byte[] ack;

        Answerer(KernelStandIn kernel, byte[] ack, int count) {
            this.kernel = kernel;
            this.ack = ack;
            this.requests = new byte[count][];
        }

        @Override
        public void run() {
            for (int i = 0; i < requests.length; i++) {
                byte[] request = kernel.receiveRequest(WAIT_MILLIS);
                if (request == null) {
                    return;
                }
                requests[i] = request;
                byte[] answer = answer(ack, request);
                if (i == 2) {
                    ByteBuffer.wrap(answer).order(ByteOrder.nativeOrder()).putInt(16, -Errno.ENOTCONN);
                }
                kernel.sendAnswer(answer);
            }
        }
    }

    /** The request's bytes equal the expected ones but for the sequence number and port id, which are checked apart. */
    private static void assertRequest(byte[] expected, byte[] actual) {
        assertNotNull(actual);
        ByteBuffer a = ByteBuffer.wrap(actual).order(ByteOrder.nativeOrder());
        assertEquals(KernelStandIn.PORT_ID, a.getInt(12), "sent from the command socket's port id");
        assertTrue(a.getInt(8) > 0, "a sequence number");
        byte[] masked = actual.clone();
        ByteBuffer.wrap(masked).order(ByteOrder.nativeOrder()).putInt(8, 0).putInt(12, 0);
        assertArrayEquals(expected, masked, () -> "expected " + hex(expected) + "\n but got " + hex(masked));
    }

    /**
     * A recorded answer (one message) made to answer {@code request}: its sequence number and
     * port id, and for an acknowledgement or error the request's header it echoes.
     */
    private static byte[] answer(byte[] recorded, byte[] request) {
        byte[] answer = recorded.clone();
        ByteBuffer b = ByteBuffer.wrap(answer).order(ByteOrder.nativeOrder());
        ByteBuffer r = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        b.putInt(8, r.getInt(8)).putInt(12, r.getInt(12));
        if (b.getShort(4) == NLMSG_ERROR) {
            System.arraycopy(request, 0, answer, 20, 16);
        }
        return answer;
    }

    private static int seq(byte[] message) {
        return ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).getInt(8);
    }

    private static byte[] request(GenlMessageBuilder message) {
        ByteBuffer b = message.direct();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putShort(6, (short) NLM_F_REQUEST_ACK);
        return bytes;
    }

    private static byte[] nest(GenlMessageBuilder attributes) {
        ByteBuffer b = attributes.direct();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private static byte[] ip(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    private static byte[] corpus(String target, String name) throws IOException {
        return Files.readAllBytes(Path.of("fuzz", "corpus", target, name));
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x ", b & 0xff));
        }
        return s.toString();
    }

}
