package org.mptcp4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.mptcp4j.demo.Shell;

/**
 * Checks a kernel test's requirements before it runs, and after it that it left no network
 * namespace of this JVM behind.
 */
public final class KernelTestExtension implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        String missing = missingRequirement();
        if (missing == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("kernel test " + context.getDisplayName() + " cannot run under CI=true: " + missing);
        }
        Assumptions.abort("skipped: " + missing);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        List<String> left = namespacesOfThisJvm();
        if (!left.isEmpty()) {
            for (String name : left) {
                Shell.runQuietly("ip", "netns", "del", name);
            }
            fail(context.getDisplayName() + " left network namespaces behind: " + left);
        }
    }

    /** Namespaces named by {@link org.mptcp4j.demo.Topology} in this JVM: "*-PID-N-cli|srv". */
    public static List<String> namespacesOfThisJvm() throws IOException {
        String marker = "-" + ProcessHandle.current().pid() + "-";
        return Shell.run("ip", "netns", "list").lines().map(l -> l.split(" ")[0])
                .filter(n -> n.contains(marker)).toList();
    }

    static String missingRequirement() {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            boolean root = status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
            if (!root) {
                return "needs root (network namespaces, veth pairs, sysctls)";
            }
        } catch (IOException e) {
            return "cannot read /proc/self/status: " + e.getMessage();
        }
        if (!Files.isDirectory(Path.of("/proc/sys/net/mptcp"))) {
            return "the kernel has no MPTCP (no /proc/sys/net/mptcp)";
        }
        try {
            Shell.run("ip", "-V");
        } catch (IOException e) {
            return "needs iproute2: " + e.getMessage();
        }
        return null;
    }
}
