package org.mptcp4j.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.protocol.Dialect;
import org.mptcp4j.protocol.MptcpAddress;
import org.mptcp4j.standin.KernelStandIn;

/**
 * The warm-up's stand-in kernel answers as the kernel does, so that the code compiled during the
 * warm-up has met the answers the daemon's first real commands get: a plain command is
 * acknowledged, and a dump of the endpoints ends with NLMSG_DONE, every other time after one
 * endpoint.
 */
class WarmUpAcknowledgerTest {
    @Test
    void dumpsAlternateBetweenNoEndpointAndOneAndPlainCommandsAreAcknowledged() throws Exception {
        try (KernelStandIn kernel = KernelStandIn.create(Dialect.UPSTREAM, 0x1c);
                WarmUp.Acknowledger acknowledger = new WarmUp.Acknowledger(kernel);
                PathManager pm = kernel.pathManager()) {
            acknowledger.start();
            assertEquals(List.of(), pm.endpoints());
            List<MptcpAddress> full = pm.endpoints();
            assertEquals(1, full.size(), full.toString());
            assertEquals(255, full.get(0).id());
            assertEquals(InetAddress.getByName("192.0.2.254"), full.get(0).inetAddress());
            assertEquals(List.of(), pm.endpoints());
            // Acknowledged, not answered as a dump: no exception, no data.
            pm.createSubflow(0x1234, MptcpAddress.of(InetAddress.getByName("192.0.2.1"), 0).id(1),
                    MptcpAddress.of(InetAddress.getByName("198.51.100.1"), 443));
            assertEquals(1, pm.endpoints().size(), "the dumps alternate, a plain command between them or not");
        }
    }
}
