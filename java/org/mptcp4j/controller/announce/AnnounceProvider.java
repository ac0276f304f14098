package org.mptcp4j.controller.announce;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.controller.ParameterException;

/** {@code announce}: see {@link AnnounceController}. */
public final class AnnounceProvider implements ControllerProvider {
    /** Made by the ServiceLoader. */
    public AnnounceProvider() {}

    @Override
    public String name() {
        return "announce";
    }

    @Override
    public String description() {
        return "the server tells each new connection's peer about other addresses (ADD_ADDR), with listeners for a port";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("addresses", "the local addresses to announce (required)");
        p.put("port", "the port to announce them with, and listen on, " + AnnounceController.PORT
                + " (default 0: none, the connection's port)");
        p.put("side", "server: only connections this host accepted (default); any: every connection");
        return p;
    }

    @Override
    public Controller create(ControllerParameters p) {
        var addresses = p.addresses("addresses");
        int port = p.integer("port", 0, AnnounceController.PORT);
        String side = p.string("side", "server");
        p.requireAllRead();
        if (addresses.isEmpty()) {
            throw new ParameterException("addresses", "announce: parameter 'addresses' is required");
        }
        if (!side.equals("server") && !side.equals("any")) {
            throw new ParameterException("side", "announce: parameter 'side' must be server or any, not '" + side + "'");
        }
        return new AnnounceController(new AnnounceController.Settings(addresses, port, side.equals("server")));
    }
}
