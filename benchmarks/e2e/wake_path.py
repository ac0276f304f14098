#!/usr/bin/env python3
"""
Where a path manager's time goes between the kernel waking it for a connection's events and the
MP_JOIN SYN leaving, per connection, from the kernel's own tracepoints (tracefs: the path
manager's syscalls and scheduling, and the packets it sends), in one fresh run of --connections
connections, as latency.py's cold scenario starts it. No instrumentation in the path manager:
the same trace for C and for mptcp4j.

  connect -> handshake     the client's connect (its subflow to SYN_SENT) until that subflow is
                           ESTABLISHED: SYN, SYN-ACK, the same for every path manager
  handshake -> woken       until the kernel wakes the path manager's thread for the events
  woken -> on CPU          sched_waking to sched_switch: the scheduler and the CPU's wake-up
  on CPU -> received       until the receive that returns the first event has returned
  received -> last event   the receives of the events behind it (CREATED, then ESTABLISHED)
  last event -> command    user space: decoding, dispatch, controller, encoding, until the
                           SUBFLOW_CREATE's send enters the kernel
  command -> SYN           the kernel creating the subflow, until the SYN is queued on c2
  woken -> SYN             from the wake-up on
  connect -> SYN           the whole of it: what latency.py measures, from the SYN's queueing
  user                     time in user space between the wake-up and the command (gaps between
                           syscalls)

Medians by connection index (0-49, 50-149, 150 on). Needs root and /sys/kernel/tracing; run
after benchmarks/e2e/run-latency has built its programs:

  wake_path.py --mode c-tuned|c-libnl|mptcp4j [--classpath JAR] [--java JAVA]
               [--connections N] [--build target/e2e]
"""
import argparse
import os
import re
import statistics
import subprocess
import time

from latency import SECOND_ADDRESS, Topology, sh

TRACING = "/sys/kernel/tracing"
EVENTS = ["raw_syscalls:sys_enter", "raw_syscalls:sys_exit", "sched:sched_waking", "sched:sched_switch",
          "net:net_dev_queue", "sock:inet_sock_set_state"]
# The path manager's own events: the others are traced for every process.
PM_ONLY = ["raw_syscalls/sys_enter", "raw_syscalls/sys_exit"]
LINE = re.compile(r"^\s*(.+?)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+): (\w+): (.*)$")
# x86-64 syscall numbers: poll, sendto, recvfrom, sendmsg, recvmsg.
POLL, SENDS, RECEIVES = "NR 7 ", ("NR 44 ", "NR 46 "), ("NR 45 ", "NR 47 ")
COLUMNS = ["connect -> handshake", "handshake -> woken", "woken -> on CPU", "on CPU -> received",
           "received -> last event", "last event -> command", "command -> SYN", "woken -> SYN", "connect -> SYN",
           "user"]


def write(name, value, append=False):
    # os.open: Python's append mode seeks to the end, which tracefs refuses.
    fd = os.open(os.path.join(TRACING, name), os.O_WRONLY | (os.O_APPEND if append else os.O_TRUNC))
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def traced_run(args, t):
    """Starts the path manager, traces its threads over the connections; the trace's lines."""
    log_path = os.path.join(args.out, f"{args.mode}.log")
    if args.mode in ("c-tuned", "c-libnl"):
        program = args.build + ("/pm_tuned" if args.mode == "c-tuned" else "/pm_listener")
        cmd, ready = t.exec(t.cli, program, SECOND_ADDRESS, "1"), ("pm_tuned: ready" if args.mode == "c-tuned"
                                                                   else "pm_listener: ready")
    else:
        cmd = t.exec(t.cli, args.java, "-cp", args.classpath, "org.mptcp4j.cli.Main", "run", "--netns", t.cli,
                     "--per-address", "--control-socket", "off")
        ready = "mptcp4j run: managing"
    with open(log_path, "w") as log:
        pm = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while ready not in open(log_path).read():
            if pm.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{args.mode}: not ready, see {log_path}")
            time.sleep(0.001)
        threads = os.listdir(f"/proc/{pm.pid}/task")
        write("tracing_on", "0")
        write("trace", "")
        write("buffer_size_kb", "100000")
        write("trace_clock", "mono")
        write("set_event", "")
        pids = " || ".join(f"common_pid == {pid}" for pid in threads)
        for e in PM_ONLY:
            write(f"events/{e}/filter", pids)
        for e in EVENTS:
            write("set_event", e + "\n", append=True)
        write("tracing_on", "1")
        try:
            sh(*t.exec(t.cli, args.build + "/pingpong", "client", "10.231.1.2", "5201", str(args.connections), "3", "2"))
        finally:
            write("tracing_on", "0")
            with open(os.path.join(TRACING, "trace")) as f:
                lines = f.readlines()
            with open(os.path.join(args.out, f"{args.mode}.trace"), "w") as f:
                f.writelines(lines)
            write("set_event", "")
            for e in PM_ONLY:
                write(f"events/{e}/filter", "0")
            write("trace", "")
        return lines
    finally:
        pm.terminate()
        pm.wait(timeout=20)


def phases(lines):
    """Per SUBFLOW_CREATE sent after a wake-up: the phases of COLUMNS, µs."""
    events = []
    for line in lines:
        m = LINE.match(line)
        if m:
            events.append((int(m.group(2)), float(m.group(3)) * 1e6, m.group(4), m.group(5)))
    senders = [pid for pid, _, ev, rest in events if ev == "sys_enter" and rest.startswith(SENDS)]
    if not senders:
        return []
    pm = senders[0]  # the thread that sends the commands: the loop's
    woken = oncpu = first = last = command = None
    user, exited = 0.0, None
    connect = handshake = None
    rows = []
    for pid, t, ev, rest in events:
        if ev == "inet_sock_set_state" and "protocol=IPPROTO_TCP " in rest:
            if "newstate=TCP_SYN_SENT" in rest and pid != pm:  # the client's connect; a join's is the loop's
                connect, handshake = t, None
            elif "oldstate=TCP_SYN_SENT newstate=TCP_ESTABLISHED" in rest and connect is not None and handshake is None:
                handshake = t
            continue
        if ev == "sched_waking" and f"pid={pm} " in rest:
            woken, oncpu, first, last, command, user, exited = t, None, None, None, None, 0.0, None
        elif ev == "sched_switch" and f"next_pid={pm} " in rest and woken is not None and oncpu is None:
            oncpu = t
        elif pid != pm or woken is None:
            continue
        elif ev == "sys_exit":
            exited = t
            if rest.startswith(RECEIVES) and not rest.endswith("= -11"):
                first = t if first is None else first
                last = t
        elif ev == "sys_enter":
            if exited is not None and oncpu is not None:
                user += t - exited
            if rest.startswith(SENDS) and first is not None and command is None:
                command = t
        elif ev == "net_dev_queue" and command is not None and "dev=c2 " in rest and int(rest.rsplit("len=", 1)[1]) >= 74:
            if oncpu is not None and handshake is not None:
                rows.append((handshake - connect, woken - handshake, oncpu - woken, first - oncpu, last - first,
                             command - last, t - command, t - woken, t - connect, user))
            woken = connect = handshake = None
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", required=True, choices=["c-tuned", "c-libnl", "mptcp4j"])
    ap.add_argument("--classpath", help="mptcp4j's daemon jar")
    ap.add_argument("--java", default="java")
    ap.add_argument("--connections", type=int, default=300)
    ap.add_argument("--build", default="../../target/e2e", help="where run-latency built pingpong and the C listeners")
    ap.add_argument("--out", default="results/wake-path")
    args = ap.parse_args()
    if args.mode == "mptcp4j" and not args.classpath:
        ap.error("--mode mptcp4j needs --classpath")
    os.makedirs(args.out, exist_ok=True)
    t = Topology("wake")
    server = subprocess.Popen(t.exec(t.srv, args.build + "/pingpong", "server", "5201"), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        sh(*t.exec(t.cli, "sysctl", "-qw", "net.mptcp.pm_type=1"))
        rows = phases(traced_run(args, t))
    finally:
        server.terminate()
        server.wait()
        t.delete()
    print(f"| {args.mode}, connections | n | " + " | ".join(COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for lo, hi in ((0, 50), (50, 150), (150, len(rows))):
        part = rows[lo:hi]
        if part:
            cells = [f"{statistics.median(r[i] for r in part):.0f}" for i in range(len(COLUMNS))]
            print(f"| {lo}-{hi - 1} | {len(part)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
