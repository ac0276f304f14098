package org.mptcp4j.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;

/**
 * A client and a server over two paths, both on the userspace path manager, each with an event
 * recorder and a path manager, and one MPTCP connection between them over path 1, in IPv4,
 * IPv6, or IPv4 through IPv6 sockets (v4-mapped addresses, ::ffff:10.231.1.1). Everything is
 * closed and the namespaces deleted by {@link #close()}.
 */
public final class TwoHosts implements AutoCloseable {
    public static final int PORT = 5201;

    /** The addresses the connection and the commands use. */
    public enum Family {
        IPV4, IPV6, V4_MAPPED
    }

    public final Topology topology;
    public final Family family;
    private final boolean ipv6;
    public final EventRecorder clientEvents = new EventRecorder();
    public final EventRecorder serverEvents = new EventRecorder();
    // Not final: close() runs on a half-built fixture when setting it up fails.
    public PathManager client;
    public PathManager server;
    public MptcpSocket clientSocket;
    public MptcpSocket serverSocket;
    public int clientToken;
    public int serverToken;
    private EventLoop clientLoop;
    private EventLoop serverLoop;
    private MptcpServerSocket listener;

    private TwoHosts(Family family) throws Exception {
        this.family = family;
        this.ipv6 = family == Family.IPV6;
        topology = Topology.create("m4j-test", 2);
        try {
            topology.routeBySource();
            if (family != Family.IPV4) {
                // ADD_ADDR for IPv6 (v4-mapped too) with a port takes 30 of TCP's 40 option
                // bytes: beside timestamps the kernel drops it (MPTcpExtAddAddrTxDrop).
                for (String ns : new String[] {topology.clientName(), topology.serverName()}) {
                    Shell.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.tcp_timestamps=0");
                }
            }
            PathManagerMode.set(topology.client(), PathManagerMode.USERSPACE);
            PathManagerMode.set(topology.server(), PathManagerMode.USERSPACE);
            client = PathManager.open(topology.client());
            server = PathManager.open(topology.server());
            clientLoop = EventLoop.builder(clientEvents).namespace(topology.client()).build();
            serverLoop = EventLoop.builder(serverEvents).namespace(topology.server()).build();
            clientLoop.start();
            serverLoop.start();
            // Every address: peers may join any of the server's addresses on PORT.
            listener = MptcpServerSocket.bind(topology.server(),
                    new InetSocketAddress(MptcpAddress.literal(family == Family.IPV4 ? "0.0.0.0" : "::"), PORT), 8);
            AtomicReference<MptcpSocket> accepted = new AtomicReference<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.set(listener.accept());
                } catch (IOException e) {
                    // the test fails below when no connection was accepted
                }
            });
            acceptor.start();
            clientSocket = MptcpSocket.connect(topology.client(), new InetSocketAddress(serverAddress(1), PORT));
            Transfers.send(clientSocket, 100);
            acceptor.join(5000);
            serverSocket = accepted.get();
            if (serverSocket == null) {
                throw new IllegalStateException("the server accepted no connection");
            }
            Transfers.discardOn(serverSocket, new AtomicLong());
            clientToken = Transfers.awaitInfo(clientSocket, i -> i.token() != 0).token();
            serverToken = Transfers.awaitInfo(serverSocket, i -> i.token() != 0).token();
        } catch (Exception | Error e) {
            close(); // what was opened so far, then the namespaces
            throw e;
        }
    }

    public static TwoHosts connect(Family family) throws Exception {
        return new TwoHosts(family);
    }

    public InetAddress clientAddress(int path) {
        return address(Topology.clientAddress(path), Topology.clientAddress6(path));
    }

    public InetAddress serverAddress(int path) {
        return address(Topology.serverAddress(path), Topology.serverAddress6(path));
    }

    private InetAddress address(InetAddress v4, InetAddress v6) {
        return switch (family) {
            case IPV4 -> v4;
            case IPV6 -> v6;
            case V4_MAPPED -> MptcpAddress.literal("::ffff:" + v4.getHostAddress());
        };
    }

    public MptcpAddress client(int path, int port) {
        return MptcpAddress.of(clientAddress(path), port);
    }

    public MptcpAddress server(int path, int port) {
        return MptcpAddress.of(serverAddress(path), port);
    }

    /** The client's source port of the initial subflow. */
    public int clientPort() throws IOException {
        return clientSocket.localAddress().getPort();
    }

    /** An nstat counter of the client ({@code client} true) or the server namespace. */
    public long counter(boolean client, String name) throws IOException {
        String ns = client ? topology.clientName() : topology.serverName();
        String out = Shell.run("ip", "netns", "exec", ns, "nstat", "-az", name);
        return out.lines().filter(l -> l.startsWith(name + " ")).mapToLong(l -> Long.parseLong(l.split("\\s+")[1]))
                .findFirst().orElse(0);
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {clientSocket, serverSocket, listener, clientLoop, serverLoop, client, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the namespaces go next, and everything in them
            }
        }
        topology.close();
    }
}
