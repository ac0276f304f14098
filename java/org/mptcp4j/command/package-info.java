/**
 * The command language the {@code mptcp4j} command line and the daemon's control socket both
 * speak: its argument parser, the path-manager commands, {@code connections}, their output
 * formats and exit statuses (internal).
 */
package org.mptcp4j.command;
