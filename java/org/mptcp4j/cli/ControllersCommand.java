package org.mptcp4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;
import org.mptcp4j.command.Arguments;
import org.mptcp4j.command.Commands;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.controller.Controllers;
import org.mptcp4j.daemon.PluginDirectory;

/** {@code mptcp4j controllers}: each controller there is, with its parameters. */
final class ControllersCommand {
    private final PrintStream out;

    ControllersCommand(PrintStream out) {
        this.out = out;
    }

    int run(String[] args) {
        Arguments a = Arguments.parse("controllers", args, 1, Set.of("plugin-dir"), Set.of()).atMostPositional(0);
        if (a.has("plugin-dir")) {
            Path dir = Path.of(a.get("plugin-dir", ""));
            try {
                PluginDirectory.load(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        for (ControllerProvider p : Controllers.providers()) {
            out.println(p.name() + ": " + p.description());
            int width = p.parameters().keySet().stream().mapToInt(String::length).max().orElse(0);
            p.parameters().forEach((name, meaning) -> out.println("  " + name + " ".repeat(width - name.length() + 2)
                    + meaning));
        }
        return Commands.OK;
    }
}
