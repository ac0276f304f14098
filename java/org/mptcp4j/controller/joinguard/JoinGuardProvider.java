package org.mptcp4j.controller.joinguard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.controller.ParameterException;
import org.mptcp4j.pm.AddressPrefix;

/** {@code join-guard}: see {@link JoinGuardController}. */
public final class JoinGuardProvider implements ControllerProvider {
    /** Made by the ServiceLoader. */
    public JoinGuardProvider() {}

    @Override
    public String name() {
        return "join-guard";
    }

    @Override
    public String description() {
        return "the server closes joins beyond a limit per connection or per remote address, or from denied addresses";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("max-subflows", "subflows per connection at most, the initial one included, " + JoinGuardController.LIMIT
                + " (default 8)");
        p.put("max-per-remote", "subflows per connection from one remote address at most, " + JoinGuardController.LIMIT
                + " (default 8)");
        p.put("allow", "remote prefixes joins may come from, comma-separated (default: any)");
        p.put("deny", "remote prefixes joins may not come from, comma-separated (default: none)");
        return p;
    }

    @Override
    public Controller create(ControllerParameters p) {
        int max = p.integer("max-subflows", 8, JoinGuardController.LIMIT);
        int perRemote = p.integer("max-per-remote", 8, JoinGuardController.LIMIT);
        List<AddressPrefix> allow = prefixes(p.string("allow", ""), "allow");
        List<AddressPrefix> deny = prefixes(p.string("deny", ""), "deny");
        p.requireAllRead();
        return new JoinGuardController(new JoinGuardController.Settings(max, perRemote, allow, deny));
    }

    private static List<AddressPrefix> prefixes(String list, String name) {
        List<AddressPrefix> prefixes = new ArrayList<>();
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                try {
                    prefixes.add(AddressPrefix.parse(part.trim()));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(name, "join-guard: parameter '" + name + "': " + e.getMessage());
                }
            }
        }
        return prefixes;
    }
}
