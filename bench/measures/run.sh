#!/usr/bin/env bash
# Benchmark of kvalitet-measures against DuckDB on synthetic exports.
#
# Usage: bench/measures/run.sh [N...]       (default: 1000000 10000000 rows per table)
# Needs python3 with venv/pip (DuckDB is installed into a venv under $BENCH_DIR).
# Prints a markdown table: wall time, CPU time and peak RSS of both, input size, and whether the
# figures agree (whole period 2024, all units).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/measures"
BENCH_DIR=${BENCH_DIR:-/tmp/kvalitet-measures-bench}
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000000 10000000)
FROM=2024-01-01
TO=2024-12-31
CAPS=(Stödboendet=40000 Jourhemmet=20000)

mkdir -p "$BENCH_DIR"
cd "$ROOT"
cargo build --release -q -p kvalitet-measures --examples
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples"

if [ ! -x "$BENCH_DIR/venv/bin/python" ]; then
  python3 -m venv "$BENCH_DIR/venv"
fi
"$BENCH_DIR/venv/bin/pip" install --quiet duckdb
PY="$BENCH_DIR/venv/bin/python"

# run_timed OUT_PREFIX CMD...: runs CMD, writes OUT_PREFIX.wall (s), OUT_PREFIX.cpu (user +
# system s) and OUT_PREFIX.rss (KiB).
run_timed() {
  local prefix=$1
  shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$prefix.time" "$@"
    awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' \
      "$prefix.time" >"$prefix.wall"
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$prefix.time" >"$prefix.rss"
    awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f\n", s }' \
      "$prefix.time" >"$prefix.cpu"
  else
    python3 - "$prefix" "$@" <<'PYEOF'
import resource, subprocess, sys, time
prefix, cmd = sys.argv[1], sys.argv[2:]
t = time.monotonic()
subprocess.run(cmd, check=True)
open(prefix + ".wall", "w").write(f"{time.monotonic() - t:.2f}\n")
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
open(prefix + ".rss", "w").write(f"{usage.ru_maxrss}\n")
open(prefix + ".cpu", "w").write(f"{usage.ru_utime + usage.ru_stime:.2f}\n")
PYEOF
  fi
}

mib() { echo $(($1 / 1024)); }

ROWS=()
for N in "${SIZES[@]}"; do
  D="$BENCH_DIR/$N"
  if [ ! -s "$D/insatser.csv" ]; then
    echo "generating $N rows per table in $D" >&2
    "$BIN/generate" "$N" "$D"
  fi
  INPUT_MIB=$(( ($(stat -c %s "$D/arenden.csv") + $(stat -c %s "$D/insatser.csv")) / 1048576 ))
  CAP_ARGS=()
  for c in "${CAPS[@]}"; do CAP_ARGS+=(--capacity "$c"); done
  echo "kvalitet-measures, $N rows" >&2
  run_timed "$D/ours" "$BIN/measures" compute --arenden "$D/arenden.csv" --insatser "$D/insatser.csv" \
    --from "$FROM" --to "$TO" "${CAP_ARGS[@]}" --format json -o "$D/ours.json"
  echo "DuckDB, $N rows" >&2
  run_timed "$D/duck" sh -c "'$PY' '$HERE/duckdb_measures.py' '$D' $FROM $TO ${CAPS[*]} > '$D/duck.json'"
  if AGREE=$("$PY" "$HERE/compare.py" "$D/ours.json" "$D/duck.json"); then :; else AGREE="NO: see $D"; echo "$AGREE" >&2; fi
  ROWS+=("| $N | $INPUT_MIB | $(cat "$D/ours.wall") | $(cat "$D/ours.cpu") | $(mib "$(cat "$D/ours.rss")") | $(cat "$D/duck.wall") | $(cat "$D/duck.cpu") | $(mib "$(cat "$D/duck.rss")") | $AGREE |")
done

echo
echo "| rows per table | input MiB | ours wall s | ours CPU s | ours peak RSS MiB | DuckDB wall s | DuckDB CPU s | DuckDB peak RSS MiB | figures |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${ROWS[@]}"
