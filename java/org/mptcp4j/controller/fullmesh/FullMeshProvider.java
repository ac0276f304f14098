package org.mptcp4j.controller.fullmesh;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.controller.ParameterException;

/** {@code fullmesh}: see {@link FullMeshController}. */
public final class FullMeshProvider implements ControllerProvider {
    /** Made by the ServiceLoader. */
    public FullMeshProvider() {}

    @Override
    public String name() {
        return "fullmesh";
    }

    @Override
    public String description() {
        return "a subflow between every local and every peer address, following address and link changes,"
                + " failed subflows opened again with backoff";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("side", "client: only connections this host opened (default); any: every connection");
        p.put("max-subflows", "subflows per connection at most, the initial one included, " + FullMeshController.MAX_SUBFLOWS
                + " (default 8)");
        p.put("backoff", "wait before opening a failed subflow again, doubled per failure in a row, "
                + FullMeshController.BACKOFF + " (default 500ms)");
        p.put("max-backoff", "the longest such wait, " + FullMeshController.BACKOFF + " (default 30s)");
        p.put("give-up-after", "failures in a row after which an address pair is left alone, "
                + FullMeshController.GIVE_UP_AFTER + " (default 6)");
        p.put("remember-failing", "how long such a pair is left alone, on every connection, "
                + FullMeshController.REMEMBER_FAILING + " (default 5m)");
        p.put("addresses", "the local addresses to use (default: every usable one, following changes)");
        return p;
    }

    @Override
    public Controller create(ControllerParameters p) {
        FullMeshController.Settings d = FullMeshController.Settings.DEFAULT;
        String side = p.string("side", "client");
        if (!side.equals("client") && !side.equals("any")) {
            throw new ParameterException("side", "fullmesh: parameter 'side' must be client or any, not '" + side + "'");
        }
        FullMeshController.Settings settings = new FullMeshController.Settings(side.equals("client"),
                p.integer("max-subflows", d.maxSubflows(), FullMeshController.MAX_SUBFLOWS),
                p.duration("backoff", d.backoff(), FullMeshController.BACKOFF),
                p.duration("max-backoff", d.maxBackoff(), FullMeshController.BACKOFF),
                p.integer("give-up-after", d.giveUpAfter(), FullMeshController.GIVE_UP_AFTER),
                p.duration("remember-failing", d.rememberFailing(), FullMeshController.REMEMBER_FAILING),
                p.addresses("addresses"));
        p.requireAllRead();
        return new FullMeshController(settings);
    }
}
