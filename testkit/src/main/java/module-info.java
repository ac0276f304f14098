/**
 * The mptcp4j test kit: unit tests of controllers against a fake kernel, without root or an
 * MPTCP kernel. See {@link org.mptcp4j.testkit}.
 */
module org.mptcp4j.testkit {
    requires transitive org.mptcp4j;

    exports org.mptcp4j.testkit;
}
