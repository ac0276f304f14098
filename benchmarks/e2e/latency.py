#!/usr/bin/env python3
"""
Delay from a client's MP_CAPABLE SYN to its MP_JOIN SYN, per path manager, on this machine.

Each mode gets its own pair of namespaces (client, server) joined by two veth paths; the
client opens connections one after another (pingpong.c) and the mode's path manager opens a
second subflow from the client's second address. tcpdump in the client namespace stamps the
SYNs in nanoseconds. Modes run in interleaved batches within one run; between its batches a
userspace path manager is stopped (SIGSTOP), so a busy-polling one does not take a core from
the others. Run through benchmarks/e2e/run-latency, which builds what this needs.
"""
import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time

MODES = ["kernel", "mptcp4j-blocking", "mptcp4j-busy-poll", "mptcp4j-java-decode", "mptcp4j-native-decode", "c-libnl"]
PORT = 5201


def sh(*cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True, text=True).stdout


class Topology:
    """Client and server namespaces, paths 10.231.{1,2}.0/24, source routing on the client."""

    def __init__(self, tag):
        self.cli = f"m4j-lat-{tag}-{os.getpid()}-cli"
        self.srv = f"m4j-lat-{tag}-{os.getpid()}-srv"
        for ns in (self.cli, self.srv):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        for i in (1, 2):
            sh("ip", "link", "add", f"c{i}", "netns", self.cli, "type", "veth", "peer", "name", f"s{i}", "netns", self.srv)
            sh("ip", "-n", self.cli, "addr", "add", f"10.231.{i}.1/24", "dev", f"c{i}")
            sh("ip", "-n", self.srv, "addr", "add", f"10.231.{i}.2/24", "dev", f"s{i}")
            sh("ip", "-n", self.cli, "link", "set", f"c{i}", "up")
            sh("ip", "-n", self.srv, "link", "set", f"s{i}", "up")
            sh("ip", "-n", self.cli, "route", "add", "10.231.0.0/16", "dev", f"c{i}", "table", str(100 + i))
            sh("ip", "-n", self.cli, "rule", "add", "from", f"10.231.{i}.1", "table", str(100 + i))
        sh("ip", "-n", self.srv, "mptcp", "limits", "set", "subflows", "8", "add_addr_accepted", "8")

    def exec(self, ns, *cmd):
        return ["ip", "netns", "exec", ns, *cmd]

    def delete(self):
        for ns in (self.cli, self.srv):
            sh("ip", "netns", "del", ns, check=False)


class Mode:
    def __init__(self, name, args, topology):
        self.name = name
        self.t = topology
        self.processes = []
        self.daemon = None
        self.start_server(args)
        self.start_path_manager(args)
        self.capture = None

    def start_server(self, args):
        self.processes.append(subprocess.Popen(self.t.exec(self.t.srv, args.pingpong, "server", str(PORT)),
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def start_path_manager(self, args):
        cli = self.t.cli
        if self.name == "kernel":
            sh("ip", "-n", cli, "mptcp", "limits", "set", "subflows", "1")
            sh("ip", "-n", cli, "mptcp", "endpoint", "add", "10.231.2.1", "dev", "c2", "id", "1", "subflow")
            return
        sh(*self.t.exec(cli, "sysctl", "-qw", "net.mptcp.pm_type=1"))
        if self.name == "c-libnl":
            cmd = self.t.exec(cli, args.pm_listener, "10.231.2.1", "1")
        else:
            extra = {"mptcp4j-blocking": [], "mptcp4j-busy-poll": ["--idle", "busy-spin"],
                     "mptcp4j-java-decode": ["--decoding", "java"],
                     "mptcp4j-native-decode": ["--decoding", "native"]}[self.name]
            cmd = [args.java, "-cp", args.classpath, "org.mptcp4j.cli.Main", "run", "--netns", cli, "--per-address", *extra]
        self.log = os.path.join(args.out, f"{self.name}.log")
        self.daemon = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        self.processes.append(self.daemon)
        self.daemon_ready()

    def daemon_ready(self):
        """Each path manager prints a line once it listens to events."""
        for _ in range(200):
            if self.daemon.poll() is not None:
                raise SystemExit(f"{self.name}: the path manager exited: {open(self.log).read().strip()}")
            if os.path.getsize(self.log) > 0:
                return
            time.sleep(0.05)
        raise SystemExit(f"{self.name}: the path manager did not start")

    def run(self, args, count, hold_ms=None, gap_ms=None):
        """count connections, with this mode's path manager awake only meanwhile."""
        if count == 0:
            return
        if self.daemon:
            self.daemon.send_signal(signal.SIGCONT)
            time.sleep(0.05)
        sh(*self.t.exec(self.t.cli, args.pingpong, "client", "10.231.1.2", str(PORT), str(count),
                        str(args.hold_ms if hold_ms is None else hold_ms), str(args.gap_ms if gap_ms is None else gap_ms)))
        if self.daemon:
            self.daemon.send_signal(signal.SIGSTOP)

    def start_capture(self, path):
        self.capture_path = path
        self.capture = subprocess.Popen(
            self.t.exec(self.t.cli, "tcpdump", "-i", "any", "-nn", "-tt", "--time-stamp-precision=nano", "-l",
                        "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn"),
            stdout=open(path, "w"), stderr=subprocess.DEVNULL)
        time.sleep(1.0)

    def stop(self):
        if self.capture:
            time.sleep(0.5)
            self.capture.send_signal(signal.SIGINT)
            self.capture.wait(timeout=10)
        for p in self.processes:
            p.send_signal(signal.SIGCONT)
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


SYN = re.compile(r"^(\d+\.\d+) .*IP (\S+)\.(\d+) > \S+: Flags \[S\].*mptcp (?:\d+ )?(capable|join)")


def delays(path):
    """Microseconds from each MP_CAPABLE SYN to the first MP_JOIN SYN after it."""
    out = []
    start = None
    seen = set()
    for line in open(path):
        m = SYN.match(line)
        if not m:
            continue
        stamp, src, sport, kind = float(m.group(1)), m.group(2), m.group(3), m.group(4)
        if (src, sport) in seen:
            continue  # a retransmitted SYN
        seen.add((src, sport))
        if kind == "capable":
            start = stamp
        elif start is not None:
            out.append((stamp - start) * 1e6)
            start = None
    return out


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=500, help="per mode")
    ap.add_argument("--batch", type=int, default=20, help="connections per mode before the next mode's turn")
    ap.add_argument("--warmup", type=int, default=3000,
                    help="connections per mode before measuring: the JIT compiles the event path after a few thousand")
    ap.add_argument("--hold-ms", type=int, default=3)
    ap.add_argument("--gap-ms", type=int, default=2)
    ap.add_argument("--stress", type=int, default=0, help="CPU-bound processes competing meanwhile")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--out", required=True, help="folder for captures and results")
    ap.add_argument("--java", default="java")
    ap.add_argument("--classpath", required=True)
    ap.add_argument("--pingpong", required=True)
    ap.add_argument("--pm-listener", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    names = args.modes.split(",")
    topologies, modes, stress = [], [], []
    try:
        for index, name in enumerate(names):
            t = Topology(str(index))
            topologies.append(t)
            modes.append(Mode(name, args, t))
        for m in modes:  # warm up: the JIT compiles mptcp4j's event path; ARP, route caches; not measured
            m.run(args, args.warmup, hold_ms=1, gap_ms=0)
        for m in modes:
            m.start_capture(os.path.join(args.out, f"{m.name}.syn.txt"))
        stress = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(args.stress)]
        rounds = (args.connections + args.batch - 1) // args.batch
        for r in range(rounds):
            order = modes[:]
            random.shuffle(order)
            for m in order:
                m.run(args, args.batch)
            print(f"\rround {r + 1}/{rounds}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    finally:
        for p in stress:
            p.kill()
        for m in modes:
            m.stop()
        for t in topologies:
            t.delete()
    results = {}
    for m in modes:
        d = delays(m.capture_path)
        results[m.name] = d
    kernel = statistics.median(results["kernel"]) if "kernel" in results and results["kernel"] else None
    rows = []
    for name in names:
        d = results[name]
        if not d:
            rows.append((name, 0, None, None, None, None))
            continue
        med = statistics.median(d)
        rows.append((name, len(d), med, percentile(d, 90), percentile(d, 99), med / kernel if kernel else None))
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"stress": args.stress, "warmup": args.warmup, "delays_us": results}, f)
    print(f"| mode | connections | median µs | p90 µs | p99 µs | median / in-kernel |")
    print(f"|---|---|---|---|---|---|")
    for name, n, med, p90, p99, ratio in rows:
        if med is None:
            print(f"| {name} | 0 | - | - | - | - |")
        else:
            print(f"| {name} | {n} | {med:.0f} | {p90:.0f} | {p99:.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
