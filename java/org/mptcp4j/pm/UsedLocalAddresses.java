package org.mptcp4j.pm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.mptcp4j.protocol.MptcpAddress;

/**
 * The local addresses and ids each connection uses as this path manager set them up (its
 * announcements and subflows): what a v0.95 kernel, which cannot list a connection's
 * addresses, is asked for upstream. Addresses given without their IP (by id alone) are not
 * recorded; one id holds one address per connection. Thread-safe.
 */
final class UsedLocalAddresses {
    private final Map<Integer, List<MptcpAddress>> byToken = new HashMap<>();

    /** Connection {@code token} uses {@code local} (its IP and id, both set), a copy of it kept. */
    synchronized void record(int token, MptcpAddress local) {
        if (local.family() == 0 || !local.hasId()) {
            return;
        }
        List<MptcpAddress> used = byToken.computeIfAbsent(token, t -> new ArrayList<>());
        used.removeIf(a -> a.id() == local.id());
        used.add(new MptcpAddress().set(local).port(0).flags(0).ifIndex(0));
    }

    /** Connection {@code token} no longer uses id {@code id}. */
    synchronized void remove(int token, int id) {
        List<MptcpAddress> used = byToken.get(token);
        if (used != null) {
            used.removeIf(a -> a.id() == id);
        }
    }

    synchronized void forget(int token) {
        byToken.remove(token);
    }

    /** Connections with recorded addresses. */
    synchronized int connections() {
        return byToken.size();
    }

    synchronized void retain(IntPredicate open) {
        byToken.keySet().removeIf(token -> !open.test(token));
    }

    /** Copies of what connection {@code token} uses. */
    synchronized List<MptcpAddress> of(int token) {
        List<MptcpAddress> copies = new ArrayList<>();
        for (MptcpAddress a : byToken.getOrDefault(token, List.of())) {
            copies.add(new MptcpAddress().set(a));
        }
        return copies;
    }
}
