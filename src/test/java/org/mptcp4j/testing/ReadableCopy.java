package org.mptcp4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The mptcp4j command's class path and libmptcp4j.so, copied to a temporary folder that user
 * nobody can read, for the command run unprivileged: the tests' class path has slf4j-api from
 * /root/.m2, which only root can read. Removed by {@link #close()}.
 */
public final class ReadableCopy implements AutoCloseable {
    private final Path dir;
    private final String classPath;
    private final Path libraryDir;

    private ReadableCopy(Path dir, String classPath, Path libraryDir) {
        this.dir = dir;
        this.classPath = classPath;
        this.libraryDir = libraryDir;
    }

    public static ReadableCopy create() throws IOException {
        Path dir = Files.createTempDirectory("m4j-test-nobody-");
        try {
            List<String> entries = new ArrayList<>();
            int n = 0;
            for (String entry : System.getProperty("mptcp4j.test.classpath").split(":")) {
                Path target = dir.resolve("cp" + n++ + (Files.isDirectory(Path.of(entry)) ? "" : ".jar"));
                copyTree(Path.of(entry), target);
                entries.add(target.toString());
            }
            Path libraryDir = dir.resolve("lib");
            copyTree(Path.of(System.getProperty("mptcp4j.test.nativeDir")), libraryDir);
            readableByAll(dir);
            return new ReadableCopy(dir, String.join(":", entries), libraryDir);
        } catch (IOException | RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    /** {@code wrapper java ... org.mptcp4j.cli.Main args}, from the copy. */
    public List<String> command(List<String> wrapper, String... args) {
        List<String> command = new ArrayList<>(wrapper);
        // No hsperfdata file in /tmp: nothing of the child's is left behind, even after SIGKILL.
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Processes.transportOptions());
        command.addAll(List.of("-XX:-UsePerfData", "-Djava.library.path=" + libraryDir, "-cp", classPath,
                "org.mptcp4j.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    private static void readableByAll(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** The copy's folder, for files of the test's own (removed with it). */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        delete(dir);
    }
}

