package org.mptcp4j.cli;

import java.io.PrintStream;
import java.util.Set;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.demo.Demo;

/** {@code mptcp4j demo}: the demonstration's options, then {@link Demo}. */
final class DemoCommand {
    private final PrintStream out;

    DemoCommand(PrintStream out) {
        this.out = out;
    }

    int run(String[] args) throws Exception {
        Arguments a = Arguments.parse("demo", args, 1, Set.of("subflows", "megabytes", "rate"),
                Set.of("per-address", "busy-poll")).atMostPositional(0);
        if (a.has("per-address") && a.has("subflows")) {
            throw new UsageException("demo", "--subflows and --per-address exclude each other");
        }
        return new Demo(out).run(new Demo.Options(a.getInt("subflows", 2, 1, 8), a.has("per-address"),
                a.getInt("megabytes", 64, 1, 100_000), a.getInt("rate", 200, 0, 100_000), a.has("busy-poll")));
    }
}
