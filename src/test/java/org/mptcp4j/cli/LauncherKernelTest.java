package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.command.Commands;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.testing.KernelTest;

/**
 * bin/mptcp4j over a tree of its own (the launcher and bin/setup copied, the built classes as
 * the daemon jar, the sources older than it): the install check runs once, not on every call,
 * and the class archive of one-shot commands is made once per jar, never in the way.
 */
@KernelTest
class LauncherKernelTest {
    private static final Instant NOW = Instant.now();

    @TempDir
    Path top;
    private Path jar;
    private Path queries;

    @BeforeEach
    void tree() throws IOException {
        Files.createDirectories(top.resolve("bin"));
        for (String script : List.of("mptcp4j", "setup")) {
            Files.copy(Path.of("bin", script), top.resolve("bin").resolve(script), StandardCopyOption.COPY_ATTRIBUTES);
        }
        for (String dir : List.of("java", "native", "include")) {
            age(Files.createDirectory(top.resolve(dir)));
        }
        age(Files.writeString(top.resolve("pom.xml"), "<project>\n  <version>1.0</version>\n</project>\n"));
        age(Files.writeString(top.resolve("CMakeLists.txt"), ""));
        jar = Files.createDirectories(top.resolve("target")).resolve("mptcp4j-1.0-daemon.jar");
        packDaemonJar(jar);
        Path nativeDir = Files.createDirectories(top.resolve("target/native-classes/META-INF/native/linux-x86_64"));
        Files.copy(Path.of(System.getProperty("mptcp4j.test.nativeDir"), "libmptcp4j.so"), nativeDir.resolve("libmptcp4j.so"));
        // dpkg-query answers that every package is installed and keeps a line per question.
        queries = top.resolve("dpkg-queries");
        Path stub = Files.createDirectory(top.resolve("stub")).resolve("dpkg-query");
        Files.writeString(stub, "#!/bin/sh\necho \"$*\" >> " + queries + "\nprintf 'install ok installed'\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
    }

    /** An hour older than what the test makes next: the jar is newer than the "sources". */
    private static void age(Path file) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(NOW.minus(1, ChronoUnit.HOURS)));
    }

    /** The built classes and slf4j-api, as the daemon jar packs them (no module-info: it runs on the class path). */
    private static void packDaemonJar(Path jar) throws IOException {
        String[] classpath = System.getProperty("mptcp4j.test.classpath").split(":");
        Path classes = Path.of(classpath[0]);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = classes.relativize(file).toString();
                if (!name.equals("module-info.class")) {
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(file, out);
                }
            }
            try (JarInputStream slf4j = new JarInputStream(Files.newInputStream(Path.of(classpath[1])))) {
                for (JarEntry entry = slf4j.getNextJarEntry(); entry != null; entry = slf4j.getNextJarEntry()) {
                    if (!entry.isDirectory() && !entry.getName().endsWith("module-info.class")) {
                        out.putNextEntry(new JarEntry(entry.getName()));
                        slf4j.transferTo(out);
                    }
                }
            }
        }
    }

    private Shell.Result launch(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "PATH=" + top.resolve("stub") + ":" + System.getenv("PATH"),
                "MPTCP4J_JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java")));
        command.add(top.resolve("bin/mptcp4j").toString());
        command.addAll(List.of(args));
        return Shell.execute(command);
    }

    private long questions() throws IOException {
        return Files.exists(queries) ? Files.readAllLines(queries).size() : 0;
    }

    private void assertHelpPrinted(Shell.Result r) {
        assertEquals("", r.err());
        assertEquals(Commands.OK, r.exit());
        assertEquals(Manuals.MPTCP4J, r.out());
    }

    @Test
    void theInstallCheckRunsOnceUntilSetupChanges() throws Exception {
        assertHelpPrinted(launch("help"));
        long once = questions();
        assertTrue(once > 0, "the first call checked the packages");

        assertHelpPrinted(launch("help"));
        assertEquals(once, questions(), "the second call did not");

        // bin/setup changed after the stamp was left, as a pull that changes it does.
        Files.setLastModifiedTime(top.resolve("target/setup.stamp"), FileTime.from(NOW.minus(2, ChronoUnit.HOURS)));
        assertHelpPrinted(launch("help"));
        assertEquals(2 * once, questions(), "a changed bin/setup is run again");
    }

    @Test
    void theClassArchiveIsMadeOncePerJarAndAnUnusableOneIsPassedOver() throws Exception {
        String runtime = System.getProperty("java.runtime.version");
        Path archive = top.resolve("target/start-up/cli-" + runtime + (Runtime.version().feature() >= 25 ? ".aot" : ".jsa"));

        assertHelpPrinted(launch("help"));
        assertTrue(Files.size(archive) > 0, "a training run made " + archive);
        FileTime made = Files.getLastModifiedTime(archive);
        assertHelpPrinted(launch("help"));
        assertEquals(made, Files.getLastModifiedTime(archive), "kept while the jar is the same");

        // The jar changed after the archive was made.
        Files.setLastModifiedTime(archive, FileTime.from(NOW.minus(2, ChronoUnit.HOURS)));
        assertHelpPrinted(launch("help"));
        assertTrue(Files.size(archive) > 0);
        assertTrue(Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0, "made again");

        try (OutputStream out = Files.newOutputStream(archive)) {
            out.write("not an archive".getBytes(StandardCharsets.US_ASCII));
        }
        Files.setLastModifiedTime(archive, FileTime.from(NOW.plus(2, ChronoUnit.HOURS)));
        assertHelpPrinted(launch("help"));
    }
}
