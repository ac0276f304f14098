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
    private static final String RULE = ": the directory and its jars must be owned by root or the daemon's user and"
            + " writable by no one else";
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
        assertEquals("plugin directory " + plugins + ": " + jar + " is writable by its group (mode 664)" + RULE,
                refusal(plugins));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--rw-"));
        assertEquals("plugin directory " + plugins + ": " + jar + " is writable by others (mode 646)" + RULE,
                refusal(plugins));
    }

    @Test
    void aJarOrDirectoryOfAnotherUserIsRefused() throws IOException {
        Files.setAttribute(jar, "unix:uid", NOBODY);
        assertEquals("plugin directory " + plugins + ": " + jar + " is owned by uid " + NOBODY + RULE, refusal(plugins));
        Files.setAttribute(jar, "unix:uid", 0);
        Files.setAttribute(plugins, "unix:uid", NOBODY);
        assertEquals("plugin directory " + plugins + ": " + plugins + " is owned by uid " + NOBODY + RULE,
                refusal(plugins));
    }

    /** A directory above that others may write lets them put another in its place; a sticky one (/tmp) does not. */
    @Test
    void aDirectoryAboveOthersMayWriteIsRefusedUnlessSticky() throws IOException {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals("plugin directory " + plugins + ": " + temp + " is writable by its group (mode 777)" + RULE,
                refusal(plugins));
        Files.setAttribute(temp, "unix:mode", 01777);
        assertEquals(List.of(jar), PluginDirectory.load(plugins));
    }

    @Test
    void symbolicLinksAreRefused() throws IOException {
        Path link = Files.createSymbolicLink(temp.resolve("link"), plugins);
        assertEquals("plugin directory " + link + ": " + link + " is a symbolic link" + RULE, refusal(link));
        Path elsewhere = Files.move(jar, temp.resolve("elsewhere.jar"));
        Files.createSymbolicLink(jar, elsewhere);
        assertEquals("plugin directory " + plugins + ": " + jar + " is a symbolic link" + RULE, refusal(plugins));
    }

    /** The configuration names the line, and says it once. */
    @Test
    void theConfigurationIsRefusedAtThePluginDirLine() throws IOException {
        Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path config = Files.writeString(temp.resolve("mptcp4j.conf"), "[core]\nplugin-dir = plugins\n");
        ConfigException e = assertThrows(ConfigException.class, () -> DaemonConfig.load(config, new DaemonConfig.Overrides()));
        assertEquals(config + ":2: [core] plugin-dir: plugin directory " + plugins + ": " + plugins
                + " is writable by its group (mode 775)" + RULE, e.getMessage());
    }

    private static String refusal(Path directory) {
        return assertThrows(IOException.class, () -> PluginDirectory.load(directory)).getMessage();
    }
}
