#!/usr/bin/env python3
"""Start-up of the mptcp4j command line, step by step, and -batch against ip -batch.

Each configuration runs `limits show` RUNS times, the configurations interleaved round by
round so that a noisy moment hurts them alike; min, median and max in ms. The JVM steps are
what bin/mptcp4j adds one by one for a one-shot command; "bin/mptcp4j" rows are the launcher
itself (its checks included). Then a batch of 500 endpoint adds and 500 deletes (never more
than 8 at once: the kernel's limit per namespace), and one of 1,000 'limits show', each through
mptcp4j -batch and ip -batch, in a namespace made for the run.
"""
import glob
import os
import platform
import re
import statistics
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LAUNCHER = os.path.join(TOP, "bin", "mptcp4j")
MAIN = "org.mptcp4j.cli.Main"


def release(home):
    """JAVA_VERSION and JAVA_RUNTIME_VERSION of a JDK's release file."""
    values = {}
    with open(os.path.join(home, "release")) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            values[key] = value.strip('"')
    return values["JAVA_VERSION"], values["JAVA_RUNTIME_VERSION"]


def jar():
    with open(os.path.join(TOP, "pom.xml")) as f:
        version = re.search(r"^  <version>(.*)</version>", f.read(), re.M).group(1)
    return os.path.join(TOP, "target", f"mptcp4j-{version}-daemon.jar")


def configurations(jdks):
    """(name, command) pairs: ip, then for each JDK the JVM steps and the launcher."""
    daemon_jar = jar()
    library = os.path.dirname(glob.glob(os.path.join(TOP, "target/native-classes/META-INF/native/*/libmptcp4j.so"))[0])
    rows = [("ip mptcp limits show", ["ip", "mptcp", "limits", "show"])]
    for home in jdks:
        version, runtime = release(home)
        major = int(version.split(".")[0])
        java = os.path.join(home, "bin", "java")
        # As bin/mptcp4j starts a JDK 22 or later: an AOT cache refuses a JVM started otherwise.
        native = (["--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"]
                  if major >= 22 else [])
        one_shot = native + ["-XX:TieredStopAtLevel=1", "-XX:-UsePerfData"]
        library_path = ["-Djava.library.path=" + library]
        if major >= 25:
            archive = ["-XX:AOTCache=" + os.path.join(TOP, "target/start-up", f"cli-{runtime}.aot")]
            kind = "AOT cache"
        else:
            archive = ["-XX:SharedArchiveFile=" + os.path.join(TOP, "target/start-up", f"cli-{runtime}.jsa")]
            kind = "CDS archive"
        steps = [
            ("JVM defaults, .so extracted", native),
            ("+ C1 only, no perf data", one_shot),
            ("+ .so from the build tree", one_shot + library_path),
            ("+ " + kind, one_shot + library_path + archive),
        ]
        for name, options in steps:
            rows.append((f"JDK {version}: {name}", [java] + options + ["-cp", daemon_jar, MAIN, "limits", "show"]))
        rows.append((f"JDK {version}: bin/mptcp4j", ["env", "MPTCP4J_JAVA=" + java, LAUNCHER, "limits", "show"]))
    return rows


def run(command):
    """The wall time of one run in ms; anything on stderr is a failure (a JVM warning too)."""
    start = time.perf_counter_ns()
    result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter_ns() - start) / 1e6
    if result.returncode != 0 or result.stderr:
        sys.exit(f"{' '.join(command)}: exit {result.returncode}: {result.stderr.decode(errors='replace')}")
    return elapsed


def table(title, rows, runs):
    times = {name: [] for name, _ in rows}
    for _ in range(runs):
        for name, command in rows:
            times[name].append(run(command))
    print(f"\n{title}: {runs} rounds, the configurations interleaved; ms\n")
    print("| configuration | min | median | max |\n|---|---|---|---|")
    for name, _ in rows:
        t = times[name]
        print(f"| {name} | {min(t):.1f} | {statistics.median(t):.1f} | {max(t):.1f} |")


def batches(directory):
    """The add/delete batch and the read batch, as mptcp4j's and ip's files."""
    lines = []
    for i in range(500):
        slot = i % 8 + 1
        lines.append(f"endpoint add 10.{i // 250}.{i % 250}.1 id {slot} subflow")
        if slot == 8 or i == 499:
            lines += [f"endpoint delete id {j}" for j in range(1, slot + 1)]
    files = {}
    for name, body in (("endpoints", lines), ("reads", ["limits show"] * 1000)):
        for tool, prefix in (("mptcp4j", ""), ("ip", "mptcp ")):
            path = os.path.join(directory, f"{name}.{tool}")
            with open(path, "w") as f:
                f.write("".join(prefix + line + "\n" for line in body))
            files[(name, tool)] = path
    return files


def batch_table(rounds, directory):
    namespace = f"m4j-cli-bench-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    try:
        files = batches(directory)
        rows = []
        for name, what in (("endpoints", "500 endpoint adds + 500 deletes"), ("reads", "1,000 limits show")):
            rows.append((f"{what}: bin/mptcp4j -n NS -batch", [LAUNCHER, "-n", namespace, "-batch", files[(name, "mptcp4j")]]))
            rows.append((f"{what}: ip -n NS -batch", ["ip", "-n", namespace, "-batch", files[(name, "ip")]]))
        table("Batches, bin/mptcp4j with its default JDK", rows, rounds)
        left = subprocess.run(["ip", "-n", namespace, "mptcp", "endpoint", "show"], capture_output=True, text=True).stdout
        if left.strip():
            sys.exit("endpoints left after the batches:\n" + left)
    finally:
        subprocess.run(["ip", "netns", "del", namespace], check=False)


def environment(jdks):
    def out(*command):
        return subprocess.run(command, capture_output=True, text=True).stdout.strip()

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    libnl = out("dpkg-query", "-W", "-f=${Version}", "libnl-genl-3-200")
    print(f"kernel {platform.release()}, {os.cpu_count()} CPUs ({cpu}), libnl {libnl}, "
          + ", ".join(f"JDK {release(h)[1]}" for h in jdks) + f", {out('ip', '-V')}")
    print(f"git {out('git', '-C', TOP, 'rev-parse', '--short', 'HEAD')}"
          + (" (modified)" if out("git", "-C", TOP, "status", "--porcelain", "--untracked-files=no") else "")
          + f", {time.strftime('%Y-%m-%d %H:%M %Z')}, load average {os.getloadavg()[0]:.2f} at start")


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    jdks = sys.argv[3].split(":")
    environment(jdks)
    table("`limits show`, a process each", configurations(jdks), runs)
    batch_table(rounds, sys.argv[4])


if __name__ == "__main__":
    main()
