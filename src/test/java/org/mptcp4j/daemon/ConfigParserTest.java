package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration mistake carries where it is as fields: the file (or the command line), the
 * line, the key; the message is made of them.
 */
class ConfigParserTest {
    @TempDir
    Path dir;

    private Path file;

    private ConfigException error(String text) throws IOException {
        file = dir.resolve("mptcp4j.conf");
        Files.writeString(file, text);
        return assertThrows(ConfigException.class, () -> DaemonConfig.load(file, new DaemonConfig.Overrides()));
    }

    private void assertWhere(ConfigException e, Path file, int line, String key) {
        assertEquals(file.toString(), e.file(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(key, e.key(), e.getMessage());
        assertFalse(e.onCommandLine());
        assertEquals(file + ":" + line + ": " + e.detail(), e.getMessage());
    }

    @Test
    void anUnknownKeyIsItsLineAndKey() throws IOException {
        ConfigException e = error("[core]\nidle = blocking\n\nidel = yielding\n");
        assertWhere(e, file, 4, "idel");
        assertTrue(e.detail().startsWith("unknown key 'idel' in [core]; accepted: "), e.detail());
    }

    @Test
    void aBadValueIsItsLineAndKeyInTheSectionThatSetIt() throws IOException {
        ConfigException e = error("[core]\nidle = blocking\n[namespace blue]\nreceive-buffer = 1K\n");
        assertWhere(e, file, 4, "receive-buffer");
        assertTrue(e.detail().startsWith("[namespace blue] receive-buffer must be a size in 4K..1G"), e.detail());
        assertWhere(error("[core]\ndecoding = c\n"), file, 2, "decoding");
    }

    @Test
    void aDuplicateSectionIsTheSecondHeadersLineAndNoKey() throws IOException {
        ConfigException e = error("[namespace blue]\nidle = blocking\n[namespace blue]\n");
        assertWhere(e, file, 3, null);
        assertEquals("section [namespace blue] again (first at line 1)", e.detail());
    }

    @Test
    void aDuplicateKeyIsTheSecondLineAndTheKey() throws IOException {
        assertWhere(error("[core]\nidle = blocking\nidle = yielding\n"), file, 3, "idle");
    }

    @Test
    void aSyntaxMistakeIsItsLineAndNoKey() throws IOException {
        assertWhere(error("[core]\nblocking\n"), file, 2, null);
    }

    @Test
    void aControllersParameterIsItsOwnLineAndName() throws IOException {
        ConfigException e = error("[controller fullmesh]\nbackoff = 1s\nside = both\n");
        assertWhere(e, file, 3, "side");
        assertEquals("[controller fullmesh] side: fullmesh: parameter 'side' must be client or any, not 'both'", e.detail());
    }

    @Test
    void aMissingRequiredParameterIsTheSectionsLineAndTheParametersName() throws IOException {
        ConfigException e = error("[core]\npath-manager = announce\n\n[controller announce]\nside = any\n");
        assertWhere(e, file, 4, "addresses");
    }

    @Test
    void aPolicyRuleIsThePolicyFilesLineAndTheParameter() throws IOException {
        Path policy = dir.resolve("rules");
        Files.writeString(policy, "default -> none\nport 443 -> fullmesh backoff=1y\n");
        assertWhere(error("[core]\npolicy = rules\n"), policy, 2, "backoff");
        Files.writeString(policy, "# rules\nremot 10.0.0.0/8 -> none\n");
        assertWhere(error("[core]\npolicy = rules\n"), policy, 2, null);
    }

    @Test
    void aFlagsMistakeIsTheCommandLineWithTheKeyItSets() {
        ConfigException e = assertThrows(ConfigException.class, () -> DaemonConfig.load(null,
                new DaemonConfig.Overrides().set("--idle", "idle", "lazy")));
        assertTrue(e.onCommandLine());
        assertEquals(DaemonConfig.COMMAND_LINE, e.file());
        assertEquals(0, e.line());
        assertEquals("idle", e.key());
        assertEquals("--idle: unknown idle strategy 'lazy': expected blocking, busy-spin or yielding", e.detail());
        e = assertThrows(ConfigException.class, () -> DaemonConfig.load(null,
                new DaemonConfig.Overrides().controller("--controller", "ndiffports", Map.of("subflows", "0"))));
        assertTrue(e.onCommandLine());
        assertEquals("subflows", e.key());
        assertTrue(e.detail().startsWith("--controller: ndiffports: parameter 'subflows' must be"), e.detail());
    }

    @Test
    void aMissingFileIsTheFileAlone() {
        Path none = dir.resolve("none.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> DaemonConfig.load(none, new DaemonConfig.Overrides()));
        assertEquals(none.toString(), e.file());
        assertEquals(0, e.line());
        assertNull(e.key());
    }
}
