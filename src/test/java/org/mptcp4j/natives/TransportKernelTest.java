package org.mptcp4j.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.netlink.EventRecord;
import org.mptcp4j.netlink.EventSocket;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;

/**
 * The transport asked for is the one that runs: this class runs in both of the build's test
 * runs (JNI on the baseline JDK, FFM on a JDK 22+ with no libmptcp4j.so anywhere).
 */
@KernelTest
class TransportKernelTest {
    private static final int PORT = 5301;

    @Test
    void theTransportAskedForIsTheOneInUseAndFfmMapsNoNativeLibrary() throws Exception {
        String asked = System.getProperty(Transport.PROPERTY, "jni").toLowerCase(Locale.ROOT);
        assertEquals(asked, Transport.selected().name().toLowerCase(Locale.ROOT));
        try (Topology t = Topology.create("m4j-transport", 1)) {
            assertEquals(1, t.server().interfaceIndex("lo"));
            assertEquals("lo", t.server().interfaceName(1));
        }
        boolean mapped = Files.readString(Path.of("/proc/self/maps")).contains("libmptcp4j");
        assertEquals(Transport.selected() == Transport.JNI, mapped, "libmptcp4j.so mapped into this process");
    }

    @Test
    void aListenerAndAConnectionAreHeardOnTheTransportInUse() throws Exception {
        try (Topology t = Topology.create("m4j-transport", 1);
                EventSocket events = EventSocket.open(t.server(), 1 << 20, 64)) {
            assertTrue(events.familyId() > 0, "family id " + events.familyId());
            try (MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 4)) {
                assertEquals(PORT, awaitEvent(events, MptcpEventType.LISTENER_CREATED).localPort());
                try (MptcpSocket client = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT));
                        MptcpSocket accepted = listener.accept()) {
                    EventRecord created = awaitEvent(events, MptcpEventType.CREATED);
                    assertEquals(client.localAddress().getPort(), created.remotePort());
                    assertTrue(created.serverSide());
                    assertEquals(client.localAddress().getPort(), accepted.remoteAddress().getPort());
                }
            }
        }
    }

    /** Polls until an event of {@code type} comes (the socket's record, valid until the next poll). */
    private static EventRecord awaitEvent(EventSocket events, MptcpEventType type) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            int n = events.poll(200);
            for (int i = 0; i < n; i++) {
                EventRecord record = events.record(i);
                if (record.type() == type) {
                    return record;
                }
            }
        }
        throw new AssertionError("no " + type + " within 10 s");
    }
}
