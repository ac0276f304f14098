package org.mptcp4j.diag;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mptcp4j.netlink.DiagRecord;
import org.mptcp4j.netlink.SockDiag;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * Every MPTCP connection of a network namespace with its subflows, whoever owns them, read
 * from sock_diag: what {@code ss -Mi} and {@code ss -ti} show, grouped by connection.
 */
public final class Connections {
    private Connections() {}

    /** The connections of {@code namespace} now, listeners aside, in the kernel's order. */
    public static List<ConnectionInfo> list(NetworkNamespace namespace) {
        SockDiag diag = new SockDiag();
        int n = diag.dump(namespace.fd());
        Set<Integer> listening = new HashSet<>();
        Map<Integer, List<SubflowInfo>> subflows = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            DiagRecord r = diag.record(i);
            if (r.kind() == DiagRecord.LISTENER) {
                listening.add(r.localPort());
            } else if (r.kind() == DiagRecord.SUBFLOW) {
                subflows.computeIfAbsent(r.token(), t -> new ArrayList<>()).add(r.subflowInfo());
            }
        }
        List<ConnectionInfo> connections = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DiagRecord r = diag.record(i);
            if (r.kind() == DiagRecord.CONNECTION) {
                connections.add(r.connectionInfo(listening.contains(r.localPort()),
                        subflows.getOrDefault(r.token(), List.of())));
            }
        }
        return connections;
    }
}
