package org.mptcp4j.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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

    /**
     * The server drops a client that says nothing for its timeout (200 ms here), its last word
     * queued on the connection: the next request is sent on a new connection and gets its own
     * answer, not that word; again after a second drop.
     */
    @Test
    void aRequestAfterAnIdleDropConnectsAgain() throws Exception {
        Path socket = dir.resolve("control.sock");
        ControlServer server = ControlServer.start(socket, ControlServerTest::fake, uid -> true, Duration.ofMillis(200));
        try (ControlClient client = ControlClient.connect(socket)) {
            assertEquals(ControlResponse.ok(List.of("a")), client.request("echo a"));
            for (String word : List.of("b", "c")) {
                awaitIdleDrop(socket);
                assertEquals(ControlResponse.ok(List.of(word)), client.request("echo " + word));
            }
        } finally {
            server.close();
        }
    }

    /**
     * Once a connection made after the client's last answer is dropped for idleness, so is the
     * client's (its time started first); a second one leaves the server a whole timeout more.
     */
    private static void awaitIdleDrop(Path socket) throws IOException {
        for (int i = 0; i < 2; i++) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                String said = new String(Channels.newInputStream(probe).readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(said.startsWith("error 110 no whole request within 200 ms"), said);
            }
        }
    }

    /** A request that reaches the server as it drops the connection for idleness: not carried out, said so. */
    @Test
    void aRequestMetByTheIdleDropIsReportedNotAnswered() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread dropping = new Thread(() -> {
                try (SocketChannel c = server.accept()) {
                    BufferedReader requests = new BufferedReader(new InputStreamReader(Channels.newInputStream(c),
                            StandardCharsets.UTF_8));
                    requests.readLine();
                    c.write(StandardCharsets.UTF_8.encode("ok\n\n"));
                    requests.readLine(); // came as the server timed out
                    c.write(StandardCharsets.UTF_8.encode("error 110 no whole request within 10 s: disconnected\n\n"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            dropping.start();
            try (ControlClient client = ControlClient.connect(socket)) {
                assertEquals(ControlResponse.ok(List.of()), client.request("nothing"));
                assertEquals("the mptcp4j daemon on " + socket + " closed the connection for idleness as the request came"
                        + " (no whole request within 10 s: disconnected): it was not carried out",
                        assertThrows(IOException.class, () -> client.request("policy token 1c0ffee5 fullmesh")).getMessage());
            }
            dropping.join();
        }
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
