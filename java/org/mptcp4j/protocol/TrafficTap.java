package org.mptcp4j.protocol;

import java.nio.ByteBuffer;

/**
 * Told of the netlink datagrams a path manager exchanges with the kernel, undecoded: how a
 * daemon records its own traffic ({@code mptcp4j run --record}). Each datagram's bytes are
 * valid during the call only. Called on the thread that received or sent the datagram: the
 * event loop's, or the one that issued a command; it must not block or throw.
 */
public interface TrafficTap {
    /**
     * A datagram of MPTCP event messages, as the kernel multicast it.
     *
     * @param datagram the datagram's buffer
     * @param offset where the datagram starts in {@code datagram}
     * @param length its size; -1 where the kernel dropped events (ENOBUFS)
     * @param receivedNanos when it was received, on System.nanoTime's clock
     */
    void events(ByteBuffer datagram, int offset, int length, long receivedNanos);

    /**
     * A request sent to the path-manager family: {@code length} bytes from 0 of {@code datagram}.
     *
     * @param datagram the request's buffer
     * @param length the request's size, in bytes
     */
    void request(ByteBuffer datagram, int length);

    /**
     * The kernel's datagram of answers to requests (acknowledgements, errors with their extended ack, dump parts).
     *
     * @param datagram the answers' buffer, from position 0
     * @param length the datagram's size, in bytes
     */
    void answer(ByteBuffer datagram, int length);
}
