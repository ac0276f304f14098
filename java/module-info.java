/**
 * mptcp4j: a userspace path manager for Multipath TCP on Linux.
 *
 * <ul>
 *   <li>{@link org.mptcp4j.protocol}: the words of the kernel's path-manager interface: events and
 *       their attributes, addresses, commands, dialects, errno values and errors;</li>
 *   <li>{@link org.mptcp4j.pm}: commands to the kernel's path manager, and what its kernel offers;</li>
 *   <li>{@link org.mptcp4j.loop}: the event loop and its idle strategies;</li>
 *   <li>{@link org.mptcp4j.controller}: the controller SPI, and shipped controllers below it;</li>
 *   <li>{@link org.mptcp4j.diag}: what the kernel knows of the namespace's addresses;</li>
 *   <li>{@link org.mptcp4j.control}: the daemon's control socket, its server and a client;</li>
 *   <li>{@link org.mptcp4j.metrics}: counters of events and commands, served to Prometheus;</li>
 *   <li>{@link org.mptcp4j.socket}: MPTCP sockets for applications;</li>
 *   <li>{@link org.mptcp4j.netns}: network namespaces.</li>
 * </ul>
 *
 * The loading of the native library ({@code org.mptcp4j.natives}), the native binding
 * ({@code org.mptcp4j.netlink}), the rule for the files the daemon trusts ({@code org.mptcp4j.files}),
 * the tables and texts under them ({@code org.mptcp4j.table}, {@code org.mptcp4j.text}), the
 * stand-in kernel ({@code org.mptcp4j.standin}) and the hooks it reaches the path manager and
 * the event loop by ({@code org.mptcp4j.access}), the command language ({@code org.mptcp4j.command}),
 * the command line and the demo are internal.
 */
@SuppressWarnings("module") // org.mptcp4j.testkit, exported to below, is built after this module
module org.mptcp4j {
    requires org.slf4j;
    requires jdk.unsupported;     // sun.misc.Signal: SIGHUP reloads the daemon
    requires java.management;     // the warm-up waits for the JIT compiler to be idle
    requires transitive jdk.net;  // the control socket: SO_PEERCRED; UnixDomainPrincipal is in its API

    exports org.mptcp4j.protocol;
    exports org.mptcp4j.pm;
    exports org.mptcp4j.loop;
    exports org.mptcp4j.controller;
    exports org.mptcp4j.controller.announce;
    exports org.mptcp4j.controller.backup;
    exports org.mptcp4j.controller.ecmp;
    exports org.mptcp4j.controller.fullmesh;
    exports org.mptcp4j.controller.joinguard;
    exports org.mptcp4j.controller.ndiffports;
    exports org.mptcp4j.controller.ratetarget;
    exports org.mptcp4j.diag;
    exports org.mptcp4j.socket;
    exports org.mptcp4j.netns;
    exports org.mptcp4j.control;
    exports org.mptcp4j.metrics;

    // The test kit (mptcp4j-testkit) hosts controllers over a stand-in kernel and replays recordings.
    exports org.mptcp4j.standin to org.mptcp4j.testkit;

    // Named by the daemon with -Dslf4j.provider, never provided: applications keep their own binding.
    exports org.mptcp4j.logging to org.slf4j;

    uses org.mptcp4j.controller.ControllerProvider;

    provides org.mptcp4j.controller.ControllerProvider with
            org.mptcp4j.controller.announce.AnnounceProvider,
            org.mptcp4j.controller.backup.BackupOnDemandProvider,
            org.mptcp4j.controller.ecmp.EcmpRefreshProvider,
            org.mptcp4j.controller.fullmesh.FullMeshProvider,
            org.mptcp4j.controller.joinguard.JoinGuardProvider,
            org.mptcp4j.controller.ndiffports.NDiffPortsProvider,
            org.mptcp4j.controller.ratetarget.RateTargetProvider;
}
