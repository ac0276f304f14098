package org.mptcp4j.controller.ndiffports;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.pm.ValueRange;

/** {@code ndiffports}: see {@link NDiffPortsController}. */
public final class NDiffPortsProvider implements ControllerProvider {
    /** Made by the ServiceLoader. */
    public NDiffPortsProvider() {}

    @Override
    public String name() {
        return "ndiffports";
    }

    @Override
    public String description() {
        return "more subflows on the connections this host opens: N over the same address pair, or one per local address";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("subflows", "extra subflows over the initial address pair, " + NDiffPortsController.SUBFLOWS + " (default 2)");
        p.put("per-address", "true: instead, one subflow from each other local address (default false)");
        p.put("addresses", "with per-address: these local addresses (default: every usable one)");
        p.put("ports", "source ports FIRST-LAST within " + ValueRange.PORT + " taken in turn (default: the kernel picks)");
        return p;
    }

    @Override
    public Controller create(ControllerParameters parameters) {
        boolean perAddress = parameters.bool("per-address", false);
        int subflows = parameters.integer("subflows", 2, NDiffPortsController.SUBFLOWS);
        List<InetAddress> addresses = parameters.addresses("addresses");
        int[] ports = parameters.portRange("ports");
        parameters.requireAllRead();
        NDiffPortsController controller = !perAddress ? NDiffPortsController.sameAddressPair(subflows)
                : addresses.isEmpty() ? NDiffPortsController.perLocalAddress()
                : NDiffPortsController.perLocalAddress(addresses);
        if (ports != null) {
            controller = controller.withSourcePorts(ports[0], ports[1]);
        }
        return controller;
    }
}
