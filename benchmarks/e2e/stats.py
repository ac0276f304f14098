"""
Statistics of the latency harness: percentiles with bootstrap confidence intervals, per mode, and
the comparisons the targets are stated in (against the in-kernel PM and the fastest C path
manager). Pure Python: a run has a few thousand delays.
"""
import random
import statistics

PERCENTILES = (50, 90, 99, 99.9)
C_MODES = ("mptcpd", "c-libnl", "c-tuned")
FIRST = 50  # connections at the start of each round: what a freshly started daemon does


def percentile(values, p):
    """Of sorted values, interpolated between the closest ranks."""
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def bootstrap(values, ps, resamples, rng):
    """
    Each percentile in ps of values, with the 2.5 and 97.5 percentiles of its value over
    resamples of values drawn with replacement: [(estimate, low, high), ...].
    """
    ordered = sorted(values)
    n = len(ordered)
    # Resampling indices into the sorted values: sorting ints is faster than sorting floats.
    ranks = []
    for p in ps:
        k = (n - 1) * p / 100
        ranks.append((int(k), min(int(k) + 1, n - 1), k - int(k)))
    draws = [[] for _ in ps]
    for _ in range(resamples):
        picks = sorted(rng.choices(range(n), k=n))
        for d, (lo, hi, frac) in zip(draws, ranks):
            a, b = ordered[picks[lo]], ordered[picks[hi]]
            d.append(a + (b - a) * frac)
    out = []
    for d, p in zip(draws, ps):
        d.sort()
        out.append((percentile(ordered, p), percentile(d, 2.5), percentile(d, 97.5)))
    return out


def summarize(connections, rounds, resamples, seed=1):
    """
    connections: [(round, index, delay µs or None), ...] of one mode. Percentiles over the
    connections that got their join; the median over the first FIRST of each round; per round,
    the median and the joins missing.
    """
    rng = random.Random(seed)
    delays = [d for _, _, d in connections if d is not None]
    first = [d for _, i, d in connections if d is not None and i < FIRST]
    s = {"n": len(delays), "missing_joins": len(connections) - len(delays)}
    if delays:
        for p, ci in zip(PERCENTILES, bootstrap(delays, PERCENTILES, resamples, rng)):
            s[f"p{p:g}"] = ci
    if first:
        s["first_p50"] = bootstrap(first, (50,), resamples, rng)[0]
    s["rounds"] = []
    for r in range(1, rounds + 1):
        of_round = [c for c in connections if c[0] == r]
        joined = [d for _, _, d in of_round if d is not None]
        s["rounds"].append({"n": len(joined), "missing_joins": len(of_round) - len(joined),
                            "p50": statistics.median(joined) if joined else None})
    return s


def cell(ci):
    return f"{ci[0]:.0f} ({ci[1]:.0f}–{ci[2]:.0f})" if ci else "-"


def table(summaries):
    """The markdown tables of one scenario: per mode, then per round."""
    kernel = summaries.get("kernel", {}).get("p50")
    c = {key: min((summaries[m][key][0] for m in C_MODES if key in summaries.get(m, {})), default=None)
         for key in ("p50", "first_p50", "p99")}
    lines = ["| mode | joined | missing joins | p50 µs | p90 µs | p99 µs | p99.9 µs | first 50 of each round, p50 µs "
             "| p50 / in-kernel | p50 − fastest C | first 50 − fastest C | p99 / fastest C's |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for mode, s in summaries.items():
        p50, first, p99 = s.get("p50"), s.get("first_p50"), s.get("p99")
        lines.append("| " + " | ".join([
            mode, str(s["n"]), str(s["missing_joins"]), cell(p50), cell(s.get("p90")), cell(p99), cell(s.get("p99.9")),
            cell(first),
            f"{p50[0] / kernel[0]:.2f}" if p50 and kernel else "-",
            f"{p50[0] - c['p50']:+.0f}" if p50 and c["p50"] is not None else "-",
            f"{first[0] - c['first_p50']:+.0f}" if first and c["first_p50"] is not None else "-",
            f"{p99[0] / c['p99']:.2f}" if p99 and c["p99"] else "-"]) + " |")
    rounds = max((len(s["rounds"]) for s in summaries.values()), default=0)
    lines += ["", "Per round: median µs (missing joins)", "",
              "| mode | " + " | ".join(f"round {r + 1}" for r in range(rounds)) + " |",
              "|---|" + "---|" * rounds]
    for mode, s in summaries.items():
        lines.append(f"| {mode} | " + " | ".join(
            (f"{r['p50']:.0f}" if r["p50"] is not None else "-") + f" ({r['missing_joins']})" for r in s["rounds"]) + " |")
    return "\n".join(lines)
