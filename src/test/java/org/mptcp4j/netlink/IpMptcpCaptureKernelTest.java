package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Processes;

/**
 * Golden vectors taken from the wire: the same command typed to {@code ip mptcp} (iproute2 on
 * libmnl, an encoder independent of libnl and of mptcp4j) and to the {@code mptcp4j} command, each
 * run under strace in a namespace of its own, and the mptcp_pm requests each wrote to the kernel
 * compared. Attributes are compared as sets per nest, since ip orders them its own way; the
 * sequence number and port id are left out; everything else (message type and flags, command,
 * version, every attribute's type, flags and payload) must match. Runs on the transport under test.
 */
@KernelTest
class IpMptcpCaptureKernelTest {
    private static String namespace;

    @BeforeAll
    static void createNamespace() throws IOException {
        namespace = "m4j-capture-" + ProcessHandle.current().pid();
        Shell.run("ip", "netns", "add", namespace);
        Shell.run("ip", "-n", namespace, "link", "set", "lo", "up");
    }

    @AfterAll
    static void deleteNamespace() {
        Shell.runQuietly("ip", "netns", "del", namespace);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "endpoint add 10.0.2.1 id 2 signal subflow dev lo |",
        "endpoint add fd00::1 port 8080 id 5 signal |",
        "endpoint add 10.0.3.1 id 4 subflow backup fullmesh |",
        "endpoint delete id 3 |",
        "endpoint delete id 0 10.0.2.9 |",
        "endpoint show id 1 |",
        "endpoint show |",
        "endpoint flush |",
        "limits set subflows 3 add_addr_accepted 2 |",
        "limits show |",
        "endpoint change id 4 backup |",
        "endpoint change 10.0.3.1 nobackup fullmesh |",
    })
    void mptcp4jWritesWhatIpWrites(String ip, String mptcp4j) throws Exception {
        // Each side starts from the same endpoints, so that commands naming one reach the wire.
        Capture byIp = capture(ip, true);
        Capture byUs = capture(mptcp4j == null ? ip : mptcp4j, false);
        List<List<String>> ipRequests = byIp.requests();
        assertFalse(ipRequests.isEmpty(), "ip sent no mptcp_pm request for: " + ip);
        assertEquals(byIp.exit() == 0, byUs.exit() == 0, "both succeed or both fail: ip " + byIp.exit() + ", mptcp4j "
                + byUs.exit() + ": " + byUs.err());
        // mptcp4j may read more first (what the kernel offers, the endpoints to print beside
        // the limits): reads only, never a second change.
        List<String> ipCommands = ipRequests.stream().map(r -> command(r)).toList();
        List<List<String>> same = new ArrayList<>();
        for (List<String> request : byUs.requests()) {
            if (ipCommands.contains(command(request))) {
                same.add(request);
            } else {
                assertTrue(List.of("cmd 3", "cmd 6").contains(command(request)), "an extra request that is not a read: " + request);
            }
        }
        assertEquals(ipRequests.size(), same.size(), "the requests of: " + ip + ": ip " + ipRequests + ", mptcp4j " + same);
        for (int i = 0; i < same.size(); i++) {
            if (command(ipRequests.get(i)).equals("cmd 7")) {
                // SET_FLAGS (endpoint change): mptcp4j reads the endpoint first and names it by id and address
                // both, so that a flag the user did not name keeps its value (ip's request
                // clears it); what ip wrote must all be there.
                assertTrue(same.get(i).containsAll(ipRequests.get(i)), "the requests of: " + ip + ": ip "
                        + ipRequests.get(i) + ", mptcp4j " + same.get(i));
            } else {
                assertEquals(ipRequests.get(i), same.get(i), "the requests of: " + ip);
            }
        }
    }

    private static String command(List<String> canonical) {
        String header = canonical.get(0);
        return header.substring(header.indexOf("cmd "), header.indexOf(" version"));
    }

    record Capture(int exit, String err, List<List<String>> requests) {}

    /** What one command wrote to the kernel (each request in the form of {@link #canonical}), and how it ended. */
    private static Capture capture(String words, boolean byIp) throws IOException {
        Shell.runQuietly("ip", "-n", namespace, "mptcp", "endpoint", "flush");
        Shell.run("ip", "-n", namespace, "mptcp", "endpoint", "add", "10.0.3.1", "id", "4", "subflow");
        Path trace = Files.createTempFile("m4j-strace-", ".txt");
        try {
            List<String> strace = List.of("ip", "netns", "exec", namespace, "strace", "-f", "-qq", "--seccomp-bpf",
                    "-e", "trace=sendto,sendmsg", "-e", "write=all", "-o", trace.toString());
            String[] args = words.trim().split(" +");
            Shell.Result r;
            if (byIp) {
                List<String> command = new ArrayList<>(strace);
                command.addAll(List.of("ip", "mptcp"));
                command.addAll(List.of(args));
                r = Shell.execute(command);
            } else {
                r = Processes.mptcp4j(strace, List.of(), !Transport.foreign(), args);
            }
            return new Capture(r.exit(), r.err(), requests(Files.readAllLines(trace)));
        } finally {
            Files.deleteIfExists(trace);
        }
    }

    /** The hex dumps strace printed after each send whose netlink header it named mptcp_pm. */
    static List<List<String>> requests(List<String> lines) {
        List<List<String>> requests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).contains("nlmsg_type=mptcp_pm")) {
                continue;
            }
            StringBuilder hex = new StringBuilder();
            int first = i + 1 < lines.size() && lines.get(i + 1).startsWith(" * ") ? i + 2 : i + 1; // sendmsg's "* N bytes in buffer 0"
            for (int j = first; j < lines.size() && lines.get(j).startsWith(" | "); j++) {
                String line = lines.get(j);
                int start = line.indexOf(" | ") + 3;
                // " | 00000  24 00 00 00 1c 00 ...  $....... |": the offset, then 16 bytes in two groups.
                String bytes = line.substring(start + 7, Math.min(line.length(), start + 7 + 49));
                hex.append(bytes.replace(" ", ""));
            }
            requests.add(canonical(ByteBuffer.wrap(HexFormat.of().parseHex(hex)).order(ByteOrder.nativeOrder())));
        }
        return requests;
    }

    /**
     * nlmsghdr type and flags, genl command and version, then the attributes sorted, each as
     * "type/payload", a nest's (NLA_F_NESTED) as "nest.type/payload". Two habits that differ
     * without changing what the kernel does are made equal: a request for one answer (GET_ADDR
     * of one id, GET_LIMITS) may also ask for an acknowledgement, which mptcp4j waits for as
     * libnl does, and SET_FLAGS's FLAGS count for BACKUP and FULLMESH only, all the kernel reads.
     */
    static List<String> canonical(ByteBuffer m) {
        int length = m.getInt(0);
        int flags = m.getShort(6) & 0xffff;
        int command = m.get(16) & 0xff;
        if ((command == 3 || command == 6) && (flags & 0x300) == 0) {
            flags &= ~0x4;
        }
        List<String> out = new ArrayList<>();
        out.add(String.format("type %d flags %#x cmd %d version %d", m.getShort(4) & 0xffff, flags, command, m.get(17) & 0xff));
        List<String> attributes = new ArrayList<>();
        attributes(m, 20, length, "", command == 7, attributes);
        attributes.sort(null);
        out.addAll(attributes);
        return out;
    }

    private static void attributes(ByteBuffer m, int from, int to, String nest, boolean setFlags, List<String> out) {
        for (int at = from; at + 4 <= to; ) {
            int len = m.getShort(at) & 0xffff;
            int type = m.getShort(at + 2) & 0xffff;
            if (len < 4 || at + len > to) {
                out.add(nest + "malformed at " + at);
                return;
            }
            if ((type & 0x8000) != 0) {
                attributes(m, at + 4, at + len, nest + type + ".", setFlags, out);
            } else {
                byte[] payload = new byte[len - 4];
                m.get(at + 4, payload);
                if (setFlags && !nest.isEmpty() && type == 6 && payload.length == 4) {
                    payload[0] &= 0x0c; // MPTCP_PM_ADDR_FLAG_BACKUP 4 | FULLMESH 8, little-endian
                }
                out.add(nest + type + "/" + HexFormat.of().formatHex(payload));
            }
            at += (len + 3) & ~3;
        }
    }
}
