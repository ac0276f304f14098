package org.mptcp4j.control;

import java.nio.file.Path;
import java.util.List;

/**
 * Run in a process of its own by {@link ControlServerTest}: serves the socket in args[0], each
 * request answered with the peer's user name as this process's passwd gives it, until its
 * standard input ends.
 */
final class ServerProcess {
    /** Printed once the socket listens. */
    static final String READY = "listening";

    private ServerProcess() {}

    public static void main(String[] args) throws Exception {
        ControlServer server = ControlServer.start(Path.of(args[0]),
                (words, peer) -> ControlResponse.ok(List.of(peer.user().getName())));
        System.out.println(READY);
        System.out.flush();
        System.in.readAllBytes();
        server.close();
    }
}
