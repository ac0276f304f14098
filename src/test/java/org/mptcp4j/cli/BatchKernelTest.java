package org.mptcp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.command.Commands;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.testing.KernelTest;

/** mptcp4j -batch against a namespace's in-kernel path manager: many commands, one process, errors by line. */
@KernelTest
class BatchKernelTest {
    /** The kernel keeps at most 8 endpoints per namespace (MPTCP_PM_ADDR_MAX). */
    private static final int AT_ONCE = 8;

    private record Run(int exit, String out, String err) {}

    private static Run mptcp4j(InputStream in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new Main(in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run mptcp4j(String stdin, String... args) {
        return mptcp4j(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    /** The namespace's endpoints as ip prints them, one a line. */
    private static List<String> endpoints(String namespace) throws Exception {
        return Shell.run("ip", "-n", namespace, "mptcp", "endpoint", "show").lines().map(String::strip).toList();
    }

    @Test
    void fiveHundredEndpointAddsAndDeletesInOneBatch(@TempDir Path dir) throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            StringBuilder batch = new StringBuilder("# 500 endpoints, 8 at a time, each group listed before it goes\n");
            StringBuilder listed = new StringBuilder();
            for (int first = 0; first < 500; first += AT_ONCE) {
                int group = Math.min(AT_ONCE, 500 - first);
                for (int id = 1; id <= group; id++) {
                    int n = first + id - 1;
                    String endpoint = "10.1." + n / 250 + "." + (n % 250 + 1) + " id " + id + " subflow";
                    batch.append("endpoint add ").append(endpoint).append('\n');
                    listed.append(endpoint).append('\n');
                }
                batch.append("endpoint show\n");
                for (int id = 1; id <= group; id++) {
                    batch.append("endpoint delete id ").append(id).append('\n');
                }
            }
            Path file = Files.writeString(dir.resolve("endpoints.batch"), batch);

            Run run = mptcp4j(InputStream.nullInputStream(), "-n", t.clientName(), "-batch", file.toString());

            assertEquals("", run.err());
            assertEquals(Commands.OK, run.exit());
            assertEquals(listed.toString(), run.out(), "each group of endpoints was there when listed");
            assertEquals(List.of(), endpoints(t.clientName()), "every endpoint deleted");
        }
    }

    @Test
    void aFailingLineIsReportedWithItsNumberAndStopsTheBatchUnlessForced() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            String ns = t.clientName();
            String batch = """
                    endpoint add 10.1.0.1 id 1 subflow
                    # endpoint 2 is not there yet

                    endpoint delete id 2
                    endpoint add 10.1.0.2 id 2 subflow
                    """;
            String failure = "mptcp4j: -:4: endpoint delete: DEL_ADDR: Invalid argument (EINVAL): address not found\n";

            Run stopped = mptcp4j(batch, "-batch", "-", "-n", ns);
            assertEquals(failure, stopped.err());
            assertEquals(Commands.FAILED, stopped.exit());
            assertEquals(List.of("10.1.0.1 id 1 subflow"), endpoints(ns), "the line after the failure did not run");

            Shell.run("ip", "-n", ns, "mptcp", "endpoint", "flush");
            Run forced = mptcp4j(batch, "-n", ns, "-force", "-batch", "-");
            assertEquals(failure, forced.err());
            assertEquals(Commands.FAILED, forced.exit());
            assertEquals(List.of("10.1.0.1 id 1 subflow", "10.1.0.2 id 2 subflow"), endpoints(ns));
        }
    }

    @Test
    void aLineMayNameItsOwnNamespace() throws Exception {
        try (Topology t = Topology.create("m4j-test", 1)) {
            String batch = "endpoint add 10.1.0.1 id 1 signal -n " + t.clientName() + "\n"
                    + "endpoint add 10.2.0.1 id 2 subflow --netns " + t.serverName() + "\n";
            Run run = mptcp4j(batch, "-batch", "-");
            assertEquals("", run.err());
            assertEquals(Commands.OK, run.exit());
            assertEquals(List.of("10.1.0.1 id 1 signal"), endpoints(t.clientName()));
            assertEquals(List.of("10.2.0.1 id 2 subflow"), endpoints(t.serverName()));
        }
    }
}
