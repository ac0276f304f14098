package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.backup.BackupOnDemandController;
import org.mptcp4j.controller.fullmesh.FullMeshController;
import org.mptcp4j.testing.GeneratedText;

/**
 * Every parameter of every shipped controller, over generated text (the way {@code ctl policy},
 * policy files, [controller] sections and {@code run --controller} give them): the controller is
 * made, or an IllegalArgumentException names the controller, the parameter and the range that
 * {@code mptcp4j controllers} documents for it. Durations that overflow are refused, also when
 * code gives them.
 */
class ControllerRangesTest {
    private static final long SEED = 0x72616e676573L;
    private static final int CASES = 300;
    /** What each controller cannot do without; fullmesh's waits such that neither bounds the other. */
    private static final Map<String, Map<String, String>> BASE = Map.of(
            "announce", Map.of("addresses", "10.0.0.1"),
            "backup-on-demand", Map.of("secondary", "10.0.0.2"),
            "rate-target", Map.of("target", "20mbit", "secondary", "10.0.0.2"),
            "fullmesh", Map.of("backoff", "10ms", "max-backoff", "1h"));
    private static final Map<String, List<String>> DURATIONS = Map.of(
            "fullmesh", List.of("backoff", "max-backoff", "remember-failing"),
            "backup-on-demand", List.of("recover-after", "retry-primary"),
            "ecmp-refresh", List.of("interval"),
            "rate-target", List.of("check"));
    /** The range in a parameter's description: ", 10ms..1h (default 500ms)". */
    private static final Pattern DOCUMENTED = Pattern.compile("(\\S+\\.\\.[^\\s,]+)");

    private static List<ControllerProvider> shipped() {
        List<ControllerProvider> providers = Controllers.providers().stream()
                .filter(p -> p.getClass().getPackageName().startsWith("org.mptcp4j.controller.")).toList();
        assertEquals(7, providers.size(), providers.toString());
        return providers;
    }

    private static Map<String, String> with(String controller, String parameter, String value) {
        Map<String, String> parameters = new LinkedHashMap<>(BASE.getOrDefault(controller, Map.of()));
        parameters.put(parameter, value);
        return parameters;
    }

    @Test
    void anyTextMakesTheControllerOrAnErrorNamingTheParameterAndItsDocumentedRange() {
        Random random = new Random(SEED);
        for (ControllerProvider p : shipped()) {
            p.parameters().forEach((parameter, description) -> {
                Matcher m = DOCUMENTED.matcher(description);
                String range = m.find() ? m.group(1) : null;
                for (int i = 0; i < CASES; i++) {
                    String text = GeneratedText.any(random);
                    try {
                        assertNotNull(p.create(ControllerParameters.of(p.name(), with(p.name(), parameter, text))));
                    } catch (IllegalArgumentException e) {
                        String message = e.getMessage();
                        assertTrue(message.startsWith(p.name() + ": parameter '" + parameter + "'"), message);
                        assertTrue(range == null || message.contains(range), range + " in " + message);
                    } catch (RuntimeException e) {
                        fail(p.name() + " " + parameter + "='" + text + "' threw " + e, e);
                    }
                }
            });
        }
    }

    @Test
    void durationsThatOverflowOrAreNoDurationAreRefusedNamingParameterAndValue() {
        DURATIONS.forEach((controller, parameters) -> {
            for (String parameter : parameters) {
                for (String text : new String[] {"Infinity", "1e300h", "99999999999999999999ms", "NaN", "-1s", "", "5",
                    "25h"}) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> Controllers.create(controller, with(controller, parameter, text)), controller + " "
                                    + parameter + "=" + text);
                    assertTrue(e.getMessage().startsWith(controller + ": parameter '" + parameter + "' must be a duration in "),
                            e.getMessage());
                    assertTrue(e.getMessage().endsWith(", not '" + text + "'"), e.getMessage());
                }
            }
        });
        assertEquals("fullmesh: parameter 'backoff' must be a duration in 10ms..1h (a number and ms, s, m, h or d:"
                + " 500ms, 1.5s, 5m), not 'Infinity'", assertThrows(IllegalArgumentException.class,
                        () -> Controllers.create("fullmesh", Map.of("backoff", "Infinity"))).getMessage());
    }

    @Test
    void settingsGivenInCodeAreHeldToTheSameRanges() {
        Duration forever = Duration.ofNanos(Long.MAX_VALUE);
        assertThrows(IllegalArgumentException.class, () -> new FullMeshController.Settings(true, 8, forever, forever, 6,
                Duration.ofMinutes(5), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new FullMeshController.Settings(true, 8, Duration.ofSeconds(1),
                Duration.ofSeconds(30), 6, Duration.ofDays(1_000_000), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new BackupOnDemandController.Settings(
                InetAddress.getLoopbackAddress(), BackupOnDemandController.Mode.OPEN, Duration.ofSeconds(3), forever,
                Duration.ofMillis(250)));
    }
}
