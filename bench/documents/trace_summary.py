#!/usr/bin/env python3
"""Sums up a typst timing trace written by `bench_documents --trace FILE`.

    python3 bench/documents/trace_summary.py TRACE.json

Prints, per thread, the top-level scopes (the compile passes, PDF export) with their
wall time, and for every scope name its inclusive time counted once per outermost
occurrence (a scope nested in one of the same name is not counted again), its number of
calls and its self time (inclusive minus the scopes directly inside it).
"""

import json
import sys
from collections import defaultdict


def main(path):
    with open(path) as f:
        events = json.load(f)
    by_thread = defaultdict(list)
    for e in events:
        by_thread[e["tid"]].append(e)

    inclusive = defaultdict(float)
    self_time = defaultdict(float)
    calls = defaultdict(int)
    top = []
    for tid, evs in by_thread.items():
        stack = []  # [name, start, child time]
        for e in evs:
            if e["ph"] == "B":
                stack.append([e["name"], e["ts"], 0.0])
                continue
            name, start, children = stack.pop()
            took = e["ts"] - start
            calls[name] += 1
            self_time[name] += took - children
            if all(s[0] != name for s in stack):
                inclusive[name] += took
            if stack:
                stack[-1][2] += took
            else:
                top.append((tid, name, start, took))

    print("top-level scopes (thread, name, start ms, wall ms):")
    for tid, name, start, took in sorted(top, key=lambda t: t[2]):
        if took >= 1000:
            print(f"  {tid:>3} {name:<32} {start / 1000:>9.1f} {took / 1000:>9.1f}")
    print()
    print(f"{'scope':<36} {'calls':>7} {'inclusive ms':>13} {'self ms':>10}")
    for name in sorted(inclusive, key=lambda n: -self_time[n])[:30]:
        print(f"{name:<36} {calls[name]:>7} {inclusive[name] / 1000:>13.1f} {self_time[name] / 1000:>10.1f}")


if __name__ == "__main__":
    main(sys.argv[1])
