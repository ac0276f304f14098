package org.mptcp4j.netlink;

import org.junit.jupiter.api.Tag;

/** The native decoder (libnl, in C). */
@Tag("jni") // the C decoder, in libmptcp4j.so
class NativeEventDecoderTest extends EventDecoderTest {
    @Override
    boolean java() {
        return false;
    }
}
