#!/usr/bin/env python3
"""
Delay from a client's MP_CAPABLE SYN to its MP_JOIN SYN, per path manager, on this machine.

Each mode gets its own pair of namespaces (client, server) joined by two veth paths; the
client opens connections one after another (pingpong.c) and the mode's path manager opens a
second subflow from the client's second address. tcpdump in each client namespace stamps the
SYNs in nanoseconds; a join is paired with its connection by token (the MP_JOIN SYN carries the
token, the MP_CAPABLE SYN/ACK the server's key it derives from), so a connection without its
subflow counts as a missing join, never as a later connection's delay.

Scenarios, each as rounds of --connections per mode, modes in random order within a round and
only one mode's topology carrying traffic at a time:
  cold      every round starts each path manager afresh (a new process, no warm-up
            connections), measures from the moment it says it listens, and stops it
  warm      one long-lived path manager per mode, --warmup connections first; the rounds in
            interleaved batches (--batch), the path managers not in their batch frozen (SIGSTOP)
            so that a busy poller does not take a core from the others
  stressed  cold, with --stress spinning processes competing for the CPUs throughout
Run through benchmarks/e2e/run-latency, which builds what this needs.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import stats

MODES = ["kernel", "mptcpd", "c-libnl", "c-tuned", "mptcp4j-blocking", "mptcp4j-busy-poll"]
# Modes measured only when --modes names them.
EXTRA_MODES = ["c-tuned-poll", "mptcp4j-ffm", "mptcp4j-ffm-busy-poll"]
MPTCP4J = {"mptcp4j-blocking": [], "mptcp4j-busy-poll": ["--idle", "busy-spin"]}
# mptcp4j on its pure-Java transport (no libnl, no libmptcp4j.so): needs --java of a JDK 22 or later.
FFM = ["-J-Dmptcp4j.transport=ffm", "-J--enable-native-access=ALL-UNNAMED", "-J--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"]
# What each path manager prints once it receives events; the round starts right after.
READY = {"mptcpd": "one_subflow: ready", "c-libnl": "pm_listener: ready", "c-tuned": "pm_tuned: ready",
         "c-tuned-poll": "pm_tuned: ready",
         "mptcp4j": "mptcp4j run: managing"}
SCENARIOS = ("cold", "warm", "stressed")
PORT = 5201
SECOND_ADDRESS = "10.231.2.1"


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


def split_variant(words, classpath):
    """An mptcp4j mode's words: its JVM options (given as -JOPTION, as javac takes them), its class
    path (--classpath=JAR: another build of mptcp4j, to compare two builds within one run) and
    run's arguments."""
    jars = [w.split("=", 1)[1] for w in words if w.startswith("--classpath=")]
    run = [w for w in words if not w.startswith(("-J", "--classpath="))]
    return [w[2:] for w in words if w.startswith("-J")], jars[-1] if jars else classpath, run


class Mode:
    """One path manager on its own topology, with its echo server and SYN capture."""

    def __init__(self, name, args, topology, sockets):
        self.name = name
        self.args = args
        self.t = topology
        self.sockets = sockets
        self.daemon = None
        self.capture = None
        self.capture_path = os.path.join(args.out, f"{name}.syn.txt")
        self.windows = {}  # round -> [(start, end)] of its connections, CLOCK_REALTIME as tcpdump's
        self.counters = {}  # round -> the client namespace's MPTcpExt counters that changed
        self.server = subprocess.Popen(self.t.exec(self.t.srv, args.pingpong, "server", str(PORT)),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if name == "kernel":
            sh("ip", "-n", self.t.cli, "mptcp", "limits", "set", "subflows", "1")
        else:
            sh(*self.t.exec(self.t.cli, "sysctl", "-qw", "net.mptcp.pm_type=1"))

    def command(self, label):
        """The path manager's command line and environment."""
        a, cli = self.args, self.t.cli
        if self.name == "mptcpd":
            return (self.t.exec(cli, a.mptcpd, "--plugin-dir", a.mptcpd_plugin_dir, "--path-manager", "one_subflow",
                                "--log", "stderr"), {"ONE_SUBFLOW_FROM": SECOND_ADDRESS})
        if self.name == "c-libnl":
            return self.t.exec(cli, a.pm_listener, SECOND_ADDRESS, "1"), {}
        if self.name == "c-tuned":
            return self.t.exec(cli, a.pm_tuned, SECOND_ADDRESS, "1"), {}
        if self.name == "c-tuned-poll":  # c-tuned receiving as mptcp4j's blocking loop does
            return self.t.exec(cli, a.pm_tuned, SECOND_ADDRESS, "1", "--poll"), {}
        own_jvm, classpath, run = split_variant(a.mptcp4j_modes[self.name], a.classpath)
        jvm = [o.replace("{out}", a.out).replace("{mode}", self.name).replace("{round}", label)
               for o in a.jvm_opts + own_jvm]
        return ([a.java, *jvm, "-cp", classpath, "org.mptcp4j.cli.Main", "run", "--netns", cli, "--per-address",
                 "--control-socket", os.path.join(self.sockets, f"{self.name}.sock"), *run], {})

    def start(self, label):
        """Starts the path manager afresh and returns once it receives events."""
        if self.name == "kernel":
            sh("ip", "-n", self.t.cli, "mptcp", "endpoint", "add", SECOND_ADDRESS, "dev", "c2", "id", "1", "subflow")
            return
        cmd, env = self.command(label)
        self.log = os.path.join(self.args.out, f"{self.name}.{label}.log")
        with open(self.log, "w") as log:
            self.daemon = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
        ready = READY.get(self.name, READY["mptcp4j"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.daemon.poll() is not None:
                raise SystemExit(f"{self.name}: the path manager exited: {open(self.log).read().strip()}")
            with open(self.log) as f:
                if ready in f.read():
                    return
            time.sleep(0.001)
        raise SystemExit(f"{self.name}: the path manager did not say '{ready}' within 60 s; see {self.log}")

    def stop(self):
        if self.name == "kernel":
            sh("ip", "-n", self.t.cli, "mptcp", "endpoint", "flush")
        elif self.daemon:
            self.daemon.send_signal(signal.SIGCONT)
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
            self.daemon = None

    def freeze(self, frozen):
        if self.daemon:
            self.daemon.send_signal(signal.SIGSTOP if frozen else signal.SIGCONT)

    def mptcp_counters(self):
        lines = [line.split() for line in sh(*self.t.exec(self.t.cli, "cat", "/proc/net/netstat")).splitlines()
                 if line.startswith("MPTcpExt:")]
        return {k: int(v) for k, v in zip(lines[0][1:], lines[1][1:])}

    def run(self, count, label):
        """count connections one after another: a round's, in its windows, or (label None) a warm-up."""
        a = self.args
        if label is None:  # the JIT compiles mptcp4j's event path; ARP, route caches; not measured
            sh(*self.t.exec(self.t.cli, a.pingpong, "client", "10.231.1.2", str(PORT), str(count), "1", "0"))
            return
        before = self.mptcp_counters()
        start = time.time()
        sh(*self.t.exec(self.t.cli, a.pingpong, "client", "10.231.1.2", str(PORT), str(count), str(a.hold_ms),
                        str(a.gap_ms), str(a.join_wait_ms)))
        self.windows.setdefault(label, []).append((start, time.time()))
        changed = self.counters.setdefault(label, {})
        for k, v in self.mptcp_counters().items():
            if v != before.get(k, 0):
                changed[k] = changed.get(k, 0) + v - before.get(k, 0)

    def start_capture(self):
        with open(self.capture_path, "w") as out, open(self.capture_path + ".log", "w") as log:
            self.capture = subprocess.Popen(
                self.t.exec(self.t.cli, "tcpdump", "-i", "any", "-nn", "-tt", "--time-stamp-precision=nano", "-l",
                            "tcp[tcpflags] & tcp-syn != 0"),
                stdout=out, stderr=log)

    def capture_drops(self):
        """The packets tcpdump says the kernel dropped: a join it missed would count as missing."""
        m = re.search(r"(\d+) packets? dropped by kernel", open(self.capture_path + ".log").read())
        return int(m.group(1)) if m else None

    def close(self):
        self.stop()
        if self.capture:
            time.sleep(0.5)
            self.capture.send_signal(signal.SIGINT)
            self.capture.wait(timeout=10)
        self.server.terminate()
        self.server.wait(timeout=10)


SYN = re.compile(r"^(\d+\.\d+) .*IP (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[(S\.?)\].*mptcp \d+ "
                 r"(?:capable v1(?: \{0x([0-9a-f]+)\})?|join id \d+ token 0x([0-9a-f]+))")


def connections(path):
    """
    From a SYN capture: [(MP_CAPABLE SYN time, MP_JOIN SYN time or None, MPTCP or not)] by time.
    The join's token is the first 32 bits of SHA-256 of the server's key in the SYN/ACK.
    """
    opened, joined = [], {}  # opened: [first SYN's time, token or None]; joined: token -> first join SYN's time
    latest = {}  # source port -> its latest connection in opened (ports are used again over a run)
    for line in open(path):
        m = SYN.match(line)
        if not m:
            continue
        stamp, src, sport, dport, flags, key, token = (float(m.group(1)), m.group(2), m.group(3), m.group(5),
                                                        m.group(6), m.group(7), m.group(8))
        if token is not None:
            if flags == "S":
                joined.setdefault(int(token, 16), stamp)
        elif flags == "S" and src == "10.231.1.1":
            # Before its SYN/ACK, a SYN from the same port is a retransmission of the connection's first.
            if sport not in latest or opened[latest[sport]][1] is not None:
                latest[sport] = len(opened)
                opened.append([stamp, None])
        elif flags == "S." and key is not None and dport in latest and opened[latest[dport]][1] is None:
            digest = hashlib.sha256(int(key, 16).to_bytes(8, "big")).digest()
            opened[latest[dport]][1] = int.from_bytes(digest[:4], "big")
    return [(stamp, joined.get(token) if token is not None else None, token is not None) for stamp, token in opened]


def per_round(mode):
    """[(round from 1, index within it from 0, delay µs or None)] of a mode's measured connections."""
    all_connections = connections(mode.capture_path)
    out, fallbacks = [], 0
    for r, windows in sorted(mode.windows.items()):
        inside = [c for c in all_connections if any(a <= c[0] <= b for a, b in windows)]
        for i, (opened, joined, mptcp) in enumerate(inside):
            fallbacks += not mptcp
            out.append((r, i, round((joined - opened) * 1e6, 1) if joined is not None else None))
    return out, fallbacks


def cold(args, modes, label, loads):
    """Rounds: each mode's path manager started afresh, measured at once, stopped."""
    for m in modes:
        m.start_capture()
    time.sleep(1.0)  # tcpdump's start
    for r in range(args.rounds):
        loads.append(os.getloadavg()[0])
        order = modes[:]
        random.shuffle(order)
        for m in order:
            m.start(f"round-{r + 1}")
            try:
                m.run(args.connections, r + 1)
            finally:
                m.stop()
        print(f"\r{label}: round {r + 1}/{args.rounds}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def warm(args, modes, label, loads):
    """One long-lived path manager per mode, warmed up, then rounds in interleaved batches."""
    for m in modes:
        m.start(label)
        m.run(args.warmup, None)
        m.freeze(True)
        m.start_capture()
    time.sleep(1.0)
    for r in range(args.rounds):
        loads.append(os.getloadavg()[0])
        left = {m.name: args.connections for m in modes}
        while any(left.values()):
            order = [m for m in modes if left[m.name]]
            random.shuffle(order)
            for m in order:
                count = min(args.batch, left[m.name])
                m.freeze(False)
                time.sleep(0.05)
                m.run(count, r + 1)
                m.freeze(True)
                left[m.name] -= count
        print(f"\r{label}: round {r + 1}/{args.rounds}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def version_of(*cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (r.stdout + r.stderr).strip()
    except OSError as e:
        return f"unavailable: {e}"


def environment(args):
    """What the figures depend on, recorded with them."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rev = version_of("git", "-C", top, "rev-parse", "HEAD")
    # The results this writes do not make the tree dirty; any other change does.
    if version_of("git", "-C", top, "status", "--porcelain", "--", ".", ":(exclude)benchmarks/e2e/results",
                  ":(exclude)benchmarks/e2e/latency-cdf.png"):
        rev += " dirty"
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "kernel": platform.release(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "jdk": " / ".join(version_of(args.java, "-version").splitlines()),
        "libnl": version_of("pkg-config", "--modversion", "libnl-genl-3.0") + " (headers), "
                 + version_of("dpkg-query", "-W", "-f=${Version}", "libnl-genl-3-200") + " (libnl-genl-3-200)",
        "mptcpd": version_of(args.mptcpd, "--version") + " ("
                  + version_of("dpkg-query", "-W", "-f=${Version}", "mptcpd") + ")",
        "git": rev,
    }


def describe(results):
    """A results file's scenario, in a few words."""
    return {"cold": "cold: each path manager started afresh every round",
            "warm": f"warm: one path manager per mode, after {results['settings']['warmup']} warm-up connections",
            "stressed": f"stressed: as cold, with {results['stress']} spinning processes"}[results["scenario"]]


def report(args, scenario, env, modes, loads):
    """results/<scenario>/results.json with every delay, and the markdown tables."""
    out = {"scenario": scenario, "environment": env,
           "settings": {k: getattr(args, k) for k in ("rounds", "connections", "warmup", "batch", "hold_ms", "gap_ms",
                                                      "join_wait_ms", "resamples", "java", "jvm_opts")},
           "stress": args.stress if scenario == "stressed" else 0, "load_averages": loads, "modes": {},
           "statistics": {}}
    out["settings"]["mptcp4j_arguments"] = {m.name: args.mptcp4j_modes[m.name] for m in modes
                                            if m.name in args.mptcp4j_modes}
    for m in modes:
        measured, fallbacks = per_round(m)
        out["modes"][m.name] = {"connections": measured, "fallbacks": fallbacks, "capture_drops": m.capture_drops(),
                                "mptcp_counters": [m.counters.get(r, {}) for r in range(1, args.rounds + 1)]}
        out["statistics"][m.name] = stats.summarize(measured, args.rounds, args.resamples)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(out, f)
    lines = [f"# {describe(out)}", "",
             f"{args.rounds} rounds × {args.connections} connections per mode, modes in random order within each "
             "round; µs from MP_CAPABLE SYN to MP_JOIN SYN, 95% bootstrap confidence intervals "
             f"({args.resamples} resamples) in brackets.", ""]
    lines += [f"* {k}: {v}" for k, v in env.items()]
    if args.jvm_opts:
        lines.append(f"* JVM options of every mptcp4j mode: `{' '.join(args.jvm_opts)}`")
    for name, words in out["settings"]["mptcp4j_arguments"].items():
        jvm, jar, run = split_variant(words, args.classpath)
        lines.append(f"* {name}: `{' '.join(['mptcp4j run --per-address', *run])}`"
                     + (f", JVM options `{' '.join(jvm)}`" if jvm else "")
                     + (f", built as `{jar}`" if jar != args.classpath else ""))
    for what, key in (("connections that fell back to TCP", "fallbacks"),
                      ("packets tcpdump says the kernel dropped", "capture_drops")):
        counts = {name: d[key] for name, d in out["modes"].items() if d[key]}
        if counts:
            lines.append(f"* {what}: {counts}")
    lines += ["", stats.table(out["statistics"]), "",
              "Load average (1 minute) at each round's start: " + ", ".join(f"{x:.2f}" for x in loads)]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="of " + ", ".join(SCENARIOS))
    ap.add_argument("--rounds", type=int, default=5, help="per scenario")
    ap.add_argument("--connections", type=int, default=300, help="per mode and round")
    ap.add_argument("--batch", type=int, default=20, help="warm: connections per mode before the next mode's turn")
    ap.add_argument("--warmup", type=int, default=3000,
                    help="warm: connections per mode before measuring; the JIT compiles the event path after a few "
                         "thousand")
    ap.add_argument("--hold-ms", type=int, default=3, help="how long each connection is held open for its join")
    ap.add_argument("--gap-ms", type=int, default=2, help="between one connection's close and the next")
    ap.add_argument("--join-wait-ms", type=int, default=1000,
                    help="how long a connection still without its subflow after --hold-ms is held for it")
    ap.add_argument("--stress", type=int, default=2, help="stressed: CPU-bound processes competing meanwhile")
    ap.add_argument("--modes", help="default: " + ",".join(MODES) + " and the variants; also " + ",".join(EXTRA_MODES))
    ap.add_argument("--mptcp4j-variant", action="append", default=[], metavar="NAME=ARGS",
                    help="another mode: 'mptcp4j run --per-address ARGS', where -JOPTION is a JVM option of this "
                         "mode's and --classpath=JAR runs another build (repeatable)")
    ap.add_argument("--jvm-opts", default="", type=shlex.split,
                    help="JVM options of every mptcp4j mode, as --jvm-opts='...' (they start with a dash); {out}, "
                         "{mode} and {round} stand for the output folder, the mode and its round, e.g. "
                         "--jvm-opts='-XX:StartFlightRecording=filename={out}/{mode}.{round}.jfr'")
    ap.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    ap.add_argument("--results", required=True, help="writes <scenario>.md and <scenario>/ here")
    ap.add_argument("--java", default="java", help="the java command of the mptcp4j modes, e.g. JDK/bin/java")
    ap.add_argument("--classpath", required=True)
    ap.add_argument("--pingpong", required=True)
    ap.add_argument("--pm-listener", required=True)
    ap.add_argument("--pm-tuned", required=True)
    ap.add_argument("--mptcpd", default="/usr/libexec/mptcpd")
    ap.add_argument("--mptcpd-plugin-dir", required=True, help="holding the one_subflow plugin only")
    args = ap.parse_args()
    args.mptcp4j_modes = dict(MPTCP4J)
    args.mptcp4j_modes["mptcp4j-ffm"] = FFM
    args.mptcp4j_modes["mptcp4j-ffm-busy-poll"] = FFM + ["--idle", "busy-spin"]
    for v in args.mptcp4j_variant:
        name, eq, extra = v.partition("=")
        if not eq or not name or name in MODES + EXTRA_MODES:
            ap.error(f"--mptcp4j-variant takes NEW_NAME=ARGS: '{v}'")
        args.mptcp4j_modes[name] = shlex.split(extra)
    args.modes = args.modes.split(",") if args.modes else MODES + [n for n in args.mptcp4j_modes
                                                                   if n not in MODES + EXTRA_MODES]
    unknown = [n for n in args.modes if n not in MODES + EXTRA_MODES and n not in args.mptcp4j_modes]
    scenarios = args.scenarios.split(",")
    if unknown or set(scenarios) - set(SCENARIOS):
        ap.error(f"unknown modes or scenarios: {unknown + sorted(set(scenarios) - set(SCENARIOS))}")
    for scenario in scenarios:
        env = environment(args)
        args.out = os.path.join(args.results, scenario)
        shutil.rmtree(args.out, ignore_errors=True)  # no capture or log of an earlier run left beside this one's
        os.makedirs(args.out)
        topologies, modes, stress, loads = [], [], [], []
        sockets = tempfile.mkdtemp(prefix="m4j-lat-")
        try:
            for index, name in enumerate(args.modes):
                t = Topology(str(index))
                topologies.append(t)
                modes.append(Mode(name, args, t, sockets))
            if scenario == "stressed":
                stress = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(args.stress)]
            (warm if scenario == "warm" else cold)(args, modes, scenario, loads)
        finally:
            for p in stress:
                p.kill()
                p.wait()
            for m in modes:
                m.close()
            for t in topologies:
                t.delete()
            shutil.rmtree(sockets, ignore_errors=True)
        text = report(args, scenario, env, modes, loads)
        with open(os.path.join(args.results, f"{scenario}.md"), "w") as f:
            f.write(text)
        print(text, flush=True)


if __name__ == "__main__":
    main()
