package org.mptcp4j.cli;

import java.io.PrintStream;
import java.util.Set;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.Commands;
import org.mptcp4j.natives.NativeLibrary;
import org.mptcp4j.natives.Transport;

/**
 * {@code mptcp4j version}: mptcp4j's version, then the transport that reaches the kernel and,
 * for JNI, the libnl its native library was built on and where that library came from.
 */
final class VersionCommand {
    private final PrintStream out;

    VersionCommand(PrintStream out) {
        this.out = out;
    }

    int run(String[] args) {
        Arguments.parse("version", args, 1, Set.of(), Set.of()).atMostPositional(0);
        String version = Main.class.getPackage().getImplementationVersion();
        out.println("mptcp4j " + (version != null ? version : "(development build)"));
        Transport transport = Transport.selected();
        out.println("transport " + transport.description() + (transport == Transport.FFM ? ""
                : ", built on " + NativeLibrary.libnl() + ", native library from " + NativeLibrary.origin()));
        return Commands.OK;
    }
}
