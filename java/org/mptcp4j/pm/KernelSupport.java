package org.mptcp4j.pm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.MptcpException;

/**
 * What the kernel of a network namespace offers MPTCP, read from its {@code net.mptcp}
 * sysctls, with the one-line errors a newcomer needs when something is missing.
 */
public final class KernelSupport {
    private static final Path MPTCP_SYSCTLS = Path.of("/proc/sys/net/mptcp");

    private KernelSupport() {}

    /**
     * Checks that the kernel has MPTCP and that it is enabled in {@code namespace}.
     *
     * @param namespace the network namespace
     * @throws MptcpException saying what is missing and what to do
     */
    public static void requireMptcp(NetworkNamespace namespace) {
        String enabled = sysctlOrNull(namespace, "enabled");
        if (enabled == null && sysctlOrNull(namespace, V095_ENABLED) != null) {
            // v0.95: 1 for every TCP socket, 2 for those opened with MPTCP_ENABLED, 0 for none.
            String v095 = sysctl(namespace, V095_ENABLED);
            if ("0".equals(v095)) {
                throw new MptcpException("check MPTCP", 0, "MPTCP is disabled in " + namespace
                        + " (net.mptcp." + V095_ENABLED + "=0): sysctl -w net.mptcp." + V095_ENABLED + "=1");
            }
            return;
        }
        if (!"1".equals(enabled)) {
            throw new MptcpException("check MPTCP", 0, "MPTCP is disabled in " + namespace
                    + " (net.mptcp.enabled=" + enabled + "): sysctl -w net.mptcp.enabled=1");
        }
    }

    /** The multipath-tcp.org v0.95 kernel's name for net.mptcp.enabled. */
    static final String V095_ENABLED = "mptcp_enabled";

    /** The value of {@code net.mptcp.<name>} in {@code namespace}, or null if this kernel has no such sysctl. */
    static String sysctlOrNull(NetworkNamespace namespace, String name) {
        hasMptcp(namespace);
        return read(namespace, MPTCP_SYSCTLS.resolve(name));
    }

    /** The value of {@code net.mptcp.<name>}; throws if the kernel has no MPTCP or no such sysctl. */
    static String sysctl(NetworkNamespace namespace, String name) {
        String value = sysctlOrNull(namespace, name);
        if (value == null) {
            throw new MptcpException("read net.mptcp." + name, 0, "this kernel has no such sysctl");
        }
        return value;
    }

    /** Sets {@code net.mptcp.<name>} in {@code namespace}; needs root there. */
    static void setSysctl(NetworkNamespace namespace, String name, String value) {
        hasMptcp(namespace);
        Path file = MPTCP_SYSCTLS.resolve(name);
        try {
            namespace.call(() -> Files.writeString(file, value + "\n", StandardCharsets.US_ASCII));
        } catch (AccessDeniedException e) {
            throw new MptcpException("set net.mptcp." + name, 0,
                    "permission denied: setting sysctls needs root (CAP_NET_ADMIN in " + namespace + ")");
        } catch (IOException e) {
            throw new MptcpException("set net.mptcp." + name + "=" + value, 0, String.valueOf(e.getMessage()));
        } catch (Exception e) {
            throw new MptcpException("set net.mptcp." + name, 0, e.toString());
        }
    }

    private static void hasMptcp(NetworkNamespace namespace) {
        Boolean present;
        try {
            present = namespace.call(() -> Files.isDirectory(MPTCP_SYSCTLS));
        } catch (Exception e) {
            throw new MptcpException("read net.mptcp sysctls in " + namespace, 0, e.toString());
        }
        if (!present) {
            throw new MptcpException("check MPTCP", 0, "this kernel has no MPTCP (no " + MPTCP_SYSCTLS
                    + "): mptcp4j needs Linux 5.19 or later built with CONFIG_MPTCP");
        }
    }

    private static String read(NetworkNamespace namespace, Path file) {
        try {
            return namespace.call(() -> Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return null;
        } catch (Exception e) {
            throw new MptcpException("read " + file, 0, e.toString());
        }
    }
}
