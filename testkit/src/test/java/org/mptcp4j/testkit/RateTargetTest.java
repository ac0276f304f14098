package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ratetarget.RateTargetProvider;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.PmCommand;

/** rate-target on the fake kernel: a secondary path while the connection is below its target, none once the primary meets it. */
class RateTargetTest {
    private static final int TOKEN = 0x0a7e0001;
    /** 1 Mbit/s: one second's bytes at the target. */
    private static final long TARGET_BYTES = 125_000;

    private static Diag.ConnectionBuilder moved(long connection, long primary) {
        return Diag.connection(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).bytesAcked(connection)
                .subflow(Diag.subflow().local("10.0.0.1", 40000).remote("10.0.0.2", 443).bytesAcked(primary));
    }

    @Test
    void theSecondaryComesBelowTheTargetAndGoesWhenThePrimaryAloneMeetsIt() {
        try (FakeKernel kernel = FakeKernel.hosting(new RateTargetProvider(),
                Map.of("target", "1mbit", "secondary", "10.0.1.1", "check", "1s", "samples", "3"))) {
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            long bytes = 0;
            kernel.knows(moved(bytes, bytes)).advance(Duration.ofSeconds(1)); // the first look: where counting starts
            for (int look = 1; look <= 2; look++) {
                bytes += TARGET_BYTES / 2;
                kernel.knows(moved(bytes, bytes)).advance(Duration.ofSeconds(1));
                kernel.assertNoMoreCommands();
            }
            bytes += TARGET_BYTES / 2;
            kernel.knows(moved(bytes, bytes)).advance(Duration.ofSeconds(1));
            Command open = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            assertEquals("10.0.1.1", open.localAddress().getHostAddress());
            assertEquals("10.0.0.2", open.remoteAddress().getHostAddress());
            kernel.subflowEstablished(TOKEN).local("10.0.1.1", 40001).remote("10.0.0.2", 443).localId(open.localId()).send();
            for (int look = 1; look <= 3; look++) {
                bytes += 2 * TARGET_BYTES; // the primary alone carries twice the target
                kernel.knows(moved(bytes, bytes)).advance(Duration.ofSeconds(1));
            }
            Command close = kernel.nextCommand(PmCommand.SUBFLOW_DESTROY);
            assertEquals("10.0.1.1", close.localAddress().getHostAddress());
            assertEquals(40001, close.localPort());
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void aRefusedSecondaryIsAskedForAgainAtTheNextLookBelowTheTarget() {
        try (FakeKernel kernel = FakeKernel.hosting(new RateTargetProvider(),
                Map.of("target", "1mbit", "secondary", "10.0.1.1", "check", "1s", "samples", "1"))) {
            kernel.failNext(PmCommand.SUBFLOW_CREATE, Errno.ENETUNREACH, "no route");
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            kernel.knows(moved(0, 0)).advance(Duration.ofSeconds(2));
            assertEquals(Errno.ENETUNREACH, kernel.nextCommand(PmCommand.SUBFLOW_CREATE).answer().errno());
            kernel.advance(Duration.ofSeconds(1));
            assertEquals(0, kernel.nextCommand(PmCommand.SUBFLOW_CREATE).answer().errno());
            kernel.assertNoMoreCommands();
        }
    }
}
