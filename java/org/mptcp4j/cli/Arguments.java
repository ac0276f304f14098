package org.mptcp4j.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one subcommand: {@code --name value}, {@code --flag}, and positional words.
 * Every mistake becomes a {@link UsageException} naming the option and the command.
 */
final class Arguments {
    private final String command;
    private final Map<String, String> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Arguments(String command) {
        this.command = command;
    }

    /**
     * @param valued options that take a value (aliases allowed: "-n" for "--netns" is given by the caller)
     * @param flags options without a value
     */
    static Arguments parse(String command, String[] args, int from, Set<String> valued, Set<String> flags,
            Map<String, String> aliases) {
        Arguments parsed = new Arguments(command);
        for (int i = from; i < args.length; i++) {
            String arg = aliases.getOrDefault(args[i], args[i]);
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            if (valued.contains(arg)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(command, "option " + arg + " needs a value");
                    }
                    value = args[++i];
                }
                parsed.values.put(arg, value);
            } else if (flags.contains(arg)) {
                if (value != null) {
                    throw new UsageException(command, "option " + arg + " takes no value");
                }
                parsed.values.put(arg, "");
            } else if (arg.startsWith("-") && arg.length() > 1) {
                throw new UsageException(command, "unknown option '" + args[i] + "'");
            } else {
                parsed.positional.add(arg);
            }
        }
        return parsed;
    }

    boolean has(String option) {
        return values.containsKey(option);
    }

    String get(String option, String fallback) {
        return values.getOrDefault(option, fallback);
    }

    int getInt(String option, int fallback, int min, int max) {
        String text = values.get(option);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value < min || value > max) {
                throw new UsageException(command, "option " + option + " must be " + min + ".." + max + ", not " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new UsageException(command, "option " + option + " needs a whole number, not '" + text + "'");
        }
    }

    List<String> positional() {
        return positional;
    }

    /** At most {@code max} positional words. */
    Arguments atMostPositional(int max) {
        if (positional.size() > max) {
            throw new UsageException(command, "unexpected argument '" + positional.get(max) + "'");
        }
        return this;
    }

    /** A mistake on the command line: exit status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String command;

        UsageException(String command, String message) {
            super(message);
            this.command = command;
        }
    }
}
