package org.mptcp4j.control;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import org.mptcp4j.natives.Transport;

/**
 * Uids, for deciding who is served: the JDK names a peer (SO_PEERCRED) by its user name only,
 * and names are not identities (two passwd entries may share one, a name may be a number).
 */
final class PeerCredentials {
    private PeerCredentials() {}

    /** The uid of the process that connected {@code channel} (an open Unix-domain channel). */
    static int uid(SocketChannel channel) throws IOException {
        return jdkPeerUid(channel);
    }

    /** This process's effective uid: the owner of the files it creates. */
    static int ownUid() {
        return Transport.linux().effectiveUid();
    }

    /** Uids are unsigned. */
    static String text(int uid) {
        return Integer.toUnsignedString(uid);
    }

    /**
     * The peer's uid from the JDK's own SO_PEERCRED, with no descriptor read past the module
     * boundary. The JDK's principal keeps the uid it was made for: it hashes to it,
     * and principals are equal when their uids are. The hash is taken for the uid only when a
     * principal made for that uid equals the peer's, so that a JDK keeping principals some other
     * way refuses the peer rather than mistakes it for another user.
     */
    private static int jdkPeerUid(SocketChannel channel) throws IOException {
        UserPrincipal user;
        try {
            user = channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
        } catch (SocketException e) {
            throw new IOException("getsockopt(SO_PEERCRED): " + e.getMessage(), e);
        }
        int uid = user.hashCode();
        // A name that is a number and no user's name is looked up as that uid.
        UserPrincipal ofUid = FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(Integer.toString(uid));
        if (!user.equals(ofUid)) {
            throw new IOException("getsockopt(SO_PEERCRED): this Java runtime's principal for user " + user.getName()
                    + " does not tell its uid");
        }
        return uid;
    }
}
