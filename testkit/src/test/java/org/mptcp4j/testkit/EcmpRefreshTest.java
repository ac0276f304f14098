package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ecmp.EcmpRefreshProvider;
import org.mptcp4j.protocol.PmCommand;

/** ecmp-refresh on the fake kernel: subflows that stay far behind the best move to other source ports. */
class EcmpRefreshTest {
    private static final int TOKEN = 0x0ec3b000;

    @Test
    void theWorstSubflowThreeLooksInARowIsReplaced() {
        try (FakeKernel kernel = FakeKernel.hosting(new EcmpRefreshProvider(),
                Map.of("subflows", "2", "interval", "2s", "ratio", "0.5"))) {
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.knows(Diag.connection(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443)
                    .subflow(Diag.subflow().local("10.0.0.1", 40000).remote("10.0.0.2", 443).bytesAcked(1 << 20)
                            .deliveryRate(1_000_000))
                    .subflow(Diag.subflow().local("10.0.0.1", 40001).remote("10.0.0.2", 443).bytesAcked(1 << 20)
                            .deliveryRate(900_000))
                    .subflow(Diag.subflow().local("10.0.0.1", 40002).remote("10.0.0.2", 443).bytesAcked(1 << 20)
                            .deliveryRate(100_000)));
            kernel.advance(Duration.ofSeconds(4));
            kernel.assertNoMoreCommands(); // two strikes
            kernel.advance(Duration.ofSeconds(2));
            Command close = kernel.nextCommand(PmCommand.SUBFLOW_DESTROY);
            assertEquals(40002, close.localPort());
            assertEquals(443, close.remotePort());
            Command open = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            assertEquals("10.0.0.1", open.localAddress().getHostAddress());
            assertEquals(0, open.localPort(), "another source port, the kernel's pick");
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void subflowsWithinTheRatioAreLeftAlone() {
        try (FakeKernel kernel = FakeKernel.hosting(new EcmpRefreshProvider(), Map.of("subflows", "1", "ratio", "0.5"))) {
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.knows(Diag.connection(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443)
                    .subflow(Diag.subflow().local("10.0.0.1", 40000).remote("10.0.0.2", 443).bytesAcked(1 << 20)
                            .deliveryRate(1_000_000))
                    .subflow(Diag.subflow().local("10.0.0.1", 40001).remote("10.0.0.2", 443).bytesAcked(1 << 20)
                            .deliveryRate(600_000)));
            kernel.advance(Duration.ofSeconds(20));
            kernel.assertNoMoreCommands();
        }
    }

    /** Two subflows hashed onto one slow path take turns as the slowest; strikes are per subflow, so both move. */
    @Test
    void subflowsSharingASlowPathAreAllMoved() {
        try (FakeKernel kernel = FakeKernel.hosting(new EcmpRefreshProvider(),
                Map.of("subflows", "3", "interval", "2s", "ratio", "0.5"))) {
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            for (int i = 0; i < 3; i++) {
                kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            }
            for (int look = 1; look <= 3; look++) {
                boolean odd = look % 2 == 1;
                kernel.knows(connection(40002, odd ? 120_000 : 100_000, 40003, odd ? 100_000 : 120_000));
                kernel.advance(Duration.ofSeconds(2));
            }
            assertEquals(40003, kernel.nextCommand(PmCommand.SUBFLOW_DESTROY).localPort(), "the slower of the two first");
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.assertNoMoreCommands(); // one replacement per look
            kernel.knows(connection(40002, 120_000, 40004, 950_000));
            kernel.advance(Duration.ofSeconds(2));
            assertEquals(40002, kernel.nextCommand(PmCommand.SUBFLOW_DESTROY).localPort(),
                    "its strikes were kept while it was not the slowest");
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.assertNoMoreCommands();
        }
    }

    /** The initial subflow at 1 MB/s, one at 0.9 MB/s and two more at the given ports and rates. */
    private static Diag.ConnectionBuilder connection(int port1, long rate1, int port2, long rate2) {
        return Diag.connection(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443)
                .subflow(Diag.subflow().local("10.0.0.1", 40000).remote("10.0.0.2", 443).bytesAcked(1 << 20)
                        .deliveryRate(1_000_000))
                .subflow(Diag.subflow().local("10.0.0.1", 40001).remote("10.0.0.2", 443).bytesAcked(1 << 20)
                        .deliveryRate(900_000))
                .subflow(Diag.subflow().local("10.0.0.1", port1).remote("10.0.0.2", 443).bytesAcked(1 << 20)
                        .deliveryRate(rate1))
                .subflow(Diag.subflow().local("10.0.0.1", port2).remote("10.0.0.2", 443).bytesAcked(1 << 20)
                        .deliveryRate(rate2));
    }
}
