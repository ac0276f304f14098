package org.mptcp4j.examples;

import java.util.Map;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;

/**
 * Makes {@link BackupPath} nameable as {@code backup-path}: how a controller of one's own is
 * found by 'mptcp4j run --controller' and policy files (this class and a
 * META-INF/services/org.mptcp4j.controller.ControllerProvider line in a jar on the class path).
 */
public final class BackupPathProvider implements ControllerProvider {
    public BackupPathProvider() {}

    @Override
    public String name() {
        return "backup-path";
    }

    @Override
    public String description() {
        return "a backup subflow from a second local address on every connection this host opens";
    }

    @Override
    public Map<String, String> parameters() {
        return Map.of("address", "the second local address (required)");
    }

    @Override
    public Controller create(ControllerParameters parameters) {
        String address = parameters.string("address", null);
        parameters.requireAllRead();
        if (address == null) {
            throw new IllegalArgumentException("backup-path: parameter 'address' is required");
        }
        return new BackupPath(address);
    }
}
