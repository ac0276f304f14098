package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerContext;
import org.mptcp4j.pm.PathManagerException;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpEvent;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.PmCommand;

/** The kit itself: held commands, errors, waits that end with a message, the clock, events as the controller sees them. */
class FakeKernelTest {
    private static final int TOKEN = 0x7e57c0de;

    /** Opens one subflow from 10.0.1.1 per ESTABLISHED; keeps what the kernel answered and what it saw. */
    private static final class OneSubflow implements Controller {
        volatile ControllerContext context;
        volatile String answer;
        final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Set<MptcpEventType> eventTypes() {
            return EnumSet.of(MptcpEventType.ESTABLISHED, MptcpEventType.SUB_CLOSED, MptcpEventType.ANNOUNCED);
        }

        @Override
        public void start(ControllerContext ctx) {
            context = ctx;
        }

        @Override
        public void onEstablished(MptcpEvent e) {
            seen.add(e.type() + " " + e.localAddress().getHostAddress() + ":" + e.localPort() + " server=" + e.serverSide());
            try {
                context.pathManager().createSubflow(e.token(), MptcpAddress.of(java.net.InetAddress.getByName("10.0.1.1"), 0).id(1),
                        new MptcpAddress().set(e.remoteAddress(), e.remotePort()));
                answer = "ok";
            } catch (PathManagerException ex) {
                answer = ex.errno() + " " + ex.getMessage();
            } catch (java.net.UnknownHostException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void onSubflowClosed(MptcpEvent e) {
            seen.add(e.type() + " error=" + e.error() + " ids=" + e.localId() + "/" + e.remoteId());
        }

        @Override
        public void onAnnounced(MptcpEvent e) {
            if (e.remoteId() == 99) {
                throw new IllegalStateException("made to fail");
            }
            seen.add(e.type() + " " + e.remoteAddress().getHostAddress() + " id=" + e.remoteId());
        }
    }

    @Test
    void aHeldCommandWaitsForTheTestsAnswerWithItsExtendedAck() {
        OneSubflow controller = new OneSubflow();
        try (FakeKernel kernel = FakeKernel.builder().holdCommands().host(controller)) {
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            Command c = kernel.nextCommand();
            assertNull(c.answer(), "held");
            assertNull(controller.answer, "the controller still waits in its call");
            c.fail(Errno.EADDRNOTAVAIL, "address not available");
            kernel.assertNoMoreCommands();
            assertTrue(controller.answer.startsWith("99 "), controller.answer);
            assertTrue(controller.answer.contains("address not available"), controller.answer);
            assertThrows(IllegalStateException.class, c::ok, "answered once");
        }
    }

    @Test
    void aMissingCommandFailsWithWhatWasSentInsteadOfHanging() {
        try (FakeKernel kernel = FakeKernel.builder().timeout(Duration.ofMillis(200)).host(new OneSubflow())) {
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
            AssertionError none = assertThrows(AssertionError.class, kernel::nextCommand);
            assertTrue(none.getMessage().startsWith("no command from the controller within 200 ms; the controller sent [SUBFLOW_CREATE token=7e57c0de local=10.0.1.1:0 id=1 remote=10.0.0.2:443]"),
                    none.getMessage());
            kernel.established(TOKEN + 1).local("10.0.0.1", 40001).remote("10.0.0.2", 443).send();
            AssertionError other = assertThrows(AssertionError.class, () -> kernel.nextCommand(PmCommand.ANNOUNCE));
            assertTrue(other.getMessage().startsWith("expected ANNOUNCE, the controller sent SUBFLOW_CREATE"), other.getMessage());
        }
    }

    @Test
    void eventsReachTheControllerWithTheAttributesTheTestGave() {
        OneSubflow controller = new OneSubflow();
        try (FakeKernel kernel = FakeKernel.hosting(controller)) {
            kernel.send(Events.established(TOKEN).local("fd00::1", 40000).remote("fd00::2", 443).serverSide().build(),
                    Events.subflowClosed(TOKEN).local("fd00::1", 40001).remote("fd00::2", 443).localId(3).remoteId(4)
                            .error(Errno.ECONNREFUSED).build());
            kernel.announced(TOKEN).remote("10.9.9.9", 0).remoteId(7).send();
            assertEquals(List.of("ESTABLISHED fd00:0:0:0:0:0:0:1:40000 server=true", "SUB_CLOSED error=111 ids=3/4",
                    "ANNOUNCED 10.9.9.9 id=7"), controller.seen);
        }
    }

    @Test
    void whatTheControllerThrowsFailsTheTestUnlessTaken() {
        FakeKernel kernel = FakeKernel.hosting(new OneSubflow());
        kernel.announced(TOKEN).remote("10.9.9.9", 0).remoteId(99).send();
        AssertionError thrown = assertThrows(AssertionError.class, kernel::close);
        assertTrue(thrown.getMessage().contains("made to fail"), thrown.getMessage());
        try (FakeKernel again = FakeKernel.hosting(new OneSubflow())) {
            again.announced(TOKEN).remote("10.9.9.9", 0).remoteId(99).send();
            assertEquals("made to fail", again.takeErrors().get(0).getMessage());
        }
    }

    @Test
    void timersRunAtTheirTimeAndNoSooner() {
        List<Long> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        Controller ticking = new Controller() {
            @Override
            public void start(ControllerContext ctx) {
                long start = ctx.nanoTime();
                ctx.schedule(Duration.ofMillis(300), () -> ran.add((ctx.nanoTime() - start) / 1_000_000));
                ctx.runLater(Duration.ofMillis(450), () -> ran.add(-(ctx.nanoTime() - start) / 1_000_000));
            }
        };
        try (FakeKernel kernel = FakeKernel.hosting(ticking)) {
            kernel.advance(Duration.ofMillis(299));
            assertEquals(List.of(), ran);
            kernel.advance(Duration.ofMillis(701));
            assertEquals(List.of(300L, -450L, 600L, 900L), ran, "each at its time, in order; negative: the one-off");
        }
    }

    @Test
    void aTimeoutOfAnUnwatchedConnectionIsRefused() {
        try (FakeKernel kernel = FakeKernel.hosting(new OneSubflow())) {
            assertThrows(IllegalStateException.class,
                    () -> kernel.subflowTimeout(TOKEN).local("10.0.0.1", 1).remote("10.0.0.2", 2).send());
            assertThrows(IllegalStateException.class, () -> Events.closed(TOKEN).local("10.0.0.1", 1));
            assertThrows(IllegalStateException.class, () -> Events.established(TOKEN).local("10.0.0.1", 1).build());
        }
    }
}
