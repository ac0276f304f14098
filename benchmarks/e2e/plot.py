#!/usr/bin/env python3
"""CDF of MP_CAPABLE SYN -> MP_JOIN SYN delays per mode, one panel per scenario (cold, warm, stressed)."""
import json
import sys

import matplotlib

from latency import describe

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(out, paths):
    fig, axes = plt.subplots(1, len(paths), figsize=(6.5 * len(paths), 4.5), squeeze=False, sharex=True)
    for ax, path in zip(axes[0], paths):
        results = json.load(open(path))
        for mode, measured in results["modes"].items():
            delays = sorted(d for _, _, d in measured["connections"] if d is not None)
            if not delays:
                continue
            ax.step(delays, [(i + 1) / len(delays) for i in range(len(delays))], where="post", label=mode)
        ax.set_xscale("log")
        ax.set_xlabel("MP_CAPABLE SYN to MP_JOIN SYN (µs, log scale)")
        ax.set_ylabel("fraction of connections")
        ax.set_title(describe(results), fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    # plot.py OUT.png results.json [results.json ...]
    main(sys.argv[1], sys.argv[2:])
