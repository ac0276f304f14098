package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.PmCommand;
import org.mptcp4j.testing.KernelTest;

/** The running kernel's family as the probe reads it (this machine: Linux 6.18). */
@KernelTest
class KernelFeaturesKernelTest {
    @Test
    void theRunningKernelHasEveryFeatureAndSaysWhichNeedCapNetAdmin() {
        KernelFeatures k = KernelFeatures.probe(NetworkNamespace.current());
        assertEquals(EnumSet.complementOf(EnumSet.of(KernelFeature.EVENT_FILTER, KernelFeature.CONNECTION_EXISTS)),
                k.supported(), "every upstream feature; v0.95's SET_FILTER and EXIST are not upstream's");
        assertEquals(Dialect.UPSTREAM, k.dialect());
        assertTrue(k.accepts(PmCommand.GET_ADDR, 4, true), "GET_ADDR dump takes a token (6.9)");
        assertTrue(k.accepts(PmCommand.SUBFLOW_CREATE, 6, false), "SUBFLOW_CREATE takes ADDR_REMOTE");
        assertFalse(k.accepts(PmCommand.SET_LIMITS, 6, false), "SET_LIMITS takes no remote address");
        assertTrue(k.needsNetAdmin(PmCommand.ANNOUNCE));
        assertTrue(k.needsNetAdmin(PmCommand.SET_LIMITS));
        assertFalse(k.needsNetAdmin(PmCommand.GET_LIMITS), "reading limits is open to all");
    }
}
