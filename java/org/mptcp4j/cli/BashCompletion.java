package org.mptcp4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bash completion of {@code mptcp4j}, from the manuals ({@link Manuals}): the commands and a
 * group's subcommands; each command's options and keywords as its SYNOPSIS, OPTIONS and
 * COMMANDS name them; after an option or keyword taking a FILE, PATH or DIR, file names; after
 * {@code -n}/{@code --netns}, the named network namespaces; after another value, nothing.
 * <p>
 * {@code java -cp mptcp4j.jar org.mptcp4j.cli.BashCompletion FILE} writes it to FILE.
 */
final class BashCompletion {
    /** A word of a synopsis or term: an option, or a keyword in ip's style. */
    private static final Pattern WORD = Pattern.compile("--?[A-Za-z][A-Za-z0-9-]*|[a-z][a-z0-9_-]*");
    /** A placeholder for a value, "FILE", "N", "[HOST:]PORT|off". */
    private static final Pattern VALUE = Pattern.compile("\\[?[A-Z][A-Z0-9_]*\\b.*");
    /** A word, a bracket or parenthesis of a synopsis. */
    private static final Pattern TOKEN = Pattern.compile("[\\[\\]()]|[^\\s\\[\\]()]+");
    /** A value that is one of a few words. */
    private static final Pattern CHOICES = Pattern.compile("[a-z][a-z0-9-]*(\\|[a-z][a-z0-9-]*)+");
    /** Placeholders whose values are file names. */
    private static final Pattern FILE_VALUE = Pattern.compile("\\b(FILE|PATH|DIR)\\b");
    private static final Set<String> NETNS = Set.of("-n", "-netns", "--netns");

    private BashCompletion() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("Usage: java -cp mptcp4j.jar org.mptcp4j.cli.BashCompletion FILE");
            System.exit(2);
        }
        Files.writeString(Path.of(args[0]), script(), StandardCharsets.UTF_8);
    }

    /** What a command line can hold at some place: words, and the words that take a value. */
    private static final class Words {
        final Set<String> words = new TreeSet<>();
        final Set<String> files = new TreeSet<>();
        final Set<String> values = new TreeSet<>();
        /** Words whose value is one of a few words: --log-format logfmt|json. */
        final Map<String, String> choices = new TreeMap<>();

        /** The words of a synopsis or a term ("-n, --netns NAME": the aliases share the value). */
        void add(String text, Set<String> except) {
            String[] aliases = text.split(",\\s+");
            if (aliases.length > 1 && aliases[0].startsWith("-")) {
                String[] last = aliases[aliases.length - 1].strip().split("\\s+", 2);
                for (String alias : aliases) {
                    add(alias.strip().split("\\s+")[0], last.length == 2 ? last[1] : null, except);
                }
                return;
            }
            Matcher tokens = TOKEN.matcher(text);
            List<String> list = new ArrayList<>();
            while (tokens.find()) {
                list.add(tokens.group().replaceAll(",$", ""));
            }
            for (int i = 0; i < list.size(); i++) {
                String token = list.get(i).replace("...", "");
                String next = i + 1 < list.size() ? list.get(i + 1) : "";
                if (WORD.matcher(token).matches()) {
                    // An option's value is the word after it, a keyword's a placeholder ("id ID").
                    boolean value = token.startsWith("-") ? !next.isEmpty() && !next.startsWith("-")
                            && !"[]()|".contains(next) : VALUE.matcher(next).matches();
                    add(token, value ? next : null, except);
                    i += value ? 1 : 0;
                } else if (CHOICES.matcher(token).matches()) { // keywords, one of which: backup|nobackup
                    for (String alternative : token.split("\\|")) {
                        add(alternative, null, except);
                    }
                }
            }
        }

        private void add(String word, String value, Set<String> except) {
            if (!WORD.matcher(word).matches() || except.contains(word)) {
                return;
            }
            words.add(word);
            if (value == null || NETNS.contains(word)) {
                return;
            }
            if (FILE_VALUE.matcher(value).find()) {
                files.add(word);
            } else if (CHOICES.matcher(value).matches()) {
                choices.put(word, value.replace('|', ' '));
            } else {
                values.add(word);
            }
        }
    }

    /** The words of a manual: its SYNOPSIS's, and the terms of its OPTIONS and COMMANDS. */
    private static Words words(String page, Set<String> except) {
        Words words = new Words();
        Map<String, List<String>> sections = Manuals.sections(page);
        for (String line : sections.getOrDefault("SYNOPSIS", List.of())) {
            words.add(line.strip(), except);
        }
        for (String heading : List.of("OPTIONS", "COMMANDS")) {
            List<String> lines = sections.getOrDefault(heading, List.of());
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (!line.isBlank() && !line.startsWith(" ") && ManPages.startsItem(lines, i)) {
                    Matcher item = ManPages.ITEM.matcher(line);
                    words.add(item.matches() ? item.group(1) : line.strip(), except);
                }
            }
        }
        return words;
    }

    /** The completion script. */
    static String script() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Set<String> commands = new TreeSet<>();
        for (String command : Manuals.commands()) {
            String[] words = command.split(" ");
            commands.add(words[0]);
            if (words.length > 1) {
                groups.computeIfAbsent(words[0], group -> new ArrayList<>()).add(words[1]);
            }
        }
        // Options before the command: the top page's, less the words that are commands.
        Words global = words(Manuals.MPTCP4J, commands);
        global.words.removeIf(word -> !word.startsWith("-"));
        Map<String, Words> perCommand = new TreeMap<>();
        perCommand.put("", global);
        for (String command : Manuals.commands()) {
            Set<String> except = new LinkedHashSet<>(List.of(command.split(" ")));
            except.add("mptcp4j");
            perCommand.put(command, words(Manuals.page(command), except));
        }

        Set<String> globalValues = new TreeSet<>(global.files);
        globalValues.addAll(global.values);
        globalValues.addAll(global.choices.keySet());
        global.words.stream().filter(NETNS::contains).forEach(globalValues::add);
        StringBuilder subcommands = new StringBuilder();
        StringBuilder helpSubcommands = new StringBuilder();
        groups.forEach((group, words) -> {
            subcommands.append("""
                                %s)
                                    if (( i + 1 == COMP_CWORD )); then
                                        COMPREPLY=($(compgen -W '%s' -- "$cur"))
                                        return
                                    fi
                                    command="$command ${COMP_WORDS[i+1]}" ;;
                    """.formatted(group, String.join(" ", words)));
            helpSubcommands.append("                        %s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n"
                    .formatted(group, String.join(" ", words)));
        });
        List<String> files = new ArrayList<>();
        List<String> values = new ArrayList<>();
        StringBuilder choices = new StringBuilder();
        StringBuilder words = new StringBuilder();
        perCommand.forEach((command, those) -> {
            String prefix = command.isEmpty() ? ":" : "'" + command + "':";
            those.files.forEach(word -> files.add(prefix + word));
            those.values.stream().filter(word -> !those.choices.containsKey(word)).forEach(word -> values.add(prefix + word));
            those.choices.forEach((word, choice) -> choices.append("        %s%s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n"
                    .formatted(prefix, word, choice)));
            if (!command.isEmpty()) {
                words.append("        '%s') COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n"
                        .formatted(command, String.join(" ", those.words)));
            }
        });
        return """
                # bash completion for mptcp4j, made from its manuals by org.mptcp4j.cli.BashCompletion.
                _mptcp4j() {
                    local cur=${COMP_WORDS[COMP_CWORD]} prev= i=1 command=
                    COMPREPLY=()
                    (( COMP_CWORD > 1 )) && prev=${COMP_WORDS[COMP_CWORD-1]}
                    # The options before the command, and their values.
                    while (( i < COMP_CWORD )); do
                        case ${COMP_WORDS[i]} in
                            @GLOBAL_VALUES@) (( i += 2 )) ;;
                            -*) (( i += 1 )) ;;
                            *) break ;;
                        esac
                    done
                    if (( i == COMP_CWORD )); then
                        COMPREPLY=($(compgen -W '@COMMANDS@ @GLOBAL@' -- "$cur"))
                        return
                    elif (( i < COMP_CWORD )); then
                        command=${COMP_WORDS[i]}
                        case $command in
                @SUBCOMMANDS@            help)
                                if (( i + 1 == COMP_CWORD )); then
                                    COMPREPLY=($(compgen -W '@COMMANDS@' -- "$cur"))
                                elif (( i + 2 == COMP_CWORD )); then
                                    case ${COMP_WORDS[i+1]} in
                @HELP_SUBCOMMANDS@                    esac
                                fi
                                return ;;
                        esac
                    fi
                    case $prev in
                        -n|-netns|--netns)
                            COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
                            return ;;
                    esac
                    case $command:$prev in
                        @FILES@)
                            compopt -o filenames 2>/dev/null
                            COMPREPLY=($(compgen -f -- "$cur"))
                            return ;;
                @CHOICES@        @VALUES@)
                            return ;;
                    esac
                    case $command in
                @WORDS@    esac
                }
                complete -F _mptcp4j mptcp4j
                """
                .replace("@GLOBAL_VALUES@", globalValues.isEmpty() ? "--" : String.join("|", globalValues))
                .replace("@COMMANDS@", String.join(" ", commands))
                .replace("@GLOBAL@", String.join(" ", global.words))
                .replace("@SUBCOMMANDS@", subcommands)
                .replace("@HELP_SUBCOMMANDS@", helpSubcommands)
                .replace("@FILES@", files.isEmpty() ? "--" : String.join("|", files))
                .replace("@CHOICES@", choices)
                .replace("@VALUES@", values.isEmpty() ? "--" : String.join("|", values))
                .replace("@WORDS@", words);
    }
}
