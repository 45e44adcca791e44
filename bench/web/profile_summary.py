#!/usr/bin/env python3
"""Summarises `perf report --no-children --sort symbol --stdio` (on stdin): the share of
samples by crate (a Rust function's first path segment; C functions by library: SQLite's
`sqlite3*`, the C library, the kernel) and the ten functions with the most self time, as
markdown."""

import re
import sys
from collections import Counter


def crate_of(symbol, kernel):
    if kernel:
        return "kernel"
    s = symbol.lstrip("<&*(")
    if s.startswith("sqlite3") or s.startswith("pcache") or s.startswith("btree"):
        return "SQLite (C)"
    if s.startswith("_") or s.startswith("__") or re.match(r"^(mem|str|malloc|free|cfree|_int_)", s):
        return "C library (allocation, copying)"
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", s)
    if m:
        return m.group(1)
    if s.startswith("0x"):
        return "unresolved"
    return "other"


def main():
    shares = Counter()
    functions = []
    for line in sys.stdin:
        m = re.match(r"\s*([0-9.]+)%\s+\[([.k])\]\s+(.*\S)", line)
        if not m:
            continue
        share, kind, symbol = float(m.group(1)), m.group(2), re.split(r"\s{2,}", m.group(3).strip())[0]
        shares[crate_of(symbol, kind == "k")] += share
        functions.append((share, symbol))
    print("| where | share of samples |")
    print("| --- | ---: |")
    for crate, share in shares.most_common(12):
        print(f"| {crate} | {share:.1f} % |")
    print()
    print("Top functions by self time: " + "; ".join(
        f"`{s[:90]}` {p:.1f} %" for p, s in sorted(functions, reverse=True)[:10]))


if __name__ == "__main__":
    main()
