package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.controller.ndiffports.NDiffPortsProvider;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.PmCommand;

/** ndiffports on the fake kernel: the subflows it asks for, and its retries when the kernel has no source port. */
class NDiffPortsTest {
    private static final int TOKEN = 0x1c0ffee5;

    @Test
    void aClientConnectionGetsItsExtraSubflowsOverTheInitialPair() {
        try (FakeKernel kernel = FakeKernel.hosting(new NDiffPortsProvider(), Map.of("subflows", "2"))) {
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            for (int i = 0; i < 2; i++) {
                Command c = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
                assertEquals(TOKEN, c.token());
                assertEquals("10.0.0.1", c.localAddress().getHostAddress());
                assertEquals(0, c.localPort(), "the kernel picks each source port");
                assertEquals(0, c.localId(), "the initial address keeps id 0");
                assertEquals("10.0.0.2", c.remoteAddress().getHostAddress());
                assertEquals(443, c.remotePort());
            }
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void serverSideAndDenyJoinId0ConnectionsGetNone() {
        try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(2))) {
            kernel.established(TOKEN).local("10.0.0.2", 443).remote("10.0.0.1", 40000).serverSide().send();
            kernel.established(TOKEN + 1).local("10.0.0.1", 40001).remote("10.0.0.2", 443).denyJoinId0().send();
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void aSubflowRefusedForWantOfASourcePortIsAskedForAgainASecondLater() {
        try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(1))) {
            kernel.failNext(PmCommand.SUBFLOW_CREATE, Errno.EADDRINUSE, "Address already in use");
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            Command refused = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            assertEquals(Errno.EADDRINUSE, refused.answer().errno());
            kernel.advance(Duration.ofMillis(999));
            kernel.assertNoMoreCommands();
            kernel.advance(Duration.ofMillis(1));
            Command again = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            assertEquals(TOKEN, again.token());
            assertEquals("10.0.0.2", again.remoteAddress().getHostAddress());
            assertEquals(0, again.answer().errno(), "accepted this time");
            kernel.advance(Duration.ofMinutes(2));
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void aSubflowRefusedBeforeTheConnectionTakesJoinsIsAskedForAgain() {
        try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(1))) {
            kernel.failNext(PmCommand.SUBFLOW_CREATE, Errno.ENOTCONN, "connect error: -107");
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            assertEquals(Errno.ENOTCONN, kernel.nextCommand(PmCommand.SUBFLOW_CREATE).answer().errno());
            kernel.advance(Duration.ofSeconds(1));
            Command again = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            assertEquals(TOKEN, again.token());
            assertEquals(0, again.answer().errno(), "accepted this time");
            kernel.advance(Duration.ofMinutes(2));
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void aRetryWaitsNoLongerForAClosedConnection() {
        try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(1))) {
            kernel.failNext(PmCommand.SUBFLOW_CREATE, Errno.EADDRINUSE, "Address already in use");
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            kernel.closed(TOKEN).send();
            kernel.advance(Duration.ofSeconds(5));
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void anotherRefusalIsNotRetried() {
        try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(1))) {
            kernel.failNext(PmCommand.SUBFLOW_CREATE, Errno.EINVAL, "invalid token");
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            assertEquals(Errno.EINVAL, kernel.nextCommand(PmCommand.SUBFLOW_CREATE).answer().errno());
            kernel.advance(Duration.ofSeconds(70));
            kernel.assertNoMoreCommands();
            assertFalse(kernel.errors().iterator().hasNext(), "a refusal is the controller's to handle, not to throw");
        }
    }
}
