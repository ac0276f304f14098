package org.mptcp4j.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a client says when there is no daemon, and which requests it will not send. */
class ControlClientTest {
    @TempDir
    Path dir;

    private static String noDaemon(Path socket) {
        return "no mptcp4j daemon listens on " + socket + " (is it running? is that its control-socket setting?)";
    }

    @Test
    void missingSocketFileMeansNoDaemon() {
        Path socket = dir.resolve("control.sock");
        assertEquals(noDaemon(socket), assertThrows(IOException.class, () -> ControlClient.connect(socket)).getMessage());
    }

    @Test
    void socketFileNobodyListensOnMeansNoDaemon() throws IOException {
        Path socket = dir.resolve("control.sock");
        try (ServerSocketChannel killed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            killed.bind(UnixDomainSocketAddress.of(socket));
        }
        assertEquals(noDaemon(socket), assertThrows(IOException.class, () -> ControlClient.connect(socket)).getMessage());
    }

    @Test
    void requestIsWordsJoinedBySpaces() {
        assertEquals("-n blue subflows token 1c0ffee5", ControlClient.line(List.of("-n", "blue", "subflows", "token", "1c0ffee5")));
        assertEquals("'a b' is not one word: words have no blanks",
                assertThrows(IllegalArgumentException.class, () -> ControlClient.line(List.of("policy", "a b"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ControlClient.line(List.of("policy", "")));
        assertThrows(IllegalArgumentException.class, () -> ControlClient.line(List.of("a\nb")));
        assertThrows(IllegalArgumentException.class, () -> ControlClient.line(List.of()));
    }

    @Test
    void requestLineWithLineBreakIsRefused() throws IOException {
        Path socket = dir.resolve("control.sock");
        ControlServer server = ControlServer.start(socket, ControlServerTest::fake);
        try (ControlClient client = ControlClient.connect(socket)) {
            assertThrows(IllegalArgumentException.class, () -> client.request("echo a\necho b"));
            assertEquals(ControlResponse.ok(List.of("c")), client.request("echo c"));
        } finally {
            server.close();
        }
    }
}
