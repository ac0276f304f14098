package org.mptcp4j.controller.ratetarget;

import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumSet;
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
 * rate-target (the SMAPP paper's smarter streaming): a connection gets a secondary path only
 * while it delivers less than a target rate, and gives it up once its primary path alone
 * delivers the target. Every {@code check}, it measures the bytes that moved since the last
 * look, on the connection and on its primary subflow, in whichever direction carried more
 * (acknowledged by the peer when this host sends, received when it streams in);
 * {@code samples} looks in a row below the target bring the secondary in, as many with the
 * primary alone at or above it send it away. A secondary that fails is asked for again at the
 * next looks below the target. Only connections this host opened are managed.
 */
public final class RateTargetController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(RateTargetController.class);
    /** The settings' ranges. */
    static final ValueRange TARGET = ValueRange.rate(1, 1_000_000_000_000L);
    static final ValueRange CHECK = ValueRange.duration(Duration.ofMillis(10), Duration.ofHours(1));
    static final ValueRange SAMPLES = ValueRange.count(1, 100);

    /**
     * @param targetBitsPerSecond the rate a connection should reach
     * @param secondary the local address of the secondary path
     * @param check how often the rates are measured
     * @param samples looks in a row that decide a change
     */
    public record Settings(long targetBitsPerSecond, InetAddress secondary, Duration check, int samples) {
        /**
         * Checks the values.
         *
         * @param targetBitsPerSecond the rate a connection should reach
         * @param secondary the local address of the secondary path
         * @param check how often the rates are measured
         * @param samples looks in a row that decide a change
         */
        public Settings {
            Objects.requireNonNull(secondary, "secondary");
            TARGET.check("target", targetBitsPerSecond);
            CHECK.check("check", check);
            SAMPLES.check("samples", samples);
        }
    }

    /** One connection's measurements. */
    static final class Rates {
        final MptcpAddress primaryLocal = new MptcpAddress();
        final MptcpAddress remote = new MptcpAddress();
        int primaryPort;
        int secondaryPort;
        boolean secondaryWanted;
        long lastMoved = -1;
        long lastPrimaryMoved = -1;
        long lastNanos;
        int below;
        int primaryAbove;
        /** The last measured rates, bits per second. */
        long rate;
        long primaryRate;

        /** Readies the measurements of a closed connection for another (the addresses are set anew). */
        void clear() {
            primaryPort = 0;
            secondaryPort = 0;
            secondaryWanted = false;
            lastMoved = -1;
            lastPrimaryMoved = -1;
            lastNanos = 0;
            below = 0;
            primaryAbove = 0;
            rate = 0;
            primaryRate = 0;
        }
    }

    private final Settings settings;
    private final MptcpAddress secondary;
    private final MptcpAddress scratch = new MptcpAddress();
    private final MptcpAddress eventLocal = new MptcpAddress();
    private ControllerContext context;
    private PerConnection<Rates> connections;
    private volatile long added;
    private volatile long removed;

    /**
     * A controller with these settings.
     *
     * @param settings the settings
     */
    public RateTargetController(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
        this.secondary = MptcpAddress.of(settings.secondary(), 0);
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        return EnumSet.of(MptcpEventType.ESTABLISHED, MptcpEventType.CLOSED, MptcpEventType.SUB_ESTABLISHED,
                MptcpEventType.SUB_CLOSED);
    }

    @Override
    public void start(ControllerContext ctx) {
        this.context = ctx;
        this.connections = ctx.perConnection(token -> new Rates(), (rates, token) -> rates.clear());
        secondary.id(ctx.localAddressIds().idOf(secondary));
        if (!ctx.hasConnectionInfo()) {
            LOG.warn("rate-target: rates are read from sock_diag, which this kernel lacks (multipath-tcp.org v0.95):"
                    + " no secondary subflow is opened");
            return;
        }
        ctx.schedule(settings.check(), this::measure);
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        if (event.serverSide() || connections.contains(event.token())) {
            return;
        }
        Rates r = connections.get(event.token());
        event.copyLocal(r.primaryLocal);
        r.primaryLocal.port(0).id(0);
        event.copyRemote(r.remote);
        r.primaryPort = event.localPort();
    }

    @Override
    public void onConnectionDiscovered(DiscoveredConnection discovered) {
        ConnectionInfo c = discovered.connection();
        if (c.serverSide() || connections.contains(c.token())) {
            return;
        }
        Rates r = connections.get(c.token());
        r.primaryLocal.set(c.local().getAddress(), 0).id(0);
        r.remote.set(c.remote().getAddress(), c.remote().getPort());
        r.primaryPort = c.local().getPort();
        for (SubflowInfo s : c.subflows()) {
            scratch.set(s.local().getAddress(), 0);
            if (s.state() == TcpState.ESTABLISHED && scratch.sameAddress(secondary)) {
                r.secondaryPort = s.local().getPort();
                r.secondaryWanted = true;
            }
        }
    }

    @Override
    public void onSubflowEstablished(MptcpEvent event) {
        Rates r = connections.peek(event.token());
        event.copyLocal(eventLocal);
        if (r != null && eventLocal.sameAddress(secondary)) {
            r.secondaryPort = event.localPort();
        }
    }

    @Override
    public void onSubflowClosed(MptcpEvent event) {
        Rates r = connections.peek(event.token());
        event.copyLocal(eventLocal);
        // The secondary closed, or its join failed before it was established.
        if (r != null && eventLocal.sameAddress(secondary) && (r.secondaryPort == 0 || event.localPort() == r.secondaryPort)) {
            r.secondaryPort = 0;
            r.secondaryWanted = false; // closed or failed: asked for again while below the target
            r.below = 0;
        }
    }

    /** Measures every managed connection and brings the secondary in or sends it away. */
    private void measure() {
        if (connections.size() == 0) {
            return;
        }
        long now = context.nanoTime();
        for (ConnectionInfo c : context.connections()) {
            Rates r = connections.peek(c.token());
            if (r == null) {
                continue;
            }
            long primaryMoved = 0;
            for (SubflowInfo s : c.subflows()) {
                if (s.local().getPort() == r.primaryPort) {
                    primaryMoved = Math.max(s.bytesAcked(), s.bytesReceived());
                }
            }
            long moved = Math.max(c.bytesAcked(), c.bytesReceived());
            if (r.lastMoved >= 0) {
                double seconds = (now - r.lastNanos) / 1e9;
                r.rate = (long) (Math.max(0, moved - r.lastMoved) * 8 / seconds);
                r.primaryRate = (long) (Math.max(0, primaryMoved - r.lastPrimaryMoved) * 8 / seconds);
                decide(c.token(), r);
            }
            r.lastMoved = moved;
            r.lastPrimaryMoved = primaryMoved;
            r.lastNanos = now;
        }
    }

    private void decide(int token, Rates r) {
        long target = settings.targetBitsPerSecond();
        r.below = r.rate < target ? r.below + 1 : 0;
        r.primaryAbove = r.primaryRate >= target ? r.primaryAbove + 1 : 0;
        if (!r.secondaryWanted && r.below >= settings.samples()) {
            r.secondaryWanted = true;
            r.primaryAbove = 0;
            added++;
            LOG.atInfo().log(() -> "rate-target: " + EventFormat.token(token) + ": " + r.rate / 1000
                    + " kbit/s, below the target: secondary path in use");
            scratch.set(secondary).port(0);
            if (r.remote.isV4Mapped()) {
                scratch.toV4Mapped();
            }
            try {
                context.pathManager().createSubflow(token, scratch, r.remote);
            } catch (PathManagerException e) {
                r.secondaryWanted = false; // asked for again at the next looks below the target
                LOG.atWarn().log(() -> "rate-target: secondary subflow: " + e.getMessage());
            }
        } else if (r.secondaryWanted && r.primaryAbove >= settings.samples() && r.secondaryPort != 0) {
            r.secondaryWanted = false;
            r.below = 0;
            removed++;
            LOG.atInfo().log(() -> "rate-target: " + EventFormat.token(token) + ": the primary alone delivers "
                    + r.primaryRate / 1000 + " kbit/s: secondary path closed");
            scratch.set(secondary).port(r.secondaryPort);
            if (r.remote.isV4Mapped()) {
                scratch.toV4Mapped();
            }
            try {
                context.pathManager().destroySubflow(token, scratch, r.remote);
            } catch (PathManagerException e) {
                LOG.atDebug().log(() -> "rate-target: close the secondary: " + e.getMessage());
            }
        }
    }

    /**
     * Times a secondary path was brought in.
     *
     * @return the count of paths added
     */
    public long added() {
        return added;
    }

    /**
     * Times a secondary path was closed.
     *
     * @return the count of paths removed
     */
    public long removed() {
        return removed;
    }

    @Override
    public String toString() {
        return "rate-target (" + settings.targetBitsPerSecond() / 1000 + " kbit/s, secondary " + secondary + ")";
    }
}
