package org.mptcp4j.cli;

import java.io.PrintStream;
import java.util.Set;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.Commands;
import org.mptcp4j.natives.NativeLibrary;

/** {@code mptcp4j version}: mptcp4j's version, the libnl it was built on, where its native library came from. */
final class VersionCommand {
    private final PrintStream out;

    VersionCommand(PrintStream out) {
        this.out = out;
    }

    int run(String[] args) {
        Arguments.parse("version", args, 1, Set.of(), Set.of()).atMostPositional(0);
        String version = Main.class.getPackage().getImplementationVersion();
        out.println("mptcp4j " + (version != null ? version : "(development build)") + ", built on "
                + NativeLibrary.libnl() + ", native library from " + NativeLibrary.origin());
        return Commands.OK;
    }
}
