#!/usr/bin/env bash
# The web benchmark: server-side response times of the start page, the plan page and the
# risk heat map and the list of past-due actions on a generated large data set (311 org units, 10,000 risks, 20,000
# actions, 50,000 follow-up entries), at concurrency 1 and 16, p50 and p99, and the
# server's peak memory. Load from wrk on loopback (installed from Debian when missing).
#
#   bench/web/run.sh [SECONDS]      (default 10 s per measurement)
#
# Prints a markdown table; paste it into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p kvalitet --bin kvalitet --example bench_data
dir=$(mktemp -d)
db="sqlite://$dir/bench.db?mode=rwc"
"${CARGO_TARGET_DIR:-target}"/release/examples/bench_data "$db" >&2
"${CARGO_TARGET_DIR:-target}"/release/kvalitet --database-url "$db" serve --bind 127.0.0.1:0 --no-demo >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do grep -q "körs på" "$dir/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' "$dir/serve.log" | head -n1)
cookie=$(curl -s -o /dev/null -D - -d 'email=bench%40exempel.se&password=bench-losenord-123' "$base/logga-in" \
  | grep -i '^set-cookie' | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
start=$(curl -s -H "Cookie: $cookie" "$base/")
big=$(echo "$start" | grep -o 'href="/planer/[0-9]*">Kvalitetsplan 2025 nr 0<' | grep -o '[0-9]\+' | head -n1)
unit=$(echo "$start" | grep -o 'href="/planer/[0-9]*">Kvalitetsplan 2025 nr 100<' | grep -o '/planer/[0-9]*' | grep -o '[0-9]\+')
echo "| page | connections | requests/s | p50 ms | p99 ms |"
echo "| --- | ---: | ---: | ---: | ---: |"
for page in "/" "/planer/$unit" "/planer/$big" "/planer/$big/riskkarta" "/atgarder?forsenade=1"; do
  case "$page" in
    /) name="start page (311 plans listed)";;
    "/planer/$unit") name="plan page, a unit's plan (30 risks, 60 actions)";;
    "/planer/$big") name="plan page, the administration's plan (700 risks, 1 400 actions)";;
    "/planer/$big/riskkarta") name="risk heat map of the administration's plan";;
    *) name="actions past due across all plans (20 000 past due, first page of 50)";;
  esac
  for c in 1 16; do
    t=$(( c > 1 ? 2 : 1 ))
    out=$(wrk -t"$t" -c"$c" -d"${seconds}s" --latency -H "Cookie: $cookie" "$base$page")
    ms() { echo "$out" | awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; printf "%.2f", v }'; }
    rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    errors=$(echo "$out" | grep -c 'Non-2xx' || true)
    [ "$errors" = "0" ] || { echo "non-2xx responses on $page" >&2; echo "$out" >&2; exit 1; }
    echo "| $name | $c | $rps | $(ms 50%) | $(ms 99%) |"
  done
done
echo
echo "Server peak memory (VmHWM): $(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' /proc/$pid/status)"
