package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.Processes;

/** A one-shot command, as a user starts it, loads what it uses and not every manual or the daemon's configuration. */
@KernelTest
class OneShotStartUpKernelTest {
    @Test
    void limitsShowLoadsNeitherTheManualsNorTheDaemonsConfiguration() throws Exception {
        Shell.Result r = Processes.mptcp4j(List.of(), List.of(Processes.nativeLibraryPath(),
                "-Xlog:class+load=info:stdout:tags"), false, "limits", "show");
        assertEquals(0, r.exit(), r.err());
        List<String> loaded = r.out().lines().filter(l -> l.startsWith("[class,load] ")).map(l -> l.split(" ")[1]).toList();
        assertTrue(loaded.contains("org.mptcp4j.pm.Limits"), "the command ran: " + r.out());
        assertEquals(List.of(), loaded.stream().filter(c -> c.equals("org.mptcp4j.cli.Manuals")
                || c.startsWith("org.mptcp4j.daemon.DaemonConfig") || c.equals("org.mptcp4j.daemon.ConfigParser")).toList());
    }
}
