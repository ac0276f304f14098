package org.mptcp4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.mptcp4j.pm.PathManagerException;

/** The one-line messages of the errors that cannot be staged on this kernel. */
class MptcpExceptionTest {
    @Test
    void kernelWithoutThePathManagerFamily() {
        assertEquals("resolve generic netlink family mptcp_pm: No such file or directory (ENOENT) - this kernel has no"
                + " MPTCP path-manager interface: mptcp4j needs Linux 5.19 or later with CONFIG_MPTCP",
                new MptcpException("resolve generic netlink family mptcp_pm", Errno.ENOENT, null).getMessage());
    }

    @Test
    void kernelWithoutEvents() {
        assertEquals("resolve multicast group mptcp_pm_events: No such file or directory (ENOENT) - this kernel sends"
                + " no MPTCP events: mptcp4j needs Linux 5.19 or later",
                new MptcpException("resolve multicast group mptcp_pm_events", Errno.ENOENT, null).getMessage());
    }

    @Test
    void commandWithoutCapNetAdmin() {
        PathManagerException e = new PathManagerException("SUBFLOW_CREATE", Errno.EPERM, null);
        assertEquals("SUBFLOW_CREATE: Operation not permitted (EPERM) - path-manager commands need CAP_NET_ADMIN:"
                + " run as root or grant CAP_NET_ADMIN", e.getMessage());
    }

    @Test
    void anotherNamespaceWithoutCapSysAdmin() {
        assertEquals("enter network namespace: Operation not permitted (EPERM) - entering another network namespace needs"
                + " CAP_SYS_ADMIN: run as root, or start mptcp4j inside that namespace (ip netns exec NAME, systemd's"
                + " NetworkNamespacePath=) with CAP_NET_ADMIN alone",
                new MptcpException("enter network namespace", Errno.EPERM, null).getMessage());
    }
}
