#!/usr/bin/env python3
"""
Churn: short MPTCP connections at rising rates in a namespace, with an mptcp4j event loop at
the default receive buffer counting every event (ChurnMonitor). Per rate: events handled per
second, events the kernel dropped (ENOBUFS), CPU time per 1 000 events, heap and RSS.
Run through benchmarks/churn/run-churn.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from latency import Topology, sh  # noqa: E402


def serve(t, pingpong):
    """The client namespace on the userspace path manager, ready for churn; the echo server on 5201, started."""
    sh(*t.exec(t.cli, "sysctl", "-qw", "net.mptcp.pm_type=1"))
    # Thousands of short connections a second: the client reuses TIME_WAIT ports (its namespace only).
    sh(*t.exec(t.cli, "sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1", "net.ipv4.ip_local_port_range=1024 65535"))
    return subprocess.Popen(t.exec(t.srv, pingpong, "server", "5201"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rates", default="500,1000,2000,4000,8000,16000")
    ap.add_argument("--seconds", type=int, default=5, help="per rate")
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--decoding", default="java")
    ap.add_argument("--stall-seconds", type=int, default=5, help="then freeze the loop this long (0: skip)")
    ap.add_argument("--stall-rate", type=int, default=2000)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--churn", required=True)
    ap.add_argument("--pingpong", required=True)
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    t = Topology("churn")
    lines = []
    procs = []
    try:
        procs.append(serve(t, args.pingpong))
        # Reports until stopped at the end.
        monitor = subprocess.Popen(["java", "-cp", args.jar, "org.mptcp4j.benchmarks.ChurnMonitor", t.cli,
                                    "100000", args.decoding], stdout=subprocess.PIPE, text=True)
        procs.append(monitor)
        ready = json.loads(monitor.stdout.readline())

        def read():
            for line in monitor.stdout:
                report = json.loads(line)
                if "events" in report:
                    lines.append((time.monotonic(), report))
        threading.Thread(target=read, daemon=True).start()
        time.sleep(2)
        rows = []
        for rate in rates:
            before = lines[-1][1]
            result = json.loads(sh(*t.exec(t.cli, args.churn, "10.231.1.2", "5201", str(rate), str(args.seconds),
                                           str(args.threads))))
            time.sleep(1.5)  # the last events reach the loop; its next report covers them
            after = lines[-1][1]
            events = after["events"] - before["events"]
            lost = after["lost"] - before["lost"]
            cpu = after["loop_cpu_ns"] - before["loop_cpu_ns"]
            elapsed = result["seconds"]
            rows.append({"target_rate": rate, "connections_per_s": result["made"] / elapsed,
                         "failed": result["failed"], "events_per_s": events / elapsed,
                         "events_per_connection": events / max(result["made"], 1), "lost_reports": lost,
                         "loop_cpu_us_per_1000_events": cpu / 1000 / max(events, 1) * 1000,
                         "heap_kib": after["heap_used"] / 2**10, "rss_mib": after["rss"] / 2**20})
            print(f"rate {rate}: {json.dumps(rows[-1])}", file=sys.stderr)
        # The backlog: the loop frozen (SIGSTOP) while connections go on, then woken.
        stall = None
        if args.stall_seconds:
            before = lines[-1][1]
            monitor.send_signal(signal.SIGSTOP)
            result = json.loads(sh(*t.exec(t.cli, args.churn, "10.231.1.2", "5201", str(args.stall_rate),
                                           str(args.stall_seconds), str(args.threads))))
            monitor.send_signal(signal.SIGCONT)
            time.sleep(3)
            after = lines[-1][1]
            stall = {"connections": result["made"], "events_sent": 3 * result["made"],
                     "events_handled": after["events"] - before["events"], "lost_reports": after["lost"] - before["lost"]}
    finally:
        for p in procs:
            p.terminate()
        t.delete()
    print(f"receive buffer (SO_RCVBUF as applied): {ready['receive_buffer']} bytes, decoding: {args.decoding}\n")
    if stall:
        print(f"loop frozen for {args.stall_seconds} s at {args.stall_rate} connections/s: {stall['events_sent']} events"
              f" sent, {stall['events_handled']} handled after waking, ENOBUFS reported {stall['lost_reports']} time(s)\n")
    print("| target conn/s | made conn/s | events/s handled | events / conn | ENOBUFS reports | loop CPU µs / 1000 events"
          " | heap KiB | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['target_rate']} | {r['connections_per_s']:.0f} | {r['events_per_s']:.0f} |"
              f" {r['events_per_connection']:.2f} | {r['lost_reports']} | {r['loop_cpu_us_per_1000_events']:.0f} |"
              f" {r['heap_kib']:.0f} | {r['rss_mib']:.0f} |")


if __name__ == "__main__":
    main()
