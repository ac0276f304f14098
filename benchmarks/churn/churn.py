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
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from latency import Topology, sh  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rates", default="500,1000,2000,4000,8000,16000")
    ap.add_argument("--seconds", type=int, default=5, help="per rate")
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--decoding", default="java")
    ap.add_argument("--jar", required=True)
    ap.add_argument("--churn", required=True)
    ap.add_argument("--pingpong", required=True)
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    t = Topology("churn")
    lines = []
    procs = []
    try:
        sh(*t.exec(t.cli, "sysctl", "-qw", "net.mptcp.pm_type=1"))
        procs.append(subprocess.Popen(t.exec(t.srv, args.pingpong, "server", "5201"),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        total = len(rates) * (args.seconds + 2) + 5
        monitor = subprocess.Popen(["java", "-cp", args.jar, "org.mptcp4j.benchmarks.ChurnMonitor", t.cli,
                                    str(total), args.decoding], stdout=subprocess.PIPE, text=True)
        procs.append(monitor)
        ready = json.loads(monitor.stdout.readline())

        def read():
            for line in monitor.stdout:
                lines.append((time.monotonic(), json.loads(line)))
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
            rows.append({"target_rate": rate, "connections_per_s": result["made"] / args.seconds,
                         "failed": result["failed"], "events_per_s": events / args.seconds,
                         "events_per_connection": events / max(result["made"], 1), "lost_reports": lost,
                         "loop_cpu_us_per_1000_events": cpu / 1000 / max(events, 1) * 1000,
                         "heap_kib": after["heap_used"] / 2**10, "rss_mib": after["rss"] / 2**20})
            print(f"rate {rate}: {json.dumps(rows[-1])}", file=sys.stderr)
    finally:
        for p in procs:
            p.terminate()
        t.delete()
    print(f"receive buffer (SO_RCVBUF as applied): {ready['receive_buffer']} bytes, decoding: {args.decoding}\n")
    print("| target conn/s | made conn/s | events/s handled | events / conn | ENOBUFS reports | loop CPU µs / 1000 events"
          " | heap KiB | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['target_rate']} | {r['connections_per_s']:.0f} | {r['events_per_s']:.0f} |"
              f" {r['events_per_connection']:.2f} | {r['lost_reports']} | {r['loop_cpu_us_per_1000_events']:.0f} |"
              f" {r['heap_kib']:.0f} | {r['rss_mib']:.0f} |")


if __name__ == "__main__":
    main()
