package org.mptcp4j.controller.ecmp;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.pm.ValueRange;

/** {@code ecmp-refresh}: see {@link EcmpRefreshController}. */
public final class EcmpRefreshProvider implements ControllerProvider {
    /** Made by the ServiceLoader. */
    public EcmpRefreshProvider() {}

    @Override
    public String name() {
        return "ecmp-refresh";
    }

    @Override
    public String description() {
        return "ndiffports that moves subflows far behind the best to other source ports, so that flows leave bad ECMP paths";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("subflows", "extra subflows per connection, " + EcmpRefreshController.SUBFLOWS + " (default 3)");
        p.put("interval", "how often subflows are measured, " + EcmpRefreshController.INTERVAL + " (default 2s)");
        p.put("ratio", "a subflow is moved when it delivers less than this share of the best " + EcmpRefreshController.STRIKES
                + " looks in a row, "
                + EcmpRefreshController.RATIO + " (default 0.5)");
        p.put("ports", "source ports FIRST-LAST within " + ValueRange.PORT + " taken in turn (default: the kernel picks)");
        return p;
    }

    @Override
    public Controller create(ControllerParameters p) {
        int subflows = p.integer("subflows", 3, EcmpRefreshController.SUBFLOWS);
        Duration interval = p.duration("interval", Duration.ofSeconds(2), EcmpRefreshController.INTERVAL);
        double ratio = p.decimal("ratio", 0.5, EcmpRefreshController.RATIO);
        int[] ports = p.portRange("ports");
        p.requireAllRead();
        int first = ports == null ? 0 : ports[0];
        int last = ports == null ? 0 : ports[1];
        return new EcmpRefreshController(new EcmpRefreshController.Settings(subflows, interval, ratio, first, last));
    }
}
