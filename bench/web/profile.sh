#!/usr/bin/env bash
# Where the server's CPU time goes on each benchmark page: builds the profiling binary
# (release with symbols, `--profile profiling`) and the data generator, serves the
# generated data set (SQLite), and for each page runs wrk at 16 connections while perf
# samples the server; prints, per page, the share of samples by crate and the top
# functions by self time (a flat profile, no call graph: the binary has no frame
# pointers).
#
#   bench/web/profile.sh [SECONDS]      (default 6 per page; needs perf and wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-6}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v perf >/dev/null || { echo "perf is needed (linux-perf)" >&2; exit 1; }
target=$(realpath "${CARGO_TARGET_DIR:-target}")
cargo build --profile profiling -q -p kvalitet --bin kvalitet
cargo build --release -q -p kvalitet --example bench_data
dir=$(mktemp -d)
pid=
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
cp "$target/profiling/kvalitet" "$dir/"
db="sqlite://$dir/bench.db?mode=rwc"
"$target/release/examples/bench_data" "$db" >&2
(cd "$dir" && exec ./kvalitet --database-url "$db" serve --bind 127.0.0.1:0 --no-demo >serve.log 2>&1) &
pid=$!
for _ in $(seq 1 100); do grep -q "körs på" "$dir/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' "$dir/serve.log" | head -n1)
cookie=$(curl -s -o /dev/null -D - -d 'email=bench%40exempel.se&password=bench-losenord-123' "$base/logga-in" \
  | grep -i '^set-cookie' | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
risks=$(curl -s -H "Cookie: $cookie" "$base/risker")
big=$(echo "$risks" | grep -o '<option value="[0-9]*"[^>]*>Kvalitetsplan 2025 nr 0<' | grep -o '[0-9]\+' | head -n1)
unit=$(echo "$risks" | grep -o '<option value="[0-9]*"[^>]*>Kvalitetsplan 2025 nr 100<' | grep -o '[0-9]\+' | head -n1)
for page in / "/planer/$unit" "/planer/$big" "/planer/$big/riskkarta" "/atgarder?forsenade=1" "/avvikelser?ar=2025"; do
  wrk -t2 -c16 -d"$((seconds + 2))s" -H "Cookie: $cookie" "$base$page" >"$dir/wrk.txt" &
  load=$!
  sleep 1
  perf record -q -F 999 -p "$pid" -o "$dir/perf.data" -- sleep "$seconds" 2>/dev/null
  wait "$load"
  echo "#### \`$page\` ($(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$dir/wrk.txt") requests/s at 16 connections while sampled)"
  echo
  perf report -i "$dir/perf.data" --no-children --sort symbol --stdio 2>/dev/null | python3 bench/web/profile_summary.py
  echo
done
