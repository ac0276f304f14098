package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.netlink.KernelFeatureProbe;
import org.mptcp4j.testing.KernelTest;

/** Which path-manager family this kernel offers, read in a namespace of the test's own. */
@KernelTest
class DialectKernelTest {
    @Test
    void thisKernelOffersUpstreamsFamilyAndNotV095s() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            assertEquals(Dialect.UPSTREAM, Dialect.detect(t.client()));
            assertTrue(KernelFeatureProbe.familyId(t.client().fd(), "mptcp_pm") > 0);
            assertTrue(KernelFeatureProbe.familyId(t.client().fd(), "mptcp") < 0, "no v0.95 family here");
            assertTrue(KernelFeatureProbe.familyId(t.client().fd(), "m4j_no_such_family") < 0);
        }
    }
}
