package org.mptcp4j.command;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.diag.Connections;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.protocol.TcpState;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.pm.KernelSupport;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.text.AddressText;

/** {@code mptcp4j connections}: what {@code ss -Mi} and {@code ss -ti} show, grouped by connection. */
public final class ConnectionsCommand {
    private final PrintStream out;

    public ConnectionsCommand(PrintStream out) {
        this.out = out;
    }

    public int run(String[] args) {
        Arguments a = Arguments.parse("connections", args, 1, Set.of("netns"), Set.of("json")).atMostPositional(0);
        try (NetworkNamespace ns = Commands.namespace(a)) {
            KernelSupport.requireMptcp(ns);
            List<ConnectionInfo> connections = Connections.list(ns);
            if (a.has("json")) {
                StringBuilder s = new StringBuilder("[");
                for (ConnectionInfo c : connections) {
                    s.append(s.length() > 1 ? "," : "").append(json(c));
                }
                out.println(s.append(']'));
            } else {
                connections.forEach(c -> out.print(text(c)));
            }
        }
        return Commands.OK;
    }

    /** An address with its port as ss prints it: 10.0.0.1:5201, [fd00::1]:5201. */
    public static String address(InetSocketAddress a) {
        String host = AddressText.of(a.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    public static String text(ConnectionInfo c) {
        StringBuilder s = new StringBuilder();
        s.append("token ").append(EventFormat.token(c.token())).append(c.serverSide() ? " server " : " client ")
                .append(address(c.local())).append(" -> ").append(address(c.remote())).append(' ')
                .append(TcpState.name(c.state())).append(", ").append(c.extraSubflows()).append(" extra subflow")
                .append(c.extraSubflows() == 1 ? "" : "s").append(", sent ").append(c.bytesSent())
                .append(" received ").append(c.bytesReceived()).append(" acked ").append(c.bytesAcked())
                .append(" retransmitted ").append(c.bytesRetransmitted());
        if (c.fallback()) {
            s.append(", fallen back to TCP");
        }
        s.append('\n');
        for (SubflowInfo f : c.subflows()) {
            s.append("  subflow ").append(address(f.local())).append(" -> ").append(address(f.remote()))
                    .append(" ids ").append(f.localId()).append('/').append(f.remoteId()).append(' ')
                    .append(TcpState.name(f.state())).append(f.backup() ? " backup" : "").append(f.peerBackup() ? " peer-backup" : "")
                    .append(" rtt ").append(f.rttMicros()).append(" us rto ").append(f.rtoMicros())
                    .append(" us backoff ").append(f.backoff()).append(" retransmits ").append(f.totalRetransmits())
                    .append(" sent ").append(f.bytesSent()).append(" acked ").append(f.bytesAcked())
                    .append(" received ").append(f.bytesReceived()).append(" delivery_rate ").append(f.deliveryRate())
                    .append('\n');
        }
        return s.toString();
    }

    /** One connection and its subflows as a JSON object, every string escaped (docs/json.md). */
    public static String json(ConnectionInfo c) {
        StringBuilder s = new StringBuilder("{\"token\":").append(EventFormat.jsonString(EventFormat.token(c.token())))
                .append(",\"side\":").append(EventFormat.jsonString(c.serverSide() ? "server" : "client"))
                .append(",\"local\":").append(EventFormat.jsonString(address(c.local())))
                .append(",\"remote\":").append(EventFormat.jsonString(address(c.remote())))
                .append(",\"state\":").append(EventFormat.jsonString(TcpState.name(c.state())))
                .append(",\"extra_subflows\":").append(c.extraSubflows()).append(",\"fallback\":").append(c.fallback())
                .append(",\"bytes_sent\":").append(c.bytesSent()).append(",\"bytes_received\":").append(c.bytesReceived())
                .append(",\"bytes_acked\":").append(c.bytesAcked()).append(",\"bytes_retransmitted\":")
                .append(c.bytesRetransmitted()).append(",\"subflows\":[");
        boolean first = true;
        for (SubflowInfo f : c.subflows()) {
            s.append(first ? "" : ",").append("{\"local\":").append(EventFormat.jsonString(address(f.local())))
                    .append(",\"remote\":").append(EventFormat.jsonString(address(f.remote())))
                    .append(",\"local_id\":").append(f.localId()).append(",\"remote_id\":").append(f.remoteId())
                    .append(",\"state\":").append(EventFormat.jsonString(TcpState.name(f.state())))
                    .append(",\"backup\":").append(f.backup()).append(",\"rtt_us\":").append(f.rttMicros())
                    .append(",\"rto_us\":").append(f.rtoMicros()).append(",\"backoff\":").append(f.backoff())
                    .append(",\"retransmits\":").append(f.totalRetransmits()).append(",\"bytes_sent\":")
                    .append(f.bytesSent()).append(",\"bytes_acked\":").append(f.bytesAcked())
                    .append(",\"bytes_received\":").append(f.bytesReceived()).append(",\"delivery_rate\":")
                    .append(f.deliveryRate()).append('}');
            first = false;
        }
        return s.append("]}").toString();
    }
}
