package org.mptcp4j.controller.backup;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.controller.ParameterException;

/** {@code backup-on-demand}: see {@link BackupOnDemandController}. */
public final class BackupOnDemandProvider implements ControllerProvider {
    /** Made by the ServiceLoader. */
    public BackupOnDemandProvider() {}

    @Override
    public String name() {
        return "backup-on-demand";
    }

    @Override
    public String description() {
        return "the primary path alone until it times out or fails, then the secondary too, until the primary recovers";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("secondary", "the local address of the secondary path (required)");
        p.put("mode", "open: the secondary subflow is opened on demand (default); standby: it waits as a backup subflow");
        p.put("recover-after", "how long the primary must go without timeouts to be used alone again, "
                + BackupOnDemandController.RECOVER_AFTER + " (default 3s)");
        p.put("retry-primary", "how often a closed primary subflow is opened again, "
                + BackupOnDemandController.RETRY_PRIMARY + " (default 1s)");
        return p;
    }

    @Override
    public Controller create(ControllerParameters p) {
        List<InetAddress> secondary = p.addresses("secondary");
        String mode = p.string("mode", "open");
        Duration recoverAfter = p.duration("recover-after", Duration.ofSeconds(3), BackupOnDemandController.RECOVER_AFTER);
        Duration retryPrimary = p.duration("retry-primary", Duration.ofSeconds(1), BackupOnDemandController.RETRY_PRIMARY);
        p.requireAllRead();
        if (secondary.size() != 1) {
            throw new ParameterException("secondary", "backup-on-demand: parameter 'secondary' must be one local address");
        }
        BackupOnDemandController.Settings d = BackupOnDemandController.Settings.of(secondary.get(0));
        BackupOnDemandController.Mode m = switch (mode) {
            case "open" -> BackupOnDemandController.Mode.OPEN;
            case "standby" -> BackupOnDemandController.Mode.STANDBY;
            default -> throw new ParameterException("mode", "backup-on-demand: parameter 'mode' must be open or standby,"
                    + " not '" + mode + "'");
        };
        BackupOnDemandController.Settings settings = new BackupOnDemandController.Settings(secondary.get(0), m,
                recoverAfter, retryPrimary, d.check());
        return new BackupOnDemandController(settings);
    }
}
