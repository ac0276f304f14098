package org.mptcp4j.netlink;

/** The pure-Java decoder. */
class JavaEventDecoderTest extends EventDecoderTest {
    @Override
    boolean java() {
        return true;
    }
}
