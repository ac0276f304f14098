package org.mptcp4j.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.pm.ValueRange;

/** Policy text: rules in order, their controllers made by name, mistakes named with their line. */
class ConnectionPolicyTest {
    @Test
    void rulesKeepTheirOrderAndControllersTheirParameters() {
        ConnectionPolicy policy = ConnectionPolicy.parse("""
                # comment
                remote 10.1.0.0/16 port 443 side client -> ndiffports subflows=4
                local fd00::/8 local-port 80 side server -> none   # left alone
                default -> ndiffports per-address=true ports=40000-40100
                """);
        assertEquals(List.of("remote 10.1.0.0/16 port 443 side client", "local fd00::/8 local-port 80 side server",
                "default"), policy.matches().stream().map(Object::toString).toList());
        assertTrue(policy.toString().contains("-> ndiffports (4 extra subflows per connection)"), policy.toString());
        assertTrue(policy.toString().contains("-> none"), policy.toString());
        assertTrue(policy.toString().contains("one subflow per local address, source ports 40000-40100"),
                policy.toString());
    }

    @Test
    void mistakesNameTheLineAndTheProblem() {
        assertEquals("policy line 2: unknown match 'remot' (remote, local, port, local-port, side, or default alone)",
                error("default -> none\nremot 10.0.0.0/8 -> none"));
        assertEquals("policy line 1: expected 'MATCH -> CONTROLLER [NAME=VALUE ...]'", error("remote 10.0.0.0/8"));
        assertEquals("policy line 1: side is client or server, not 'both'", error("side both -> none"));
        assertEquals("policy line 1: 'port' needs a value", error("port -> none"));
        assertEquals("policy line 1: no controller named 'fullmess' (there are: " + String.join(", ", Controllers.names())
                + ")", error("default -> fullmess"));
        assertEquals("policy line 1: ndiffports: unknown parameter 'subflow' (it takes addresses, per-address, ports,"
                + " subflows)", error("default -> ndiffports subflow=2"));
        assertEquals("policy line 2: the same match as an earlier rule: port 443",
                error("port 443 -> none\nport 443 -> none"));
        assertEquals("the policy has no rule", error("# nothing\n"));
    }

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> ConnectionPolicy.parse(text)).getMessage();
    }

    @Test
    void controllersAreFoundByName() {
        assertEquals(List.of("announce", "backup-on-demand", "ecmp-refresh", "fullmesh", "join-guard", "ndiffports",
                "rate-target"), Controllers.names(), "the shipped controllers, by name");
        Controller c = Controllers.create("ndiffports", Map.of("subflows", "3"));
        assertEquals("ndiffports (3 extra subflows per connection)", c.toString());
        assertTrue(c instanceof NDiffPortsController);
    }

    @Test
    void parametersAreReadWithTheirTypes() {
        ControllerParameters p = ControllerParameters.of("x", Map.of("d", "250ms", "r", "20mbit", "b", "yes",
                "a", "10.0.0.1,fd00::1", "n", "5"));
        assertEquals(java.time.Duration.ofMillis(250), p.duration("d", null, ValueRange.duration(java.time.Duration.ZERO,
                java.time.Duration.ofHours(1))));
        assertEquals(20_000_000L, p.bitRate("r", 0, ValueRange.rate(1, 1L << 40)));
        assertTrue(p.bool("b", false));
        assertEquals(2, p.addresses("a").size());
        assertEquals(5, p.integer("n", 0, ValueRange.count(1, 9)));
        p.requireAllRead();
        assertEquals("x: parameter 'd' must be a duration in 1s..1h (a number and ms, s, m, h or d: 500ms, 1.5s, 5m),"
                + " not '250ms'", assertThrows(IllegalArgumentException.class,
                        () -> ControllerParameters.of("x", Map.of("d", "250ms")).duration("d", null,
                                ValueRange.duration(java.time.Duration.ofSeconds(1), java.time.Duration.ofHours(1))))
                        .getMessage());
    }
}
