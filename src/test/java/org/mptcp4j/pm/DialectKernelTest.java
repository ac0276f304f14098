package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.netlink.KernelFeatureProbe;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpEventType;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.testing.KernelTest;

/** Which path-manager family this kernel offers, read in a namespace of the test's own. */
@KernelTest
class DialectKernelTest {
    @Test
    void thisKernelOffersUpstreamsFamilyAndNotV095s() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            assertEquals(Dialect.UPSTREAM, KernelFeatures.detectDialect(t.client()));
            assertTrue(KernelFeatureProbe.familyId(t.client().fd(), "mptcp_pm") > 0);
            assertTrue(KernelFeatureProbe.familyId(t.client().fd(), "mptcp") < 0, "no v0.95 family here");
            assertTrue(KernelFeatureProbe.familyId(t.client().fd(), "m4j_no_such_family") < 0);
            assertEquals(Dialect.UPSTREAM, KernelFeatures.awaitDialect(t.client(), Duration.ofSeconds(10)), "there at once");
        }
    }

    /** Opened without a dialect, the path manager and the loop pick the kernel's, the same one. */
    @Test
    void aPathManagerAndALoopSpeakTheFamilyTheKernelOffers() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1);
                PathManager pm = PathManager.open(t.client());
                AsyncPathManager async = AsyncPathManager.open(t.client())) {
            assertEquals(Dialect.UPSTREAM, pm.dialect());
            assertEquals(Dialect.UPSTREAM, async.dialect());
            assertEquals(Dialect.UPSTREAM, pm.features().dialect());
            assertFalse(pm.connectionExists(0x12345678), "no such connection (answered from sock_diag upstream)");
            MptcpException e = assertThrows(MptcpException.class, () -> pm.setEventFilter(EnumSet.allOf(MptcpEventType.class)));
            assertEquals(Errno.EOPNOTSUPP, e.errno());
        }
        // Asking the kernel for v0.95's family names it, rather than failing later.
        try (Topology t = Topology.create("m4j-test", 1)) {
            MptcpException e = assertThrows(MptcpException.class, () -> PathManager.open(t.client(), Dialect.V095));
            assertEquals(Errno.ENOENT, e.errno());
            assertTrue(e.getMessage().contains("resolve generic netlink family mptcp"), e.getMessage());
        }
    }
}
