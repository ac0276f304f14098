/**
 * Internal: what stands in for the kernel outside it, for the test kit (mptcp4j-testkit) only:
 * the recording file format ({@link org.mptcp4j.standin.Recording}) that {@code mptcp4j record}
 * writes and the kit replays.
 */
package org.mptcp4j.standin;
