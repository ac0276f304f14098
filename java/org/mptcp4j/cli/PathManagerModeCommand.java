package org.mptcp4j.cli;

import java.io.PrintStream;
import java.util.Set;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.Commands;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.PathManagerMode;

/** {@code mptcp4j path-manager [MODE]}: the namespace's path manager (net.mptcp.path_manager), shown or set. */
final class PathManagerModeCommand {
    private final PrintStream out;

    PathManagerModeCommand(PrintStream out) {
        this.out = out;
    }

    int run(String[] args) {
        Arguments a = Arguments.parse("path-manager", args, 1, Set.of("netns"), Set.of()).atMostPositional(1);
        try (NetworkNamespace ns = Commands.namespace(a)) {
            if (a.positional().isEmpty()) {
                out.println(PathManagerMode.of(ns).sysctlName());
                return Commands.OK;
            }
            PathManagerMode mode;
            try {
                mode = PathManagerMode.parse(a.positional().get(0));
            } catch (IllegalArgumentException e) {
                throw new UsageException("path-manager", e.getMessage());
            }
            PathManagerMode.set(ns, mode);
            out.println(PathManagerMode.of(ns).sysctlName());
            return Commands.OK;
        }
    }
}
