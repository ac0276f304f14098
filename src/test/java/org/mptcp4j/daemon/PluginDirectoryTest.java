package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin directory's rule (SECURITY.md): the directory, those above it and its jars owned
 * by root or the daemon's user and writable by no one else, no symbolic links; anything else is
 * refused with one line naming the file and what is wrong. (The tests run as root.)
 */
class PluginDirectoryTest {
    private static final String RULE = ": it must belong to root or to the daemon's user (uid 0) and be writable by no one"
            + " else";
    private static final int NOBODY = 65534;

    @TempDir
    Path temp;
    private Path plugins;
    private Path jar;
    private ClassLoader before;

    @BeforeEach
    void safeDirectoryWithAJar() throws IOException {
        before = Thread.currentThread().getContextClassLoader();
        plugins = Files.createDirectory(temp.resolve("plugins"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        jar = plugins.resolve("controllers.jar");
        new JarOutputStream(Files.newOutputStream(jar)).close();
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterEach
    void contextLoaderAsBefore() {
        Thread.currentThread().setContextClassLoader(before);
    }

    @Test
    void aDirectoryKeepingTheRuleIsLoaded() throws IOException {
        assertEquals(List.of(jar), PluginDirectory.load(plugins));
    }

    @Test
    void aJarOthersMayWriteIsRefused() throws IOException {
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-rw-r--"));
        assertEquals("plugin directory " + plugins + ": " + jar + " is owned by root (uid 0) with mode 0664" + RULE
                + "; run 'chmod go-w " + jar + "'", refusal(plugins));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--rw-"));
        assertEquals("plugin directory " + plugins + ": " + jar + " is owned by root (uid 0) with mode 0646" + RULE
                + "; run 'chmod go-w " + jar + "'", refusal(plugins));
    }

    @Test
    void aJarOrDirectoryOfAnotherUserIsRefused() throws IOException {
        Files.setAttribute(jar, "unix:uid", NOBODY);
        assertEquals("plugin directory " + plugins + ": " + jar + " is owned by nobody (uid " + NOBODY + ") with mode 0644"
                + RULE + "; run 'chown root " + jar + "'", refusal(plugins));
        Files.setAttribute(jar, "unix:uid", 0);
        Files.setAttribute(plugins, "unix:uid", NOBODY);
        assertEquals("plugin directory " + plugins + ": " + plugins + " is owned by nobody (uid " + NOBODY
                + ") with mode 0755" + RULE + "; run 'chown root " + plugins + "'", refusal(plugins));
    }

    /** A directory above that others may write lets them put another in its place; a sticky one (/tmp) does not. */
    @Test
    void aDirectoryAboveOthersMayWriteIsRefusedUnlessSticky() throws IOException {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals("plugin directory " + plugins + ": " + temp + " is owned by root (uid 0) with mode 0777" + RULE
                + " unless it is sticky; run 'chmod go-w " + temp + "'", refusal(plugins));
        Files.setAttribute(temp, "unix:mode", 01777);
        assertEquals(List.of(jar), PluginDirectory.load(plugins));
    }

    @Test
    void symbolicLinksAreRefused() throws IOException {
        Path link = Files.createSymbolicLink(temp.resolve("link"), plugins);
        assertEquals("plugin directory " + link + ": " + link + " is a symbolic link: name the directory it leads to",
                refusal(link));
        assertEquals("plugin directory " + link.resolve("..").resolve("plugins") + ": " + link
                + " is a symbolic link: name the directory it leads to", refusal(link.resolve("..").resolve("plugins")),
                "a link above is refused too");
        Path elsewhere = Files.move(jar, temp.resolve("elsewhere.jar"));
        Files.createSymbolicLink(jar, elsewhere);
        assertEquals("plugin directory " + plugins + ": " + jar + " is a symbolic link", refusal(plugins));
    }

    /** The configuration names the line, and says it once. */
    @Test
    void theConfigurationIsRefusedAtThePluginDirLine() throws IOException {
        Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path config = Files.writeString(temp.resolve("mptcp4j.conf"), "[core]\nplugin-dir = plugins\n");
        ConfigException e = assertThrows(ConfigException.class, () -> DaemonConfig.load(config, new DaemonConfig.Overrides()));
        assertEquals(config + ":2: [core] plugin-dir: plugin directory " + plugins + ": " + plugins
                + " is owned by root (uid 0) with mode 0775" + RULE + "; run 'chmod go-w " + plugins + "'", e.getMessage());
    }

    private static String refusal(Path directory) {
        return assertThrows(IOException.class, () -> PluginDirectory.load(directory)).getMessage();
    }
}
