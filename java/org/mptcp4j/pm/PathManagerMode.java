package org.mptcp4j.pm;

import org.mptcp4j.netns.NetworkNamespace;
import org.mptcp4j.protocol.MptcpException;

/**
 * Which path manager the kernel gives new MPTCP connections of a network namespace:
 * {@code net.mptcp.path_manager} (Linux 6.15), or {@code net.mptcp.pm_type} on older kernels;
 * on the multipath-tcp.org v0.95 kernel {@code net.mptcp.mptcp_path_manager}, where
 * {@code netlink} is the one driven from userspace.
 * The choice is fixed per connection when it is created. mptcp4j manages only connections of
 * the userspace path manager, which is active only while someone listens to MPTCP events.
 */
public enum PathManagerMode {
    /** The in-kernel path manager and its endpoints ({@code ip mptcp endpoint}). */
    KERNEL("kernel", "0"),
    /** The userspace path manager: mptcp4j decides. */
    USERSPACE("userspace", "1");

    private final String sysctlName;
    private final String pmType;

    PathManagerMode(String sysctlName, String pmType) {
        this.sysctlName = sysctlName;
        this.pmType = pmType;
    }

    /**
     * "kernel" or "userspace", as net.mptcp.path_manager spells it.
     *
     * @return the sysctl's value
     */
    public String sysctlName() {
        return sysctlName;
    }

    /** v0.95's sysctl, and its path managers' names for the two modes. */
    static final String V095_SYSCTL = "mptcp_path_manager";
    static final String V095_USERSPACE = "netlink";
    static final String V095_KERNEL = "default";

    /**
     * The mode of {@code namespace}.
     *
     * @param namespace the network namespace
     * @return the mode
     */
    public static PathManagerMode of(NetworkNamespace namespace) {
        String name = KernelSupport.sysctlOrNull(namespace, "path_manager");
        if (name != null) {
            return parse(name);
        }
        String v095 = KernelSupport.sysctlOrNull(namespace, V095_SYSCTL);
        if (v095 != null) {
            return ofV095(v095);
        }
        String type = KernelSupport.sysctl(namespace, "pm_type");
        for (PathManagerMode mode : values()) {
            if (mode.pmType.equals(type)) {
                return mode;
            }
        }
        throw new MptcpException("read net.mptcp.pm_type", 0, "unknown value " + type);
    }

    /** v0.95's path manager {@code name}: its netlink one is the userspace mode, fullmesh, ndiffports, binder and default the kernel's. */
    static PathManagerMode ofV095(String name) {
        return V095_USERSPACE.equals(name.trim()) ? USERSPACE : KERNEL;
    }

    /**
     * Selects {@code mode} for new connections of {@code namespace}; needs root there. On v0.95
     * the userspace mode is its netlink path manager, the kernel mode its default one.
     *
     * @param namespace the network namespace
     * @param mode the mode
     */
    public static void set(NetworkNamespace namespace, PathManagerMode mode) {
        if (KernelSupport.sysctlOrNull(namespace, "path_manager") != null) {
            KernelSupport.setSysctl(namespace, "path_manager", mode.sysctlName);
        } else if (KernelSupport.sysctlOrNull(namespace, V095_SYSCTL) != null) {
            KernelSupport.setSysctl(namespace, V095_SYSCTL, mode == USERSPACE ? V095_USERSPACE : V095_KERNEL);
        } else if (mode == USERSPACE && KernelSupport.sysctlOrNull(namespace, "pm_type") == null) {
            throw new MptcpException("select the userspace path manager", 0,
                    "this kernel has no userspace path manager (net.mptcp.pm_type): it needs Linux 5.19");
        } else {
            KernelSupport.setSysctl(namespace, "pm_type", mode.pmType);
        }
    }

    /**
     * "kernel" or "userspace" (case-insensitive) to a mode.
     *
     * @param name the mode's name
     * @return the mode
     */
    public static PathManagerMode parse(String name) {
        for (PathManagerMode mode : values()) {
            if (mode.sysctlName.equalsIgnoreCase(name.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown path manager '" + name + "': expected kernel or userspace");
    }

    /**
     * Fails with a clear message unless the userspace path manager is selected in
     * {@code namespace}: otherwise mptcp4j would hear events but every command would fail.
     *
     * @param namespace the network namespace
     */
    public static void requireUserspace(NetworkNamespace namespace) {
        KernelSupport.requireMptcp(namespace);
        PathManagerMode mode = of(namespace);
        if (mode != USERSPACE) {
            boolean v095 = KernelSupport.sysctlOrNull(namespace, "path_manager") == null
                    && KernelSupport.sysctlOrNull(namespace, V095_SYSCTL) != null;
            throw new MptcpException("check path manager", 0, "the " + mode.sysctlName
                    + " path manager is selected in " + namespace
                    + "; mptcp4j manages connections of the userspace one: run 'mptcp4j path-manager userspace'"
                    + (v095 ? " (sysctl -w net.mptcp." + V095_SYSCTL + "=" + V095_USERSPACE + ")"
                            : " (sysctl -w net.mptcp.path_manager=userspace)")
                    + " before connections start");
        }
    }
}
