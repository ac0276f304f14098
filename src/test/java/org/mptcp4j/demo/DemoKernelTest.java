package org.mptcp4j.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.testing.KernelTest;
import org.mptcp4j.testing.KernelTestExtension;
import org.mptcp4j.testing.Processes;

/** The README's first command, run as a test: it succeeds and leaves nothing behind. */
@KernelTest
class DemoKernelTest {
    private static String run(Demo.Options options, int expectedExit) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(options);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, out);
        assertTrue(KernelTestExtension.namespacesOfThisJvm().isEmpty(), "the demo removed its namespaces");
        return out;
    }

    @Test
    void ndiffportsDemoOpensTwoSubflowsThatCarryBytes() throws Exception {
        String out = run(new Demo.Options(2, false, 16, 200, false), 0);
        assertTrue(out.contains("OK: mptcp4j opened 2 extra subflow(s); all 3 subflows carried bytes"), out);
        assertTrue(out.contains("[     ESTABLISHED]"), out);
        assertEquals(2, out.lines().filter(l -> l.contains("[ SUB_ESTABLISHED]")).count(), out);
    }

    @Test
    void demoStoppedMidTransferRemovesItsNamespaces() throws Exception {
        Process demo = new ProcessBuilder(Processes.command(List.of(),
                List.of(Processes.nativeLibraryPath()), false,
                "demo", "--megabytes", "100000")).redirectErrorStream(true).start();
        String marker = "m4j-demo-" + demo.pid() + "-";
        try {
            CompletableFuture<String> sending = CompletableFuture.supplyAsync(() -> firstLineStartingWith(demo, "sent "));
            assertTrue(sending.get(30, TimeUnit.SECONDS) != null, "the demo never started sending");
            assertTrue(Shell.run("ip", "netns", "list").contains(marker));
            demo.destroy(); // SIGTERM: the JVM's shutdown hooks run, as on Ctrl-C
            assertTrue(demo.waitFor(30, TimeUnit.SECONDS), "the demo did not exit after SIGTERM");
            assertFalse(Shell.run("ip", "netns", "list").contains(marker), "namespaces of the stopped demo remain");
        } finally {
            demo.destroyForcibly();
            // A killed demo cannot clean up after itself: do it here whatever happened.
            for (String line : Shell.run("ip", "netns", "list").lines().toList()) {
                if (line.startsWith(marker)) {
                    Shell.runQuietly("ip", "netns", "del", line.split(" ")[0]);
                }
            }
        }
    }

    private static String firstLineStartingWith(Process process, String prefix) {
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith(prefix)) {
                // wait until bytes flow
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void perAddressDemoUsesTheSecondPath() throws Exception {
        String out = run(new Demo.Options(1, true, 16, 200, true), 0);
        assertTrue(out.contains("saddr4=10.231.2.1"), out);
        assertTrue(out.contains("OK: mptcp4j opened 1 extra subflow(s)"), out);
    }
}
