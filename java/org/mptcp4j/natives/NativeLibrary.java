package org.mptcp4j.natives;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.mptcp4j.protocol.MptcpException;

/**
 * Loads {@code libmptcp4j.so} once per class loader: from {@code java.library.path} when it
 * is there, else extracted from the platform jar ({@code META-INF/native/<os>-<arch>/}) to a
 * uniquely named temporary file. Its natives are bound on loading; {@code netlink.RecordLayouts}
 * checks the event record's layout before the C decoder writes one.
 */
public final class NativeLibrary {
    static final String NAME = "mptcp4j";
    /** Directory for the extracted library; must allow exec (default java.io.tmpdir). */
    public static final String WORKDIR_PROPERTY = "mptcp4j.native.workdir";

    private static final Object LOCK = new Object();
    private static volatile String origin;

    private NativeLibrary() {}

    /** Loads the library if this class loader has not yet; throws MptcpException if it cannot. */
    public static void ensureLoaded() {
        if (origin != null) {
            return;
        }
        synchronized (LOCK) {
            if (origin == null) {
                origin = load();
            }
        }
    }

    /**
     * Where the library was loaded from: "java.library.path" or the extracted file's name. For
     * the JNI transport only: the FFM transport loads no library.
     */
    public static String origin() {
        requireJni();
        return origin;
    }

    /** The libnl version the library was built against, for the JNI transport only, as {@link #origin()}. */
    public static String libnl() {
        requireJni();
        return libnlVersion();
    }

    /** Loads the library, or refuses when the FFM transport runs: then nothing of it is ever loaded. */
    private static void requireJni() {
        if (Transport.foreign()) {
            throw new IllegalStateException("the FFM transport loads no native library");
        }
        ensureLoaded();
    }

    /** The platform folder in the classifier jar, as os-maven-plugin names it. */
    static String platform() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String normalized = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch_64";
            default -> arch;
        };
        return "linux-" + normalized;
    }

    static String resourcePath() {
        return "META-INF/native/" + platform() + "/lib" + NAME + ".so";
    }

    private static String load() {
        try {
            System.loadLibrary(NAME);
            return "java.library.path";
        } catch (UnsatisfiedLinkError e) {
            if (!isNotOnLibraryPath(e)) {
                throw explain(e, "java.library.path");
            }
        }
        return extractAndLoad();
    }

    private static boolean isNotOnLibraryPath(UnsatisfiedLinkError e) {
        String message = String.valueOf(e.getMessage());
        return message.startsWith("no " + NAME + " in");
    }

    private static String extractAndLoad() {
        String resource = resourcePath();
        ClassLoader loader = NativeLibrary.class.getClassLoader();
        InputStream in = loader == null
                ? ClassLoader.getSystemResourceAsStream(resource)
                : loader.getResourceAsStream(resource);
        if (in == null) {
            throw new MptcpException("load libmptcp4j.so", 0,
                    "not on java.library.path and no " + resource
                            + " on the class path: add the mptcp4j-<version>-" + platform()
                            + ".jar platform jar to the class path (also when mptcp4j is on the module path)");
        }
        Path dir = Path.of(System.getProperty(WORKDIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        Path file;
        try (in) {
            file = extract(in, dir);
        } catch (IOException e) {
            throw new MptcpException("extract libmptcp4j.so to " + dir, 0, e.toString());
        }
        try {
            System.load(file.toAbsolutePath().toString());
            return file.toString();
        } catch (UnsatisfiedLinkError e) {
            throw explain(e, file.toString());
        } finally {
            // The mapping survives the unlink; nothing is left in the temp folder.
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort: the file is unique and harmless
            }
        }
    }

    /**
     * Writes {@code in} to a new file of {@code dir}, uniquely named, created with O_EXCL and
     * mode 0600 and written through the descriptor that created it: nobody else can have opened
     * or replaced it, and the umask cannot widen its mode.
     */
    static Path extract(InputStream in, Path dir) throws IOException {
        Path file = dir.resolve("lib" + NAME + "-" + Long.toUnsignedString(new SecureRandom().nextLong()) + ".so");
        FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(
                EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        SeekableByteChannel channel = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ownerOnly);
        try (channel) {
            in.transferTo(Channels.newOutputStream(channel));
        } catch (IOException e) {
            Files.deleteIfExists(file); // ours: CREATE_NEW made it
            throw e;
        }
        return file;
    }

    /** Turns the dynamic loader's complaint into what to do about it. */
    static MptcpException explain(UnsatisfiedLinkError e, String from) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("libnl-genl-3") || message.contains("libnl-3")) {
            // libnl-genl-3-200 depends on libnl-3-200: the one package brings both.
            return new MptcpException("load libmptcp4j.so", 0,
                    "libnl is missing or broken (" + lastPart(message) + "): install the package "
                            + "libnl-genl-3-200 (apt-get install libnl-genl-3-200)");
        }
        if (message.contains("failed to map segment") || message.contains("Operation not permitted")) {
            return new MptcpException("load libmptcp4j.so", 0,
                    from + " is on a noexec file system (" + lastPart(message) + "): set -D"
                            + WORKDIR_PROPERTY + " to a directory that allows exec");
        }
        return new MptcpException("load libmptcp4j.so from " + from, 0, message);
    }

    private static String lastPart(String message) {
        int colon = message.indexOf(": ");
        return colon >= 0 ? message.substring(colon + 2) : message;
    }

    private static native String libnlVersion();
}
