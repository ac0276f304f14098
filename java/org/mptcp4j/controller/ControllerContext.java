package org.mptcp4j.controller;

import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.LocalAddress;
import org.mptcp4j.diag.LocalAddresses;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.LocalAddressIds;
import org.mptcp4j.pm.PathManager;

/** What a controller works with; its methods are for the loop's thread. */
public interface ControllerContext {
    /**
     * Commands to the kernel's path manager of this namespace.
     *
     * @return the path manager
     */
    PathManager pathManager();

    /**
     * The network namespace the controller manages.
     *
     * @return the network namespace
     */
    NetworkNamespace namespace();

    /**
     * The namespace's local address ids, consistent with its in-kernel endpoints.
     *
     * @return the local address ids
     */
    LocalAddressIds localAddressIds();

    /**
     * The namespace's addresses new subflows can start from now, as the loop's
     * {@link org.mptcp4j.diag.LocalAddressFilter} lets through (interfaces allowed and denied).
     *
     * @return the usable local addresses
     */
    default List<LocalAddress> usableLocalAddresses() {
        return LocalAddresses.usableForSubflows(namespace());
    }

    /**
     * Watches the subflows of connection {@code token} for retransmission timeouts, reported
     * through {@link Controller#onSubflowTimeout}, until it closes or
     * {@link #stopWatchingTimeouts}. From the loop's thread.
     *
     * @param token the connection's token
     */
    void watchTimeouts(int token);

    /**
     * Stops what {@link #watchTimeouts} started. From the loop's thread.
     *
     * @param token the connection's token
     */
    void stopWatchingTimeouts(int token);

    /**
     * Whether {@link #connections}, {@link #connection} and subflow timeouts are available:
     * they come from MPTCP sock_diag (upstream Linux 5.9+), which a multipath-tcp.org v0.95
     * kernel lacks. Controllers that need them say so once and do what they can without.
     *
     * @return whether connection info is available
     */
    default boolean hasConnectionInfo() {
        return true;
    }

    /**
     * Every MPTCP connection of the namespace now, with its subflows' tcp_info (sock_diag).
     *
     * @return the connections
     * @throws org.mptcp4j.protocol.MptcpException EOPNOTSUPP without {@link #hasConnectionInfo()}
     */
    List<ConnectionInfo> connections();

    /**
     * Connection {@code token} now, with its subflows, or null when it is gone.
     *
     * @param token the connection's token
     * @return the connection, or null
     */
    ConnectionInfo connection(int token);

    /**
     * State kept per connection, made by {@code factory} on first use and dropped when the
     * connection closes or a resync finds it gone. With {@code reuse} (not null), the states of
     * closed connections are kept and handed to it (state, new token) to serve the next ones: no
     * allocation per connection in the steady state.
     *
     * @param <S> the state's type
     * @param factory makes a connection's state from its token
     * @param reuse readies a kept state for a new token, or null
     * @return the states, by token
     */
    <S> PerConnection<S> perConnection(IntFunction<S> factory, ObjIntConsumer<S> reuse);

    /**
     * The flags the configuration's {@code addr-flags} (mptcpd's key) gives the addresses a
     * controller announces, as {@link org.mptcp4j.protocol.MptcpAddress}'s FLAG_* bits; 0 when
     * none is set.
     *
     * @return the flags, {@code FLAG_*} or'ed
     */
    default int addressFlags() {
        return 0;
    }

    /**
     * The time in nanoseconds, as {@link System#nanoTime()} counts it, that {@link #schedule} and
     * {@link #runLater} go by: what a controller measures intervals with, so that a test that
     * drives the loop's clock drives the controller's too.
     *
     * @return the time, in nanoseconds
     */
    default long nanoTime() {
        return System.nanoTime();
    }

    /**
     * Runs {@code action} on the loop's thread every {@code period}, first one period from
     * now, until cancelled or the loop stops (re-creating failed subflows later, measuring).
     *
     * @param period the time between runs
     * @param action what to run
     * @return what cancels it
     * @throws IllegalStateException before the loop runs
     */
    EventLoop.Scheduled schedule(Duration period, Runnable action);

    /**
     * Runs {@code action} once on the loop's thread after {@code delay}.
     *
     * @param delay the time before it runs
     * @param action what to run
     * @return what cancels it before it runs
     * @throws IllegalStateException before the loop runs
     */
    EventLoop.Scheduled runLater(Duration delay, Runnable action);
}
