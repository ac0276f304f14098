package org.mptcp4j.netlink;

/** The native decoder (libnl, in C). */
class NativeEventDecoderTest extends EventDecoderTest {
    @Override
    boolean java() {
        return false;
    }
}
