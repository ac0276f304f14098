package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.fullmesh.FullMeshProvider;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.PmCommand;

/** fullmesh on the fake kernel: a subflow between every local and remote address, reopened after a failure. */
class FullMeshTest {
    private static final int TOKEN = 0x0f0117e5;

    private static String pair(Command c) {
        return c.localAddress().getHostAddress() + " -> " + c.remoteAddress().getHostAddress() + ":" + c.remotePort();
    }

    @Test
    void everyLocalAddressGetsASubflowToEveryPeerAddress() {
        try (FakeKernel kernel = FakeKernel.builder().localAddresses("10.0.0.1", "10.0.1.1")
                .host(new FullMeshProvider(), Map.of())) {
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            assertEquals("10.0.1.1 -> 10.0.0.2:443", pair(kernel.nextCommand(PmCommand.SUBFLOW_CREATE)));
            kernel.assertNoMoreCommands();
            kernel.announced(TOKEN).remote("10.0.9.2", 0).remoteId(1).send();
            Set<String> toAnnounced = Set.of(pair(kernel.nextCommand(PmCommand.SUBFLOW_CREATE)),
                    pair(kernel.nextCommand(PmCommand.SUBFLOW_CREATE)));
            assertEquals(Set.of("10.0.0.1 -> 10.0.9.2:443", "10.0.1.1 -> 10.0.9.2:443"), toAnnounced,
                    "the announced address, at the connection's port");
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void aFailedSubflowIsOpenedAgainAfterTheBackoff() {
        try (FakeKernel kernel = FakeKernel.builder().localAddresses("10.0.0.1", "10.0.1.1")
                .host(new FullMeshProvider(), Map.of("backoff", "500ms"))) {
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.subflowClosed(TOKEN).local("10.0.1.1", 40001).remote("10.0.0.2", 443).localId(1)
                    .error(Errno.ECONNREFUSED).send();
            kernel.assertNoMoreCommands();
            kernel.advance(Duration.ofMillis(1500));
            List<String> again = kernel.commands().stream().skip(1).map(FullMeshTest::pair).collect(Collectors.toList());
            assertEquals(List.of("10.0.1.1 -> 10.0.0.2:443"), again, "once, after the backoff");
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.assertNoMoreCommands();
        }
    }
}
