package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.backup.BackupOnDemandProvider;
import org.mptcp4j.protocol.PmCommand;

/** backup-on-demand on the fake kernel: the secondary path comes with the primary's trouble and goes with it. */
class BackupOnDemandTest {
    private static final int TOKEN = 0x0bac0001;

    private static Diag.ConnectionBuilder primaryAcked(long bytes) {
        return Diag.connection(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443)
                .subflow(Diag.subflow().local("10.0.0.1", 40000).remote("10.0.0.2", 443).bytesAcked(bytes));
    }

    @Test
    void aTimeoutOnThePrimaryOpensTheSecondaryUntilThePrimaryRecovers() {
        try (FakeKernel kernel = FakeKernel.hosting(new BackupOnDemandProvider(),
                Map.of("secondary", "10.0.1.1", "recover-after", "3s"))) {
            kernel.knows(primaryAcked(1000));
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            assertTrue(kernel.watches(TOKEN), "the primary is watched for timeouts");
            kernel.assertNoMoreCommands(); // mode open: no secondary while the primary works
            kernel.subflowTimeout(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).rtoMicros(400_000).send();
            Command open = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            assertEquals("10.0.1.1", open.localAddress().getHostAddress());
            assertEquals("10.0.0.2", open.remoteAddress().getHostAddress());
            assertEquals(443, open.remotePort());
            kernel.subflowEstablished(TOKEN).local("10.0.1.1", 40001).remote("10.0.0.2", 443).localId(open.localId()).send();
            // Recovered: no timeout for recover-after, backoff 0, bytes acked since the trouble began.
            kernel.knows(primaryAcked(5000));
            kernel.advance(Duration.ofMillis(2750));
            kernel.assertNoMoreCommands();
            kernel.advance(Duration.ofMillis(250));
            Command close = kernel.nextCommand(PmCommand.SUBFLOW_DESTROY);
            assertEquals("10.0.1.1", close.localAddress().getHostAddress());
            assertEquals(40001, close.localPort());
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void aPrimaryWithNothingAckedSinceTheTroubleStaysFailedOver() {
        try (FakeKernel kernel = FakeKernel.hosting(new BackupOnDemandProvider(), Map.of("secondary", "10.0.1.1"))) {
            kernel.knows(primaryAcked(1000));
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            kernel.subflowTimeout(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).rtoMicros(400_000).send();
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.subflowEstablished(TOKEN).local("10.0.1.1", 40001).remote("10.0.0.2", 443).localId(1).send();
            kernel.advance(Duration.ofSeconds(30));
            kernel.assertNoMoreCommands();
        }
    }
}
