package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.protocol.MptcpException;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Transfers;

/** Commands the kernel refuses come back with the errno and the kernel's own words. */
@KernelTest
class PathManagerKernelTest {
    private static final int PORT = 5201;

    @Test
    void subflowCreateWithAWrongTokenFailsWithEinvalAndTheKernelsMessage() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); PathManager pm = PathManager.open(t.client())) {
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            PathManagerException e = assertThrows(PathManagerException.class, () -> pm.createSubflow(0x0badf00d,
                    MptcpAddress.of(Topology.clientAddress(1), 0).id(1), MptcpAddress.of(Topology.serverAddress(1), PORT)));
            assertEquals("SUBFLOW_CREATE", e.operation());
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("EINVAL", e.errnoName());
            assertEquals("invalid token", e.extack());
            assertEquals("SUBFLOW_CREATE: Invalid argument (EINVAL): invalid token", e.getMessage());
        }
    }

    @Test
    void aConnectionOfTheInKernelPathManagerIsRefusedWithAHint() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); PathManager pm = PathManager.open(t.client());
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            PathManagerMode.set(t.client(), PathManagerMode.KERNEL);
            Transfers.discardServer(listener, new AtomicLong());
            try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                Transfers.send(socket, 100);
                int token = Transfers.awaitInfo(socket, i -> i.token() != 0).token();
                PathManagerException e = assertThrows(PathManagerException.class, () -> pm.createSubflow(token,
                        MptcpAddress.of(Topology.clientAddress(1), 0).id(0), MptcpAddress.of(Topology.serverAddress(1), PORT)));
                assertEquals(Errno.EINVAL, e.errno());
                assertTrue(e.extack().contains("userspace PM not selected"), e.extack());
                assertTrue(e.getMessage().contains("mptcp4j path-manager userspace"), e.getMessage());
            }
        }
    }

    @Test
    void pathManagerModeIsPerNamespaceAndKeepsBothSysctlsInStep() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            assertEquals(PathManagerMode.KERNEL, PathManagerMode.of(t.client()));
            PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
            assertEquals(PathManagerMode.USERSPACE, PathManagerMode.of(t.client()));
            assertEquals("1", KernelSupport.sysctl(t.client(), "pm_type"));
            assertEquals(PathManagerMode.KERNEL, PathManagerMode.of(t.server()), "the other namespace is untouched");
            MptcpException e = assertThrows(MptcpException.class, () -> PathManagerMode.requireUserspace(t.server()));
            assertTrue(e.getMessage().contains("the kernel path manager is selected"), e.getMessage());
        }
    }

    @Test
    void mptcpDisabledInANamespaceSaysSo() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            KernelSupport.setSysctl(t.client(), "enabled", "0");
            MptcpException e = assertThrows(MptcpException.class, () -> KernelSupport.requireMptcp(t.client()));
            assertTrue(e.getMessage().contains("net.mptcp.enabled=0"), e.getMessage());
            Exception io = assertThrows(java.io.IOException.class,
                    () -> MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT)));
            assertTrue(io.getMessage().contains("MPTCP is disabled"), io.getMessage());
        }
    }
}
