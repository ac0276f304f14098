package org.mptcp4j.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datagrams between Unix sockets at a path and at an abstract address, on the transport under test. */
class UnixDatagramTest {
    @TempDir
    Path dir;

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    private static String received(UnixDatagram socket) throws IOException {
        ByteBuffer into = ByteBuffer.allocateDirect(4096);
        assertTrue(socket.receive(into, 5000), "nothing arrived");
        into.flip();
        byte[] bytes = new byte[into.remaining()];
        into.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aDatagramArrivesWholeAtAPathAndAtAnAbstractAddress() throws Exception {
        String path = dir.resolve("notify.sock").toString();
        String abstractName = "@mptcp4j-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (UnixDatagram atPath = UnixDatagram.bind(path);
                UnixDatagram atName = UnixDatagram.bind(abstractName);
                UnixDatagram sender = UnixDatagram.open()) {
            ByteBuffer first = direct("READY=1\nSTATUS=first");
            sender.send(path, first);
            sender.send(abstractName, direct("WATCHDOG=1"));
            sender.send(path, direct("second"));
            assertEquals("READY=1\nSTATUS=first", received(atPath));
            assertEquals("second", received(atPath), "one datagram per send, in order");
            assertEquals("WATCHDOG=1", received(atName));
            assertFalse(atName.receive(ByteBuffer.allocateDirect(16), 50), "nothing more was sent there");
        }
    }

    @Test
    void noSocketThereIsAnErrorNamingTheAddress() throws Exception {
        try (UnixDatagram sender = UnixDatagram.open()) {
            String nowhere = dir.resolve("nobody").toString();
            IOException e = assertThrows(IOException.class, () -> sender.send(nowhere, direct("x")));
            assertEquals("sendto(" + nowhere + "): No such file or directory (ENOENT)", e.getMessage());
            IOException tooLong = assertThrows(IOException.class, () -> sender.send("/" + "a".repeat(120), direct("x")));
            assertTrue(tooLong.getMessage().endsWith("is no Unix socket address (1 to 107 bytes)"), tooLong.getMessage());
        }
        String taken = dir.resolve("taken").toString();
        UnixDatagram first = UnixDatagram.bind(taken);
        try {
            IOException e = assertThrows(IOException.class, () -> UnixDatagram.bind(taken));
            assertEquals("bind(" + taken + "): Address already in use (EADDRINUSE)", e.getMessage());
        } finally {
            first.close();
        }
    }

    /** A reader that stopped reading (a hung journal) fills its queue: the send says EAGAIN, never waits. */
    @Test
    void aReaderThatStoppedReadingIsEagainNotAWait() throws Exception {
        String path = dir.resolve("stuck.sock").toString();
        try (UnixDatagram stuck = UnixDatagram.bind(path); UnixDatagram sender = UnixDatagram.open()) {
            IOException full = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                for (int sent = 0; sent < 1_000_000; sent++) {
                    try {
                        sender.send(path, direct("MESSAGE=never read"));
                    } catch (IOException e) {
                        return e;
                    }
                }
                return null;
            }, "a send waited for the reader");
            assertTrue(full != null && full.getMessage().equals("sendto(" + path + "): Resource temporarily unavailable (EAGAIN)"), String.valueOf(full));
            assertTrue(received(stuck).equals("MESSAGE=never read"), "what was queued is still there");
        }
    }
}
