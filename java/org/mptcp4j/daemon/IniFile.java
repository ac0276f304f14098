package org.mptcp4j.daemon;

import java.util.ArrayList;
import java.util.List;

/**
 * The configuration file's syntax, mptcpd's (a GLib key file): {@code [section]} or
 * {@code [kind name]} headers, {@code key = value} lines, comments from {@code #} or {@code ;}
 * at a line's start or after a blank. Every entry keeps its line, for error messages.
 */
final class IniFile {
    /** One header: its kind ("core", "controller", "namespace"), its name (or ""), its line. */
    record Section(String kind, String name, int line, List<Entry> entries) {
        /** The entry for {@code key}, or null. */
        Entry entry(String key) {
            for (Entry e : entries) {
                if (e.key().equals(key)) {
                    return e;
                }
            }
            return null;
        }

        String title() {
            return name.isEmpty() ? "[" + kind + "]" : "[" + kind + " " + name + "]";
        }
    }

    record Entry(String key, String value, int line) {}

    private IniFile() {}

    /** The sections in order; entries before the first header are an error. */
    static List<Section> parse(String source, String text) throws ConfigException {
        List<Section> sections = new ArrayList<>();
        Section current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = withoutComment(lines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    throw new ConfigException(source, number, null, "a section header ends with ']': " + line);
                }
                String[] words = line.substring(1, line.length() - 1).strip().split("\\s+", 2);
                if (words[0].isEmpty()) {
                    throw new ConfigException(source, number, null, "empty section header");
                }
                String name = words.length > 1 ? words[1].strip() : "";
                for (Section s : sections) {
                    if (s.kind().equals(words[0]) && s.name().equals(name)) {
                        throw new ConfigException(source, number, null, "section " + line + " again (first at line "
                                + s.line() + ")");
                    }
                }
                current = new Section(words[0], name, number, new ArrayList<>());
                sections.add(current);
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(source, number, null, "expected 'key = value' or '[section]', not '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            if (current == null) {
                throw new ConfigException(source, number, key, "'" + line + "' before any section (start with [core])");
            }
            Entry earlier = current.entry(key);
            if (earlier != null) {
                throw new ConfigException(source, number, key, "key '" + key + "' again in " + current.title()
                        + " (first at line " + earlier.line() + ")");
            }
            current.entries().add(new Entry(key, line.substring(eq + 1).strip(), number));
        }
        return sections;
    }

    private static String withoutComment(String line) {
        String trimmed = line.stripLeading();
        if (trimmed.startsWith("#") || trimmed.startsWith(";")) {
            return "";
        }
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c == '#' || c == ';') && Character.isWhitespace(line.charAt(i - 1))) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
