package org.mptcp4j.controller.ecmp;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.controller.PerConnection;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.protocol.ConnectionInfo;
import org.mptcp4j.protocol.SubflowInfo;
import org.mptcp4j.protocol.TcpState;
import org.mptcp4j.pm.PathManagerException;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ecmp-refresh (the SMAPP paper's flow-based load balancing): ndiffports' subflows over one
 * address pair, each from its own source port, which is what ECMP routers hash to pick a
 * path; every {@code interval} the subflows of each connection are measured and a subflow
 * that delivers less than {@code ratio} of the best (tcp_info's delivery rate) for
 * {@code STRIKES} looks in a row is closed and a new subflow opened from another source port:
 * a flow that hashed onto a slow or lossy path moves, until every subflow is on a good one.
 * Strikes are counted per subflow, so two subflows sharing one bad path are both moved even
 * as they trade places as the slowest; subflows sharing a good path stay near the best and
 * are left alone, as long as {@code ratio} leaves room for the uneven shares the kernel's
 * scheduler gives them (a subflow at 0.4 of the best on a good path is not rare: a ratio well
 * under the paths' speed ratio moves fewer good subflows). One replacement per connection per
 * look, the slowest of those struck out.
 */
public final class EcmpRefreshController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(EcmpRefreshController.class);
    /** Looks in a row a subflow must be far behind the best to be moved. */
    static final int STRIKES = 3;
    /** Subflows with strikes kept per connection: more than the kernel's subflows per connection. */
    private static final int MAX_STRUCK = 16;
    /** A count, then a source port and its strikes per subflow. */
    private static final int STRIKE_TABLE = 1 + 2 * MAX_STRUCK;
    /** The settings' ranges: at most the kernel's extra subflows per connection, measured at most hourly. */
    static final ValueRange SUBFLOWS = ValueRange.count(1, 8);
    static final ValueRange INTERVAL = ValueRange.duration(Duration.ofMillis(10), Duration.ofHours(1));
    static final ValueRange RATIO = ValueRange.decimal(0.01, 0.99);

    /**
     * @param subflows extra subflows per connection
     * @param interval how often subflows are measured
     * @param ratio a subflow is replaced when its delivery rate stays below this share of the best's
     * @param firstPort with lastPort, the source ports to take in turn; 0: the kernel picks
     * @param lastPort the last source port of the range
     */
    public record Settings(int subflows, Duration interval, double ratio, int firstPort, int lastPort) {
        /**
         * Checks the values.
         *
         * @param subflows extra subflows per connection
         * @param interval how often subflows are measured
         * @param ratio a subflow is replaced when its delivery rate stays below this share of the best's
         * @param firstPort with lastPort, the source ports to take in turn; 0: the kernel picks
         * @param lastPort the last source port of the range
         */
        public Settings {
            SUBFLOWS.check("subflows", subflows);
            INTERVAL.check("interval", interval);
            RATIO.check("ratio", ratio);
        }
    }

    private final Settings settings;
    private final NDiffPortsController ndiffports;
    private final MptcpAddress local = new MptcpAddress();
    private final MptcpAddress remote = new MptcpAddress();
    private ControllerContext context;
    /**
     * The connections this controller opened subflows for, each with the subflows now below the
     * ratio: a count, then pairs of source port and strikes.
     */
    private PerConnection<int[]> connections;
    /** The next look's pairs for one connection, built here and copied back. */
    private final int[] struck = new int[STRIKE_TABLE];
    private volatile long replaced;

    /**
     * A controller with these settings.
     *
     * @param settings the settings
     */
    public EcmpRefreshController(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
        NDiffPortsController n = NDiffPortsController.sameAddressPair(settings.subflows());
        this.ndiffports = settings.firstPort() == 0 ? n : n.withSourcePorts(settings.firstPort(), settings.lastPort());
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        return EnumSet.of(MptcpEventType.ESTABLISHED);
    }

    @Override
    public void start(ControllerContext ctx) {
        this.context = ctx;
        this.connections = ctx.perConnection(token -> new int[STRIKE_TABLE], (table, token) -> Arrays.fill(table, 0));
        ndiffports.start(ctx);
        if (!ctx.hasConnectionInfo()) {
            LOG.warn("ecmp-refresh: subflow rates are read from sock_diag, which this kernel lacks (multipath-tcp.org"
                    + " v0.95): subflows are opened as ndiffports does, never replaced");
            return;
        }
        ctx.schedule(settings.interval(), this::measure);
    }

    @Override
    public void stop() {
        ndiffports.stop();
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        if (event.serverSide() || event.denyJoinId0()) {
            return;
        }
        connections.get(event.token());
        ndiffports.onEstablished(event);
    }

    @Override
    public void onConnectionDiscovered(DiscoveredConnection discovered) {
        if (discovered.serverSide()) {
            return;
        }
        connections.get(discovered.token());
        ndiffports.onConnectionDiscovered(discovered);
    }

    /** Counts strikes against the subflows far behind the best, and replaces the slowest struck out. */
    private void measure() {
        if (connections.size() == 0) {
            return;
        }
        for (ConnectionInfo c : context.connections()) {
            if (!connections.contains(c.token())) {
                continue;
            }
            SubflowInfo best = null;
            for (SubflowInfo s : c.subflows()) {
                if (judged(s) && (best == null || s.deliveryRate() > best.deliveryRate())) {
                    best = s;
                }
            }
            int[] table = connections.get(c.token());
            int count = 0;
            SubflowInfo out = null;
            if (best != null) {
                double floor = settings.ratio() * best.deliveryRate();
                for (SubflowInfo s : c.subflows()) {
                    if (!judged(s) || s.deliveryRate() >= floor || count == MAX_STRUCK) {
                        continue; // a subflow not behind loses its strikes: it is left out of the next table
                    }
                    int port = s.local().getPort();
                    int strikes = strikes(table, port) + 1;
                    if (strikes >= STRIKES && (out == null || s.deliveryRate() < out.deliveryRate())) {
                        out = s;
                    }
                    struck[1 + 2 * count] = port;
                    struck[2 + 2 * count] = strikes;
                    count++;
                }
            }
            struck[0] = count;
            if (out != null) {
                forget(struck, out.local().getPort());
            }
            System.arraycopy(struck, 0, table, 0, 1 + 2 * struck[0]);
            if (out != null) {
                replace(c.token(), out, best);
            }
        }
    }

    /** A subflow that has carried nothing yet, or is not established, has no rate to judge. */
    private static boolean judged(SubflowInfo s) {
        return s.state() == TcpState.ESTABLISHED && s.bytesAcked() > 1;
    }

    private static int strikes(int[] table, int port) {
        for (int i = 0; i < table[0]; i++) {
            if (table[1 + 2 * i] == port) {
                return table[2 + 2 * i];
            }
        }
        return 0;
    }

    /** Drops the pair of {@code port}, moving the last pair into its place. */
    private static void forget(int[] table, int port) {
        for (int i = 0; i < table[0]; i++) {
            if (table[1 + 2 * i] == port) {
                int last = table[0] - 1;
                table[1 + 2 * i] = table[1 + 2 * last];
                table[2 + 2 * i] = table[2 + 2 * last];
                table[0] = last;
                return;
            }
        }
    }

    private void replace(int token, SubflowInfo worst, SubflowInfo best) {
        replaced++;
        LOG.atInfo().log(() -> "ecmp-refresh: " + EventFormat.token(token) + ": subflow from port "
                + worst.local().getPort() + " delivers " + worst.deliveryRate() * 8 / 1000 + " kbit/s, the best "
                + best.deliveryRate() * 8 / 1000 + ": moved to another source port");
        local.set(worst.local().getAddress(), worst.local().getPort());
        remote.set(worst.remote().getAddress(), worst.remote().getPort());
        try {
            context.pathManager().destroySubflow(token, local, remote);
        } catch (PathManagerException e) {
            LOG.atWarn().log(() -> "ecmp-refresh: " + EventFormat.token(token) + ": " + e.getMessage());
            return;
        }
        ndiffports.createSubflow(token, local.port(0).id(worst.localId()), remote);
    }

    /**
     * Subflows moved to another source port.
     *
     * @return the count of replaced subflows
     */
    public long replaced() {
        return replaced;
    }

    @Override
    public String toString() {
        return "ecmp-refresh (" + settings.subflows() + " extra subflows, those below " + settings.ratio()
                + " of the best for " + STRIKES + " looks moved; looks every " + settings.interval().toMillis() + " ms)";
    }
}
