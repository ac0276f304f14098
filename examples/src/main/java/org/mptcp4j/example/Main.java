package org.mptcp4j.example;

import org.mptcp4j.pm.KernelFeature;
import org.mptcp4j.pm.PathManager;

/**
 * Opens the path manager of the caller's network namespace and prints what it offers: the
 * kernel's family, the in-kernel path manager's limits (as {@code ip mptcp limits} shows them)
 * and the features the kernel has. Needs root, or CAP_NET_ADMIN in the namespace, for the limits.
 */
public final class Main {
    private Main() {}

    /**
     * Prints one line per fact, and exits non-zero if the kernel cannot be reached.
     *
     * @param args none
     */
    public static void main(String[] args) {
        Module mptcp4j = PathManager.class.getModule();
        System.out.println("mptcp4j: " + (mptcp4j.isNamed() ? "module " + mptcp4j.getName() : "class path"));
        try (PathManager pm = PathManager.open()) {
            System.out.println("family: " + pm.dialect().family());
            System.out.println("limits: " + pm.limits());
            for (KernelFeature feature : pm.features().supported()) {
                System.out.println("feature: " + feature);
            }
        }
    }
}
