package org.mptcp4j.controller.announce;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.controller.DiscoveredConnection;
import org.mptcp4j.pm.PathManagerException;
import org.mptcp4j.pm.ValueRange;
import org.mptcp4j.protocol.EventFormat;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * announce: the server's policy that tells each new connection's peer about other addresses
 * of this host (ADD_ADDR), so that the peer's path manager can open subflows to them. With a
 * port, each address is announced with it and an MPTCP socket listens there, as the kernel
 * requires for the joins to be accepted (shared by the connections, closed with the last).
 * Addresses of the other family than the connection's are not announced.
 */
public final class AnnounceController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(AnnounceController.class);
    /** The announced port: 0 for none. */
    static final ValueRange PORT = ValueRange.count(0, 65535);

    /**
     * @param addresses the local addresses to announce
     * @param port the port to announce them with, 0 for none (the peer joins the connection's port)
     * @param serverOnly only connections this host accepted
     */
    public record Settings(List<InetAddress> addresses, int port, boolean serverOnly) {
        /**
         * Checks the values and copies the addresses.
         *
         * @param addresses the local addresses to announce
         * @param port the port to announce them with, 0 for none (the peer joins the connection's port)
         * @param serverOnly only connections this host accepted
         */
        public Settings {
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("at least one address to announce");
            }
            PORT.check("port", port);
        }
    }

    private final Settings settings;
    private final List<MptcpAddress> announced = new ArrayList<>();
    private final MptcpAddress local = new MptcpAddress();
    private final MptcpAddress remote = new MptcpAddress();
    private ControllerContext context;
    private volatile long announcements;
    private volatile long refused;

    /**
     * A controller with these settings.
     *
     * @param settings the settings
     */
    public AnnounceController(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    @Override
    public Set<MptcpEventType> eventTypes() {
        return EnumSet.of(MptcpEventType.ESTABLISHED);
    }

    @Override
    public void start(ControllerContext ctx) {
        this.context = ctx;
        for (InetAddress a : settings.addresses()) {
            // Of addr-flags only backup concerns announcements: the peer's joins there are backup subflows.
            MptcpAddress address = MptcpAddress.of(a, settings.port()).flags(ctx.addressFlags() & MptcpAddress.FLAG_BACKUP);
            announced.add(address.id(ctx.localAddressIds().idOf(address)));
        }
    }

    @Override
    public void onEstablished(MptcpEvent event) {
        if (settings.serverOnly() && !event.serverSide()) {
            return;
        }
        event.copyLocal(local);
        event.copyRemote(remote);
        announceTo(event.token());
    }

    @Override
    public void onConnectionDiscovered(DiscoveredConnection discovered) {
        // An address the kernel already holds for the connection was announced before.
        if ((settings.serverOnly() && !discovered.serverSide()) || !discovered.localAddresses().isEmpty()) {
            return;
        }
        local.set(discovered.connection().local().getAddress(), discovered.connection().local().getPort());
        remote.set(discovered.connection().remote().getAddress(), discovered.connection().remote().getPort());
        announceTo(discovered.token());
    }

    private void announceTo(int token) {
        boolean remoteV4 = remote.family() == MptcpAddress.AF_INET || remote.isV4Mapped();
        for (MptcpAddress address : announced) {
            if ((address.family() == MptcpAddress.AF_INET) != remoteV4 || address.sameAddress(local)) {
                continue;
            }
            announcements++;
            try {
                context.pathManager().announce(token, address, settings.port() != 0);
            } catch (PathManagerException e) {
                refused++;
                LOG.atWarn().log(() -> "announce: " + EventFormat.token(token) + ": " + address + ": "
                        + e.getMessage());
            }
        }
    }

    /**
     * ADD_ADDR requests sent.
     *
     * @return the count of ADD_ADDR requests sent
     */
    public long announcements() {
        return announcements;
    }

    /**
     * ADD_ADDR requests the kernel refused.
     *
     * @return the count of ADD_ADDR requests refused
     */
    public long refused() {
        return refused;
    }

    @Override
    public String toString() {
        return "announce (" + announced + (settings.port() != 0 ? " port " + settings.port() : "") + ")";
    }
}
