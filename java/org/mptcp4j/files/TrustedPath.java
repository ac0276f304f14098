package org.mptcp4j.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The rule for what the daemon trusts on disk (the control socket's directory, the plugin
 * directory and its jars): whoever may change it, or any directory above it, may put something
 * else in its place. So it and every directory above it must be owned by root or the daemon's
 * user and be writable by no one else (a directory above may be, if it is sticky, as /tmp is:
 * then no one else may rename or remove what is in it), and none of them may be a symbolic
 * link (a link is as safe as the directory it leads to and every one above that: name that
 * directory instead).
 */
public final class TrustedPath {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int S_IFMT = 0170000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_ISVTX = 01000;
    private static final int GROUP_OR_OTHERS_WRITE = 0022;

    private TrustedPath() {}

    /** What breaks the rule, in one line naming the file, what is wrong and what to do. */
    public static final class Untrusted extends IOException {
        private static final long serialVersionUID = 1L;

        Untrusted(String message) {
            super(message);
        }
    }

    /**
     * Refuses {@code directory} unless it and every directory above it keep the rule.
     *
     * @param uid the daemon's (effective) uid
     * @throws Untrusted naming the first directory from the top that breaks it
     * @throws IOException when one cannot be read (a missing {@code directory}: NoSuchFileException)
     */
    public static void checkDirectory(Path directory, int uid) throws IOException {
        Path absolute = directory.toAbsolutePath();
        checkAbove(absolute, uid);
        check(absolute, uid, S_IFDIR, false);
    }

    /**
     * Refuses {@code path} unless every existing directory above it keeps the rule; those
     * missing (below the last that exists) are the caller's to make.
     */
    public static void checkAbove(Path path, int uid) throws IOException {
        Path absolute = path.toAbsolutePath();
        Path above = absolute.getRoot();
        for (int i = 0; i < absolute.getNameCount(); i++) {
            try {
                check(above, uid, S_IFDIR, true);
            } catch (NoSuchFileException missing) {
                return;
            }
            above = above.resolve(absolute.getName(i));
        }
    }

    /**
     * Refuses {@code file} unless it is a regular file, not a link, owned by root or {@code uid}
     * and writable by no one else; the directories above it are checked apart.
     */
    public static void checkFile(Path file, int uid) throws IOException {
        check(file, uid, S_IFREG, false);
    }

    private static void check(Path path, int uid, int type, boolean above) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(path, "unix:mode,uid", NOFOLLOW);
        int mode = (Integer) attributes.get("mode");
        int owner = (Integer) attributes.get("uid");
        if ((mode & S_IFMT) == S_IFLNK) {
            throw new Untrusted(path + " is a symbolic link" + (type == S_IFDIR ? ": name the directory it leads to" : ""));
        }
        if ((mode & S_IFMT) != type) {
            throw new Untrusted(path + (type == S_IFDIR ? " is not a directory" : " is not a regular file"));
        }
        boolean owned = owner == 0 || owner == uid;
        boolean writable = (mode & GROUP_OR_OTHERS_WRITE) != 0 && !(above && (mode & S_ISVTX) != 0);
        if (owned && !writable) {
            return;
        }
        String fix = !owned && writable ? "chown root " + path + " && chmod go-w " + path
                : !owned ? "chown root " + path : "chmod go-w " + path;
        throw new Untrusted(path + " is owned by " + Files.getOwner(path, NOFOLLOW).getName() + " (uid "
                + Integer.toUnsignedString(owner) + ") with mode " + String.format("%04o", mode & 07777)
                + ": it must belong to root or to the daemon's user (uid " + Integer.toUnsignedString(uid)
                + ") and be writable by no one else" + (above ? " unless it is sticky" : "") + "; run '" + fix + "'");
    }
}
