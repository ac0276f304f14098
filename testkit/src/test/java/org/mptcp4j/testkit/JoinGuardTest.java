package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.joinguard.JoinGuardProvider;
import org.mptcp4j.protocol.PmCommand;

/** join-guard on the fake kernel: which joins a server closes. */
class JoinGuardTest {
    private static final int TOKEN = 0x6a0106a0;

    @Test
    void aJoinBeyondTheLimitIsClosedAtOnce() {
        try (FakeKernel kernel = FakeKernel.hosting(new JoinGuardProvider(), Map.of("max-subflows", "2"))) {
            kernel.established(TOKEN).local("10.0.0.2", 443).remote("10.0.0.1", 40000).serverSide().send();
            kernel.subflowEstablished(TOKEN).local("10.0.0.2", 443).remote("10.0.1.1", 40001).remoteId(1).send();
            kernel.assertNoMoreCommands(); // the second subflow is within the limit
            kernel.subflowEstablished(TOKEN).local("10.0.0.2", 443).remote("10.0.2.1", 40002).remoteId(2).send();
            Command close = kernel.nextCommand(PmCommand.SUBFLOW_DESTROY);
            assertEquals(TOKEN, close.token());
            assertEquals("10.0.0.2", close.localAddress().getHostAddress());
            assertEquals(443, close.localPort());
            assertEquals("10.0.2.1", close.remoteAddress().getHostAddress());
            assertEquals(40002, close.remotePort(), "the exact 4-tuple SUB_ESTABLISHED named");
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void aJoinFromADeniedPrefixIsClosedAndAClientsJoinsAreLeftAlone() {
        try (FakeKernel kernel = FakeKernel.hosting(new JoinGuardProvider(), Map.of("deny", "192.0.2.0/24"))) {
            kernel.established(TOKEN).local("10.0.0.2", 443).remote("10.0.0.1", 40000).serverSide().send();
            kernel.subflowEstablished(TOKEN).local("10.0.0.2", 443).remote("192.0.2.7", 40001).remoteId(1).send();
            assertEquals("192.0.2.7", kernel.nextCommand(PmCommand.SUBFLOW_DESTROY).remoteAddress().getHostAddress());
            kernel.established(TOKEN + 1).local("10.0.0.2", 40003).remote("10.0.0.9", 443).send();
            kernel.subflowEstablished(TOKEN + 1).local("10.0.1.2", 40004).remote("192.0.2.9", 443).localId(1).send();
            kernel.assertNoMoreCommands();
        }
    }
}
