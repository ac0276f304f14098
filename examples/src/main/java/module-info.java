/** An application on mptcp4j: what the path manager of the caller's network namespace offers. */
module org.mptcp4j.example {
    requires org.mptcp4j;
}
