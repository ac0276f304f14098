package org.mptcp4j.control;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import org.mptcp4j.natives.NativeLibrary;

/**
 * Uids, for deciding who is served: the JDK names a peer (SO_PEERCRED) by its user name only,
 * and names are not identities (two passwd entries may share one, a name may be a number).
 */
final class PeerCredentials {
    private PeerCredentials() {}

    /** The uid of the process that connected {@code channel} (an open Unix-domain channel). */
    static int uid(SocketChannel channel) throws IOException {
        NativeLibrary.ensureLoaded();
        return peerUid(channel);
    }

    /** This process's effective uid: the owner of the files it creates. */
    static int ownUid() {
        NativeLibrary.ensureLoaded();
        return effectiveUid();
    }

    /** Uids are unsigned. */
    static String text(int uid) {
        return Integer.toUnsignedString(uid);
    }

    private static native int peerUid(Object channel) throws IOException;

    private static native int effectiveUid();
}
