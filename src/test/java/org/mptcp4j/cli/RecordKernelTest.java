package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.command.Commands;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.standin.Recording;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;

/**
 * {@code mptcp4j record} on a real connection between two namespaces: the kernel's own event
 * messages, in order, in a recording that reads back. With {@code -Dmptcp4j.test.recordingOut=FILE}
 * the recording is also copied there: that is how the test kit's replayed resource
 * (testkit/src/test/resources/org/mptcp4j/testkit/client-connection.mptcp4j) is made.
 */
@KernelTest
class RecordKernelTest {
    private static final int PORT = 5201;

    @Test
    void recordsTheEventsOfARealConnectionAsTheKernelSentThem() throws Exception {
        Path file = Files.createTempFile("mptcp4j-record-", ".mptcp4j");
        int token;
        try (Topology t = Topology.create("m4j-test", 1);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8);
                CommandProcess record = CommandProcess.startAndAwaitReady("record", "--netns", t.clientName(), "--out",
                        file.toString(), "--count", "3")) {
            Transfers.discardServer(listener, new AtomicLong());
            try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                Transfers.send(socket, 100);
                token = socket.info().token();
            }
            assertEquals(Commands.OK, record.awaitExit(), record.err());
            assertTrue(record.err().startsWith("mptcp4j record: recording the MPTCP events of network namespace "
                    + t.clientName()), record.err());
            assertTrue(record.err().endsWith("3 events recorded into " + file + "\n"), record.err());
        }
        Recording r;
        try (InputStream in = Files.newInputStream(file)) {
            r = Recording.read(in);
        }
        assertEquals(Dialect.UPSTREAM, r.dialect());
        List<MptcpEventType> types = new ArrayList<>();
        long last = 0;
        for (Recording.Entry e : r.entries()) {
            assertEquals(Recording.Kind.EVENTS, e.kind());
            ByteBuffer m = ByteBuffer.wrap(e.payload()).order(ByteOrder.nativeOrder());
            assertEquals(e.payload().length, m.getInt(0), "one message a datagram, as the kernel multicasts them");
            assertEquals(r.familyId(), m.getShort(4) & 0xffff);
            types.add(MptcpEventType.of(m.get(16)));
            assertEquals(token, m.getInt(24), "the token, the first attribute: " + e);
            assertTrue(e.offsetNanos() >= last, "in the order they came");
            last = e.offsetNanos();
        }
        assertEquals(List.of(MptcpEventType.CREATED, MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED), types);
        String copy = System.getProperty("mptcp4j.test.recordingOut");
        if (copy != null) {
            Files.copy(file, Path.of(copy), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.delete(file);
    }

    @Test
    void aMissingNamespaceOrAnUnwritableFileIsSaidInOneLine() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main main = new Main(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Commands.FAILED, main.execute(new String[] {"record", "-n", "m4j-no-such-namespace", "--out", "/tmp/x"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(
                "mptcp4j record: network namespace m4j-no-such-namespace (/run/netns/m4j-no-such-namespace):"), err.toString());
        err.reset();
        try (Topology t = Topology.create("m4j-test", 1)) {
            assertEquals(Commands.FAILED, main.execute(new String[] {"record", "-n", t.clientName(), "--out",
                "/nonexistent-dir/rec.mptcp4j"}));
            assertEquals("mptcp4j record: /nonexistent-dir/rec.mptcp4j: no such directory\n", err.toString(StandardCharsets.UTF_8));
        }
        err.reset();
        assertEquals(Commands.USAGE, main.execute(new String[] {"record", "-n", "x"}));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("mptcp4j record: missing 'out'\n"), err.toString());
    }
}
