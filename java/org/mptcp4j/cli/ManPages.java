package org.mptcp4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manuals ({@link Manuals}) as man pages in troff: {@code mptcp4j.1}, one page per command
 * ({@code mptcp4j-run.1}, {@code mptcp4j-endpoint-add.1}) and one per group of subcommands
 * with all of theirs ({@code mptcp4j-endpoint.1}). The text is the manuals' own: paragraphs are
 * filled, lists of terms become tagged paragraphs, indented examples stay as written.
 * <p>
 * {@code java -cp mptcp4j.jar org.mptcp4j.cli.ManPages DIR} writes them into DIR; the date on
 * them is SOURCE_DATE_EPOCH's when it is set (reproducible packages), else today's.
 */
final class ManPages {
    /** A term and its description on one line: two blanks or more between them. */
    static final Pattern ITEM = Pattern.compile("(\\S(?:.*?\\S)?) {2,}(\\S.*)");
    /** "mptcp4j run - what it does": the page's name and its line of description. */
    private static final Pattern NAME = Pattern.compile("(mptcp4j(?: \\S+)*) - (.*)");

    private final String version;
    private final String date;

    ManPages(String version, String date) {
        this.version = version;
        this.date = date;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("Usage: java -cp mptcp4j.jar org.mptcp4j.cli.ManPages DIR");
            System.exit(2);
        }
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        LocalDate date = epoch == null ? LocalDate.now(ZoneOffset.UTC)
                : LocalDate.ofInstant(Instant.ofEpochSecond(Long.parseLong(epoch)), ZoneOffset.UTC);
        String version = Main.class.getPackage().getImplementationVersion();
        Path dir = Files.createDirectories(Path.of(args[0]));
        for (Map.Entry<String, String> page : new ManPages(version != null ? version : "development build",
                date.toString()).pages().entrySet()) {
            Files.writeString(dir.resolve(page.getKey()), page.getValue(), StandardCharsets.UTF_8);
        }
    }

    /** Every page by its file name: mptcp4j.1 first, then the commands' and the groups'. */
    Map<String, String> pages() {
        Map<String, String> pages = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String command : Manuals.commands()) {
            names.add(fileName(command));
            int blank = command.indexOf(' ');
            if (blank > 0) {
                groups.computeIfAbsent(command.substring(0, blank), group -> new ArrayList<>()).add(command);
            }
        }
        groups.keySet().forEach(group -> names.add(fileName(group)));
        names.sort(null);
        pages.put("mptcp4j.1", page("mptcp4j", Manuals.MPTCP4J, names.stream().map(ManPages::reference).toList()));
        for (String command : Manuals.commands()) {
            String group = command.indexOf(' ') > 0 ? command.substring(0, command.indexOf(' ')) : null;
            List<String> seeAlso = group == null ? List.of("mptcp4j(1)") : List.of(reference(fileName(group)), "mptcp4j(1)");
            pages.put(fileName(command), page(command, Manuals.page(command), seeAlso));
        }
        groups.forEach((group, commands) -> pages.put(fileName(group), groupPage(group, commands)));
        return pages;
    }

    /** "endpoint add" is mptcp4j-endpoint-add.1. */
    static String fileName(String command) {
        return "mptcp4j-" + command.replace(' ', '-') + ".1";
    }

    private static String reference(String fileName) {
        return fileName.substring(0, fileName.length() - 2) + "(1)";
    }

    /** One command's page; {@code seeAlso} is added to its SEE ALSO section. */
    private String page(String command, String manual, List<String> seeAlso) {
        Map<String, List<String>> sections = Manuals.sections(manual);
        StringBuilder out = header(command);
        sections.forEach((heading, lines) -> {
            if (heading.equals("SEE ALSO")) {
                return;
            }
            out.append(".SH ").append(heading).append('\n');
            switch (heading) {
                case "NAME" -> name(out, lines);
                case "SYNOPSIS" -> synopsis(out, command, lines);
                default -> body(out, heading, lines);
            }
        });
        seeAlso(out, sections.get("SEE ALSO"), seeAlso);
        return out.toString();
    }

    /**
     * A group's page: NAME for the group, every subcommand's SYNOPSIS, then each subcommand's
     * description and sections under a heading of its own.
     */
    private String groupPage(String group, List<String> commands) {
        StringBuilder out = header(group);
        List<String> subcommands = commands.stream().map(command -> command.substring(group.length() + 1)).toList();
        int last = subcommands.size() - 1;
        String list = last == 0 ? subcommands.get(0)
                : String.join(", ", subcommands.subList(0, last)) + " and " + subcommands.get(last);
        out.append(".SH NAME\n").append(escape("mptcp4j-" + group + " - mptcp4j " + group + " " + list)).append('\n');
        out.append(".SH SYNOPSIS\n");
        for (String command : commands) {
            synopsis(out, command, Manuals.sections(Manuals.page(command)).get("SYNOPSIS"));
        }
        for (String command : commands) {
            Map<String, List<String>> sections = Manuals.sections(Manuals.page(command));
            out.append(".SH \"").append(escape(command.toUpperCase(Locale.ROOT))).append("\"\n");
            Matcher name = NAME.matcher(sections.get("NAME").get(0).strip());
            if (name.matches()) {
                out.append(escape(capitalized(name.group(2)) + ".")).append('\n');
            }
            sections.forEach((heading, lines) -> {
                if (!heading.equals("NAME") && !heading.equals("SYNOPSIS")) {
                    out.append(".SS ").append(heading).append('\n');
                    body(out, heading, lines);
                }
            });
        }
        seeAlso(out, null, commands.stream().map(command -> reference(fileName(command))).toList());
        return out.toString();
    }

    private StringBuilder header(String command) {
        String title = command.equals("mptcp4j") ? "MPTCP4J" : "MPTCP4J-" + command.toUpperCase(Locale.ROOT).replace(' ', '-');
        // Ragged right and no hyphenation (HY: the man macros' paragraphs restore its value):
        // option names and addresses stay whole.
        return new StringBuilder(".TH " + title + " 1 " + date + " \"mptcp4j " + escape(version)
                + "\" \"mptcp4j Manual\"\n.ad l\n.nr HY 0\n.hy 0\n");
    }

    /** "mptcp4j run - the daemon" as "mptcp4j-run \- the daemon", the form whatis reads. */
    private static void name(StringBuilder out, List<String> lines) {
        String text = String.join(" ", lines.stream().map(String::strip).toList());
        Matcher name = NAME.matcher(text);
        if (name.matches()) {
            text = name.group(1).replace(' ', '-') + " - " + name.group(2);
        }
        out.append(escape(text)).append('\n');
    }

    /** Each synopsis (continued on deeper lines) as .SY/.YS: lines wrap under the options. */
    private static void synopsis(StringBuilder out, String command, List<String> lines) {
        List<String> synopses = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith(" ") && !synopses.isEmpty()) {
                synopses.set(synopses.size() - 1, synopses.get(synopses.size() - 1) + " " + line.strip());
            } else {
                synopses.add(line.strip());
            }
        }
        for (String synopsis : synopses) {
            String name = "mptcp4j " + command;
            if (!(synopsis.equals(name) || synopsis.startsWith(name + " "))) {
                name = "mptcp4j";
            }
            out.append(".SY ").append(escape(name).replace(" ", "\\ ")).append('\n');
            String rest = synopsis.substring(name.length()).strip();
            if (!rest.isEmpty()) {
                out.append(escape(rest)).append('\n');
            }
            out.append(".YS\n");
        }
    }

    /**
     * A section's lines: paragraphs at the section's indentation are filled; in lists (a
     * section that opens with a term and its description, two blanks apart) each term starts a
     * tagged paragraph, continued by the lines under its description; lines indented deeper than
     * the text around them, and all of EXAMPLES, stay as written.
     */
    private static void body(StringBuilder out, String heading, List<String> lines) {
        boolean examples = heading.equals("EXAMPLES");
        boolean list = !examples && !lines.isEmpty() && startsItem(lines, 0);
        int description = -1; // the column of the current item's description, -1 outside an item
        int preformatted = -1; // the indentation of the block kept as written, -1 outside one
        boolean paragraph = false; // the previous line was filled text
        boolean blank = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                blank = true;
                continue;
            }
            int indent = indent(line);
            if (description >= 0 && indent >= description && !blank) {
                out.append(escape(line.strip())).append('\n');
                continue;
            }
            description = -1;
            if (examples || indent > 0 && !(list && startsItem(lines, i))) {
                if (preformatted < 0) {
                    out.append(".RS 2\n.nf\n");
                    preformatted = indent;
                } else if (blank) {
                    out.append(".sp\n");
                }
                out.append(escape(" ".repeat(Math.max(0, indent - preformatted)) + line.strip())).append('\n');
                blank = false;
                continue;
            }
            if (preformatted >= 0) {
                out.append(".fi\n.RE\n");
                preformatted = -1;
            }
            if (list && startsItem(lines, i)) {
                Matcher item = ITEM.matcher(line.strip());
                out.append(".TP\n");
                if (item.matches()) {
                    out.append("\\fB").append(escape(item.group(1))).append("\\fR\n").append(escape(item.group(2))).append('\n');
                    description = indent + item.start(2);
                } else {
                    out.append("\\fB").append(escape(line.strip())).append("\\fR\n");
                    description = indent(lines.get(i + 1));
                }
                paragraph = false;
            } else {
                if (!paragraph || blank) {
                    out.append(".PP\n");
                }
                out.append(escape(line.strip())).append('\n');
                paragraph = true;
            }
            blank = false;
        }
        if (preformatted >= 0) {
            out.append(".fi\n.RE\n");
        }
    }

    /**
     * Whether line {@code i} starts an item: a term and its description two blanks apart, or
     * a term alone with its description on the deeper lines under it.
     */
    static boolean startsItem(List<String> lines, int i) {
        String line = lines.get(i);
        if (ITEM.matcher(line.strip()).matches()) {
            return true;
        }
        if (i + 1 >= lines.size() || lines.get(i + 1).isBlank()) {
            return false;
        }
        String next = lines.get(i + 1);
        return indent(next) > indent(line) + 2 && !ITEM.matcher(next.strip()).matches();
    }

    private static void seeAlso(StringBuilder out, List<String> own, List<String> more) {
        out.append(".SH SEE ALSO\n");
        List<String> references = new ArrayList<>();
        if (own != null) {
            own.stream().map(String::strip).filter(line -> !line.isEmpty()).forEach(references::add);
        }
        references.addAll(more);
        out.append(escape(String.join(", ", references))).append('\n');
    }

    private static int indent(String line) {
        int indent = 0;
        while (indent < line.length() && line.charAt(indent) == ' ') {
            indent++;
        }
        return indent;
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /**
     * Text as troff reads it literally: backslashes as \e, hyphens as \- (a minus: options
     * can be copied), and a line that would start with a control character ('.', '\'')
     * guarded with \&.
     */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }
}
