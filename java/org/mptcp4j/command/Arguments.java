package org.mptcp4j.command;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * The words of one subcommand, in {@code ip mptcp}'s style ({@code id 3 token 1c0ffee5 backup})
 * or as options ({@code --id 3 --token 1c0ffee5 --backup}): a declared keyword is the same with
 * or without its dashes. Other words are positional. Every mistake becomes a
 * {@link UsageException} naming the word and the command.
 */
public final class Arguments {
    private static final Pattern TOKEN = Pattern.compile("[0-9a-fA-F]{1,8}");
    private final String command;
    private final Map<String, String> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Arguments(String command) {
        this.command = command;
    }

    /**
     * @param valued keywords followed by a value, without dashes (e.g. "netns", "id")
     * @param flags keywords standing alone (e.g. "json", "backup")
     */
    public static Arguments parse(String command, String[] args, int from, Set<String> valued, Set<String> flags) {
        Arguments parsed = new Arguments(command);
        for (int i = from; i < args.length; i++) {
            String word = args[i];
            String key = word.equals("-n") ? "netns" : word.startsWith("--") ? word.substring(2) : word;
            String value = null;
            int eq = key.indexOf('=');
            if (word.startsWith("--") && eq > 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            }
            if (valued.contains(key)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(command, "'" + key + "' needs a value");
                    }
                    value = args[++i];
                }
                if (parsed.values.put(key, value) != null) {
                    throw new UsageException(command, "'" + key + "' given twice");
                }
            } else if (flags.contains(key)) {
                if (value != null) {
                    throw new UsageException(command, "'" + key + "' takes no value");
                }
                parsed.values.put(key, "");
            } else if (key.equals("json") && word.startsWith("-")) {
                throw new UsageException(command, "'" + command + "' has no JSON output");
            } else if (word.startsWith("-") && word.length() > 1) {
                throw new UsageException(command, "unknown option '" + word + "'");
            } else {
                parsed.positional.add(word);
            }
        }
        return parsed;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /** The value of a keyword the command cannot do without. */
    public String require(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new UsageException(command, "missing '" + key + "'");
        }
        return value;
    }

    public int getInt(String key, int fallback, int min, int max) {
        String text = values.get(key);
        return text == null ? fallback : number(key, text, min, max);
    }

    public int requireInt(String key, int min, int max) {
        return number(key, require(key), min, max);
    }

    private int number(String key, String text, int min, int max) {
        return number("'" + key + "'", text, ValueRange.count(min, max));
    }

    /** {@code text}, the value of {@code what}, as a whole number in {@code range}. */
    public int number(String what, String text, ValueRange range) {
        try {
            return range.parseInt(what, text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(command, e.getMessage());
        }
    }

    /** A connection's token, in hex as {@code ss -M} and {@code monitor} print it (0x optional). */
    public int requireToken() {
        String text = require("token");
        String hex = text.toLowerCase(Locale.ROOT).startsWith("0x") ? text.substring(2) : text;
        if (!TOKEN.matcher(hex).matches()) {
            throw new UsageException(command, "'token' needs 8 hex digits as ss -M and monitor print it, not '"
                    + text + "'");
        }
        return (int) Long.parseLong(hex, 16);
    }

    /** An IP literal (no host names). */
    public MptcpAddress address(String what, String text) {
        try {
            return MptcpAddress.of(MptcpAddress.literal(text), 0);
        } catch (IllegalArgumentException e) {
            throw new UsageException(command, what + ": " + e.getMessage());
        }
    }

    /** The value of keyword {@code key} as an IP literal. */
    public MptcpAddress requireAddress(String key) {
        return address("'" + key + "'", require(key));
    }

    /** The ifindex of {@code dev NAME} in the namespace, or 0 when not given. */
    public int device(NetworkNamespace namespace) {
        String name = values.get("dev");
        if (name == null) {
            return 0;
        }
        try {
            return namespace.interfaceIndex(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException(command, e.getMessage());
        }
    }

    public List<String> positional() {
        return positional;
    }

    /** Exactly {@code count} positional words, named by {@code names} for the error. */
    public List<String> positional(int count, String names) {
        if (positional.size() < count) {
            throw new UsageException(command, "missing " + names);
        }
        return atMostPositional(count).positional;
    }

    /** At most {@code max} positional words. */
    public Arguments atMostPositional(int max) {
        if (positional.size() > max) {
            throw new UsageException(command, "unexpected argument '" + positional.get(max) + "'");
        }
        return this;
    }

    /** A mistake on the command line: exit status 2, the message and the command's usage line. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final String command;

        public UsageException(String command, String message) {
            super(message);
            this.command = command;
        }
    }
}
