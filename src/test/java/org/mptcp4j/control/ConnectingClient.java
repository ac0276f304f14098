package org.mptcp4j.control;

import java.io.IOException;
import java.nio.file.Path;

/** Run as another user by {@link ControlServerTest}: connects to the socket in args[0], or prints why it could not. */
final class ConnectingClient {
    private ConnectingClient() {}

    public static void main(String[] args) {
        try {
            ControlClient.connect(Path.of(args[0])).close();
            System.out.println("connected");
        } catch (IOException e) {
            System.out.println(e.getMessage());
            System.exit(1);
        }
    }
}
