package org.mptcp4j.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.ref.WeakReference;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.testing.ContextLoader;
import org.mptcp4j.testing.Processes;

/** The control socket's server against a fake handler: framing, limits, peers, the socket file. */
@Timeout(120)
class ControlServerTest {
    private static final String SELF = System.getProperty("user.name");
    private static final int NOBODY = 65534;

    private ControlServer server;

    @TempDir
    Path dir;

    @AfterEach
    void closeServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** A daemon in miniature: each first word is a behaviour the tests need. */
    static ControlResponse fake(List<String> words, UnixDomainPrincipal peer) {
        return switch (words.get(0)) {
            case "echo" -> ControlResponse.ok(words.subList(1, words.size()));
            case "whoami" -> ControlResponse.ok(List.of(peer.user().getName()));
            case "nothing" -> ControlResponse.ok(List.of());
            case "length" -> ControlResponse.ok(List.of(Integer.toString(String.join(" ", words).length())));
            case "refuse" -> ControlResponse.error(22, "subflow create: Invalid argument (EINVAL)");
            case "boom" -> throw new IllegalStateException("boom");
            case "null" -> null;
            case "empty-line" -> ControlResponse.ok(List.of("a", ""));
            default -> ControlResponse.error(0, "unknown command '" + words.get(0) + "'");
        };
    }

    private Path socket() {
        return dir.resolve("control.sock");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** Writes {@code requests} at once, half-closes, and reads every byte the server sends until it closes. */
    private static String raw(Path socket, String requests) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer bytes = ByteBuffer.wrap(requests.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.shutdownOutput();
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void severalRequestsOnOneConnection() throws IOException {
        server = ControlServer.start(socket(), ControlServerTest::fake);
        try (ControlClient client = ControlClient.connect(socket())) {
            assertEquals(ControlResponse.ok(List.of("-n", "blue", "connections")), client.request("echo -n blue connections"));
            assertEquals(ControlResponse.error(22, "subflow create: Invalid argument (EINVAL)"), client.request("refuse"));
            assertEquals(ControlResponse.ok(List.of(SELF)), client.request(List.of("whoami")));
            assertEquals(ControlResponse.ok(List.of()), client.request("nothing"));
            ControlResponse mistake = client.request("frobnicate");
            assertEquals(ControlResponse.error(0, "unknown command 'frobnicate'"), mistake);
            assertTrue(mistake.requestMistake());
            assertEquals(ControlResponse.ok(List.of("still", "here")), client.request(List.of("echo", "still", "here")));
        }
    }

    @Test
    void answersAreFramedOnTheWire() throws IOException {
        server = ControlServer.start(socket(), ControlServerTest::fake);
        // Pipelined requests, blanks and tabs between words, an empty line, a CRLF, a last line without newline.
        String answers = raw(socket(), "echo a b\nnothing\nrefuse\n\n  echo \t c \r\nwhoami");
        assertEquals("ok\na\nb\n\n"
                + "ok\n\n"
                + "error 22 subflow create: Invalid argument (EINVAL)\n\n"
                + "error 0 empty request\n\n"
                + "ok\nc\n\n"
                + "ok\n" + SELF + "\n\n", answers);
    }

    /**
     * The server's threads (its acceptor, each client's) have mptcp4j's class loader for their
     * context loader, not the one current when it started: the daemon's, once it has read a
     * plugin directory, whose loader a reload replaces and must then let go.
     */
    @Test
    void itsThreadsKeepNoContextLoaderOfTheThreadThatStartedIt() throws Exception {
        WeakReference<ClassLoader> plugins = ContextLoader.whileStarting(
                () -> server = ControlServer.start(socket(), ControlServerTest::fake));
        try (ControlClient client = ControlClient.connect(socket())) {
            assertEquals(ControlResponse.ok(List.of()), client.request("nothing")); // its thread serves it now
            assertTrue(ContextLoader.collected(plugins), "the loader current when the server started is still reachable");
        }
    }

    @Test
    void createdDirectoryIs0700AndSocketFile0600BothRemovedAtClose() throws IOException {
        Path socket = dir.resolve("run/mptcp4j/control.sock");
        server = ControlServer.start(socket, ControlServerTest::fake);
        assertEquals("rw-------", mode(socket));
        assertEquals("rwx------", mode(socket.getParent()));
        server.close();
        assertFalse(Files.exists(socket), "close() deletes the socket file");
        assertFalse(Files.exists(socket.getParent()), "and the directory it made");
        assertTrue(Files.isDirectory(socket.getParent().getParent()));
    }

    @Test
    void existingDirectoryIsLeftAsItIs() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        server = ControlServer.start(socket(), ControlServerTest::fake);
        assertEquals("rw-------", mode(socket()));
        assertEquals("rwxr-x---", mode(dir));
    }

    @Test
    void staleSocketFileIsReplaced() throws IOException {
        // Closing a bound channel leaves its file behind, as a killed daemon does.
        try (ServerSocketChannel killed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            killed.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertTrue(Files.exists(socket()));
        server = ControlServer.start(socket(), ControlServerTest::fake);
        try (ControlClient client = ControlClient.connect(socket())) {
            assertEquals(ControlResponse.ok(List.of("x")), client.request("echo x"));
        }
    }

    @Test
    void liveSocketIsRefusedNamingItsPath() throws IOException {
        server = ControlServer.start(socket(), ControlServerTest::fake);
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(socket(), ControlServerTest::fake));
        assertEquals("another mptcp4j daemon listens on " + socket() + " already", e.getMessage());
        try (ControlClient client = ControlClient.connect(socket())) {
            assertEquals(ControlResponse.ok(List.of("first")), client.request("echo first"));
        }
    }

    @Test
    void fileThatIsNoSocketIsLeftAlone() throws IOException {
        Files.writeString(socket(), "not mine");
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(socket(), ControlServerTest::fake));
        assertEquals(socket() + " exists and is not a socket", e.getMessage());
        assertEquals("not mine", Files.readString(socket()));
    }

    @Test
    void overLongRequestIsAnsweredThenTheConnectionClosed() throws IOException {
        String longest = "length " + "x".repeat(ControlServer.MAX_REQUEST_BYTES - "length ".length());
        server = ControlServer.start(socket(), ControlServerTest::fake);
        try (ControlClient client = ControlClient.connect(socket())) {
            assertEquals(ControlResponse.ok(List.of("4096")), client.request(longest));
            ControlResponse tooLong = client.request(longest + "x");
            assertEquals(ControlResponse.error(0, "request longer than 4096 bytes"), tooLong);
            assertTrue(tooLong.requestMistake());
            assertThrows(IOException.class, () -> client.request("echo again"));
        }
        try (ControlClient next = ControlClient.connect(socket())) {
            assertEquals(ControlResponse.ok(List.of("next")), next.request("echo next"));
        }
    }

    @Test
    void failingHandlerIsAnInternalErrorAndTheServerGoesOn() throws IOException {
        server = ControlServer.start(socket(), ControlServerTest::fake);
        try (ControlClient client = ControlClient.connect(socket())) {
            ControlResponse boom = client.request("boom");
            assertEquals(ControlResponse.error(0, "internal error: java.lang.IllegalStateException: boom"), boom);
            assertFalse(boom.requestMistake());
            assertEquals(ControlResponse.error(0, "internal error: java.lang.NullPointerException: the control handler answered null"),
                    client.request("null"));
            assertEquals(ControlResponse.error(0, "internal error: java.lang.IllegalArgumentException: "
                    + "a payload line is not empty and has no line break: ''"), client.request("empty-line"));
            assertEquals(ControlResponse.ok(List.of("same")), client.request("echo same"));
        }
        try (ControlClient next = ControlClient.connect(socket())) {
            assertEquals(ControlResponse.ok(List.of("other")), next.request("echo other"));
        }
    }

    @Test
    void refusedPeerGetsPermissionDeniedAndIsClosed() throws IOException {
        server = ControlServer.start(socket(), ControlServerTest::fake, uid -> false, ControlServer.CLIENT_TIMEOUT);
        try (ControlClient client = ControlClient.connect(socket())) {
            assertEquals(ControlResponse.error(1, "permission denied: user " + SELF + " (uid " + ownUid()
                    + ") may not use this mptcp4j daemon"), client.request("echo a"));
            assertThrows(IOException.class, () -> client.request("echo b"));
        }
    }

    @Test
    void clientBeyondTheLimitIsTurnedAwayUntilOneLeaves() throws IOException {
        server = ControlServer.start(socket(), ControlServerTest::fake);
        List<ControlClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < ControlServer.MAX_CLIENTS; i++) {
                ControlClient client = ControlClient.connect(socket());
                clients.add(client);
                assertEquals(ControlResponse.ok(List.of(Integer.toString(i))), client.request("echo " + i));
            }
            try (ControlClient extra = ControlClient.connect(socket())) {
                assertEquals(ControlResponse.error(16, "busy: 16 clients are connected already"), extra.request("echo extra"));
            }
            clients.remove(0).close();
            // The server frees the slot when it reads the end of that connection: ask until it has.
            ControlResponse answer;
            do {
                try (ControlClient later = ControlClient.connect(socket())) {
                    answer = later.request("echo later");
                }
            } while (!answer.ok());
            assertEquals(ControlResponse.ok(List.of("later")), answer);
        } finally {
            for (ControlClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void closeClosesClientsAndDeletesTheSocketFile() throws IOException {
        server = ControlServer.start(socket(), ControlServerTest::fake);
        try (ControlClient client = ControlClient.connect(socket())) {
            assertEquals(ControlResponse.ok(List.of("before")), client.request("echo before"));
            server.close();
            assertFalse(Files.exists(socket()));
            assertThrows(IOException.class, () -> client.request("echo after"));
        }
    }

    /** As the kernel tests: skipped with the reason on a developer machine, a failure under CI. */
    private static void requireRoot(String why) {
        assertTrue(SELF.equals("root") || !"true".equals(System.getenv("CI")), why);
        assumeTrue(SELF.equals("root"), why);
    }

    /** setpriv's options to run a command as {@code uid} (its group the same number), without other groups. */
    private static List<String> as(int uid) {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups");
    }

    @Test
    void otherUserCannotConnectToTheSocketFile() throws IOException {
        requireRoot("needs root to run clients as nobody");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // only the socket's mode in the way
        List<String> nobody = as(NOBODY);
        server = ControlServer.start(socket(), ControlServerTest::fake);
        List<String> python = new ArrayList<>(nobody);
        python.addAll(List.of("/usr/bin/python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX)
                try:
                    s.connect(sys.argv[1])
                    print("connected")
                except OSError as e:
                    print(e.errno)
                """, socket().toString()));
        Shell.Result kernel = Shell.execute(python);
        assertEquals("13", kernel.out().strip(), "EACCES expected; stderr: " + kernel.err());

        List<String> java = new ArrayList<>(nobody);
        java.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("mptcp4j.test.classpath") + ":" + System.getProperty("mptcp4j.test.testClasses"),
                ConnectingClient.class.getName(), socket().toString()));
        Shell.Result client = Shell.execute(java);
        assertEquals("permission denied on " + socket() + ": run as root or as the daemon's user", client.out().strip(),
                client.err());
        assertEquals(1, client.exit());
    }

    /** This process's uid, as the server sees it. */
    private static String ownUid() throws IOException {
        return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
    }

    /** A connection that has said nothing yet. */
    private static SocketChannel connected(Path socket) throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    /**
     * What the server sent before it closed the connection. Bytes the server had not read when it
     * closed make the end a reset (ECONNRESET) rather than end of file.
     */
    private static String received(SocketChannel channel) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                received.write(buffer.array(), 0, buffer.position());
            }
        } catch (IOException reset) {
            assertEquals("Connection reset", reset.getMessage());
        }
        return received.toString(StandardCharsets.UTF_8);
    }

    /** Writes what {@code channel} (non-blocking) takes now; false once the server has closed the connection. */
    private static boolean push(SocketChannel channel, ByteBuffer bytes) {
        try {
            channel.write(bytes.hasRemaining() ? bytes : bytes.rewind());
            return true;
        } catch (IOException closedByTheServer) {
            return false;
        }
    }

    /**
     * Every place taken by a client that hangs: silent ones, one sending a request line a byte at
     * a time that never ends, one sending requests but never reading their answers. Each is
     * dropped after the client timeout, and a client that keeps asking gets its answer.
     */
    @Test
    void clientsThatHangAreDroppedAndTheNextOneIsServed() throws Exception {
        server = ControlServer.start(socket(), ControlServerTest::fake);
        List<SocketChannel> silent = new ArrayList<>();
        try (SocketChannel dripping = connected(socket()); SocketChannel deaf = connected(socket())) {
            for (int i = 0; i < ControlServer.MAX_CLIENTS - 2; i++) {
                silent.add(connected(socket()));
            }
            dripping.configureBlocking(false);
            deaf.configureBlocking(false);
            ByteBuffer drop = ByteBuffer.wrap(new byte[] {'x'});
            // Each answer as long as its request: the deaf client's buffer fills, then the server's.
            ByteBuffer requests = ByteBuffer.wrap(("echo" + " a".repeat(2000) + "\n").getBytes(StandardCharsets.UTF_8));
            boolean drippingServed = true;
            boolean deafServed = true;
            ControlResponse answer = null;
            // 20 ms a round: 30 s at most, three times the client timeout.
            for (int round = 0; round < 1500 && (drippingServed || deafServed || answer == null || !answer.ok()); round++) {
                drippingServed = drippingServed && push(dripping, drop);
                deafServed = deafServed && push(deaf, requests);
                if (answer == null || !answer.ok()) {
                    try (ControlClient client = ControlClient.connect(socket())) {
                        answer = client.request("echo served");
                    }
                    assertTrue(answer.ok() || answer.errno() == 16, answer.toString());
                }
                Thread.sleep(20);
            }
            assertEquals(ControlResponse.ok(List.of("served")), answer, "a client served once the hanging ones are dropped");
            assertFalse(drippingServed, "the client sending a line that never ends is dropped");
            assertFalse(deafServed, "the client that never reads its answers is dropped");
            String timedOut = "error 110 no whole request within 10 s: disconnected\n\n";
            for (SocketChannel client : silent) {
                assertEquals(timedOut, received(client));
            }
            dripping.configureBlocking(true);
            assertEquals(timedOut, received(dripping));
        } finally {
            for (SocketChannel client : silent) {
                client.close();
            }
        }
    }

    @Test
    void directoryOthersCanWriteToIsRefusedWithOneLineSayingWhatToDo() throws IOException {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        // Sticky or not: whoever may create files there may take the socket's name first.
        for (int mode : new int[] {0777, 0770, 0720, 01777}) {
            Files.setAttribute(shared, "unix:mode", mode);
            IOException e = assertThrows(IOException.class,
                    () -> server = ControlServer.start(shared.resolve("control.sock"), ControlServerTest::fake));
            String octal = String.format("%04o", mode);
            assertEquals(shared + " is owned by " + SELF + " (uid " + ownUid() + ") with mode " + octal
                    + ": it must belong to root or to the daemon's user (uid " + ownUid() + ") and be writable by no one else; "
                    + "run 'chmod go-w " + shared + "'", e.getMessage());
            assertEquals(List.of(), Files.list(shared).toList(), "nothing made there");
        }
    }

    @Test
    void directoryOfAnotherUserIsRefused() throws IOException {
        requireRoot("needs root to give a directory to nobody");
        Path theirs = Files.createDirectory(dir.resolve("theirs"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setOwner(theirs, theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        IOException e = assertThrows(IOException.class,
                () -> server = ControlServer.start(theirs.resolve("control.sock"), ControlServerTest::fake));
        assertEquals(theirs + " is owned by nobody (uid 65534) with mode 0700: it must belong to root or to "
                + "the daemon's user (uid 0) and be writable by no one else; run 'chown root " + theirs + "'", e.getMessage());
    }

    /**
     * Whoever may write a directory above the socket's may put another in its place: such a
     * directory is refused (before anything is made below it), unless it is sticky, as /tmp is.
     */
    @Test
    void aDirectoryAboveOthersMayWriteIsRefusedUnlessSticky() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 0777);
        Path own = Files.createDirectory(shared.resolve("own"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        List<Path> sockets = List.of(own.resolve("control.sock"), shared.resolve("run/mptcp4j/control.sock"));
        for (Path socket : sockets) {
            IOException e = assertThrows(IOException.class, () -> server = ControlServer.start(socket, ControlServerTest::fake));
            assertEquals(shared + " is owned by " + SELF + " (uid " + ownUid() + ") with mode 0777: it must belong to root or"
                    + " to the daemon's user (uid " + ownUid() + ") and be writable by no one else unless it is sticky; run"
                    + " 'chmod go-w " + shared + "'", e.getMessage());
        }
        assertEquals(List.of(own), Files.list(shared).toList(), "nothing made there");
        assertEquals(List.of(), Files.list(own).toList());

        Files.setAttribute(shared, "unix:mode", 01777);
        for (Path socket : sockets) {
            server = ControlServer.start(socket, ControlServerTest::fake);
            try (ControlClient client = ControlClient.connect(socket)) {
                assertEquals(ControlResponse.ok(List.of("served")), client.request("echo served"));
            }
            server.close();
            server = null;
        }
    }

    @Test
    void symbolicLinkAsDirectoryOrAsSocketIsRefused() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        IOException e = assertThrows(IOException.class,
                () -> server = ControlServer.start(link.resolve("control.sock"), ControlServerTest::fake));
        assertEquals(link + " is a symbolic link: name the directory it leads to", e.getMessage());
        assertEquals(List.of(), Files.list(real).toList());

        // A link where the socket goes, to a socket nobody listens on: it is not followed, not replaced.
        Path target = dir.resolve("elsewhere.sock");
        try (ServerSocketChannel killed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            killed.bind(UnixDomainSocketAddress.of(target));
        }
        Files.createSymbolicLink(socket(), target);
        e = assertThrows(IOException.class, () -> server = ControlServer.start(socket(), ControlServerTest::fake));
        assertEquals(socket() + " is a symbolic link: remove it, or put the socket elsewhere", e.getMessage());
        assertTrue(Files.isSymbolicLink(socket()));
        assertTrue(Files.exists(target));
    }

    /**
     * The server in a process of its own, whose passwd names uid 4242 "root" too (a mount
     * namespace with its own /etc/passwd): a peer of uid 4242 is refused, one of uid 0 served.
     */
    @Test
    void peersAreToldApartByUidNotByName() throws Exception {
        requireRoot("needs root for a mount namespace and to run a client as uid 4242");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/sh\nroot:x:4242:4242::/:/usr/sbin/nologin\n");
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--", "sh", "-c",
                "mount --bind \"$0\" /etc/passwd && exec \"$@\"", passwd.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Processes.nativeLibraryPath()));
        // The server tells uids apart on the transport under test.
        String transport = System.getProperty(Transport.PROPERTY);
        if (transport != null) {
            command.addAll(List.of("-D" + Transport.PROPERTY + "=" + transport, "--enable-native-access=ALL-UNNAMED"));
        }
        command.addAll(List.of("-cp", System.getProperty("mptcp4j.test.classpath") + ":"
                + System.getProperty("mptcp4j.test.testClasses"), ServerProcess.class.getName(), socket().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder said = new StringBuilder();
            for (String line = out.readLine(); line != null && !line.equals(ServerProcess.READY); line = out.readLine()) {
                said.append(line).append('\n');
            }
            assertTrue(Files.exists(socket()), "the server did not start: " + said);
            Files.setPosixFilePermissions(socket(), PosixFilePermissions.fromString("rw-rw-rw-")); // only the uid check left
            assertEquals("ok\nroot\n\n", askAs(List.of(), "whoami"));
            assertEquals("error 1 permission denied: user root (uid 4242) may not use this mptcp4j daemon\n\n",
                    askAs(as(4242), "whoami"));
        } finally {
            process.getOutputStream().close(); // ends it
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Sends one request as the user {@code wrapper} makes, and returns what came back until the server closed. */
    private String askAs(List<String> wrapper, String request) throws IOException {
        List<String> python = new ArrayList<>(wrapper);
        python.addAll(List.of("/usr/bin/python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX)
                s.connect(sys.argv[1])
                try:
                    s.sendall(sys.argv[2].encode() + b"\\n")
                    s.shutdown(socket.SHUT_WR)
                except BrokenPipeError:
                    pass  # refused and closed before the request went out: the refusal is still to read
                while True:
                    try:
                        data = s.recv(4096)
                    except ConnectionResetError:
                        break  # a refused peer's request was never read
                    if not data:
                        break
                    sys.stdout.write(data.decode())
                """, socket().toString(), request));
        Shell.Result r = Shell.execute(python);
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }
}
