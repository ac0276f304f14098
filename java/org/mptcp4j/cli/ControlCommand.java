package org.mptcp4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.Commands;
import org.mptcp4j.control.ControlClient;
import org.mptcp4j.control.ControlResponse;

/** {@code mptcp4j ctl}: one request to the running daemon over its control socket. */
final class ControlCommand {
    static final String HELP = """
            NAME
                mptcp4j ctl - ask the running mptcp4j daemon, or tell it what to do

            SYNOPSIS
                mptcp4j ctl [--socket PATH] [-n NAME] [--json] COMMAND [WORDS...]

            DESCRIPTION
                Sends one request to the daemon ('mptcp4j run') over its control socket and
                prints the answer. The daemon serves root and its own user only. The commands
                that change a connection are done by the daemon, and a refusal of the kernel
                comes back here with the kernel's error.

            COMMANDS
                namespaces          the namespaces the daemon manages
                connections         the namespace's connections with their subflows
                subflows [token T]  the subflows of every connection, or of connection T
                policy              what manages each namespace's connections: its controller,
                                    or its policy's rules in order
                policy token T CONTROLLER [PARAM=VALUE...]
                                    manage connection T with that controller from now on:
                                    how an application asks for its own connection's policy
                subflow create ...  open a subflow
                subflow destroy ... close a subflow
                announce ...        announce a local address (ADD_ADDR)
                remove ...          withdraw an announced address (RM_ADDR)
                set-backup ...      mark a subflow as backup or not (MP_PRIO)
                addrs token T       the connection's local addresses and ids
                                    these six take the words of the mptcp4j commands of the
                                    same names ('mptcp4j help subflow create', ...)
                reload              re-read the configuration, as SIGHUP does
                metrics             the metrics, in Prometheus text format

            OPTIONS
                --socket PATH       the daemon's control socket (default /run/mptcp4j/control.sock)
                -n, --netns NAME    the namespace the request is about (as 'ctl namespaces' names
                                    it); needed only when the daemon manages several
                --json              for connections and subflows: one JSON array of the connections
                                    (each with its netns, controller and subflows) instead of text

            EXIT STATUS
                0   done
                1   failed: no daemon, permission denied, or the daemon or the kernel refused
                2   a mistake on the command line or in the request

            EXAMPLES
                mptcp4j ctl connections
                mptcp4j ctl -n blue --json subflows token 1c0ffee5
                mptcp4j ctl subflow create token 1c0ffee5 local 10.0.2.1 id 2 remote 10.0.1.2 rport 5201
                mptcp4j ctl policy token 1c0ffee5 fullmesh max-subflows=4
                mptcp4j ctl --socket /run/mptcp4j/blue.sock reload
            """;

    static final Path DEFAULT_SOCKET = Path.of("/run/mptcp4j/control.sock");

    private final PrintStream out;
    private final PrintStream err;

    ControlCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** @param args the command line, {@code ctl} first */
    int run(String[] args) {
        String socket = null;
        List<String> words = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String word = args[i];
            String value = null;
            if (word.equals("--socket")) {
                if (i + 1 >= args.length) {
                    throw new UsageException("ctl", "'socket' needs a value");
                }
                value = args[++i];
            } else if (word.startsWith("--socket=")) {
                value = word.substring("--socket=".length());
            } else {
                words.add(word); // -n and --json too: the daemon reads them
                continue;
            }
            if (socket != null) {
                throw new UsageException("ctl", "'socket' given twice");
            }
            if (value.isEmpty()) {
                throw new UsageException("ctl", "'socket' needs a value");
            }
            socket = value;
        }
        if (words.isEmpty()) {
            throw new UsageException("ctl", "missing the request, e.g. 'connections'");
        }
        String request;
        try {
            request = ControlClient.line(words);
        } catch (IllegalArgumentException e) {
            throw new UsageException("ctl", e.getMessage());
        }
        try (ControlClient client = ControlClient.connect(socket == null ? DEFAULT_SOCKET : Path.of(socket))) {
            ControlResponse response = client.request(request);
            response.lines().forEach(out::println);
            if (response.ok()) {
                return Commands.OK;
            }
            err.println("mptcp4j ctl: " + response.text());
            return response.requestMistake() ? Commands.USAGE : Commands.FAILED;
        } catch (IOException e) {
            err.println("mptcp4j ctl: " + e.getMessage());
            return Commands.FAILED;
        }
    }
}
