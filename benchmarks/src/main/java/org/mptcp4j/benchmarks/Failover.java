package org.mptcp4j.benchmarks;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.mptcp4j.controller.Controller;
import org.mptcp4j.controller.ControllerHost;
import org.mptcp4j.controller.backup.BackupOnDemandController;
import org.mptcp4j.controller.fullmesh.FullMeshController;
import org.mptcp4j.demo.Shell;
import org.mptcp4j.demo.Topology;
import org.mptcp4j.loop.EventLoop;
import org.mptcp4j.pm.PathManager;
import org.mptcp4j.pm.PathManagerMode;
import org.mptcp4j.socket.MptcpServerSocket;
import org.mptcp4j.socket.MptcpSocket;

/**
 * Failover time: a client sends without pause over MPTCP on two 20 Mbit/s paths; its primary
 * path fails (the server's end of the link goes down: a pulled cable, or an iptables DROP: a
 * silent blackhole); the time is measured from the failure until the peer has acknowledged
 * 256 KB more at the MPTCP level (about 100 ms of the secondary's rate), i.e. until data flows
 * again in order. Path managers: the in-kernel one with a subflow endpoint (both paths used) or
 * a backup endpoint, and mptcp4j's fullmesh and backup-on-demand (open and standby).
 *
 *   Failover [TRIALS]   (root; prints a Markdown table)
 */
public final class Failover {
    private static final int PORT = 5201;
    private static final long RESUMED = 256 << 10;
    private static final long GIVE_UP_NANOS = 20_000_000_000L;
    private static final String[] MODES = {"kernel-subflow", "kernel-backup", "mptcp4j-fullmesh",
        "mptcp4j-backup-open", "mptcp4j-backup-standby"};
    private static final String[] FAILURES = {"link-down", "blackhole"};

    private Failover() {}

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Map<String, List<Double>> results = new LinkedHashMap<>();
        // Interleaved: each trial runs every mode and failure once.
        for (int trial = 0; trial < trials; trial++) {
            for (String failure : FAILURES) {
                for (String mode : MODES) {
                    double ms = trial(mode, failure);
                    results.computeIfAbsent(mode + " " + failure, k -> new ArrayList<>()).add(ms);
                    System.err.printf("trial %d %s %s: %.1f ms%n", trial + 1, mode, failure, ms);
                }
            }
        }
        System.out.println("| path manager | failure | median ms | p90 ms | max ms | trials |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            String[] key = e.getKey().split(" ");
            System.out.printf("| %s | %s | %.0f | %.0f | %.0f | %d |%n", key[0], key[1], percentile(v, 0.5),
                    percentile(v, 0.9), v[v.length - 1], v.length);
        }
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** One failover; its time in milliseconds (the give-up time when data never resumed). */
    private static double trial(String mode, String failure) throws Exception {
        try (Topology t = Topology.create("m4j-fo", 2);
                MptcpServerSocket listener = MptcpServerSocket.bind(t.server(), new InetSocketAddress("0.0.0.0", PORT), 8)) {
            t.routeBySource();
            t.allowServerSubflows(8);
            t.limitRate(1, 20);
            t.limitRate(2, 20);
            discard(listener);
            PathManager pm = null;
            EventLoop loop = null;
            try {
                if (mode.startsWith("kernel")) {
                    Shell.run("ip", "-n", t.clientName(), "mptcp", "limits", "set", "subflows", "2");
                    List<String> endpoint = new ArrayList<>(List.of("ip", "-n", t.clientName(), "mptcp", "endpoint", "add",
                            "10.231.2.1", "dev", t.clientDevice(2), "subflow"));
                    if (mode.equals("kernel-backup")) {
                        endpoint.add("backup");
                    }
                    Shell.run(endpoint.toArray(String[]::new));
                } else {
                    PathManagerMode.set(t.client(), PathManagerMode.USERSPACE);
                    pm = PathManager.open(t.client());
                    ControllerHost host = new ControllerHost(controller(mode), pm).timeoutInterval(Duration.ofMillis(50));
                    loop = EventLoop.builder(host).namespace(t.client()).build();
                    loop.start();
                }
                try (MptcpSocket socket = MptcpSocket.connect(t.client(), Topology.serverEndpoint(1, PORT))) {
                    Thread sender = new Thread(() -> {
                        try {
                            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(1 << 16);
                            while (true) {
                                b.clear();
                                socket.writeFully(b);
                            }
                        } catch (Exception closed) {
                            // the trial is over
                        }
                    }, "failover-sender");
                    sender.setDaemon(true);
                    sender.start();
                    Thread.sleep(2000); // steady state, the second subflow (if any) up
                    long start = System.nanoTime();
                    if (failure.equals("link-down")) {
                        Shell.run("ip", "-n", t.serverName(), "link", "set", t.serverDevice(1), "down");
                    } else {
                        Shell.run("ip", "netns", "exec", t.serverName(), "iptables", "-A", "INPUT", "-i",
                                t.serverDevice(1), "-j", "DROP");
                    }
                    long failedAt = System.nanoTime();
                    // Data the primary held when it failed may still be acked: count from after the failure.
                    long acked = socket.info().bytesAcked();
                    long now;
                    while ((now = System.nanoTime()) - failedAt < GIVE_UP_NANOS) {
                        if (socket.info().bytesAcked() >= acked + RESUMED) {
                            break;
                        }
                        Thread.sleep(1);
                    }
                    return (now - start) / 1e6;
                }
            } finally {
                if (loop != null) {
                    loop.close();
                }
                if (pm != null) {
                    pm.close();
                }
            }
        }
    }

    private static Controller controller(String mode) {
        return switch (mode) {
            case "mptcp4j-fullmesh" -> new FullMeshController(FullMeshController.Settings.DEFAULT);
            case "mptcp4j-backup-open" -> new BackupOnDemandController(new BackupOnDemandController.Settings(
                    Topology.clientAddress(2), BackupOnDemandController.Mode.OPEN, Duration.ofSeconds(3),
                    Duration.ofSeconds(1), Duration.ofMillis(250)));
            case "mptcp4j-backup-standby" -> new BackupOnDemandController(new BackupOnDemandController.Settings(
                    Topology.clientAddress(2), BackupOnDemandController.Mode.STANDBY, Duration.ofSeconds(3),
                    Duration.ofSeconds(1), Duration.ofMillis(250)));
            default -> throw new IllegalArgumentException(mode + " " + Arrays.toString(MODES));
        };
    }

    private static void discard(MptcpServerSocket listener) {
        AtomicLong received = new AtomicLong();
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    MptcpSocket s = listener.accept();
                    Thread reader = new Thread(() -> {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(1 << 16);
                        try (s) {
                            int n;
                            while ((n = s.read(b)) > 0) {
                                received.addAndGet(n);
                                b.clear();
                            }
                        } catch (Exception e) {
                            // closed
                        }
                    });
                    reader.setDaemon(true);
                    reader.start();
                } catch (Exception closed) {
                    return;
                }
            }
        }, "failover-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }
}
