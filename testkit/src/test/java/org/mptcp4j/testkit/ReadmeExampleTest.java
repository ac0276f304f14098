package org.mptcp4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.controller.ndiffports.NDiffPortsController;
import org.mptcp4j.protocol.Errno;
import org.mptcp4j.protocol.PmCommand;

/** README's controller test, word for word, so that the example compiles and passes. */
class ReadmeExampleTest {
    @Test
    void opensTwoSubflowsAndRetriesWhenNoPortIsFree() {
        try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(2))) {
            kernel.failNext(PmCommand.SUBFLOW_CREATE, Errno.EADDRINUSE, "no free port");
            kernel.established(0x1c0ffee5).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
            assertEquals(Errno.EADDRINUSE, kernel.nextCommand(PmCommand.SUBFLOW_CREATE).answer().errno());
            assertEquals(443, kernel.nextCommand(PmCommand.SUBFLOW_CREATE).remotePort());
            kernel.assertNoMoreCommands();
            kernel.advance(Duration.ofSeconds(1));           // ndiffports asks again after 1 s
            assertEquals(0x1c0ffee5, kernel.nextCommand(PmCommand.SUBFLOW_CREATE).token());
        }
    }
}
