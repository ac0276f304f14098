package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;

/**
 * A recording made by {@code mptcp4j record} on a real kernel (Linux 6.x, a client's connection
 * from 10.231.1.1 to 10.231.1.2:5201 between two namespaces; made by the main suite's
 * RecordKernelTest, see there to make it again), replayed to ndiffports.
 */
class ReplayTest {
    private static Recording clientConnection() throws IOException {
        try (InputStream in = ReplayTest.class.getResourceAsStream("client-connection.mptcp4j")) {
            return Recording.read(in);
        }
    }

    @Test
    void aRecordedConnectionGetsItsSubflowsFromTheRecordedAddresses() throws IOException {
        Recording recording = clientConnection();
        assertEquals(List.of(MptcpEventType.CREATED, MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED),
                recording.eventTypes());
        assertEquals(0, recording.eventsLost());
        try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(2))) {
            long start = kernel.nanoTime();
            assertEquals(3, kernel.replay(recording));
            assertEquals(recording.duration().toNanos(), kernel.nanoTime() - start, "the clock went with the recording");
            Command first = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            Command second = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.assertNoMoreCommands();
            assertNotEquals(0, first.token());
            assertEquals(first.token(), second.token(), "both for the recorded connection");
            for (Command c : List.of(first, second)) {
                assertEquals("10.231.1.1", c.localAddress().getHostAddress());
                assertEquals("10.231.1.2", c.remoteAddress().getHostAddress());
                assertEquals(5201, c.remotePort());
            }
        }
    }

    @Test
    void whatIsNoRecordingIsRefusedSayingWhy() {
        IOException e = assertThrows(IOException.class,
                () -> Recording.read(new ByteArrayInputStream("not a recording at all".getBytes())));
        assertEquals("not an mptcp4j recording (no MPTCP4JR at its start)", e.getMessage());
    }
}
