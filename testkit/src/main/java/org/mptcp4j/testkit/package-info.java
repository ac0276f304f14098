/**
 * The mptcp4j test kit: unit tests of {@link org.mptcp4j.controller.Controller controllers}
 * against a fake kernel, without root or an MPTCP kernel.
 *
 * <pre>{@code
 * @Test
 * void opensTwoSubflowsAndRetriesWhenThePortIsTaken() {
 *     try (FakeKernel kernel = FakeKernel.hosting(NDiffPortsController.sameAddressPair(2))) {
 *         kernel.failNext(PmCommand.SUBFLOW_CREATE, Errno.EADDRINUSE, "no free port");
 *         kernel.established(0x1c0ffee5).local("10.0.0.1", 40000).remote("10.0.0.2", 443).send();
 *         Command refused = kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
 *         assertEquals(0x1c0ffee5, refused.token());
 *         kernel.nextCommand(PmCommand.SUBFLOW_CREATE);
 *         kernel.assertNoMoreCommands();
 *         kernel.advance(Duration.ofSeconds(1));          // ndiffports asks again after 1 s
 *         assertEquals(443, kernel.nextCommand(PmCommand.SUBFLOW_CREATE).remotePort());
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link org.mptcp4j.testkit.FakeKernel}: hosts one controller as the daemon does, sends it
 *       events, takes its commands, answers them, keeps its time and what sock_diag reports;</li>
 *   <li>{@link org.mptcp4j.testkit.Events} and {@link org.mptcp4j.testkit.Event}: every MPTCP
 *       event the kernel sends, built attribute by attribute;</li>
 *   <li>{@link org.mptcp4j.testkit.Command} and {@link org.mptcp4j.testkit.Answer}, with
 *       {@link org.mptcp4j.protocol.Errno}'s numbers: what the controller sent, and what the kernel says;</li>
 *   <li>{@link org.mptcp4j.testkit.Diag}: connections and subflows as sock_diag reports them;</li>
 *   <li>{@link org.mptcp4j.testkit.Recording}: a namespace's real events, recorded by
 *       {@code mptcp4j record}, to replay.</li>
 * </ul>
 *
 * The kit works on the class path and on the module path (module {@code org.mptcp4j.testkit}).
 * It loads mptcp4j's native library as the library itself does (its platform jar on the class
 * path, or {@code java.library.path}): the stand-in kernel's sockets are socket pairs.
 */
package org.mptcp4j.testkit;
