package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.testing.KernelTest;

/** The in-kernel path manager's endpoints and limits, written and read back. */
@KernelTest
class EndpointsKernelTest {
    @Test
    void endpointsAreReadBackAsWritten() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2); PathManager pm = PathManager.open(t.client())) {
            int c2 = t.client().interfaceIndex("c2");
            pm.addEndpoint(MptcpAddress.of(Topology.clientAddress(2), 0).id(2).flags(MptcpAddress.FLAG_SIGNAL).ifIndex(c2));
            pm.addEndpoint(MptcpAddress.of(Topology.clientAddress(1), 8080).id(7)
                    .flags(MptcpAddress.FLAG_SIGNAL | MptcpAddress.FLAG_BACKUP));
            pm.addEndpoint(MptcpAddress.of(Topology.clientAddress6(2), 0).id(9)
                    .flags(MptcpAddress.FLAG_SUBFLOW | MptcpAddress.FLAG_FULLMESH));
            pm.addEndpoint(MptcpAddress.of(Topology.clientAddress6(1), 0).flags(MptcpAddress.FLAG_SUBFLOW));

            List<String> dump = pm.endpoints().stream().map(MptcpAddress::toString).toList();
            assertEquals(List.of("10.231.2.1 id 2 flags signal dev " + c2, "10.231.1.1:8080 id 7 flags signal,backup",
                    "[fd00:231:2::1] id 9 flags subflow,fullmesh", "[fd00:231:1::1] id 10 flags subflow"), dump,
                    "the kernel gave the endpoint without an id the one after the highest");
            assertEquals("10.231.1.1:8080 id 7 flags signal,backup", pm.endpoint(7).toString());

            pm.setEndpointFlags(new MptcpAddress().id(2).flags(MptcpAddress.FLAG_BACKUP));
            assertEquals(MptcpAddress.FLAG_SIGNAL | MptcpAddress.FLAG_BACKUP, pm.endpoint(2).flags());
            pm.setEndpointFlags(MptcpAddress.of(Topology.clientAddress6(2), 0).flags(0));
            assertEquals(MptcpAddress.FLAG_SUBFLOW, pm.endpoint(9).flags(), "fullmesh cleared, by address");

            pm.deleteEndpoint(7);
            assertEquals(List.of(2, 9, 10), pm.endpoints().stream().map(MptcpAddress::id).toList());
            pm.flushEndpoints();
            assertEquals(List.of(), pm.endpoints());
        }
    }

    @Test
    void endpointMistakesCarryTheKernelsWords() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); PathManager pm = PathManager.open(t.client())) {
            pm.addEndpoint(MptcpAddress.of(Topology.clientAddress(1), 0).id(4).flags(MptcpAddress.FLAG_SIGNAL));
            PathManagerException duplicate = assertThrows(PathManagerException.class,
                    () -> pm.addEndpoint(MptcpAddress.of(Topology.clientAddress(1), 0).flags(MptcpAddress.FLAG_SIGNAL)));
            assertEquals(Errno.EEXIST, duplicate.errno());
            assertTrue(duplicate.extack().startsWith("too many addresses or duplicate one"), duplicate.extack());
            assertEquals("GET_ADDR: Invalid argument (EINVAL): address not found",
                    assertThrows(PathManagerException.class, () -> pm.endpoint(42)).getMessage());
            assertEquals("DEL_ADDR: Invalid argument (EINVAL): address not found",
                    assertThrows(PathManagerException.class, () -> pm.deleteEndpoint(42)).getMessage());
            assertEquals("ADD_ADDR: Invalid argument (EINVAL): flags must have signal and not subflow when using port",
                    assertThrows(PathManagerException.class, () -> pm.addEndpoint(MptcpAddress.of(Topology.clientAddress6(1), 80)
                            .flags(MptcpAddress.FLAG_SUBFLOW))).getMessage());
        }
    }

    @Test
    void limitsAreReadBackAndBoundedByTheKernel() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1); PathManager pm = PathManager.open(t.client())) {
            assertEquals(new Limits(0, 2), pm.limits(), "a new namespace's defaults");
            pm.setLimits(new Limits(3, 8));
            assertEquals(new Limits(3, 8), pm.limits());
            PathManagerException e = assertThrows(PathManagerException.class, () -> pm.setLimits(new Limits(1, 9)));
            assertEquals("SET_LIMITS: Invalid argument (EINVAL): limit greater than maximum (8)", e.getMessage());
            assertEquals(new Limits(3, 8), pm.limits(), "a refused change changes nothing");
            try (PathManager other = PathManager.open(t.server())) {
                assertEquals(new Limits(0, 2), other.limits(), "limits are per namespace");
            }
        }
    }
}
