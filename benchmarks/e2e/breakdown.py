#!/usr/bin/env python3
"""
Where the time between the connection's becoming ESTABLISHED and the MP_JOIN SYN goes, for
mptcp4j (blocking and busy-poll) and the C baseline. tcpdump stamps the packets (CLOCK_REALTIME);
the path managers stamp, in CLOCK_MONOTONIC, when they received the event and when their
handler returned, and say the offset between the clocks.

  inbound -> received : the client receives the server's echo (its DATA_ACK makes the connection
                        ESTABLISHED) to the path manager holding the event: event generation,
                        netlink delivery, thread wake-up, receive
  received -> dispatch : JNI return, decoding, dispatch to the controller (0 for C)
  dispatch -> SYN      : controller, command encoding, sendmsg, the kernel creating the subflow
  SYN -> returned      : the rest of sendmsg and the acknowledgement
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import time

from latency import Topology, sh

PACKET = re.compile(r"^(\d+\.\d+) .*IP (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\].*length (\d+)")


def capture_times(path):
    """
    Per client source port: the first packet from the server after the client's byte went out
    (its DATA_ACK makes the connection ESTABLISHED); and the MP_JOIN SYNs in order.
    """
    sent, inbound, joins = set(), {}, []
    for line in open(path):
        m = PACKET.match(line)
        if not m:
            continue
        t, src, sport, dst, dport, flags, length = float(m.group(1)), m.group(2), m.group(3), m.group(4), \
            m.group(5), m.group(6), int(m.group(7))
        if src == "10.231.1.1" and length == 1:
            sent.add(sport)
        elif src == "10.231.1.2" and dst == "10.231.1.1" and dport in sent and dport not in inbound:
            inbound[dport] = t
        if flags == "S" and "join" in line and src == "10.231.2.1":
            joins.append(t)
    return inbound, joins


def run(mode, args, t):
    cli = t.cli
    log = open(os.path.join(args.out, f"{mode}.trace"), "w")
    if mode == "c-libnl":
        cmd = t.exec(cli, args.pm_listener, "10.231.2.1", "1", "trace")
    else:
        idle, decoding = {"mptcp4j-blocking": ("blocking", "java"), "mptcp4j-busy-poll": ("busy-spin", "java"),
                          "mptcp4j-blocking-native": ("blocking", "native")}[mode]
        cmd = [args.java, "-cp", args.jar, "org.mptcp4j.benchmarks.TracedPathManager", cli, idle, decoding]
    err = open(os.path.join(args.out, f"{mode}.log"), "w")
    pm = subprocess.Popen(cmd, stdout=log, stderr=err)
    for _ in range(200):
        if os.path.getsize(err.name) > 0:
            break
        time.sleep(0.05)
    pcap = os.path.join(args.out, f"{mode}.packets.txt")
    dump = subprocess.Popen(t.exec(cli, "tcpdump", "-i", "any", "-nn", "-tt", "--time-stamp-precision=nano", "-l", "tcp"),
                            stdout=open(pcap, "w"), stderr=subprocess.DEVNULL)
    time.sleep(1)
    sh(*t.exec(cli, args.pingpong, "client", "10.231.1.2", "5201", str(args.warmup), "1", "0"))  # warm up: JIT
    sh(*t.exec(cli, args.pingpong, "client", "10.231.1.2", "5201", str(args.connections), "3", "2"))
    time.sleep(0.5)
    dump.send_signal(signal.SIGINT)
    dump.wait(timeout=10)
    pm.send_signal(signal.SIGTERM)
    pm.wait(timeout=20)
    log.close()
    offset, events = 0, {}
    for line in open(log.name):
        parts = line.split()
        if parts[0] == "offset":
            offset = int(parts[1])
        elif parts[0] == "event":
            events[parts[1]] = [int(x) for x in parts[2:]]
    inbound, joins = capture_times(pcap)
    rows = []
    for port, (received, dispatched, done) in events.items():
        if port not in inbound:
            continue
        t_in = inbound[port] * 1e9
        t_received, t_dispatched, t_done = received + offset, dispatched + offset, done + offset
        syn = [j * 1e9 for j in joins if t_dispatched <= j * 1e9 <= t_done + 1e6]
        if not syn:
            continue
        rows.append(((t_received - t_in) / 1e3, (t_dispatched - t_received) / 1e3, (syn[0] - t_dispatched) / 1e3,
                     (t_done - syn[0]) / 1e3))
    return rows[args.warmup:]  # the warm-up's connections come first


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=50, help="connections before measuring, for the JIT")
    ap.add_argument("--modes", default="c-libnl,mptcp4j-blocking,mptcp4j-blocking-native,mptcp4j-busy-poll")
    ap.add_argument("--out", required=True)
    ap.add_argument("--java", default="java")
    ap.add_argument("--jar", required=True)
    ap.add_argument("--pingpong", required=True)
    ap.add_argument("--pm-listener", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print("| mode | n | inbound -> received | received -> dispatch | dispatch -> SYN | SYN -> returned |")
    print("|---|---|---|---|---|---|")
    for mode in args.modes.split(","):
        t = Topology("bd")
        server = subprocess.Popen(t.exec(t.srv, args.pingpong, "server", "5201"), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            sh(*t.exec(t.cli, "sysctl", "-qw", "net.mptcp.pm_type=1"))
            rows = run(mode, args, t)
        finally:
            server.terminate()
            server.wait()
            t.delete()
        cells = [f"{statistics.median(col):.1f}" for col in zip(*rows)] if rows else ["-"] * 4
        print(f"| {mode} | {len(rows)} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
