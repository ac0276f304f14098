package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.announce.AnnounceController;
import org.mptcp4j.controller.announce.AnnounceProvider;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.PmCommand;

/** announce on the fake kernel: what the server announces to each new connection's peer, and a refusal. */
class AnnounceTest {
    private static final int TOKEN = 0x0a11ce00;

    @Test
    void theServerAnnouncesItsOtherAddressesOfTheConnectionsFamily() {
        try (FakeKernel kernel = FakeKernel.hosting(new AnnounceProvider(),
                Map.of("addresses", "10.0.0.2,10.0.1.2,10.0.2.2,fd00::2"))) {
            kernel.established(TOKEN).local("10.0.0.2", 443).remote("10.0.0.1", 40000).serverSide().send();
            Command first = kernel.nextCommand(PmCommand.ANNOUNCE);
            Command second = kernel.nextCommand(PmCommand.ANNOUNCE);
            kernel.assertNoMoreCommands();
            assertEquals(List.of("10.0.1.2", "10.0.2.2"),
                    List.of(first.localAddress().getHostAddress(), second.localAddress().getHostAddress()),
                    "neither the connection's own address nor the other family's");
            assertEquals(TOKEN, first.token());
            assertEquals(0, first.localPort(), "no port: the peer joins the connection's");
            assertEquals(1, first.flags(), "MPTCP_PM_ADDR_FLAG_SIGNAL");
            assertEquals(List.of(2, 3), List.of(first.localId(), second.localId()),
                    "the namespace's ids, in the order of the addresses (10.0.0.2 took 1)");
            // A client's connection is left alone: side=server by default.
            kernel.established(TOKEN + 1).local("10.0.0.2", 40001).remote("10.0.0.9", 443).send();
            kernel.assertNoMoreCommands();
        }
    }

    @Test
    void aRefusedAnnouncementIsCountedAndTheOthersStillMade() throws Exception {
        AnnounceController announce = new AnnounceController(new AnnounceController.Settings(
                List.of(InetAddress.getByName("10.0.1.2"), InetAddress.getByName("10.0.2.2")), 0, false));
        try (FakeKernel kernel = FakeKernel.hosting(announce)) {
            kernel.failNext(PmCommand.ANNOUNCE, Errno.EINVAL, "invalid token");
            kernel.established(TOKEN).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            assertEquals("invalid token", kernel.nextCommand(PmCommand.ANNOUNCE).answer().message());
            assertEquals("10.0.2.2", kernel.nextCommand(PmCommand.ANNOUNCE).localAddress().getHostAddress());
            kernel.assertNoMoreCommands();
            assertEquals(2, announce.announcements());
            assertEquals(1, announce.refused());
        }
    }
}
