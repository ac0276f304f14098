#!/usr/bin/env python3
"""
Resync storm: churn above the rate at which the kernel drops events (ENOBUFS) for a while, then
quiet. The client namespace's path manager is ndiffports (one extra subflow per connection)
through ControllerHost on an event loop with a small receive buffer (ResyncStorm.java); beside
the short connections, long-lived ones are opened all along and held. Reports resyncs run,
events handled and loss reports during the churn, and, once quiet, how long until every live
connection is managed (has its extra subflow). With --baseline REV the same runs first against
that revision, built in a temporary directory. Run through benchmarks/churn/run-resync-storm.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from latency import Topology, sh  # noqa: E402
from churn import serve  # noqa: E402


def run(label, classpath, args):
    t = Topology("storm")
    procs = []
    lines = []
    try:
        procs.append(serve(t, args.pingpong))
        driver = subprocess.Popen(["java", "-cp", classpath, "org.mptcp4j.benchmarks.ResyncStorm", t.cli,
                                   str(args.receive_buffer)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(driver)
        ready = json.loads(driver.stdout.readline())

        def read():
            for line in driver.stdout:
                lines.append(json.loads(line))
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        time.sleep(2)
        start = lines[-1] if lines else {"events": 0, "lost": 0, "resyncs": 0, "loop_cpu_ns": 0}
        holder = subprocess.Popen(t.exec(t.cli, "sh", "-c", f"ulimit -n $(ulimit -Hn); exec {args.churn} 10.231.1.2 5201"
                                         f" {args.hold_rate} {args.seconds} 4 hold"), stdout=subprocess.PIPE, text=True)
        procs.append(holder)
        churn = json.loads(sh(*t.exec(t.cli, args.churn, "10.231.1.2", "5201", str(args.rate), str(args.seconds),
                                      str(args.threads))))
        held = json.loads(holder.stdout.readline())
        end = lines[-1]
        driver.stdin.write("quiet\n")
        driver.stdin.flush()
        reader.join(timeout=400)
        quiet = lines[-1]
        if not quiet.get("quiet"):
            raise RuntimeError(f"{label}: no result from the path manager side: {quiet}")
    finally:
        for p in procs:
            p.kill()
            p.wait()
        t.delete()
    churn_events = end["events"] - start["events"]
    return {"label": label, "receive_buffer": ready["receive_buffer"],
            "churn_conn_per_s": churn["made"] / churn["seconds"], "held": held["made"],
            "churn_seconds": churn["seconds"], "events_handled": churn_events,
            "events_per_s": churn_events / churn["seconds"], "loss_reports": end["lost"] - start["lost"],
            "resyncs": end["resyncs"] - start["resyncs"],
            "loop_cpu_s": (end["loop_cpu_ns"] - start["loop_cpu_ns"]) / 1e9,
            "live": quiet["live"], "unknown_at_quiet": quiet["unknown_at_quiet"],
            "known_after_ms": quiet["known_after_ms"], "without_subflow_at_quiet": quiet["without_subflow_at_quiet"],
            "without_subflow_at_end": quiet["without_subflow_at_end"], "subflows_after_ms": quiet["subflows_after_ms"],
            "subflows_refused": quiet["subflows_refused"], "refused_by_errno": quiet["refused_by_errno"], "quiet_resyncs": quiet["resyncs"] - quiet["resyncs_at_quiet"],
            "quiet_loss_reports": quiet["lost"] - end["lost"], "resync_ms": quiet["resync_ms"],
            "get_addr_ms": quiet["get_addr_ms"], "get_addr_asked": quiet["get_addr_asked"],
            "get_addr_non_empty": quiet["get_addr_non_empty"],
            "local_addr_used_disagrees": quiet["local_addr_used_disagrees"]}


def environment(top):
    def out(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    libnl = out("dpkg-query", "-W", "-f=${Version}", "libnl-genl-3-200")
    rev = out("git", "-C", top, "rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if out("git", "-C", top, "status", "--porcelain") else ""
    return (f"kernel {platform.release()}, {os.cpu_count()} CPUs ({cpu}), load average at start "
            f"{os.getloadavg()[0]:.2f}, {java}, libnl {libnl}, git {rev}{dirty}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=int, default=60, help="of churn, before the quiet")
    ap.add_argument("--rate", type=int, default=64000, help="short connections a second asked for (made: what the machine can)")
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--hold-rate", type=int, default=50, help="long-lived connections opened a second, held to the end")
    ap.add_argument("--receive-buffer", type=int, default=65536, help="SO_RCVBUF asked for the event socket")
    ap.add_argument("--classpath", required=True, help="the library (daemon jar) and ResyncStorm's classes")
    ap.add_argument("--baseline-classpath", help="the same for the baseline revision")
    ap.add_argument("--baseline-label", default="baseline")
    ap.add_argument("--churn", required=True)
    ap.add_argument("--pingpong", required=True)
    ap.add_argument("--top", required=True)
    args = ap.parse_args()
    print(environment(args.top), file=sys.stderr)
    rows = []
    if args.baseline_classpath:
        rows.append(run(args.baseline_label, args.baseline_classpath, args))
        print(json.dumps(rows[-1]), file=sys.stderr)
    rows.append(run("this tree", args.classpath, args))
    print(json.dumps(rows[-1]), file=sys.stderr)
    print(environment(args.top))
    print(f"{args.seconds} s of churn ({args.threads} threads asking {args.rate} connections/s) and {args.hold_rate}"
          f" long-lived connections/s held; SO_RCVBUF as applied {rows[-1]['receive_buffer']} bytes\n")
    print("| code | churn conn/s made | held | events handled | events/s | loss reports | resyncs | loop CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['label']} | {r['churn_conn_per_s']:.0f} | {r['held']} | {r['events_handled']} | {r['events_per_s']:.0f}"
              f" | {r['loss_reports']} | {r['resyncs']} | {r['loop_cpu_s']:.1f} |")
    print("\nFrom the quiet on (-1: not within 300 s): live connections, those the controller did not know then, how long"
          " until it knew every one; those without their extra subflow then, how long until every one had it (ndiffports"
          " asks again while the kernel has no source port for it, then gives up), and at the end; SUBFLOW_CREATEs the kernel refused over"
          " the whole run, most for short connections already closed; resyncs run from the quiet on:\n")
    print("| code | live | unknown at quiet | all known after ms | without subflow at quiet | all with subflow after ms"
          " | without subflow at end | SUBFLOW_CREATE refused (all run), by errno | resyncs |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['label']} | {r['live']} | {r['unknown_at_quiet']} | {r['known_after_ms']}"
              f" | {r['without_subflow_at_quiet']} | {r['subflows_after_ms']} | {r['without_subflow_at_end']}"
              f" | {r['subflows_refused']} {r['refused_by_errno']} | {r['quiet_resyncs']} |")
    print("\nOnce quiet, with the live connections open: one resync (median of three), and the GET_ADDR by token of"
          " every live connection alone (what a resync asks the kernel for each):\n")
    print("| code | live | resync ms | GET_ADDR ms, all live | answers not empty | local_addr_used says otherwise |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['label']} | {r['live']} | {r['resync_ms']:.1f} | {r['get_addr_ms']:.1f} | {r['get_addr_non_empty']}"
              f" / {r['get_addr_asked']} | {r['local_addr_used_disagrees']} |")


if __name__ == "__main__":
    main()
