package org.mptcp4j.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.mptcp4j.natives.UnixDatagram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service manager's notifications (systemd's sd_notify protocol, {@code Type=notify}): a
 * datagram of {@code KEY=VALUE} lines to the socket {@code NOTIFY_SOCKET} names, a path or an
 * {@code @abstract} address. Without {@code NOTIFY_SOCKET} every notification is nothing.
 */
final class ServiceNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceNotifier.class);

    /** Where notifications go, or null. */
    private final String address;
    /** WATCHDOG_USEC when it is meant for this process, else null. */
    private final Duration watchdog;
    private UnixDatagram socket;
    private boolean failureSaid;

    private ServiceNotifier(String address, Duration watchdog) {
        this.address = address;
        this.watchdog = watchdog;
    }

    /** From this process's environment. */
    static ServiceNotifier fromEnvironment() {
        return of(System.getenv(), ProcessHandle.current().pid());
    }

    /**
     * From {@code environment}: NOTIFY_SOCKET, and WATCHDOG_USEC unless WATCHDOG_PID names
     * another process than {@code pid} (the watchdog is then another's to feed).
     */
    static ServiceNotifier of(Map<String, String> environment, long pid) {
        String address = environment.get("NOTIFY_SOCKET");
        if (address == null || address.isEmpty()) {
            return new ServiceNotifier(null, null);
        }
        Duration watchdog = null;
        String micros = environment.get("WATCHDOG_USEC");
        String watchdogPid = environment.get("WATCHDOG_PID");
        if (micros != null && (watchdogPid == null || watchdogPid.equals(Long.toString(pid)))) {
            try {
                long us = Long.parseLong(micros);
                // systemd's own bound on a watchdog: at most what fits its usec_t, never overflowing here.
                watchdog = us > 0 ? Duration.ofNanos(Math.multiplyExact(us, 1000L)) : null;
            } catch (NumberFormatException | ArithmeticException e) {
                LOG.warn("WATCHDOG_USEC={} is no number of microseconds: no watchdog", micros);
            }
        }
        return new ServiceNotifier(address, watchdog);
    }

    /** How often the service manager wants WATCHDOG=1 at the least, or null when it wants none. */
    Duration watchdog() {
        return watchdog;
    }

    /** Start-up or reload done: READY=1, with a status line for {@code systemctl status}. */
    void ready(String status) {
        send("READY=1\nSTATUS=" + status.replace('\n', ' '));
    }

    /**
     * A reload begins: RELOADING=1 with the time on CLOCK_MONOTONIC, which the service manager
     * requires with it. System.nanoTime() is CLOCK_MONOTONIC on Linux's JVMs.
     */
    void reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000);
    }

    void stopping() {
        send("STOPPING=1");
    }

    void watchdogPing() {
        send("WATCHDOG=1");
    }

    private synchronized void send(String message) {
        if (address == null) {
            return;
        }
        try {
            if (socket == null) {
                socket = UnixDatagram.open();
            }
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            socket.send(address, ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
            failureSaid = false;
        } catch (IOException | RuntimeException e) {
            // RuntimeException: no transport to reach the socket
            if (!failureSaid) {
                failureSaid = true;
                LOG.warn("cannot notify the service manager at {}: {}", address, e.getMessage());
            }
        }
    }

    synchronized void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
