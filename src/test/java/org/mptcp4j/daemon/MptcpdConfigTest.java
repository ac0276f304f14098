package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.logging.LogSettings;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * mptcpd's own configuration file, as Debian's mptcpd package ships it (bin/setup installs it),
 * read by the daemon; what each of its keys is here:
 *
 * <pre>
 * log=stderr            where the log goes: stderr, syslog, journal or null, as mptcpd's
 * plugin-dir=DIR        a directory of plugins: jars of controllers here (mptcpd's are .so files)
 * path-manager=addr_adv the controller for connections: mptcpd's plugin names are none of
 *                       mptcp4j's controllers, so the file's value is refused naming those there are
 * addr-flags=subflow    flags of the addresses controllers announce (subflow, signal, backup,
 *                       fullmesh; signal and fullmesh exclude each other)
 * notify-flags=...      which address changes controllers hear of (existing: always so); without
 *                       it mptcp4j skips loopback and link-local addresses, mptcpd none
 * load-plugins=a,b      only plugin-dir's a.jar and b.jar
 * </pre>
 */
class MptcpdConfigTest {
    private static final Path SHIPPED = Path.of("/etc/mptcpd/mptcpd.conf");

    @TempDir
    Path temp;
    private Path plugins;
    private ClassLoader before;

    @BeforeEach
    void pluginDirectory() throws IOException {
        before = Thread.currentThread().getContextClassLoader();
        plugins = Files.createDirectory(temp.resolve("plugins"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        for (String name : List.of("addr_adv", "sspi", "other")) {
            Path jar = plugins.resolve(name + ".jar");
            new JarOutputStream(Files.newOutputStream(jar)).close();
            Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    @AfterEach
    void contextLoaderAsBefore() {
        Thread.currentThread().setContextClassLoader(before);
    }

    /** The shipped text with {@code from} replaced, which must be there. */
    private static String replaced(String text, String from, String to) {
        assertTrue(text.contains(from), "mptcpd.conf has no '" + from + "'");
        return text.replace(from, to);
    }

    private DaemonConfig load(String text) throws Exception {
        Path file = temp.resolve("mptcpd.conf");
        Files.writeString(file, text);
        return DaemonConfig.load(file, new DaemonConfig.Overrides());
    }

    private String shipped() throws IOException {
        assertTrue(Files.exists(SHIPPED), SHIPPED + " is missing: install Debian's mptcpd package (bin/setup does)");
        String text = Files.readString(SHIPPED);
        String pluginDir = text.lines().filter(l -> l.startsWith("plugin-dir=")).findFirst().orElseThrow();
        // Its plugins are mptcpd's shared objects: the test's directory of jars stands in for it.
        return replaced(text, pluginDir, "plugin-dir=" + plugins);
    }

    @Test
    void theShippedFileIsReadAndOnlyItsPathManagerNamesNoControllerHere() throws Exception {
        String text = shipped();
        ConfigException e = assertThrows(ConfigException.class, () -> load(text));
        assertEquals("path-manager", e.key());
        assertTrue(e.detail().startsWith("[core] path-manager: no controller named 'addr_adv' (there are: "), e.detail());

        DaemonConfig c = load(replaced(text, "path-manager=addr_adv", "path-manager=ndiffports"));
        assertEquals(LogSettings.Destination.STDERR, c.log());
        NamespaceConfig self = c.namespaces().get(0);
        assertEquals("", self.target(), "no [namespace]: the daemon's own");
        assertEquals("ndiffports", self.pathManager());
        assertEquals(0, self.addressFlags(), "addr-flags is commented out");
        // Unlike mptcpd, without notify-flags loopback and link-local addresses are not heard of.
        assertFalse(self.loopback() || self.linkLocal(), "notify-flags commented out: mptcp4j's default");
        assertEquals(List.of("addr_adv.jar", "other.jar", "sspi.jar"), jars(self), "without load-plugins, every jar");
    }

    @Test
    void itsCommentedKeysMeanWhatTheyMeanToMptcpd() throws Exception {
        String edited = replaced(shipped(), "path-manager=addr_adv", "path-manager=ndiffports");
        edited = replaced(edited, "# addr-flags=subflow", "addr-flags=subflow");
        edited = replaced(edited, "# notify-flags=existing,skip_link_local,skip_loopback",
                "notify-flags=existing,skip_link_local,skip_loopback");
        String text = replaced(edited, "# load-plugins=addr_adv,sspi", "load-plugins=addr_adv,sspi");
        for (String log : List.of("stderr", "syslog", "journal", "null")) {
            DaemonConfig c = load(replaced(text, "log=stderr", "log=" + log));
            assertEquals(LogSettings.parseDestination(log), c.log());
            NamespaceConfig self = c.namespaces().get(0);
            assertEquals(MptcpAddress.FLAG_SUBFLOW, self.addressFlags());
            assertFalse(self.loopback());
            assertFalse(self.linkLocal());
            assertEquals(List.of("addr_adv.jar", "sspi.jar"), jars(self), "load-plugins: only those named");
        }

        assertEquals(MptcpAddress.FLAG_SIGNAL | MptcpAddress.FLAG_BACKUP,
                load(replaced(text, "addr-flags=subflow", "addr-flags=signal,backup")).namespaces().get(0).addressFlags());
        ConfigException both = assertThrows(ConfigException.class,
                () -> load(replaced(text, "addr-flags=subflow", "addr-flags=signal,fullmesh")));
        assertEquals("[core] addr-flags: signal and fullmesh exclude each other", both.detail());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> load(replaced(text, "addr-flags=subflow", "addr-flags=laminar")));
        assertEquals("[core] addr-flags: 'laminar' is not accepted (subflow, signal, backup, fullmesh)", unknown.detail());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> load(replaced(text, "load-plugins=addr_adv,sspi", "load-plugins=addr_adv,nowhere")));
        assertEquals("load-plugins", missing.key());
        assertEquals("[core] load-plugins: no plugin nowhere (nowhere.jar) in " + plugins, missing.detail());
    }

    private static List<String> jars(NamespaceConfig config) {
        URL[] urls = ((URLClassLoader) config.controllerLoader()).getURLs();
        return Arrays.stream(urls).map(u -> Path.of(u.getPath()).getFileName().toString()).sorted().toList();
    }
}
