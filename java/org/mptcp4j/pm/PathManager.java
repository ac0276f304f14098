package org.mptcp4j.pm;

import java.util.Objects;
import org.mptcp4j.netlink.CommandSocket;
import org.mptcp4j.netlink.PmCommand;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * The commands of the kernel's userspace path manager for one network namespace, each
 * synchronous: it returns when the kernel has accepted it, or throws
 * {@link PathManagerException} with the errno and the kernel's extended-ack text.
 *
 * <p>Commands allocate nothing when they succeed, so a controller may issue them from the
 * event loop's thread on every event. Calls from several threads are serialized.
 */
public final class PathManager implements AutoCloseable {
    private final CommandSocket socket;
    private final NetworkNamespace namespace;

    private PathManager(NetworkNamespace namespace) {
        this.namespace = namespace;
        this.socket = CommandSocket.open(namespace);
    }

    /** A path manager for the caller's network namespace. */
    public static PathManager open() {
        return open(NetworkNamespace.current());
    }

    /**
     * A path manager for {@code namespace}.
     *
     * @throws MptcpException when the kernel has no mptcp_pm family
     */
    public static PathManager open(NetworkNamespace namespace) {
        return new PathManager(Objects.requireNonNull(namespace, "namespace"));
    }

    public NetworkNamespace namespace() {
        return namespace;
    }

    /**
     * Opens a subflow of connection {@code token} from {@code local} to {@code remote}
     * (MPTCP_PM_CMD_SUBFLOW_CREATE). The kernel sends the MP_JOIN SYN before this returns;
     * the outcome arrives later as SUB_ESTABLISHED or SUB_CLOSED.
     *
     * @param local the local address; its port (0: any), id, BACKUP flag and ifindex are sent when set.
     *     An address the connection already uses must keep its id (0 for the initial subflow's).
     * @param remote the peer's address and port
     * @throws PathManagerException e.g. EINVAL "invalid token"
     */
    public synchronized void createSubflow(int token, MptcpAddress local, MptcpAddress remote) {
        socket.request().reset(PmCommand.SUBFLOW_CREATE.id()).token(token).address(local).remote(remote);
        check(PmCommand.SUBFLOW_CREATE, socket.execute());
    }

    private void check(PmCommand command, int result) {
        if (result < 0) {
            throw new PathManagerException(command.name(), -result, socket.extack());
        }
    }

    @Override
    public synchronized void close() {
        socket.close();
    }
}
