package org.mptcp4j.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.Commands;
import org.mptcp4j.natives.NativeLibrary;
import org.mptcp4j.natives.Transport;
import org.mptcp4j.protocol.EventFormat;

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
        boolean json = Arguments.parse("version", args, 1, Set.of(), Set.of("json")).atMostPositional(0).has("json");
        String version = Main.class.getPackage().getImplementationVersion();
        Transport transport = Transport.selected();
        if (json) {
            StringBuilder s = new StringBuilder("{\"version\":").append(version != null ? EventFormat.jsonString(version) : "null")
                    .append(",\"transport\":").append(EventFormat.jsonString(transport.name().toLowerCase(Locale.ROOT)));
            if (transport == Transport.JNI) {
                s.append(",\"libnl\":").append(EventFormat.jsonString(NativeLibrary.libnl().replaceFirst("^libnl ", "")))
                        .append(",\"native_library\":").append(EventFormat.jsonString(NativeLibrary.origin()));
            }
            out.println(s.append('}'));
            return Commands.OK;
        }
        out.println("mptcp4j " + (version != null ? version : "(development build)"));
        out.println("transport " + transport.description() + (transport == Transport.FFM ? ""
                : ", built on " + NativeLibrary.libnl() + ", native library from " + NativeLibrary.origin()));
        return Commands.OK;
    }
}
