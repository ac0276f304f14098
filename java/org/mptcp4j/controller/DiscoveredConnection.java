package org.mptcp4j.controller;

import java.util.List;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * A connection that existed before the controller heard of it, found by resync: at start, or
 * after the kernel dropped events. What a controller needs to manage it as if it had seen it
 * created.
 *
 * @param connection the connection and its subflows, from sock_diag
 * @param localAddresses the local addresses the userspace path manager holds for it, with
 *     their ids (GET_ADDR dump by token); empty when the in-kernel path manager runs it
 */
public record DiscoveredConnection(ConnectionInfo connection, List<MptcpAddress> localAddresses) {
    /**
     * Keeps a copy of the addresses.
     *
     * @param connection the connection and its subflows, from sock_diag
     * @param localAddresses the local addresses the userspace path manager holds for it, with
     *     their ids (GET_ADDR dump by token); empty when the in-kernel path manager runs it
     */
    public DiscoveredConnection {
        localAddresses = List.copyOf(localAddresses);
    }

    /**
     * The connection's token.
     *
     * @return the connection's token
     */
    public int token() {
        return connection.token();
    }

    /**
     * Whether the connection was accepted here.
     *
     * @return whether this host accepted the connection
     */
    public boolean serverSide() {
        return connection.serverSide();
    }
}
