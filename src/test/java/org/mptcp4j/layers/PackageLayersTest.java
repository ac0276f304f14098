package org.mptcp4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library's packages are layered one way: no package uses, through its imports or the class
 * names its code writes out, a package that uses it back, however long the way round. Read
 * from the sources in java/, comments and strings left out (a javadoc link is not a use).
 */
class PackageLayersTest {
    private static final Path SOURCES = Path.of("java");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern USE = Pattern.compile("\\b(org\\.mptcp4j(?:\\.[a-z]\\w*)+)\\.[A-Z]");
    /**
     * Comments, text blocks, strings and char literals. A char literal is one char or one escape,
     * on one line: an apostrophe in a text block must not open a match to the next one, which
     * the regex engine would follow one recursion per char.
     */
    private static final Pattern COMMENT_OR_TEXT = Pattern.compile(
            "/\\*.*?\\*/|//[^\\n]*|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\[^'\\n]{1,6}|[^'\\\\\\n])'",
            Pattern.DOTALL);

    @Test
    void noPackageUsesOneThatUsesItBack() throws IOException {
        Map<String, Set<String>> uses = uses();
        assertTrue(uses.size() > 20, "read the packages of " + SOURCES.toAbsolutePath() + ": " + uses.keySet());
        assertEquals(List.of(), cycle(uses), "a cycle of packages");
    }

    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> uses = new TreeMap<>();
        uses.put("a", new TreeSet<>(Set.of("b")));
        uses.put("b", new TreeSet<>(Set.of("c")));
        uses.put("c", new TreeSet<>(Set.of("a")));
        assertEquals(List.of("a", "b", "c", "a"), cycle(uses));
    }

    /** Each package of java/ and the other packages of the library it uses. */
    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String code = COMMENT_OR_TEXT.matcher(Files.readString(file)).replaceAll(" ");
                Matcher declared = PACKAGE.matcher(code);
                if (!declared.find()) {
                    continue; // module-info.java
                }
                String from = declared.group(1);
                Set<String> used = uses.computeIfAbsent(from, p -> new TreeSet<>());
                Matcher use = USE.matcher(code.substring(declared.end()));
                while (use.find()) {
                    if (!use.group(1).equals(from)) {
                        used.add(use.group(1));
                    }
                }
            }
        }
        return uses;
    }

    /** A cycle of {@code uses}, from a package back to it; empty when there is none. */
    private static List<String> cycle(Map<String, Set<String>> uses) {
        Set<String> done = new TreeSet<>();
        for (String start : uses.keySet()) {
            List<String> found = cycleFrom(start, uses, new ArrayDeque<>(), done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> cycleFrom(String p, Map<String, Set<String>> uses, Deque<String> path, Set<String> done) {
        if (path.contains(p)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (String q : (Iterable<String>) path::descendingIterator) {
                in |= q.equals(p);
                if (in) {
                    cycle.add(q);
                }
            }
            cycle.add(p);
            return cycle;
        }
        if (!done.add(p)) {
            return List.of();
        }
        path.push(p);
        for (String next : uses.getOrDefault(p, Set.of())) {
            List<String> found = cycleFrom(next, uses, path, done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.pop();
        return List.of();
    }
}
