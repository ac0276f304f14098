package org.mptcp4j.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.mptcp4j.controller.ConnectionPolicy;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.Controllers;
import org.mptcp4j.diag.LocalAddressFilter;
import org.mptcp4j.loop.CpuSet;
import org.mptcp4j.loop.EventDecoding;
import org.mptcp4j.loop.IdleStrategy;
import org.mptcp4j.netns.NetworkNamespace;

/**
 * How one namespace is managed: which namespace, with which controller (a named one with its
 * parameters, or a policy's rules), which local addresses controllers hear of, and the event
 * loop's settings. Equal configurations need no restart on reload.
 *
 * @param target the namespace: "" for the daemon's own, an {@code ip netns} name, or an absolute path
 * @param pathManager the controller's name when there is no policy
 * @param parameters its parameters
 * @param policyFile the policy's file, or null
 * @param policyText the policy's rules as read (a changed file is a changed configuration)
 * @param controllerDefaults each [controller NAME] section's parameters, under those a policy
 *     rule or a connection's assignment gives
 * @param controllerStall how long a controller may keep the event loop from its events before
 *     the loop is replaced
 * @param controllerLoader where controllers are found besides mptcp4j's own: the plugin
 *     directory's loader when there is one (a changed set of jars is a changed configuration)
 * @param loopPriority the SCHED_FIFO priority of the event loop's thread, 0 for none (loop-priority off)
 * @param loopCpus the CPUs the event loop's thread runs on, null for those of the daemon (loop-cpu off)
 * @param addressFlags mptcpd's addr-flags as {@link org.mptcp4j.protocol.MptcpAddress}'s FLAG_* bits: what
 *     controllers give the addresses they announce, 0 for none
 */
public record NamespaceConfig(String target, String pathManager, Map<String, String> parameters, Path policyFile,
        String policyText, boolean loopback, boolean linkLocal, List<String> interfaces, List<String> excludeInterfaces,
        String idle, int receiveBuffer, EventDecoding decoding, Duration timeoutInterval, Duration familyWait,
        Map<String, Map<String, String>> controllerDefaults, Duration controllerStall, ClassLoader controllerLoader,
        int loopPriority, CpuSet loopCpus, int addressFlags) {

    /** Opens the namespace this configuration names. */
    NetworkNamespace open() {
        if (target.isEmpty()) {
            return NetworkNamespace.current();
        }
        return target.startsWith("/") ? NetworkNamespace.at(Path.of(target)) : NetworkNamespace.named(target);
    }

    /** The namespace as log lines and metrics name it. */
    public String label() {
        return target.isEmpty() ? "self" : target;
    }

    /**
     * A new controller (each run of a namespace has its own: controllers keep state), made with
     * the {@linkplain #controllerLoader() controllers} this configuration was read with.
     */
    Controller newController() {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(controllerLoader);
        try {
            return policyText != null ? ConnectionPolicy.parse(policyText, controllerDefaults)
                    : Controllers.create(pathManager, parameters);
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    IdleStrategy idleStrategy() {
        return IdleStrategy.named(idle);
    }

    LocalAddressFilter localAddressFilter() {
        LocalAddressFilter filter = LocalAddressFilter.standard();
        if (loopback) {
            filter = filter.withLoopback();
        }
        if (linkLocal) {
            filter = filter.withLinkLocal();
        }
        if (!interfaces.isEmpty()) {
            filter = filter.allow(interfaces);
        }
        if (!excludeInterfaces.isEmpty()) {
            filter = filter.deny(excludeInterfaces);
        }
        return filter;
    }

    /** The event loop thread's scheduling, for the start line and {@code ctl namespaces}: "" when there is none. */
    public String loopSchedulingText() {
        return (loopPriority == 0 ? "" : ", loop-priority " + loopPriority) + (loopCpus == null ? "" : ", loop-cpu " + loopCpus);
    }

    /** What manages the connections, for logs and {@code ctl policy}. */
    public String controllerText() {
        return policyFile != null ? "policy " + policyFile : pathManager + (parameters.isEmpty() ? "" : " " + parameters);
    }
}
