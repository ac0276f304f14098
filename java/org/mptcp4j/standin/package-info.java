/**
 * Internal: what stands in for the kernel outside it, for the daemon's start-up warm-up, the
 * test kit (mptcp4j-testkit) and tests: the stand-in for the kernel's netlink sockets
 * ({@link org.mptcp4j.standin.KernelStandIn}), the writer of the event messages it sends
 * ({@link org.mptcp4j.standin.EventMessages}), and the recording file format
 * ({@link org.mptcp4j.standin.Recording}) that {@code mptcp4j record} writes and the kit replays.
 */
package org.mptcp4j.standin;
