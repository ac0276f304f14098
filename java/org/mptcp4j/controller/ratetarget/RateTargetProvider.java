package org.mptcp4j.controller.ratetarget;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerParameters;
import org.mptcp4j.controller.ControllerProvider;
import org.mptcp4j.controller.ParameterException;

/** {@code rate-target}: see {@link RateTargetController}. */
public final class RateTargetProvider implements ControllerProvider {
    /** Made by the ServiceLoader. */
    public RateTargetProvider() {}

    @Override
    public String name() {
        return "rate-target";
    }

    @Override
    public String description() {
        return "a secondary path only while the connection delivers less than a target rate";
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("target", "the rate to reach, e.g. 20mbit, " + RateTargetController.TARGET + " (required)");
        p.put("secondary", "the local address of the secondary path (required)");
        p.put("check", "how often the rates are measured, " + RateTargetController.CHECK + " (default 1s)");
        p.put("samples", "measurements in a row that decide a change, " + RateTargetController.SAMPLES + " (default 3)");
        return p;
    }

    @Override
    public Controller create(ControllerParameters p) {
        long target = p.bitRate("target", 0, RateTargetController.TARGET);
        List<InetAddress> secondary = p.addresses("secondary");
        Duration check = p.duration("check", Duration.ofSeconds(1), RateTargetController.CHECK);
        int samples = p.integer("samples", 3, RateTargetController.SAMPLES);
        p.requireAllRead();
        if (target == 0) {
            throw new ParameterException("target", "rate-target: parameter 'target' is required (e.g. target=20mbit)");
        }
        if (secondary.size() != 1) {
            throw new ParameterException("secondary", "rate-target: parameter 'secondary' must be one local address");
        }
        return new RateTargetController(new RateTargetController.Settings(target, secondary.get(0), check, samples));
    }
}
