package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /**
     * Made by the main suite's RecordingKernelTest: {@code mptcp4j run --subflows 2 --record} on a
     * client's connection, with the two SUBFLOW_CREATE ndiffports sent and the kernel's answers.
     */
    private static byte[] daemonRecording() throws IOException {
        try (InputStream in = ReplayTest.class.getResourceAsStream("ndiffports-daemon.mptcp4j")) {
            return in.readAllBytes();
        }
    }

    @Test
    void aDaemonsRecordingReplaysToTheCommandsItRecorded() throws IOException {
        Recording recording = Recording.read(new ByteArrayInputStream(daemonRecording()));
        List<Command> recorded = recording.commands();
        assertEquals(List.of(PmCommand.SUBFLOW_CREATE, PmCommand.SUBFLOW_CREATE),
                recorded.stream().map(Command::command).toList());
        for (Command c : recorded) {
            assertEquals(0, c.answer().errno(), "the kernel accepted " + c);
        }
        try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(2))) {
            kernel.replay(recording);
            assertEquals(recorded.toString(), kernel.commands().toString());
        }
    }

    @Test
    void aReplayAnswersAsTheKernelAnsweredTheRecordedCommand() throws IOException {
        byte[] file = daemonRecording();
        ByteBuffer b = ByteBuffer.wrap(file);
        int at = 24; // the header; then records of 16 bytes and their payload
        while (file[at] != 3) { // kind 3: an answer
            at += 16 + b.getInt(at + 4);
        }
        // The first answer's error, in the recording machine's order: EINVAL for the first SUBFLOW_CREATE.
        ByteBuffer.wrap(file).order(ByteOrder.nativeOrder()).putInt(at + 16 + 16, -22);
        Recording recording = Recording.read(new ByteArrayInputStream(file));
        assertEquals(22, recording.commands().get(0).answer().errno());
        try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(2))) {
            kernel.replay(recording);
            List<Command> sent = kernel.commands();
            assertEquals(recording.commands().toString(), sent.toString());
            assertEquals(22, sent.get(0).answer().errno(), "answered with the recorded EINVAL");
            assertEquals(0, sent.get(1).answer().errno());
        }
    }

    @Test
    void whatIsNoRecordingIsRefusedSayingWhy() {
        IOException e = assertThrows(IOException.class,
                () -> Recording.read(new ByteArrayInputStream("not a recording at all".getBytes())));
        assertEquals("not an mptcp4j recording (no MPTCP4JR at its start)", e.getMessage());
    }
}
