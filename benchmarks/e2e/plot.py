#!/usr/bin/env python3
"""CDF of MP_CAPABLE SYN -> MP_JOIN SYN delays per mode, one panel per run (e.g. idle, stressed)."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(out, runs):
    fig, axes = plt.subplots(1, len(runs), figsize=(6.5 * len(runs), 4.5), squeeze=False)
    for ax, (title, path) in zip(axes[0], runs):
        data = json.load(open(path))["delays_us"]
        for mode, delays in data.items():
            if not delays:
                continue
            xs = sorted(delays)
            ys = [(i + 1) / len(xs) for i in range(len(xs))]
            ax.step(xs, ys, where="post", label=mode)
        ax.set_xscale("log")
        ax.set_xlabel("MP_CAPABLE SYN to MP_JOIN SYN (µs, log scale)")
        ax.set_ylabel("fraction of connections")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    # plot.py OUT.png TITLE=results.json [TITLE=results.json ...]
    main(sys.argv[1], [arg.split("=", 1) for arg in sys.argv[2:]])
