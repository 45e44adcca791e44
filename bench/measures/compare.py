"""Checks that kvalitet-measures' JSON and DuckDB's figures agree (whole period, all units).

Usage: compare.py MEASURES_JSON DUCKDB_JSON; exits 1 on any difference.
"""

import json
import sys

ours = json.load(open(sys.argv[1]))
duck = json.load(open(sys.argv[2]))
total = {r["measure"]: r for r in ours
         if r["unit"] is None and r["month"] is None and r["group"] is None}
bad = []


def check(measure, key, expected, actual):
    same = (abs(expected - actual) < 1e-9 if isinstance(expected, float) or isinstance(actual, float)
            else expected == actual)
    if not same:
        bad.append(f"{measure}.{key}: duckdb {expected} != ours {actual}")


for measure, figures in duck.items():
    r = total.get(measure)
    if r is None:
        bad.append(f"{measure}: missing in our output")
        continue
    for key, expected in figures.items():
        if key == "groups":
            for g, n in expected.items():
                ours_g = next((x for x in ours if x["measure"] == measure and x["group"] == g
                               and x["unit"] is None and x["month"] is None), None)
                check(measure, f"group {g}", n, ours_g and ours_g["value"])
        elif key == "units":
            for u, o in expected.items():
                ours_u = next((x for x in ours if x["measure"] == measure and x["unit"] == u
                               and x["month"] is None), None)
                for k in ("numerator", "denominator"):
                    check(measure, f"{u}.{k}", o[k], ours_u and ours_u[k])
        else:
            check(measure, key, expected, r.get(key))
if bad:
    print("MISMATCH:\n  " + "\n  ".join(bad))
    sys.exit(1)
print(f"agree: {len(duck)} measures")
