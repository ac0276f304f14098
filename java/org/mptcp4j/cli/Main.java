package org.mptcp4j.cli;

import static org.mptcp4j.command.Commands.ABSENT;
import static org.mptcp4j.command.Commands.FAILED;
import static org.mptcp4j.command.Commands.OK;
import static org.mptcp4j.command.Commands.USAGE;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mptcp4j.command.Arguments.UsageException;
import org.mptcp4j.command.ConnectionsCommand;
import org.mptcp4j.command.PathManagerCommands;
import org.mptcp4j.daemon.DaemonException;
import org.mptcp4j.protocol.MptcpException;

/** The {@code mptcp4j} command. Exit status: 0 done, 1 failed, 2 command-line mistake. */
public final class Main {

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this(System.in, out, err);
    }

    /** @param in what {@code -batch -} reads */
    Main(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // mptcp4j's own structured log lines, unless the operator named another SLF4J binding.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.mptcp4j.logging.LogfmtServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN"); // not SLF4J's note that it was chosen
        }
        System.exit(new Main(System.in, System.out, System.err).execute(args));
    }

    int execute(String[] args) {
        Invocation invocation;
        try {
            invocation = Invocation.parse(args);
        } catch (UsageException e) {
            return mistake(e, null);
        }
        if (invocation.batch() != null) {
            return batch(invocation);
        }
        String[] words = invocation.words(null);
        if (words.length == 0) {
            err.print(Manuals.MPTCP4J);
            return USAGE;
        }
        return command(words, invocation.json(), null, null);
    }

    /**
     * The options before the command, in ip's words and as ip reads them: one dash or two, any
     * prefix that names one option ({@code -n}, {@code -j}, {@code -V}, {@code -b}); {@code --}
     * ends them. {@code -n NAME} is added to the command's words (or to every line's),
     * {@code -json} to those of commands with JSON output; {@code -Version} and {@code -help}
     * are the commands version and help.
     */
    private record Invocation(String netns, String batch, boolean force, boolean json, String[] command) {
        /** ip's spellings; -version too, as GNU tools write it. */
        private static final List<String> OPTIONS = List.of("-netns", "-json", "-Version", "-version", "-batch", "-force",
                "-help");

        static Invocation parse(String[] args) {
            String netns = null;
            String batch = null;
            boolean force = false;
            boolean json = false;
            String command = null;
            int i = 0;
            for (; i < args.length && command == null; i++) {
                if (args[i].equals("--")) {
                    i++;
                    break;
                }
                if (!args[i].startsWith("-") || args[i].length() < 2) {
                    break;
                }
                switch (option(args[i])) {
                    case "-netns" -> netns = value(args, i++, netns);
                    case "-json" -> json = true;
                    case "-Version", "-version" -> command = "version";
                    case "-batch" -> batch = value(args, i++, batch);
                    case "-force" -> force = true;
                    default -> command = "help";
                }
            }
            if (force && batch == null) {
                throw new UsageException(null, "-force goes with -batch FILE");
            }
            if (batch != null && (i < args.length || command != null)) {
                throw new UsageException(null, "the commands of -batch come from its file: nothing may follow it, not '"
                        + (command != null ? args[i - 1] : args[i]) + "'");
            }
            List<String> words = new ArrayList<>();
            if (command != null) {
                words.add(command);
            }
            words.addAll(Arrays.asList(args).subList(i, args.length));
            return new Invocation(netns, batch, force, json, words.toArray(String[]::new));
        }

        /**
         * The option {@code word} names: the one it is a prefix of, after a second dash is
         * dropped (no two options begin with the same letter).
         */
        private static String option(String word) {
            String prefix = word.startsWith("--") ? word.substring(1) : word;
            return OPTIONS.stream().filter(o -> o.startsWith(prefix)).findFirst().orElseThrow(() -> new UsageException(null,
                    "unknown option '" + word + "' before the command (options: -n NAME, -j, -V, -batch FILE, -force, -h)"));
        }

        private static String value(String[] args, int i, String earlier) {
            if (i + 1 >= args.length) {
                throw new UsageException(null, "'" + args[i] + "' needs a value");
            }
            if (earlier != null) {
                throw new UsageException(null, "'" + args[i] + "' given twice");
            }
            return args[i + 1];
        }

        /** The command's words, with -n NAME for this invocation's namespace and for {@code outer}'s. */
        String[] words(String outer) {
            List<String> words = new ArrayList<>(List.of(command));
            for (String name : new String[] {netns, outer}) {
                if (name != null && !words.isEmpty()) {
                    words.add("-n");
                    words.add(name);
                }
            }
            return words.toArray(String[]::new);
        }
    }

    /**
     * Runs the lines of the batch file in turn, and stops at the first that fails unless
     * -force: then goes on. Exit status: 0, or the first failed line's.
     */
    private int batch(Invocation invocation) {
        String file = invocation.batch();
        int status = OK;
        // Malformed UTF-8 becomes U+FFFD, which no command takes: the line is refused, not the file.
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(file.equals("-") ? in
                : Files.newInputStream(Path.of(file)), StandardCharsets.UTF_8));
                Batch batch = new Batch(out, err)) {
            int number = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String location = file + ":" + ++number;
                int result = line(line, location, invocation, batch);
                if (result != OK && result != ABSENT) {
                    status = status == OK ? result : status;
                    if (!invocation.force()) {
                        break;
                    }
                }
            }
        } catch (IOException | InvalidPathException e) {
            err.println("mptcp4j: -batch " + file + ": " + (e instanceof NoSuchFileException
                    ? "no such file" : e.getMessage()));
            return FAILED;
        }
        return status;
    }

    /** One line of a batch: its status, OK for a blank or comment line. */
    private int line(String line, String location, Invocation outer, Batch batch) {
        Invocation invocation;
        try {
            List<String> words = Batch.words(line);
            if (words.isEmpty()) {
                return OK;
            }
            invocation = Invocation.parse(words.toArray(String[]::new));
            if (invocation.batch() != null) {
                throw new UsageException(null, "-batch within a batch");
            }
            if (invocation.command().length == 0) {
                throw new UsageException(null, "options and no command");
            }
        } catch (UsageException e) {
            return mistake(e, location);
        } catch (IllegalArgumentException e) { // a quote left open
            return mistake(new UsageException(null, e.getMessage()), location);
        }
        return command(invocation.words(outer.netns()), invocation.json() || outer.json(), location, batch);
    }

    /**
     * Runs one command; a mistake or failure is reported on stderr, on the command line as
     * "mptcp4j COMMAND: ...", in a batch as "mptcp4j: FILE:LINE: COMMAND: ...".
     *
     * @param json -json came before the command: JSON from those that print it, as ip ignores it elsewhere
     * @param batch the batch the command is a line of, or null
     */
    private int command(String[] args, boolean json, String location, Batch batch) {
        String command = args[0];
        try {
            command = commandName(args);
            int from = command.indexOf(' ') > 0 ? 2 : 1;
            if (json && (JSON.contains(command) || command.equals("ctl") && CTL_JSON.contains(ctlRequest(args)))) {
                args = Arrays.copyOf(args, args.length + 1);
                args[args.length - 1] = "--json";
            }
            if (wantsHelp(args, from)) {
                return new HelpCommand(out).run(new String[] {"help", command});
            }
            if (batch != null && Batch.UNTIL_INTERRUPTED.contains(command)) {
                throw new UsageException(null, "'" + command + "' runs until interrupted: not in a batch");
            }
            return switch (command) {
                case "help", "--help", "-h" -> new HelpCommand(out).run(args);
                case "monitor" -> new MonitorCommand(out, err).run(args);
                case "run" -> new RunCommand(out, err).run(args);
                case "controllers" -> new ControllersCommand(out).run(args);
                case "path-manager" -> new PathManagerModeCommand(out).run(args);
                case "connections" -> new ConnectionsCommand(out).run(args);
                case "top" -> new TopCommand(in, out, err).run(args);
                case "record" -> new RecordCommand(err).run(args);
                case "ctl" -> new ControlCommand(out, err).run(args);
                case "demo" -> new DemoCommand(out).run(args);
                case "version" -> new VersionCommand(out).run(args);
                default -> {
                    if (!PathManagerCommands.COMMANDS.contains(command)) {
                        throw new UsageException(null, "unknown command '" + command + "'");
                    }
                    yield (batch != null ? batch.commands() : new PathManagerCommands(out, err)).run(command, args, from);
                }
            };
        } catch (UsageException e) {
            return mistake(e, location);
        } catch (MptcpException | UncheckedIOException | IllegalArgumentException | DaemonException e) {
            err.println(where(location, command) + ": " + e.getMessage());
            return FAILED;
        } catch (Exception e) {
            err.println(where(location, command) + ": " + e);
            if (System.getenv("MPTCP4J_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return FAILED;
        }
    }

    /** A command-line mistake: what it is, then the command's usage lines. */
    private int mistake(UsageException e, String location) {
        err.println(where(location, e.command) + ": " + e.getMessage());
        String usage = e.command == null ? null : Manuals.usage(e.command);
        if (usage == null) {
            err.println("See 'mptcp4j help'.");
        } else {
            err.print(usage);
        }
        return USAGE;
    }

    /** How a message begins: "mptcp4j COMMAND" on the command line, "mptcp4j: FILE:LINE: COMMAND" in a batch. */
    private static String where(String location, String command) {
        if (location == null) {
            return command == null ? "mptcp4j" : "mptcp4j " + command;
        }
        return "mptcp4j: " + location + (command == null ? "" : ": " + command);
    }

    /** "subflow create", "endpoint show", "limits set" are two words; the rest one. */
    private static String commandName(String[] args) {
        String first = args[0];
        boolean group = first.equals("subflow") || first.equals("endpoint") || first.equals("limits");
        if (!group) {
            return first;
        }
        if (args.length < 2 || args[1].startsWith("-")) {
            throw new UsageException(null, "'" + first + "' needs a subcommand: " + switch (first) {
                case "subflow" -> "create or destroy";
                case "endpoint" -> "add, delete, change, show or flush";
                default -> "show or set";
            });
        }
        return canonical(first + " " + args[1]);
    }

    /** The commands whose output -json makes JSON: their {@code --json}. */
    static final Set<String> JSON = Set.of("endpoint show", "limits show", "addrs", "connections", "monitor", "version");

    /** The requests of ctl whose answer --json makes JSON. */
    private static final Set<String> CTL_JSON = Set.of("connections", "subflows");

    /** The request a ctl command line sends: its first word past ctl's own options; "" when none. */
    private static String ctlRequest(String[] args) {
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--socket", "-n", "--netns" -> i++;
                default -> {
                    if (!args[i].startsWith("--socket=") && !args[i].startsWith("--netns=") && !args[i].equals("--json")) {
                        return args[i];
                    }
                }
            }
        }
        return "";
    }

    /** Older names of commands, still taken: "endpoint set" is ip's "endpoint change". */
    private static final Map<String, String> ALIASES = Map.of("endpoint set", "endpoint change");

    /** The name of {@code command} itself when {@code command} is an older name of it. */
    static String canonical(String command) {
        return ALIASES.getOrDefault(command, command);
    }

    private static boolean wantsHelp(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                return true;
            }
        }
        return false;
    }

}
