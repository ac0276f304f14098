package org.mptcp4j.testing;

import java.net.InetAddress;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;

/** A copy of an event that outlives the callback, for assertions. */
public record SeenEvent(MptcpEventType type, int attributes, int token, int family, int localId, int remoteId,
        InetAddress local, int localPort, InetAddress remote, int remotePort, boolean backup, int error,
        boolean serverSide, String line) {

    public static SeenEvent of(MptcpEvent e) {
        return new SeenEvent(e.type(), e.attributes(), e.token(), e.family(), e.localId(), e.remoteId(),
                e.localAddress(), e.localPort(), e.remoteAddress(), e.remotePort(), e.backup(), e.error(),
                e.serverSide(), EventFormat.line(e));
    }
}
