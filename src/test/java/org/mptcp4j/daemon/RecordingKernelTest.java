package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.standin.Recording;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;

/**
 * {@code run --record} with ndiffports on a real connection: the file holds the kernel's events, the
 * SUBFLOW_CREATE the controller sent for the connection, and the kernel's acknowledgement of
 * it; it reads while the daemon runs and after SIGTERM. With
 * {@code -Dmptcp4j.test.daemonRecordingOut=FILE} the recording is also copied there: that is
 * how the test kit's resource testkit/src/test/resources/org/mptcp4j/testkit/ndiffports-daemon.mptcp4j
 * is made.
 */
@KernelTest
class RecordingKernelTest {
    private static final int NLMSG_ERROR = 2;
    private static final int MPTCP_ATTR_TOKEN = 1;
    private static final int MPTCP_PM_ATTR_TOKEN = 4;

    @ParameterizedTest
    @MethodSource("org.mptcp4j.testing.Decodings#available")
    void recordsTheEventsTheCommandsAndTheKernelsAnswers(EventDecoding decoding) throws Exception {
        Path file = Files.createTempFile("mptcp4j-run-record-", ".mptcp4j");
        int token;
        try (ServedTopology t = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", t.clientName(), "--subflows", "2",
                        "--control-socket", "off", "--warm-up", "0", "--decoding", decoding.name().toLowerCase(Locale.ROOT),
                        "--record", file.toString())) {
            daemon.awaitErr("managing namespace", 10);
            try (MptcpSocket s = t.connect()) {
                assertEquals(2, Transfers.awaitInfo(s, i -> i.extraSubflows() == 2).extraSubflows());
                token = s.info().token();
            }
            awaitClosedEvent(file, token); // in the file while the daemon runs
            assertEquals(0, daemon.terminate(), daemon.err());
            assertTrue(daemon.err().contains("recording " + file + " closed"), daemon.err());
        }
        Recording r = read(file);
        assertTrue(r.entries().stream().anyMatch(e -> e.kind() == Recording.Kind.EVENTS
                && eventType(e) == MptcpEventType.CREATED && attribute(e.payload(), MPTCP_ATTR_TOKEN) == token), "" + r.entries());
        Recording.Entry create = r.entries().stream().filter(e -> e.kind() == Recording.Kind.COMMAND
                && (e.payload()[16] & 0xff) == PmCommand.SUBFLOW_CREATE.id()
                && attribute(e.payload(), MPTCP_PM_ATTR_TOKEN) == token).findFirst().orElse(null);
        assertNotNull(create, "a SUBFLOW_CREATE for " + Integer.toHexString(token) + " in " + r.entries());
        assertEquals(r.familyId(), header(create.payload()).getShort(4) & 0xffff);
        int seq = header(create.payload()).getInt(8);
        List<Recording.Entry> answers = r.entries().stream().filter(e -> e.kind() == Recording.Kind.ANSWER
                && header(e.payload()).getInt(8) == seq).toList();
        assertEquals(1, answers.size(), "the kernel's one answer to sequence " + seq + ": " + r.entries());
        ByteBuffer ack = header(answers.get(0).payload());
        assertEquals(NLMSG_ERROR, ack.getShort(4) & 0xffff);
        assertEquals(0, ack.getInt(16), "the kernel accepted it");
        assertTrue(answers.get(0).offsetNanos() >= create.offsetNanos());
        assertFalse(r.entries().stream().anyMatch(e -> e.kind() == Recording.Kind.EVENTS_LOST));
        String copy = System.getProperty("mptcp4j.test.daemonRecordingOut");
        if (copy != null) {
            Files.copy(file, Path.of(copy), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.delete(file);
    }

    /** Reads the file until it holds the connection's CLOSED event: it is flushed as the daemon goes. */
    private static void awaitClosedEvent(Path file, int token) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (readable(file) && read(file).entries().stream().anyMatch(e -> e.kind() == Recording.Kind.EVENTS
                    && eventType(e) == MptcpEventType.CLOSED && attribute(e.payload(), MPTCP_ATTR_TOKEN) == token)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no CLOSED event in the recording while the daemon runs: " + read(file).entries());
    }

    /** Whether the file reads: it may end in a record half flushed. */
    private static boolean readable(Path file) {
        try {
            read(file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Recording read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Recording.read(in);
        }
    }

    private static ByteBuffer header(byte[] datagram) {
        return ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
    }

    private static MptcpEventType eventType(Recording.Entry e) {
        return MptcpEventType.of(e.payload()[16]);
    }

    /** The u32 attribute {@code type} of the datagram's first generic netlink message, or -1. */
    private static int attribute(byte[] datagram, int type) {
        ByteBuffer b = header(datagram);
        int end = Math.min(b.getInt(0), datagram.length);
        for (int at = 20; at + 4 <= end; ) {
            int length = b.getShort(at) & 0xffff;
            if (length < 4) {
                return -1;
            }
            if ((b.getShort(at + 2) & 0x3fff) == type && length >= 8) {
                return b.getInt(at + 4);
            }
            at += (length + 3) & ~3;
        }
        return -1;
    }
}
