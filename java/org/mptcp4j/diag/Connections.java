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
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;

/**
 * Every MPTCP connection of a network namespace with its subflows, whoever owns them, read
 * from sock_diag: what {@code ss -Mi} and {@code ss -ti} show, grouped by connection.
 */
public final class Connections {
    /** MPTCP_SUBFLOW_FLAG_*: this side sent MP_CAPABLE in its SYN; either side joined. */
    private static final int MCAP_LOCAL = 0x2;
    private static final int JOINED = 0x4 | 0x8;

    private Connections() {}

    /**
     * The connections of {@code namespace} now, listeners aside, in the kernel's order.
     *
     * @param namespace the network namespace
     * @return the connections
     */
    public static List<ConnectionInfo> list(NetworkNamespace namespace) {
        try (SockDiag diag = SockDiag.open(namespace)) {
            int n = diag.dump();
            Set<Integer> listening = new HashSet<>();
            Map<Integer, List<SubflowInfo>> subflows = new LinkedHashMap<>();
            Map<Integer, Boolean> openedHere = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                DiagRecord r = diag.record(i);
                if (r.kind() == DiagRecord.LISTENER) {
                    listening.add(r.localPort());
                } else if (r.kind() == DiagRecord.SUBFLOW) {
                    subflows.computeIfAbsent(r.token(), t -> new ArrayList<>()).add(r.subflowInfo());
                    if ((r.flags() & JOINED) == 0) {
                        openedHere.put(r.token(), (r.flags() & MCAP_LOCAL) != 0);
                    }
                }
            }
            List<ConnectionInfo> connections = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                DiagRecord r = diag.record(i);
                if (r.kind() == DiagRecord.CONNECTION) {
                    // The initial subflow tells who opened the connection; once it is gone, a
                    // listener on the connection's port is the best guess left.
                    Boolean client = openedHere.get(r.token());
                    boolean serverSide = client != null ? !client : listening.contains(r.localPort());
                    connections.add(r.connectionInfo(serverSide, subflows.getOrDefault(r.token(), List.of())));
                }
            }
            return connections;
        }
    }
}
