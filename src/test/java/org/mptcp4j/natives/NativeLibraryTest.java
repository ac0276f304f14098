package org.mptcp4j.natives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading libmptcp4j.so: from where, and what a failure says. */
@Tag("jni") // how libmptcp4j.so is found and loaded
class NativeLibraryTest {
    @Test
    void loadsFromTheLibraryPathInTests() {
        assertEquals("java.library.path", NativeLibrary.origin());
        assertTrue(NativeLibrary.libnl().startsWith("libnl 3."), NativeLibrary.libnl());
    }

    /** The classifier os-maven-plugin gives the platform jar built on this machine. */
    @Test
    void platformFolderFollowsTheClassifier() {
        String arch = System.getProperty("os.arch");
        String classifier = Map.of("amd64", "x86_64", "x86_64", "x86_64", "aarch64", "aarch_64", "arm64", "aarch_64")
                .get(arch);
        assertNotNull(classifier, "no platform jar is built for " + arch);
        assertEquals("META-INF/native/linux-" + classifier + "/libmptcp4j.so", NativeLibrary.resourcePath());
    }

    @Test
    void missingLibnlNamesThePackage() {
        var e = NativeLibrary.explain(new UnsatisfiedLinkError(
                "/tmp/libmptcp4j-1.so: libnl-genl-3.so.200: cannot open shared object file: No such file or directory"),
                "/tmp/libmptcp4j-1.so");
        assertTrue(e.getMessage().contains("install the package libnl-genl-3-200 (apt-get install libnl-genl-3-200)"), e.getMessage());
    }

    /**
     * The extracted library is written into the file its exclusive creation made, mode 0600:
     * not replaced by one the umask decides (0644 under the usual 022, 0666 under 0).
     */
    @Test
    void theExtractedLibraryIsReadableByItsOwnerOnly(@TempDir Path dir) throws Exception {
        byte[] library = "not really a library".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Path file = NativeLibrary.extract(new ByteArrayInputStream(library), dir);
        assertEquals(dir, file.getParent());
        assertTrue(file.getFileName().toString().matches("libmptcp4j-[0-9]+\\.so"), file.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(library, Files.readAllBytes(file));
    }
}
