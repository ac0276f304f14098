package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.mptcp4j.netlink.KernelFeatureProbe;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.MptcpException;

/** What a kernel lacking an operation or an attribute is told, with the release that brought it. */
class KernelFeaturesTest {
    private static final int PRESENT = KernelFeatureProbe.PRESENT;
    private static final int POLICY = KernelFeatureProbe.POLICY_KNOWN;
    private static final int TOKEN = 1 << 4;

    private static final int[] LINUX_5_15 = {5, 15};

    /** A 5.15 kernel: endpoints and limits under one family-wide policy, no userspace PM. */
    private static KernelFeatures oldKernel() {
        return familyWide(7, 0b1110, LINUX_5_15);
    }

    /** Commands 1..{@code lastCommand}, all under one policy listing {@code attributes}, as before 6.7. */
    private static KernelFeatures familyWide(int lastCommand, int attributes, int[] release) {
        int[] flags = new int[32];
        int[] doAttributes = new int[32];
        int[] dumpAttributes = new int[32];
        for (int op = 1; op <= lastCommand; op++) {
            flags[op] = PRESENT | POLICY;
            doAttributes[op] = attributes;
            dumpAttributes[op] = attributes;
        }
        return new KernelFeatures(flags, doAttributes, dumpAttributes, release);
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

    /** 6.1 and 6.6 (long-term kernels) list TOKEN for every command under their one policy. */
    @Test
    void aFamilyWidePolicyIsReadByTheReleaseNumber() {
        int all = 0b1111110;
        KernelFeatures linux61 = familyWide(11, all, new int[] {6, 1});
        assertTrue(linux61.supports(KernelFeature.SUBFLOW_CREATE));
        assertTrue(linux61.supports(KernelFeature.SUBFLOW_SET_BACKUP), "SET_FLAGS takes a token since 6.0");
        assertFalse(linux61.supports(KernelFeature.CONNECTION_ADDRESSES), "GET_ADDR ignores the token before 6.9");
        KernelFeatures linux519 = familyWide(11, all, new int[] {5, 19});
        assertFalse(linux519.supports(KernelFeature.SUBFLOW_SET_BACKUP));
    }

    @Test
    void withoutPoliciesTheReleaseNumberDecides() {
        int[] flags = new int[32];
        flags[3] = PRESENT;
        flags[7] = PRESENT;
        assertFalse(new KernelFeatures(flags, new int[32], new int[32], LINUX_5_15).supports(KernelFeature.SUBFLOW_SET_BACKUP));
        assertTrue(new KernelFeatures(flags, new int[32], new int[32], new int[] {6, 2})
                .supports(KernelFeature.SUBFLOW_SET_BACKUP));
    }

    @Test
    void perCommandPoliciesDecideOnTheirOwn() {
        int[] flags = new int[32];
        int[] doAttributes = new int[32];
        flags[3] = PRESENT | POLICY;
        doAttributes[3] = 0b10010; // GET_ADDR: ADDR, TOKEN
        flags[7] = PRESENT | POLICY;
        doAttributes[7] = 0b10;    // SET_FLAGS without TOKEN, whatever the release says
        KernelFeatures k = new KernelFeatures(flags, doAttributes, new int[32], new int[] {6, 18});
        assertFalse(k.supports(KernelFeature.SUBFLOW_SET_BACKUP));
        doAttributes[7] = TOKEN;
        assertTrue(new KernelFeatures(flags, doAttributes, new int[32], new int[] {6, 18})
                .supports(KernelFeature.SUBFLOW_SET_BACKUP));
    }

    @Test
    void theReleaseIsReadFromUname() {
        assertArrayEquals(new int[] {6, 18}, KernelFeatures.release("6.18.44-fc-v669"));
        assertArrayEquals(new int[] {0, 0}, KernelFeatures.release("unknown"));
    }

    @Test
    void v095HasItsSevenCommandsAndNamesWhatOnlyUpstreamHas() {
        KernelFeatures v095 = KernelFeatures.assumed(Dialect.V095);
        assertEquals(Dialect.V095, v095.dialect());
        assertEquals(EnumSet.of(KernelFeature.ANNOUNCE, KernelFeature.REMOVE, KernelFeature.SUBFLOW_CREATE,
                KernelFeature.SUBFLOW_DESTROY, KernelFeature.SUBFLOW_SET_BACKUP, KernelFeature.EVENT_FILTER,
                KernelFeature.CONNECTION_EXISTS), v095.supported());
        assertEquals("ADD_ADDR: Operation not supported (EOPNOTSUPP): the multipath-tcp.org v0.95 mptcp family has no"
                + " command for adding an endpoint: only upstream's mptcp_pm (Linux 5.7) has",
                assertThrows(MptcpException.class, () -> v095.require(KernelFeature.ENDPOINT_ADD)).getMessage());
        assertEquals("SET_LIMITS: Operation not supported (EOPNOTSUPP): the multipath-tcp.org v0.95 mptcp family has no"
                + " command for setting limits: only upstream's mptcp_pm (Linux 5.7) has",
                assertThrows(MptcpException.class, () -> v095.require(KernelFeature.LIMITS_SET)).getMessage());
    }

    @Test
    void upstreamNamesWhatOnlyV095Has() {
        KernelFeatures upstream = KernelFeatures.assumed(Dialect.UPSTREAM);
        assertEquals(EnumSet.complementOf(EnumSet.of(KernelFeature.EVENT_FILTER, KernelFeature.CONNECTION_EXISTS)),
                upstream.supported());
        assertEquals("SET_FILTER: Operation not supported (EOPNOTSUPP): the upstream mptcp_pm family has no command"
                + " for filtering events in the kernel: only the multipath-tcp.org v0.95 mptcp family has",
                assertThrows(MptcpException.class, () -> upstream.require(KernelFeature.EVENT_FILTER)).getMessage());
        // Even a kernel whose probe showed commands 14 and 15 (a later upstream's) has no v0.95 EXIST.
        int[] flags = new int[32];
        flags[14] = PRESENT;
        flags[15] = PRESENT;
        assertFalse(new KernelFeatures(flags, new int[32], new int[32], new int[] {9, 0})
                .supports(KernelFeature.CONNECTION_EXISTS));
    }
}
