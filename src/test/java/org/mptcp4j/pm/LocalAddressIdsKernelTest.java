package org.mptcp4j.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.testing.KernelTest;

/** Ids agree with the namespace's in-kernel endpoints. */
@KernelTest
class LocalAddressIdsKernelTest {
    @Test
    void endpointIdsAreKeptForTheirAddressesAndNeverGivenToOthers() throws Exception {
        try (Topology t = Topology.create("m4j-test", 2); PathManager pm = PathManager.open(t.client())) {
            pm.addEndpoint(MptcpAddress.of(Topology.clientAddress(2), 0).id(1).flags(MptcpAddress.FLAG_SIGNAL));
            pm.addEndpoint(MptcpAddress.of(Topology.clientAddress6(1), 0).id(3).flags(MptcpAddress.FLAG_SIGNAL));
            LocalAddressIds ids = LocalAddressIds.load(pm);
            assertEquals(1, ids.idOf(MptcpAddress.of(Topology.clientAddress(2), 0)));
            assertEquals(3, ids.idOf(MptcpAddress.of(Topology.clientAddress6(1), 0)));
            assertEquals(2, ids.idOf(MptcpAddress.of(Topology.clientAddress(1), 0)), "the lowest id no endpoint holds");
            assertEquals(4, ids.idOf(MptcpAddress.of(Topology.clientAddress6(2), 0)));
            ids.release(MptcpAddress.of(Topology.clientAddress(2), 0));
            assertEquals(1, ids.idOf(MptcpAddress.of(Topology.clientAddress(2), 0)), "an endpoint's id is not released");
        }
    }
}
