package org.mptcp4j.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The Java mirrors of the native layouts (include/mptcp4j) against what the C compiler laid out. */
class NativeLibraryTest {
    @Test
    void layoutsMatchTheNativeHeaders() {
        NativeLibrary.ensureLoaded();
        assertArrayEquals(NativeLibrary.eventRecordLayout(), EventRecord.LAYOUT);
        assertArrayEquals(NativeLibrary.commandRequestLayout(), CommandRequest.LAYOUT);
        assertArrayEquals(NativeLibrary.diagRecordLayout(), DiagRecord.LAYOUT);
        assertArrayEquals(NativeLibrary.localAddressLayout(), LocalAddressDump.LAYOUT);
        assertArrayEquals(NativeLibrary.commandReplyLayout(), ReplyRecord.LAYOUT);
        assertArrayEquals(NativeLibrary.kernelFeaturesLayout(), KernelFeatureProbe.LAYOUT);
    }

    @Test
    void loadsFromTheLibraryPathInTests() {
        assertEquals("java.library.path", NativeLibrary.origin());
        assertTrue(NativeLibrary.libnl().startsWith("libnl 3."), NativeLibrary.libnl());
    }

    @Test
    void platformFolderFollowsTheClassifier() {
        assertEquals("META-INF/native/linux-x86_64/libmptcp4j.so", NativeLibrary.resourcePath());
    }

    @Test
    void missingLibnlNamesThePackage() {
        var e = NativeLibrary.explain(new UnsatisfiedLinkError(
                "/tmp/libmptcp4j-1.so: libnl-genl-3.so.200: cannot open shared object file: No such file or directory"),
                "/tmp/libmptcp4j-1.so");
        assertTrue(e.getMessage().contains("install the packages libnl-genl-3-200 and libnl-route-3-200"), e.getMessage());
    }
}
