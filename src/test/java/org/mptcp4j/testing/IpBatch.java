package org.mptcp4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mptcp4j.demo.Shell;

/** Many ip(8) commands in one run ({@code ip -batch}): thousands of links or addresses in seconds. */
public final class IpBatch {
    private IpBatch() {}

    /** Commands that make {@code pairs} veth pairs, m4ja0 / m4jb0 and on: twice as many links, all down. */
    public static StringBuilder vethPairs(int pairs) {
        StringBuilder commands = new StringBuilder();
        for (int pair = 0; pair < pairs; pair++) {
            commands.append("link add m4ja").append(pair).append(" type veth peer name m4jb").append(pair).append('\n');
        }
        return commands;
    }

    /** Runs {@code commands}, one a line without the leading "ip", in network namespace {@code namespace}. */
    public static void run(String namespace, CharSequence commands) throws IOException {
        Path file = Files.createTempFile("m4j-ip", ".batch");
        try {
            Files.writeString(file, commands);
            Shell.run("ip", "-n", namespace, "-batch", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
