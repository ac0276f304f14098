package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mptcp4j.netlink.KernelFeatureProbe;

/** What a kernel lacking an operation or an attribute is told, with the release that brought it. */
class KernelFeaturesTest {
    private static final int PRESENT = KernelFeatureProbe.PRESENT;
    private static final int POLICY = KernelFeatureProbe.POLICY_KNOWN;
    private static final int TOKEN = 1 << 4;

    /** A 5.15-like kernel: endpoints and limits, SET_FLAGS without a token, no userspace PM. */
    private static KernelFeatures oldKernel() {
        int[] flags = new int[32];
        int[] doAttributes = new int[32];
        int[] dumpAttributes = new int[32];
        for (int op = 1; op <= 7; op++) {
            flags[op] = PRESENT | POLICY;
            doAttributes[op] = 0b1110;
            dumpAttributes[op] = 0b1110;
        }
        return new KernelFeatures(flags, doAttributes, dumpAttributes);
    }

    @Test
    void aMissingCommandNamesItsRelease() {
        MptcpException e = assertThrows(MptcpException.class, () -> oldKernel().require(KernelFeature.SUBFLOW_CREATE));
        assertEquals("SUBFLOW_CREATE: Operation not supported (EOPNOTSUPP): this kernel does not support creating a"
                + " subflow (userspace PM): it came with Linux 5.19", e.getMessage());
    }

    @Test
    void aMissingAttributeNamesItsRelease() {
        KernelFeatures k = oldKernel();
        assertTrue(k.supports(KernelFeature.ENDPOINT_SET_FLAGS));
        assertFalse(k.supports(KernelFeature.SUBFLOW_SET_BACKUP), "SET_FLAGS takes no token before 6.0");
        assertEquals("GET_ADDR: Operation not supported (EOPNOTSUPP): this kernel does not support listing a"
                + " connection's local addresses: it came with Linux 6.9",
                assertThrows(MptcpException.class, () -> k.require(KernelFeature.CONNECTION_ADDRESSES)).getMessage());
    }

    @Test
    void withoutPoliciesAPresentCommandIsTrusted() {
        int[] flags = new int[32];
        flags[7] = PRESENT;
        KernelFeatures k = new KernelFeatures(flags, new int[32], new int[32]);
        assertTrue(k.supports(KernelFeature.SUBFLOW_SET_BACKUP), "before 5.10 attributes cannot be known");
        assertTrue(k.accepts(PmCommand.SET_FLAGS, 4, false));
    }

    @Test
    void theTokenBitIsAttributeFour() {
        int[] flags = new int[32];
        int[] doAttributes = new int[32];
        flags[7] = PRESENT | POLICY;
        doAttributes[7] = TOKEN;
        assertTrue(new KernelFeatures(flags, doAttributes, new int[32]).supports(KernelFeature.SUBFLOW_SET_BACKUP));
    }
}
