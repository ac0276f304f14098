package org.mptcp4j.cli;

import java.io.PrintStream;
import java.util.List;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.Commands;

/** {@code mptcp4j help [COMMAND]}: the overview, a command's manual, or those of a group's subcommands. */
final class HelpCommand {
    private final PrintStream out;

    HelpCommand(PrintStream out) {
        this.out = out;
    }

    int run(String[] args) {
        if (args.length < 2) {
            out.print(Manuals.MPTCP4J);
            return Commands.OK;
        }
        String command = Main.canonical(args.length > 2 ? args[1] + " " + args[2] : args[1]);
        String text = Manuals.page(command);
        if (text == null) {
            // A group: the manuals of its subcommands.
            List<String> group = Manuals.commands().stream().filter(name -> name.startsWith(command + " ")).toList();
            if (group.isEmpty()) {
                throw new UsageException(null, "no command '" + command + "'");
            }
            group.forEach(name -> out.print(Manuals.page(name) + "\n"));
            return Commands.OK;
        }
        out.print(text);
        return Commands.OK;
    }
}
