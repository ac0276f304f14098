#!/usr/bin/env python3
"""
Scale: many concurrent MPTCP connections between two namespaces, each side managed by an
mptcp4j daemon (the server by join-guard, the client by ndiffports with one extra subflow).
At each level of open connections: the daemons' CPU time per event and the event-to-command
latency (the client's histogram) over a probe of connections opened and closed beside those
held, heap after GC and RSS per connection, every connection's subflow; the timeout watcher's
cost per look, watching 1,000 connections (looks.c: each way of asking the kernel; the
library's own watcher: TimeoutWatchCost). At the last level, each daemon killed (SIGKILL) and
started again: the time until it manages every connection. Then all closed: no event lost,
nothing kept per connection. Run through benchmarks/scale/run-scale.
"""
import argparse
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time
import urllib.request

PORT = 5201
SERVER = "10.250.0.100"


def sh(*cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True, text=True).stdout


def log(text):
    print(text, file=sys.stderr, flush=True)


class Net:
    """Client and server namespaces on one veth pair; the client has SOURCES addresses."""

    def __init__(self, sources, jar):
        tag = f"m4j-scale-{os.getpid()}"
        self.cli, self.srv = f"{tag}-cli", f"{tag}-srv"
        self.sources = [f"10.250.0.{i}" for i in range(1, sources + 1)]
        for ns in (self.cli, self.srv):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "link", "add", "c1", "netns", self.cli, "type", "veth", "peer", "name", "s1", "netns", self.srv)
        for a in self.sources:
            sh("ip", "-n", self.cli, "addr", "add", f"{a}/24", "dev", "c1")
        sh("ip", "-n", self.srv, "addr", "add", f"{SERVER}/24", "dev", "s1")
        for ns, dev in ((self.cli, "c1"), (self.srv, "s1")):
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("java", "-jar", jar, "path-manager", "-n", ns, "userspace")
        # These namespaces' own settings, never the host's: every port for the client's
        # connections and subflows, a listen backlog that takes what the client sends at once.
        sh(*self.exec(self.cli, "sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65535"))
        sh(*self.exec(self.srv, "sysctl", "-qw", "net.core.somaxconn=65535", "net.ipv4.tcp_max_syn_backlog=65535"))

    @staticmethod
    def exec(ns, *cmd):
        return ["ip", "netns", "exec", ns, *cmd]

    def delete(self):
        for ns in (self.cli, self.srv):
            sh("ip", "netns", "del", ns, check=False)


class Daemon:
    """mptcp4j run in its own JVM, its metrics on an ephemeral port."""

    def __init__(self, name, jar, ns, controller, logs):
        self.name, self.jar, self.ns, self.controller, self.logs = name, jar, ns, controller, logs
        self.runs = 0
        self.stalls = []
        self.start()

    def start(self):
        self.runs += 1
        self.err = os.path.join(self.logs, f"{self.name}-{self.runs}.log")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(["java", "-jar", self.jar, "run", "-n", self.ns, "--controller", *self.controller,
                                      "--metrics", "127.0.0.1:0", "--control-socket", "off"],
                                     stdout=subprocess.DEVNULL, stderr=open(self.err, "w"))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            m = re.search(r"metrics at http://127\.0\.0\.1:(\d+)/metrics", open(self.err).read())
            if m:
                self.url = f"http://127.0.0.1:{m.group(1)}/metrics"
                self.metrics_up = time.monotonic() - self.started
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} daemon did not start: {open(self.err).read()}")

    def metrics(self):
        samples = {}
        with urllib.request.urlopen(self.url, timeout=30) as r:
            for line in r.read().decode().splitlines():
                if line and not line.startswith("#"):
                    key, _, value = line.rpartition(" ")
                    samples[key] = float(value)
        return samples

    def gauge(self, name, m=None):
        return total(m if m is not None else self.metrics(), name)

    def cpu_seconds(self):
        """utime + stime of the whole JVM, threads that ended included (in 10 ms ticks)."""
        fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def snapshot(self):
        m = self.metrics()
        return {"cpu": self.cpu_seconds(), "events": total(m, "mptcp4j_events_total"), "metrics": m}

    def gc_sample(self):
        """Heap after a full GC and RSS, as the metrics endpoint serves them."""
        sh("jcmd", str(self.proc.pid), "GC.run")
        m = self.metrics()
        return m['jvm_memory_used_bytes{area="heap"}'], m["process_resident_memory_bytes"]

    def discovered(self):
        return open(self.err).read().count("discovered connection")

    def stalled(self, what, wanted, m):
        """Records that the daemon did not reach `wanted` connections, with its event loop's top frames."""
        dump = sh("jcmd", str(self.proc.pid), "Thread.print", check=False)
        loop = re.search(r'^"mptcp4j-' + re.escape(self.ns) + r'".*\n\s+java\.lang\.Thread\.State.*\n((?:\s+at .*\n){1,6})',
                         dump, re.M)
        frames = [f.strip()[3:] for f in loop.group(1).splitlines()] if loop else []
        log(f"scale: {self.name} daemon stalled ({what}): {int(total(m, 'mptcp4j_connections'))} connections of"
            f" {wanted}, loop at {frames}")
        self.stalls.append({"what": what, "wanted": wanted, "connections": int(total(m, "mptcp4j_connections")),
                            "events": int(total(m, "mptcp4j_events_total")), "loop_frames": frames})

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def total(m, name):
    return sum(v for k, v in m.items() if k == name or k.startswith(name + "{"))


def quantile(before, after, q):
    """q of the event-to-command histogram between two scrapes, interpolated in its bucket (as Prometheus does)."""
    def buckets(m):
        out = []
        for k, v in m.items():
            le = re.search(r'mptcp4j_event_to_command_seconds_bucket\{.*le="([^"]+)"', k)
            if le:
                out.append((math.inf if le.group(1) == "+Inf" else float(le.group(1)), v))
        return sorted(out)
    b0, b1 = dict(buckets(before)), buckets(after)
    cum = [(le, v - b0.get(le, 0)) for le, v in b1]
    count = cum[-1][1] if cum else 0
    if count == 0:
        return None
    rank, lower, below = q * count, 0.0, 0
    for le, c in cum:
        if c >= rank:
            if le == math.inf:
                return math.inf
            return lower + (le - lower) * (rank - below) / max(c - below, 1)
        lower, below = le, c
    return math.inf


class Load:
    """Client and server load processes (scale.c), each within the descriptor limit."""

    def __init__(self, net, binary, processes, rate):
        self.servers, self.clients = [], []
        for i in range(processes):
            s = subprocess.Popen(net.exec(net.srv, binary, "server", SERVER, str(PORT + i)), stdout=subprocess.PIPE,
                                 text=True)
            if s.stdout.readline().strip() != "ready":
                raise RuntimeError("load server did not start")
            self.servers.append(s)
        for i in range(processes):
            self.clients.append(subprocess.Popen(
                net.exec(net.cli, binary, "client", SERVER, str(PORT + i), ",".join(net.sources), str(rate / processes)),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        self.held = 0

    def command(self, each):
        for c, line in zip(self.clients, each):
            c.stdin.write(line + "\n")
            c.stdin.flush()
        answers = []
        for c in self.clients:
            line = c.stdout.readline()
            if not line.startswith("held "):
                raise RuntimeError(f"load client failed: {line!r}")
            answers.append(line.split())
        self.per_client = [int(a[1]) for a in answers]
        self.held = sum(self.per_client)
        # open: failed ones, and those that fell back to TCP
        return sum(int(a[3]) for a in answers if len(a) > 5), sum(int(a[5]) for a in answers if len(a) > 5)

    def shares(self, n):
        k = len(self.clients)
        return [n // k + (1 if i < n % k else 0) for i in range(k)]

    def open(self, n):
        return self.command([f"open {s}" for s in self.shares(n)])

    def drop(self, n):
        self.command([f"drop {s}" for s in self.shares(n)])

    def drop_back(self, marks):
        """Closes what each client opened since it held `marks` connections."""
        self.command([f"drop {now - was}" for now, was in zip(self.per_client, marks)])

    def open_back(self, marks):
        """Opens again what each client closed since it held `marks` connections."""
        return self.command([f"open {was}" for was in marks])

    def close(self):
        self.command(["close"] * len(self.clients))

    def stop(self):
        for p in self.clients + self.servers:
            p.kill()
            p.wait()


def descriptor_limit(wanted):
    """Raises the descriptor limit towards `wanted` (children inherit it); the limit got."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(wanted, soft), max(wanted, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # no CAP_SYS_RESOURCE: the hard limit stays
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def wait_for(daemons, connections, subflows, timeout, what):
    """
    Until each daemon manages `connections` with `subflows`; the last metrics of each. A daemon
    that has not by `timeout` seconds is recorded as stalled, with where its event loop was.
    """
    deadline = time.monotonic() + timeout
    while True:
        ms = [d.metrics() for d in daemons]
        behind = [(d, m) for d, m in zip(daemons, ms) if d.gauge("mptcp4j_connections", m) != connections
                  or (subflows is not None and d.gauge("mptcp4j_subflows", m) != subflows)]
        if not behind:
            return ms
        if time.monotonic() > deadline:
            for d, m in behind:
                d.stalled(what, connections, m)
            return ms
        time.sleep(0.5)


def token_fallbacks(net):
    """Connections the kernel could not give an MPTCP token (its table full): they fell back to TCP."""
    count = 0
    for ns in (net.cli, net.srv):
        out = sh(*net.exec(ns, "nstat", "-az", "MPTcpExtMPFallbackTokenInit"), check=False)
        count += sum(int(line.split()[1]) for line in out.splitlines() if line.startswith("MPTcpExtMPFallbackTokenInit"))
    return count


def token_table():
    """The kernel's MPTCP token table: buckets (at boot, one per MiB of memory, 64 Ki at most), 4 tokens each at most."""
    found = re.search(r"MPTCP token hash table entries: (\d+)", sh("dmesg", check=False))
    if found:
        return int(found.group(1))
    mib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")) // 1024
    return min(1 << (mib - 1).bit_length(), 64 * 1024)


def per_event(before, after):
    events = after["events"] - before["events"]
    return {"events": int(events), "cpu_us_per_event": (after["cpu"] - before["cpu"]) / max(events, 1) * 1e6}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--levels", default="1000,10000,100000")
    ap.add_argument("--rate", type=float, default=1000, help="new connections a second")
    ap.add_argument("--probe", type=int, default=5000, help="connections opened and closed at each level")
    ap.add_argument("--sources", type=int, default=8, help="client addresses")
    ap.add_argument("--watched", type=int, default=1000, help="connections the timeout watcher looks at")
    ap.add_argument("--jar", required=True)
    ap.add_argument("--benchmarks-jar", required=True)
    ap.add_argument("--scale", required=True)
    ap.add_argument("--looks", required=True)
    ap.add_argument("--logs", required=True)
    args = ap.parse_args()
    environment = {"load_at_start": sh("uptime").strip()}
    levels = [int(x) for x in args.levels.split(",")]
    top = max(levels) + args.probe
    limit = descriptor_limit(top + 4096)
    per_process = limit - 1024
    processes = math.ceil(top / per_process)
    log(f"scale: descriptor limit {limit}: {processes} load process(es) a side")
    os.makedirs(args.logs, exist_ok=True)
    net = Net(args.sources, args.jar)
    load = None
    daemons = []
    result = {"levels": [], "descriptor_limit": limit, "load_processes": processes, "rate": args.rate,
              "probe": args.probe, "sources": args.sources, "token_buckets": token_table()}
    try:
        load = Load(net, args.scale, processes, args.rate)
        client = Daemon("client", args.jar, net.cli, ["ndiffports", "subflows=1"], args.logs)
        server = Daemon("server", args.jar, net.srv, ["join-guard"], args.logs)
        daemons = [client, server]
        # Warm: the JIT compiles the event path over the first few thousand events.
        for _ in range(3):
            load.open(args.probe)
            wait_for(daemons, args.probe, 2 * args.probe, 60, "warming up")
            load.drop(args.probe)
            wait_for(daemons, 0, 0, 60, "warming up")
        base = {d.name: d.gc_sample() for d in daemons}
        for level in levels:
            log(f"scale: opening {level} connections")
            before = [d.snapshot() for d in daemons]
            failed, fallbacks = load.open(level)
            held = load.held  # fewer than asked when the kernel could open no more
            ms = wait_for(daemons, held, 2 * held, 120 + held / 200, f"opening {level}")
            after = [d.snapshot() for d in daemons]
            row = {"level": level, "held": held, "connect_failures": failed, "fallbacks": fallbacks,
                   "token_fallbacks": token_fallbacks(net), "daemons": {}}
            for d, m, b, a in zip(daemons, ms, before, after):
                heap, rss = d.gc_sample()
                row["daemons"][d.name] = {"connections": int(d.gauge("mptcp4j_connections", m)),
                                          "subflows": int(d.gauge("mptcp4j_subflows", m)),
                                          "ramp": per_event(b, a),
                                          "heap_bytes_per_connection": (heap - base[d.name][0]) / held,
                                          "rss_bytes_per_connection": (rss - base[d.name][1]) / held,
                                          "heap_bytes": heap, "rss_bytes": rss}
            # The probe: more connections opened beside those held, given their subflows, closed.
            # Where the kernel has no MPTCP token to spare, the probe closes first and opens again.
            full = held < level or 2 * (held + args.probe) > 0.8 * 4 * result["token_buckets"]
            log(f"scale: probe of {args.probe} connections beside {held}{', closed first' if full else ''}")
            before = [d.snapshot() for d in daemons]
            marks = list(load.per_client)
            if full:
                load.drop(args.probe)
                wait_for(daemons, load.held, 2 * load.held, 120, f"probe beside {held}, closing")
                load.open_back(marks)
            else:
                load.open(held + args.probe)
                wait_for(daemons, load.held, 2 * load.held, 120, f"probe beside {held}")
                load.drop_back(marks)
            wait_for(daemons, load.held, 2 * load.held, 120, f"probe beside {held}, settling")
            row["probe_closed_first"] = full
            after = [d.snapshot() for d in daemons]
            for d, b, a in zip(daemons, before, after):
                probe = per_event(b, a)
                probe["p50_s"] = quantile(b["metrics"], a["metrics"], 0.5)
                probe["p99_s"] = quantile(b["metrics"], a["metrics"], 0.99)
                probe["lost"] = total(a["metrics"], "mptcp4j_events_lost_total")
                row["daemons"][d.name]["probe"] = probe
            if level == min(levels) or level == max(levels):
                row["looks"] = watcher_looks(net, args, level)
            result["levels"].append(row)
            log(f"scale: {json.dumps(row)}")
        level = load.held
        result["resync"] = {}
        for d in daemons:
            log(f"scale: {d.name} daemon killed and started again beside {level} connections")
            d.kill()
            d.start()
            deadline = time.monotonic() + 600
            while d.gauge("mptcp4j_connections") < level and time.monotonic() < deadline:
                time.sleep(0.1)
            managed = time.monotonic() - d.started
            m = d.metrics()
            if total(m, "mptcp4j_connections") < level:
                d.stalled("resync", level, m)
            result["resync"][d.name] = {"seconds_until_managed": managed, "metrics_up_seconds": d.metrics_up,
                                        "cpu_seconds": d.cpu_seconds(), "connections": int(d.gauge("mptcp4j_connections", m)),
                                        "subflows": int(d.gauge("mptcp4j_subflows", m)), "discovered_logged": d.discovered()}
            log(f"scale: {json.dumps(result['resync'][d.name])}")
        log("scale: closing every connection")
        load.close()
        ms = wait_for(daemons, 0, 0, 600, "closing every connection")
        result["closed"] = {d.name: {k: int(d.gauge(k, m)) for k in (
            "mptcp4j_connections", "mptcp4j_subflows", "mptcp4j_connection_state_entries", "mptcp4j_events_lost_total")}
            for d, m in zip(daemons, ms)}
    finally:
        result["stalls"] = {d.name: d.stalls for d in daemons}
        for d in daemons:
            d.stop()
        if load:
            load.stop()
        net.delete()
    environment["load_at_end"] = sh("uptime").strip()
    log(f"scale: {json.dumps(result)}")
    print(report(result, environment, args))


def watcher_looks(net, args, level):
    """Each way of asking for the watched subflows (looks.c), then the library's watcher."""
    ways = [json.loads(line) for line in sh(*net.exec(net.cli, args.looks, str(args.watched), "10")).splitlines()]
    library = json.loads(sh("java", "-cp", args.benchmarks_jar, "org.mptcp4j.benchmarks.TimeoutWatchCost", net.cli,
                            str(args.watched), "10").splitlines()[-1])
    return {"ways": ways, "library": library}


def first_line(*cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def report(result, environment, args):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dirty = sh("git", "-C", top, "status", "--porcelain", "--untracked-files=no", check=False).strip()
    out = ["# Scale: many concurrent MPTCP connections, both sides managed by mptcp4j", "",
           f"* date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
           f"* kernel: {platform.release()}; CPU: {cpu} x {os.cpu_count()}; memory: {int(memory) // 1024} MiB",
           f"* JDK: {first_line('java', '-version')}; libnl: {first_line('pkg-config', '--modversion', 'libnl-3.0')}",
           f"* git: {first_line('git', '-C', top, 'rev-parse', '--short', 'HEAD')}{' (with uncommitted changes)' if dirty else ''}",
           f"* load before: {environment['load_at_start']}",
           f"* load after: {environment['load_at_end']}",
           f"* {result['sources']} client addresses, {result['rate']:.0f} new connections/s at most, probe of"
           f" {result['probe']} connections per level; descriptor limit {result['descriptor_limit']}:"
           f" {result['load_processes']} load process(es) a side",
           f"* the kernel's MPTCP token table: {result['token_buckets']:,} buckets of 4 tokens at most, so"
           f" {4 * result['token_buckets']:,} MPTCP connections on the host at most, all namespaces together"
           " (here each connection holds two: one per end)", ""]
    short = [row for row in result["levels"] if row["held"] < row["level"]]
    for row in short:
        out += [f"**{row['level']:,} connections asked, {row['held']:,} opened**: {row['fallbacks']:,} fell back to TCP"
                f" ({row['token_fallbacks']:,} for want of an MPTCP token, MPTcpExtMPFallbackTokenInit) and"
                f" {row['connect_failures']:,} failed otherwise while opening; after 1,000 in a row the load"
                " stopped there.", ""]
    out += [
           "Per level: the daemons' CPU time (utime + stime of the whole JVM, /proc/PID/stat, 10 ms ticks) per event they counted,",
           "while opening the level's connections and over the probe (connections opened beside those held, each",
           "given its subflow, then closed; or, where the kernel has no MPTCP token to spare, some of those held closed",
           "and opened again); the event-to-command latency over the probe from the client daemon's",
           "histogram (join-guard admits every join here and sends no command); heap after a full GC and RSS over",
           "those before the first connection, per connection.", "",
           "| open connections | daemon | subflows | CPU µs/event, opening | probe events | CPU µs/event, probe |"
           " p50 event→command | p99 | heap B/conn | RSS B/conn | events lost |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in result["levels"]:
        for name, d in row["daemons"].items():
            p = d["probe"]
            out.append(f"| {opened(row)} | {name} | {d['subflows']:,} | {d['ramp']['cpu_us_per_event']:.1f} |"
                       f" {p['events']:,} | {p['cpu_us_per_event']:.1f} | {latency(p['p50_s'])} | {latency(p['p99_s'])} |"
                       f" {d['heap_bytes_per_connection']:.0f} | {d['rss_bytes_per_connection']:.0f} | {p['lost']:.0f} |")
    out += ["", f"Timeout watcher, {args.watched} connections watched: CPU per look (kernel time included) for each way"
            " of asking sock_diag (looks.c), and the library's watcher (TimeoutWatchCost, a look every 100 ms).", "",
            "| open connections | way | subflows watched | subflows in namespace | answers read | CPU µs/look |",
            "|---|---|---|---|---|---|"]
    for row in result["levels"]:
        if "looks" in row:
            for w in row["looks"]["ways"]:
                out.append(f"| {opened(row)} | {w['way']} | {w['watched_subflows']:,} | {w['subflows_in_namespace']:,} |"
                           f" {w['answers_per_look']:,} | {w['cpu_us_per_look']:,.0f} |")
            lib = row["looks"]["library"]
            out.append(f"| {opened(row)} | library watcher | {lib['watched_subflows']:,} | | |"
                       f" {lib['cpu_us_per_look']:,.0f} |")
    out += ["", "Resync: each daemon killed (SIGKILL) and started again beside the connections of the last level;"
            " seconds from its start until its connections gauge counted every one (JVM start included).", "",
            "| daemon | connections managed | subflows | 'discovered' logged | metrics up s | every one managed s | CPU s |",
            "|---|---|---|---|---|---|---|"]
    for name, r in result.get("resync", {}).items():
        out.append(f"| {name} | {r['connections']:,} | {r['subflows']:,} | {r['discovered_logged']:,} |"
                   f" {r['metrics_up_seconds']:.1f} | {r['seconds_until_managed']:.1f} | {r['cpu_seconds']:.1f} |")
    out += ["", "Then every connection closed:", "",
            "| daemon | connections | subflows | per-connection entries | events lost |", "|---|---|---|---|---|"]
    for name, c in result.get("closed", {}).items():
        out.append(f"| {name} | {c['mptcp4j_connections']} | {c['mptcp4j_subflows']} |"
                   f" {c['mptcp4j_connection_state_entries']} | {c['mptcp4j_events_lost_total']} |")
    levels = result["levels"]
    if len(levels) > 1:
        out += ["", f"CPU per event over the probe, {levels[-1]['held']:,} against {levels[0]['held']:,} connections"
                " (flat: within 2x): " + ", ".join(
                    f"{name} {levels[-1]['daemons'][name]['probe']['cpu_us_per_event'] / max(levels[0]['daemons'][name]['probe']['cpu_us_per_event'], 1e-9):.2f}x"
                    for name in levels[0]["daemons"])]
    stalls = result.get("stalls", {})
    if any(stalls.values()):
        out += ["", "Stalled: a daemon that did not reach the connections asked within its time, and where its event"
                " loop thread was then (jcmd Thread.print):", ""]
        for name, entries in stalls.items():
            for st in entries:
                out.append(f"* {name}, {st['what']}: {st['connections']:,} connections of {st['wanted']:,}, {st['events']:,}"
                           f" events handled; loop at {' < '.join(st['loop_frames'][:4]) or '?'}")
    return "\n".join(out) + "\n"


def opened(row):
    return f"{row['held']:,}" + ("" if row["held"] >= row["level"] else f" ({row['level']:,} asked)")


def latency(seconds):
    if seconds is None:
        return "-"
    if seconds == math.inf:
        return "> 1 s"
    return f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.1f} ms"


if __name__ == "__main__":
    main()
