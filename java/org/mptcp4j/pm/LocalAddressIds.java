package org.mptcp4j.pm;

import java.util.Arrays;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpException;

/**
 * The local address ids of a network namespace, 1..255, as the userspace path manager needs
 * them: one id per IP address for every connection, so that no connection ever sees one address
 * under two ids (the kernel refuses that: "did not match address and id"), and the ids of the
 * in-kernel endpoints kept for their addresses, so both path managers agree.
 *
 * <p>A connection's initial subflow address has id 0 on that connection: ask with
 * {@link #idOf(MptcpAddress, MptcpAddress)} to get 0 for it. Lookups allocate nothing.
 */
public final class LocalAddressIds {
    private static final int MAX_ID = 255;

    private final int[] family = new int[MAX_ID + 1];
    private final byte[][] address = new byte[MAX_ID + 1][16];
    /** Ids held by in-kernel endpoints. */
    private final boolean[] endpoint = new boolean[MAX_ID + 1];

    /** An allocator that knows no endpoints (see {@link #load}). */
    public LocalAddressIds() {}

    /**
     * An allocator that starts from the namespace's in-kernel endpoints.
     *
     * @param pathManager the path manager of the namespace
     * @return the allocator
     */
    public static LocalAddressIds load(PathManager pathManager) {
        LocalAddressIds ids = new LocalAddressIds();
        ids.reserveEndpoints(pathManager);
        return ids;
    }

    /**
     * Reads the endpoints again: each keeps its id for its address. An id given earlier to a
     * different address stays with it (connections use it already).
     *
     * @param pathManager the path manager of the namespace
     */
    public synchronized void reserveEndpoints(PathManager pathManager) {
        Arrays.fill(endpoint, false);
        if (!pathManager.features().supports(KernelFeature.ENDPOINT_GET)) {
            return; // v0.95 has no endpoints: every id is the controllers' to give
        }
        for (MptcpAddress e : pathManager.endpoints()) {
            int id = e.id();
            if (id >= 1 && id <= MAX_ID && (family[id] == 0 || matches(id, e))) {
                store(id, e);
                endpoint[id] = true;
            }
        }
    }

    /**
     * The id of {@code local}'s IP address for a connection whose initial subflow starts from
     * {@code initialLocal}: 0 when they are the same address, else {@link #idOf(MptcpAddress)}.
     *
     * @param local the local address
     * @param initialLocal the initial subflow's local address
     * @return the address id, 0..255
     */
    public int idOf(MptcpAddress local, MptcpAddress initialLocal) {
        return local.sameAddress(initialLocal) ? 0 : idOf(local);
    }

    /**
     * The id of {@code local}'s IP address (port, flags and id aside): the one it already has,
     * or the lowest free one.
     *
     * @param local the local address
     * @return the address id, 1..255
     * @throws MptcpException when all 255 ids are taken
     */
    public synchronized int idOf(MptcpAddress local) {
        int free = 0;
        for (int id = 1; id <= MAX_ID; id++) {
            if (family[id] == 0) {
                if (free == 0) {
                    free = id;
                }
            } else if (matches(id, local)) {
                return id;
            }
        }
        if (free == 0) {
            throw new MptcpException("allocate a local address id", 0,
                    "all 255 ids are in use; release some with release(address)");
        }
        store(free, local);
        return free;
    }

    /**
     * Takes note that a connection already uses {@code local} under {@code local.id()} (found
     * by resync): the id stays with that address.
     *
     * @param local the local address, with its id
     * @return false when the id is out of 1..255 or another address holds it already
     */
    public synchronized boolean adopt(MptcpAddress local) {
        int id = local.id();
        if (id < 1 || id > MAX_ID) {
            return false;
        }
        if (family[id] == 0) {
            store(id, local);
            return true;
        }
        return matches(id, local);
    }

    /**
     * Forgets the id of {@code local} unless an endpoint holds it; it may be given out again.
     *
     * @param local the local address
     */
    public synchronized void release(MptcpAddress local) {
        for (int id = 1; id <= MAX_ID; id++) {
            if (family[id] != 0 && matches(id, local) && !endpoint[id]) {
                family[id] = 0;
            }
        }
    }

    /**
     * The address with {@code id}, or null.
     *
     * @param id the address id
     * @return the address, or null
     */
    public synchronized MptcpAddress addressOf(int id) {
        if (id < 1 || id > MAX_ID || family[id] == 0) {
            return null;
        }
        return new MptcpAddress().setRaw(family[id], address[id], 0).id(id);
    }

    /** Compares in IPv4 form when {@code a} is v4-mapped: the kernel holds them for one address. */
    private boolean matches(int id, MptcpAddress a) {
        boolean mapped = a.isV4Mapped();
        int f = mapped ? MptcpAddress.AF_INET : a.family();
        if (family[id] != f) {
            return false;
        }
        int offset = mapped ? 12 : 0;
        int length = f == MptcpAddress.AF_INET6 ? 16 : 4;
        for (int i = 0; i < length; i++) {
            if (address[id][i] != a.addressByte(offset + i)) {
                return false;
            }
        }
        return true;
    }

    /** Keeps v4-mapped addresses in their IPv4 form. */
    private void store(int id, MptcpAddress a) {
        boolean mapped = a.isV4Mapped();
        family[id] = mapped ? MptcpAddress.AF_INET : a.family();
        Arrays.fill(address[id], (byte) 0);
        int length = family[id] == MptcpAddress.AF_INET6 ? 16 : 4;
        for (int i = 0; i < length; i++) {
            address[id][i] = a.addressByte((mapped ? 12 : 0) + i);
        }
    }
}
