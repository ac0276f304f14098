package org.mptcp4j.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.mptcp4j.files.TrustedPath;

/**
 * The control socket's file and its directory. The directory decides who can replace the
 * socket or plant a link where the daemon will write, so it and every directory above it must
 * keep {@link TrustedPath}'s rule; one the daemon makes gets mode 0700. The socket
 * is bound in a fresh directory of the daemon's own, given its mode there, and renamed into
 * place: nothing is ever changed through a path someone else could have swapped for a link,
 * and the socket never appears with the umask's mode.
 */
final class SocketFile {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    private static final Set<PosixFilePermission> SOCKET_MODE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    /** A listening channel, and the directory made for it (null if it existed). */
    record Bound(ServerSocketChannel channel, Path createdDirectory) {}

    private SocketFile() {}

    /**
     * Listens on {@code socket}, a socket file of mode 0600 in a directory checked (or made)
     * for {@code ownUid}. A socket file nobody listens on any more (a killed daemon's) is replaced.
     *
     * @throws IOException naming the directory, its owner and mode and what to do when it is not
     *     safe; when {@code socket} or its directory is a symbolic link, {@code socket} is not a
     *     socket or another process listens on it; when it cannot be bound
     */
    static Bound bind(Path socket, int ownUid) throws IOException {
        Path file = socket.toAbsolutePath();
        Path directory = file.getParent();
        TrustedPath.checkAbove(directory, ownUid); // before anything is made below
        Path created = null;
        if (!Files.exists(directory, NOFOLLOW)) {
            Files.createDirectories(directory, DIRECTORY_MODE);
            created = directory;
        }
        // Also one just made: someone may have made it first.
        TrustedPath.checkDirectory(directory, ownUid);
        removeStale(file);
        Path staging = Files.createTempDirectory(directory, ".", DIRECTORY_MODE);
        Path bound = staging.resolve("s");
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            try {
                channel.bind(UnixDomainSocketAddress.of(bound));
                // In a directory only this user can enter: nobody can have swapped the file for a link.
                Files.setPosixFilePermissions(bound, SOCKET_MODE);
            } catch (IOException e) {
                throw new IOException("cannot listen on " + file + ": " + e.getMessage(), e);
            }
            try {
                Files.move(bound, file);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("another mptcp4j daemon started on " + file + " meanwhile", e);
            }
        } catch (IOException e) {
            channel.close();
            throw e;
        } finally {
            Files.deleteIfExists(bound);
            Files.delete(staging);
        }
        return new Bound(channel, created);
    }

    /** Deletes a socket file that nobody answers on; refuses a live one, a link and anything else. */
    private static void removeStale(Path file) throws IOException {
        if (!Files.exists(file, NOFOLLOW)) {
            return;
        }
        int type = (Integer) Files.getAttribute(file, "unix:mode", NOFOLLOW) & S_IFMT;
        if (type == S_IFLNK) {
            throw new IOException(file + " is a symbolic link: remove it, or put the socket elsewhere");
        }
        if (type != S_IFSOCK) {
            throw new IOException(file + " exists and is not a socket");
        }
        boolean live;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(file));
            live = true;
        } catch (ConnectException refused) {
            live = false;
        }
        if (live) {
            throw new IOException("another mptcp4j daemon listens on " + file + " already");
        }
        Files.delete(file);
    }
}
