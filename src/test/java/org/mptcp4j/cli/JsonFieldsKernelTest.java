package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.command.Commands;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.CommandProcess;
import org.mptcp4j.testing.Json;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Processes;
import org.mptcp4j.testing.ServedTopology;
import org.mptcp4j.testing.Transfers;
import org.mptcp4j.testing.TwoHosts;

/**
 * docs/json.md kept true: every command with JSON output run against the kernel, and the
 * fields of each kind of object it printed compared with the page's table of that object.
 * Every object has the fields its table says are always there and none the table lacks; over
 * the whole run every documented field was seen, but those {@link #NOT_PROVOKED} names.
 */
@KernelTest
class JsonFieldsKernelTest {
    /** Documented fields this test cannot make appear, each with why. */
    private static final Map<String, String> NOT_PROVOKED = Map.of(
            "event.timeout", "upstream kernels define MPTCP_ATTR_TIMEOUT and never send it",
            "event.reset_reason", "needs a peer that resets a subflow with MP_TCPRST",
            "event.reset_flags", "needs a peer that resets a subflow with MP_TCPRST",
            "event.server_side", "sent by Linux 6.7 to 6.17 only: 6.18 says it in flags");

    @TempDir
    Path dir;

    /** Per object, the fields seen in every output of the run. */
    private final Map<String, Set<String>> seen = new TreeMap<>();
    private final Map<String, Map<String, String>> documented = documented();

    @Test
    void everyJsonOutputHasTheFieldsOfItsTable() throws Exception {
        version();
        endpointsAndLimits();
        connectionsAddressesAndEvents();
        daemonConnections();

        Map<String, Set<String>> expected = new TreeMap<>();
        Map<String, Set<String>> provoked = new TreeMap<>();
        documented.forEach((object, fields) -> {
            Set<String> names = new TreeSet<>(fields.keySet());
            names.removeIf(field -> NOT_PROVOKED.containsKey(object + "." + field));
            if (object.equals("version") && Transport.selected() == Transport.FFM) {
                names.removeAll(Set.of("libnl", "native_library")); // JNI's alone
            }
            expected.put(object, names);
            Set<String> fieldsSeen = new TreeSet<>(seen.getOrDefault(object, Set.of()));
            fieldsSeen.removeIf(field -> NOT_PROVOKED.containsKey(object + "." + field));
            provoked.put(object, fieldsSeen);
        });
        assertEquals(expected, provoked);
    }

    private void version() {
        record("version", Json.parse(ok("-j", "version")));
        record("version", Json.parse(ok("--Version", "--json")));
    }

    private void endpointsAndLimits() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2)) {
            String ns = t.clientName();
            ok("-n", ns, "endpoint", "add", "10.231.2.1", "id", "2", "subflow", "dev", t.clientDevice(2));
            ok("-n", ns, "endpoint", "add", "fd00:231:2::1", "port", "8080", "signal", "backup");
            records("endpoint", ok("-j", "-n", ns, "endpoint", "show"));
            records("endpoint", ok("-n", ns, "endpoint", "show", "id", "2", "--json"));
            record("limits", Json.parse(ok("-netns", ns, "-json", "limits", "show")));
        }
    }

    private void connectionsAddressesAndEvents() throws Exception {
        try (TwoHosts h = TwoHosts.connect(TwoHosts.Family.IPV4);
                MptcpServerSocket v6 = MptcpServerSocket.bind(h.topology.server(), new InetSocketAddress("::", 5202), 8);
                CommandProcess monitor = CommandProcess.startAndAwaitReady("-j", "-n", h.topology.clientName(), "monitor",
                        "--timestamp")) {
            String client = h.topology.clientName();
            String device = h.topology.clientDevice(1);
            Shell.run("ip", "-n", client, "addr", "add", "10.99.0.1/24", "dev", device);
            Shell.run("ip", "-n", client, "addr", "add", "fd00:99::1/64", "dev", device, "nodad");
            Shell.run("ip", "-n", client, "addr", "del", "10.99.0.1/24", "dev", device);
            h.server.announce(h.serverToken, h.server(2, 0).id(2));
            h.clientEvents.await(MptcpEventType.ANNOUNCED, e -> e.remoteId() == 2);
            int c2 = h.topology.client().interfaceIndex(h.topology.clientDevice(2));
            h.client.createSubflow(h.clientToken, h.client(2, 0).id(2).ifIndex(c2), h.server(2, TwoHosts.PORT));
            h.clientEvents.await(MptcpEventType.SUB_ESTABLISHED, e -> e.localId() == 2);
            // No one listens on port 9: the join is refused, and SUB_CLOSED says with which error.
            h.client.createSubflow(h.clientToken, h.client(2, 0).id(2), h.server(2, 9));
            h.clientEvents.await(MptcpEventType.SUB_CLOSED, e -> e.remotePort() == 9);
            int v6Token;
            try (MptcpSocket socket = MptcpSocket.connect(h.topology.client(),
                    new InetSocketAddress(Topology.serverAddress6(1), v6.boundAddress().getPort()))) {
                Transfers.send(socket, 100);
                v6Token = h.clientEvents.await(MptcpEventType.ESTABLISHED, e -> e.family() == 10).token();
            }
            h.clientEvents.await(MptcpEventType.CLOSED, e -> e.token() == v6Token);

            String token = String.format("%08x", h.clientToken);
            records("endpoint", ok("-n", client, "addrs", "token", token, "--json"));
            for (Object connection : (List<?>) Json.parse(ok("-j", "connections", "-n", client))) {
                connection("connection", (Map<?, ?>) connection);
            }
            String events = monitor.awaitOut("\"type\":\"CLOSED\"", 10);
            assertTrue(events.contains("\"type\":\"CLOSED\""), events);
            events.lines().forEach(line -> record("event", Json.parse(line)));
        }
    }

    private void daemonConnections() throws Exception {
        Path socket = dir.resolve("control.sock");
        try (ServedTopology served = ServedTopology.create(1);
                CommandProcess daemon = CommandProcess.startAndAwaitReady("run", "-n", served.clientName(),
                        "--control-socket", socket.toString(), "--controller", "ndiffports", "subflows=1");
                MptcpSocket connection = served.connect()) {
            daemon.awaitErr("mptcp4j run: managing", 10);
            Transfers.awaitInfo(connection, i -> i.extraSubflows() == 1);
            // --json after ctl, or ip's -j before it.
            for (String[] request : new String[][] {{"ctl", "--socket", socket.toString(), "--json", "connections"},
                    {"-j", "ctl", "--socket", socket.toString(), "subflows"}}) {
                Shell.Result ctl = Processes.mptcp4j(List.of(), List.of(), false, request);
                assertEquals(Commands.OK, ctl.exit(), ctl.err());
                for (Object object : (List<?>) Json.parse(ctl.out())) {
                    Map<Object, Object> fields = new LinkedHashMap<>((Map<?, ?>) object);
                    Map<Object, Object> daemons = new LinkedHashMap<>();
                    for (String field : documented.get("daemon-connection").keySet()) {
                        daemons.put(field, fields.remove(field));
                    }
                    record("daemon-connection", daemons);
                    connection("connection", fields);
                }
            }
        }
    }

    /** A connection object and its subflows'. */
    private void connection(String object, Map<?, ?> connection) {
        record(object, connection);
        for (Object subflow : (List<?>) connection.get("subflows")) {
            record("subflow", subflow);
        }
    }

    /** Every object of a JSON array. */
    private void records(String object, String json) {
        List<?> array = (List<?>) Json.parse(json);
        assertFalse(array.isEmpty(), json);
        array.forEach(o -> record(object, o));
    }

    /** One object: its fields are documented, those always there are; they count as seen. */
    private void record(String object, Object value) {
        Map<String, String> table = documented.get(object);
        assertTrue(table != null, "docs/json.md has no table of '" + object + "'");
        Set<String> fields = new TreeSet<>();
        ((Map<?, ?>) value).keySet().forEach(k -> fields.add((String) k));
        Set<String> undocumented = new TreeSet<>(fields);
        undocumented.removeAll(table.keySet());
        assertEquals(Set.of(), undocumented, object + " fields not in docs/json.md: " + value);
        table.forEach((field, present) -> assertTrue(!present.equals("always") || fields.contains(field),
                object + " lacks '" + field + "', which docs/json.md says is always there: " + value));
        seen.computeIfAbsent(object, o -> new TreeSet<>()).addAll(fields);
    }

    /** docs/json.md's tables: the object each follows a {@code <!-- fields: NAME -->} line; field to presence. */
    private static Map<String, Map<String, String>> documented() {
        Map<String, Map<String, String>> tables = new TreeMap<>();
        Pattern row = Pattern.compile("^\\| `([a-z_0-9]+)` \\| [^|]+ \\| ([^|]+) \\| .*\\|$");
        Map<String, String> table = null;
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("docs/json.md"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String line : lines) {
            if (line.startsWith("<!-- fields: ")) {
                table = new LinkedHashMap<>();
                tables.put(line.substring("<!-- fields: ".length(), line.indexOf(" -->")), table);
            } else if (table != null && line.startsWith("|")) {
                Matcher m = row.matcher(line);
                if (m.matches()) {
                    table.put(m.group(1), m.group(2).trim());
                } else {
                    assertTrue(line.startsWith("| field |") || line.startsWith("|---"), "not a row of a table: " + line);
                }
            } else {
                table = null;
            }
        }
        assertEquals(Set.of("connection", "daemon-connection", "endpoint", "event", "limits", "subflow", "version"),
                tables.keySet());
        return tables;
    }

    private static String ok(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute(args);
        assertEquals(Commands.OK, exit, String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
