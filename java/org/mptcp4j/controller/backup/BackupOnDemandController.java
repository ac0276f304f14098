package org.mptcp4j.controller.backup;

import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.controller.PerConnection;
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
 * backup-on-demand (the SMAPP paper's smarter backup): a connection uses its primary path
 * alone until that path shows trouble (a retransmission timeout, or its subflow closing), then
 * brings in the secondary path, and goes back to the primary alone once it works again.
 *
 * <ul>
 *   <li>{@link Mode#OPEN}: the secondary subflow is opened on demand and closed again: no
 *       second path is used, or even set up, while the primary works.</li>
 *   <li>{@link Mode#STANDBY}: the secondary subflow is opened with the connection as a backup
 *       subflow (the peer sends on it only if nothing else is left) and on demand made a
 *       regular one with MP_PRIO: no handshake delay at failover.</li>
 * </ul>
 *
 * The primary counts as recovered when it has had no timeout for {@code recoverAfter}, its RTO
 * backoff is back to 0 and it had bytes acknowledged since the trouble began; a primary
 * subflow that closed is opened again every {@code retryPrimary} meanwhile. Only connections
 * this host opened are managed.
 */
public final class BackupOnDemandController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(BackupOnDemandController.class);
    /** The settings' ranges. */
    static final ValueRange RECOVER_AFTER = ValueRange.duration(Duration.ofMillis(100), Duration.ofHours(1));
    static final ValueRange RETRY_PRIMARY = RECOVER_AFTER;
    private static final ValueRange CHECK = ValueRange.duration(Duration.ofMillis(1), Duration.ofHours(1));

    /** How the secondary path waits. */
    public enum Mode {
        /** The secondary subflow is opened on demand and closed again. */
        OPEN,
        /** The secondary subflow is opened with the connection, as a backup subflow. */
        STANDBY
    }

    /**
     * @param secondary the local address of the secondary path
     * @param mode how the secondary waits
     * @param recoverAfter how long the primary must be free of timeouts to be used alone again
     * @param retryPrimary how often a closed primary subflow is opened again
     * @param check how often recovery is looked for
     */
    public record Settings(InetAddress secondary, Mode mode, Duration recoverAfter, Duration retryPrimary,
            Duration check) {
        /**
         * Checks the values.
         *
         * @param secondary the local address of the secondary path
         * @param mode how the secondary waits
         * @param recoverAfter how long the primary must be free of timeouts to be used alone again
         * @param retryPrimary how often a closed primary subflow is opened again
         * @param check how often recovery is looked for
         */
        public Settings {
            Objects.requireNonNull(secondary, "secondary");
            Objects.requireNonNull(mode, "mode");
            RECOVER_AFTER.check("recover-after", recoverAfter);
            RETRY_PRIMARY.check("retry-primary", retryPrimary);
            CHECK.check("check", check);
        }

        /**
         * The defaults: open on demand, 3 s to recover, the primary retried every second.
         *
         * @param secondary the local address of the secondary path
         * @return the settings
         */
        public static Settings of(InetAddress secondary) {
            return new Settings(secondary, Mode.OPEN, Duration.ofSeconds(3), Duration.ofSeconds(1),
                    Duration.ofMillis(250));
        }
    }

    /** One connection's paths. */
    static final class Paths {
        final MptcpAddress primaryLocal = new MptcpAddress();
        final MptcpAddress remote = new MptcpAddress();
        int primaryPort;
        boolean primaryUp;
        int secondaryPort;
        /** Both paths in use; the primary's bytes acked when that began. */
        boolean failedOver;
        long lastTimeoutNanos;
        long primaryAckedAtTrouble;
        long nextPrimaryRetryNanos;

        /** Readies the paths of a closed connection for another (the addresses are set anew). */
        void clear() {
            primaryPort = 0;
            primaryUp = false;
            secondaryPort = 0;
            failedOver = false;
            lastTimeoutNanos = 0;
            primaryAckedAtTrouble = 0;
            nextPrimaryRetryNanos = 0;
        }
    }

    private final Settings settings;
    private final MptcpAddress secondary;
    private final MptcpAddress scratch = new MptcpAddress();
    private final MptcpAddress eventLocal = new MptcpAddress();
    private ControllerContext context;
    private PerConnection<Paths> connections;
    private volatile long failovers;
    private volatile long recoveries;

    /**
     * A controller with these settings.
     *
     * @param settings the settings
     */
    public BackupOnDemandController(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
        this.secondary = MptcpAddress.of(settings.secondary(), 0);
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        return EnumSet.of(MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED, MptcpEventType.SUB_ESTABLISHED,
                MptcpEventType.SUB_CLOSED, MptcpEventType.SUBFLOW_TIMEOUT);
    }

    @Override
    public void start(ControllerContext ctx) {
        this.context = ctx;
        this.connections = ctx.perConnection(token -> new Paths(), (paths, token) -> paths.clear());
        secondary.id(ctx.localAddressIds().idOf(secondary));
        if (!ctx.hasConnectionInfo()) {
            LOG.warn("backup-on-demand: no subflow timeouts or tcp_info on this kernel (multipath-tcp.org v0.95): only"
                    + " a closed primary subflow brings in the secondary, and one open again recoverAfter after it closed"
                    + " counts as recovered");
        }
        ctx.schedule(settings.check(), this::look);
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        if (event.serverSide() || connections.contains(event.token())) {
            return;
        }
        Paths p = connections.get(event.token());
        event.copyLocal(p.primaryLocal);
        p.primaryLocal.port(0).id(0);
        event.copyRemote(p.remote);
        p.primaryPort = event.localPort();
        p.primaryUp = true;
        begin(event.token(), p);
    }

    @Override
    public void onConnectionDiscovered(DiscoveredConnection discovered) {
        ConnectionInfo c = discovered.connection();
        if (c.serverSide() || connections.contains(c.token())) {
            return;
        }
        Paths p = connections.get(c.token());
        p.primaryLocal.set(c.local().getAddress(), 0).id(0);
        p.remote.set(c.remote().getAddress(), c.remote().getPort());
        for (SubflowInfo s : c.subflows()) {
            scratch.set(s.local().getAddress(), 0);
            if (s.state() == TcpState.ESTABLISHED && scratch.sameAddress(p.primaryLocal)) {
                p.primaryUp = true;
                p.primaryPort = s.local().getPort();
            } else if (s.state() == TcpState.ESTABLISHED && scratch.sameAddress(secondary)) {
                p.secondaryPort = s.local().getPort();
                // A regular secondary means the primary was in trouble when the last daemon stopped.
                p.failedOver = !s.backup();
            }
        }
        begin(c.token(), p);
    }

    private void begin(int token, Paths p) {
        context.watchTimeouts(token);
        if (settings.mode() == Mode.STANDBY && p.secondaryPort == 0) {
            openSecondary(token, p, true);
        } else if (!p.primaryUp && !p.failedOver) {
            failOver(token, p);
        }
    }

    @Override
    public void onSubflowTimeout(MptcpEvent event) {
        Paths p = connections.peek(event.token());
        event.copyLocal(eventLocal);
        if (p == null || !eventLocal.sameAddress(p.primaryLocal)) {
            return;
        }
        p.lastTimeoutNanos = context.nanoTime();
        if (!p.failedOver) {
            LOG.atInfo().log(() -> "backup-on-demand: " + EventFormat.token(event.token()) + ": primary timed out"
                    + " (rto " + event.timeout() / 1000 + " ms): secondary path in use");
            failOver(event.token(), p);
        }
    }

    @Override
    public void onSubflowEstablished(MptcpEvent event) {
        Paths p = connections.peek(event.token());
        if (p == null) {
            return;
        }
        event.copyLocal(eventLocal);
        if (eventLocal.sameAddress(p.primaryLocal)) {
            if (p.primaryPort != event.localPort()) {
                p.primaryAckedAtTrouble = 0; // a new primary subflow counts its bytes from 0
            }
            p.primaryUp = true;
            p.primaryPort = event.localPort();
        } else if (eventLocal.sameAddress(secondary)) {
            p.secondaryPort = event.localPort();
        }
    }

    @Override
    public void onSubflowClosed(MptcpEvent event) {
        Paths p = connections.peek(event.token());
        if (p == null) {
            return;
        }
        event.copyLocal(eventLocal);
        if (eventLocal.sameAddress(p.primaryLocal) && event.localPort() == p.primaryPort) {
            p.primaryUp = false;
            p.primaryPort = 0;
            p.lastTimeoutNanos = context.nanoTime();
            if (!p.failedOver) {
                failOver(event.token(), p);
            }
        } else if (eventLocal.sameAddress(secondary) && event.localPort() == p.secondaryPort) {
            p.secondaryPort = 0;
        }
    }

    /** Brings the secondary path in. */
    private void failOver(int token, Paths p) {
        p.failedOver = true;
        p.primaryAckedAtTrouble = primaryAcked(token, p);
        failovers++;
        if (p.secondaryPort != 0) {
            setBackup(token, p, false);
        } else {
            openSecondary(token, p, false);
        }
    }

    /** Looks for primaries that recovered, and opens closed ones again. */
    private void look() {
        long now = context.nanoTime();
        for (int token : connections.tokens()) {
            Paths p = connections.peek(token);
            if (!p.failedOver) {
                continue;
            }
            if (!p.primaryUp) {
                if (now - p.nextPrimaryRetryNanos >= 0) {
                    p.nextPrimaryRetryNanos = now + settings.retryPrimary().toNanos();
                    create(token, p.primaryLocal, p.remote);
                }
                continue;
            }
            if (now - p.lastTimeoutNanos < settings.recoverAfter().toNanos()) {
                continue;
            }
            if (!context.hasConnectionInfo()) {
                recover(token, p); // open again and quiet for recoverAfter: all there is to go by
                continue;
            }
            SubflowInfo primary = primarySubflow(token, p);
            if (primary != null && primary.backoff() == 0 && primary.bytesAcked() > p.primaryAckedAtTrouble) {
                recover(token, p);
            }
        }
    }

    /** The primary works again: the secondary goes back to waiting. */
    private void recover(int token, Paths p) {
        p.failedOver = false;
        recoveries++;
        LOG.atInfo().log(() -> "backup-on-demand: " + EventFormat.token(token) + ": primary recovered");
        if (p.secondaryPort == 0) {
            return;
        }
        if (settings.mode() == Mode.STANDBY) {
            setBackup(token, p, true);
        } else {
            MptcpAddress local = secondaryAddress(p, p.secondaryPort, 0);
            p.secondaryPort = 0;
            try {
                context.pathManager().destroySubflow(token, local, p.remote);
            } catch (PathManagerException e) {
                LOG.atWarn().log(() -> "backup-on-demand: close the secondary: " + e.getMessage());
            }
        }
    }

    private SubflowInfo primarySubflow(int token, Paths p) {
        if (!context.hasConnectionInfo()) {
            return null;
        }
        ConnectionInfo info = context.connection(token);
        if (info == null) {
            return null;
        }
        for (SubflowInfo s : info.subflows()) {
            if (s.state() == TcpState.ESTABLISHED && s.local().getPort() == p.primaryPort) {
                return s;
            }
        }
        return null;
    }

    private long primaryAcked(int token, Paths p) {
        SubflowInfo s = p.primaryUp ? primarySubflow(token, p) : null;
        return s == null ? 0 : s.bytesAcked();
    }

    private void openSecondary(int token, Paths p, boolean backup) {
        create(token, secondaryAddress(p, 0, backup ? MptcpAddress.FLAG_BACKUP : 0), p.remote);
    }

    /** The secondary's local address in the form the connection uses (v4-mapped on a v4-mapped one). */
    private MptcpAddress secondaryAddress(Paths p, int port, int flags) {
        scratch.set(secondary).port(port).flags(flags);
        return p.remote.isV4Mapped() ? scratch.toV4Mapped() : scratch;
    }

    private void create(int token, MptcpAddress local, MptcpAddress remote) {
        try {
            context.pathManager().createSubflow(token, local, remote);
        } catch (PathManagerException e) {
            LOG.atWarn().log(() -> "backup-on-demand: " + EventFormat.token(token) + ": subflow " + local
                    + " -> " + remote + ": " + e.getMessage());
        }
    }

    private void setBackup(int token, Paths p, boolean backup) {
        try {
            context.pathManager().setBackup(token, secondaryAddress(p, 0, 0), p.remote, backup);
        } catch (PathManagerException e) {
            LOG.atWarn().log(() -> "backup-on-demand: " + EventFormat.token(token) + ": set backup " + backup
                    + ": " + e.getMessage());
        }
    }

    /**
     * Times a connection brought its secondary path in.
     *
     * @return the count of failovers
     */
    public long failovers() {
        return failovers;
    }

    /**
     * Times a connection went back to its primary alone.
     *
     * @return the count of recoveries
     */
    public long recoveries() {
        return recoveries;
    }

    @Override
    public String toString() {
        return "backup-on-demand (secondary " + secondary + ", " + settings.mode().name().toLowerCase(Locale.ROOT)
                + ")";
    }
}
