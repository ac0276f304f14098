package org.mptcp4j.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * Two hosts in their own network namespaces, a client and a server, joined by N veth pairs:
 * path i carries 10.231.i.1 and fd00:231:i::1 (client), 10.231.i.2 and fd00:231:i::2
 * (server), on client-side veth c{i} and server-side veth s{i}. Names are unique per process and call; {@link #close()} deletes both
 * namespaces (which deletes the veths), and a shutdown hook does it if the JVM is stopped first.
 */
public final class Topology implements AutoCloseable {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String clientName;
    private final String serverName;
    private final int paths;
    private final Thread cleanup;
    private NetworkNamespace client;
    private NetworkNamespace server;
    private boolean closed;

    private Topology(String prefix, int paths) {
        String unique = prefix + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        this.clientName = unique + "-cli";
        this.serverName = unique + "-srv";
        this.paths = paths;
        this.cleanup = new Thread(this::deleteNamespaces, "mptcp4j-topology-cleanup");
    }

    /**
     * Creates the namespaces and {@code paths} veth paths (1..9), all links up.
     *
     * @param prefix the start of the namespace names, e.g. "m4j-demo"
     */
    public static Topology create(String prefix, int paths) throws IOException {
        if (paths < 1 || paths > 9) {
            throw new IllegalArgumentException("paths must be 1..9: " + paths);
        }
        Topology t = new Topology(prefix, paths);
        Runtime.getRuntime().addShutdownHook(t.cleanup);
        try {
            t.build();
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private void build() throws IOException {
        Shell.run("ip", "netns", "add", clientName);
        Shell.run("ip", "netns", "add", serverName);
        Shell.run("ip", "-n", clientName, "link", "set", "lo", "up");
        Shell.run("ip", "-n", serverName, "link", "set", "lo", "up");
        for (int i = 1; i <= paths; i++) {
            Shell.run("ip", "link", "add", clientDevice(i), "netns", clientName, "type", "veth",
                    "peer", "name", serverDevice(i), "netns", serverName);
            Shell.run("ip", "-n", clientName, "addr", "add", clientAddress(i).getHostAddress() + "/24",
                    "dev", clientDevice(i));
            Shell.run("ip", "-n", serverName, "addr", "add", serverAddress(i).getHostAddress() + "/24",
                    "dev", serverDevice(i));
            // nodad: usable at once, not after a second of duplicate address detection.
            Shell.run("ip", "-n", clientName, "addr", "add", clientAddress6(i).getHostAddress() + "/64",
                    "dev", clientDevice(i), "nodad");
            Shell.run("ip", "-n", serverName, "addr", "add", serverAddress6(i).getHostAddress() + "/64",
                    "dev", serverDevice(i), "nodad");
            Shell.run("ip", "-n", clientName, "link", "set", clientDevice(i), "up");
            Shell.run("ip", "-n", serverName, "link", "set", serverDevice(i), "up");
        }
        client = NetworkNamespace.named(clientName);
        server = NetworkNamespace.named(serverName);
    }

    /**
     * Makes the client send from path i's address over path i's veth whatever the
     * destination (a routing table per source address), so a subflow started from an address
     * takes that address's path, as on a host with one uplink per address.
     */
    public void routeBySource() throws IOException {
        for (int i = 1; i <= paths; i++) {
            String table = Integer.toString(100 + i);
            Shell.run("ip", "-n", clientName, "route", "add", "10.231.0.0/16", "dev", clientDevice(i), "table", table);
            Shell.run("ip", "-n", clientName, "rule", "add", "from", clientAddress(i).getHostAddress(), "table", table);
            Shell.run("ip", "-n", clientName, "-6", "route", "add", "fd00:231::/32", "dev", clientDevice(i), "table", table);
            Shell.run("ip", "-n", clientName, "-6", "rule", "add", "from", clientAddress6(i).getHostAddress(), "table", table);
        }
    }

    /** Limits the client's sending rate on path i with a tbf qdisc (this kernel has no netem). */
    public void limitRate(int path, int megabitsPerSecond) throws IOException {
        Shell.run("tc", "-n", clientName, "qdisc", "add", "dev", clientDevice(path), "root", "tbf",
                "rate", megabitsPerSecond + "mbit", "burst", "32kbit", "latency", "20ms");
    }

    /** Lets the server's in-kernel path manager accept up to {@code subflows} joins per connection. */
    public void allowServerSubflows(int subflows) throws IOException {
        Shell.run("ip", "-n", serverName, "mptcp", "limits", "set", "subflows", Integer.toString(subflows),
                "add_addr_accepted", Integer.toString(subflows));
    }

    public NetworkNamespace client() {
        return client;
    }

    public NetworkNamespace server() {
        return server;
    }

    public String clientName() {
        return clientName;
    }

    public String serverName() {
        return serverName;
    }

    public int paths() {
        return paths;
    }

    public String clientDevice(int path) {
        return "c" + path;
    }

    public String serverDevice(int path) {
        return "s" + path;
    }

    public static InetAddress clientAddress(int path) {
        return MptcpAddress.literal("10.231." + path + ".1");
    }

    public static InetAddress serverAddress(int path) {
        return MptcpAddress.literal("10.231." + path + ".2");
    }

    public static InetSocketAddress serverEndpoint(int path, int port) {
        return new InetSocketAddress(serverAddress(path), port);
    }

    public static InetAddress clientAddress6(int path) {
        return MptcpAddress.literal("fd00:231:" + path + "::1");
    }

    public static InetAddress serverAddress6(int path) {
        return MptcpAddress.literal("fd00:231:" + path + "::2");
    }

    /** Runs {@code ss} inside the client namespace, e.g. ss("-Mni"). */
    public String clientSs(String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", clientName, "ss"));
        command.addAll(List.of(options));
        return Shell.run(command.toArray(String[]::new));
    }

    /** Deletes both namespaces; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteNamespaces();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or ran
        }
    }

    private void deleteNamespaces() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        Shell.runQuietly("ip", "netns", "del", clientName);
        Shell.runQuietly("ip", "netns", "del", serverName);
    }
}
