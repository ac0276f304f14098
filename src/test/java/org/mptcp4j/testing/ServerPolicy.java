package org.mptcp4j.testing;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;

/**
 * Two hosts with two paths, the server's userspace path manager run by a controller under
 * test, an MPTCP server on port 5201; the client's side is up to the test.
 */
public final class ServerPolicy implements AutoCloseable {
    public static final int PORT = 5201;

    public final Topology topology;
    public final PathManager serverPm;
    public final ControllerHost serverHost;
    public final EventLoop serverLoop;
    private final MptcpServerSocket listener;

    public ServerPolicy(Controller serverController) throws Exception {
        this(serverController, true);
    }

    /**
     * With {@code startLoop} false the server's loop is subscribed to the kernel's events but
     * not running: the test starts it, e.g. once a connection exists, so that the loop's first
     * resync finds it while its events wait in the socket.
     */
    public ServerPolicy(Controller serverController, boolean startLoop) throws Exception {
        topology = Topology.create("m4j-test", 2);
        try {
            topology.routeBySource();
            PathManagerMode.set(topology.server(), PathManagerMode.USERSPACE);
            listener = MptcpServerSocket.bind(topology.server(), new InetSocketAddress("0.0.0.0", PORT), 16);
            Transfers.discardServer(listener, new AtomicLong());
            serverPm = PathManager.open(topology.server());
            serverHost = new ControllerHost(serverController, serverPm);
            serverLoop = EventLoop.builder(serverHost).namespace(topology.server()).build();
            if (startLoop) {
                startServerLoop();
            }
        } catch (Exception | Error e) {
            topology.close();
            throw e;
        }
    }

    /**
     * Starts the server's loop and returns once its first resync is done: what the client does
     * from then on reaches the controller as events, not as a connection found already there.
     */
    public void startServerLoop() throws Exception {
        CompletableFuture<Void> resynced = new CompletableFuture<>();
        serverLoop.execute(() -> resynced.complete(null)); // tasks run after the loop's start-up resync
        serverLoop.start();
        resynced.get(10, TimeUnit.SECONDS);
    }

    /** Established subflows. */
    public static long established(ConnectionInfo info) {
        return info.subflows().stream().filter(s -> s.state() == 1).count();
    }

    @Override
    public void close() throws java.io.IOException {
        serverLoop.close();
        serverPm.close();
        listener.close();
        topology.close();
    }
}
