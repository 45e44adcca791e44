#!/usr/bin/env bash
# The web benchmark: server-side response times of the start page, the plan page, the
# risk heat map, the list of past-due actions and the deviations list on a generated large
# data set (311 org units, 10,000 risks, 20,000 actions, 50,000 follow-up entries, 6,000
# deviations), at concurrency 1 and 16, p50 and p99, and the server's peak memory; beside
# them a static stylesheet served by the same process, the ceiling the pages are compared
# with. Load from wrk on loopback (installed from Debian when missing).
#
#   bench/web/run.sh [SECONDS] [BASELINE_REV | --postgres]
#
# SECONDS: per measurement (default 10). BASELINE_REV: a commit to compare with, side by
# side in the same run: it is built in a temporary worktree (sharing this target
# directory's dependencies), gets its own data set from its own generator and its own
# server, and each measurement is taken on the baseline and then on this checkout, one
# after the other, so both see the same machine. --postgres: this checkout on SQLite and
# on PostgreSQL side by side, the same data set copied into a new PostgreSQL database
# (bench/web/to_postgres.py; the server at $KVALITET_BENCH_PG, default
# postgres://postgres@127.0.0.1:5432, with psql installed), measured the same way.
#
# Prints a markdown table; paste it into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
baseline=${2:-}
postgres=
if [ "$baseline" = --postgres ]; then
  postgres=${KVALITET_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
  pg_db=kvalitet_bench_$$
  baseline=
fi
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
target=$(realpath "${CARGO_TARGET_DIR:-target}")
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$postgres" ] || [ -z "$baseline" ] || git worktree remove --force "$dir/baseline-src" 2>/dev/null || true
  [ -z "$postgres" ] || psql -X -q "$postgres/postgres" -c "DROP DATABASE IF EXISTS $pg_db" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

# Builds the binary and the generator of the checkout in $1 and copies them to $2.
build() {
  (cd "$1" && CARGO_TARGET_DIR="$target" cargo build --release -q -p kvalitet --bin kvalitet --example bench_data)
  mkdir -p "$2"
  cp "$target/release/kvalitet" "$target/release/examples/bench_data" "$2/"
}

# Generates the data set with the build in $1, serves it, signs in; prints "BASE COOKIE PID".
serve() {
  "$1/bench_data" "sqlite://$1/bench.db?mode=rwc" >&2
  start "$1" "sqlite://$1/bench.db?mode=rwc"
}

# Serves the database at $2 with the build in $1 and signs in; prints "BASE COOKIE PID".
start() {
  local bin=$1 db=$2
  # From its own directory: the server keeps its secret and audit anchors in the working one.
  (cd "$bin" && exec ./kvalitet --database-url "$db" serve --bind 127.0.0.1:0 --no-demo >serve.log 2>&1) &
  local pid=$!
  for _ in $(seq 1 100); do grep -q "körs på" "$bin/serve.log" && break; sleep 0.1; done
  local base cookie
  base=$(grep -o 'http://[0-9.:]*' "$bin/serve.log" | head -n1)
  cookie=$(curl -s -o /dev/null -D - -d 'email=bench%40exempel.se&password=bench-losenord-123' "$base/logga-in" \
    | grep -i '^set-cookie' | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
  echo "$base $cookie $pid"
}

# The pages of a served data set (the plans are found by title in the risk list's plan filter).
pages() {
  local base=$1 cookie=$2 start big unit
  start=$(curl -s -H "Cookie: $cookie" "$base/risker")
  big=$(echo "$start" | grep -o '<option value="[0-9]*"[^>]*>Kvalitetsplan 2025 nr 0<' | grep -o '[0-9]\+' | head -n1)
  unit=$(echo "$start" | grep -o '<option value="[0-9]*"[^>]*>Kvalitetsplan 2025 nr 100<' | grep -o '[0-9]\+' | head -n1)
  echo "/static/style.css / /planer/$unit /planer/$big /planer/$big/riskkarta /atgarder?forsenade=1 /avvikelser?ar=2025"
}

name() {
  case "$1" in
    /static/style.css) echo "a static stylesheet (the ceiling)";;
    /) echo "start page";;
    /atgarder*) echo "actions past due across all plans (20 000, first page of 50)";;
    /avvikelser*) echo "deviations list of 2025 (3 000 reports)";;
    */riskkarta) echo "risk heat map of the administration's plan";;
    "$2") echo "plan page, a unit's plan (30 risks, 60 actions)";;
    *) echo "plan page, the administration's plan (700 risks, 1 400 actions)";;
  esac
}

# One wrk measurement: prints "requests/s|p50 ms|p99 ms".
measure() {
  local url=$1 cookie=$2 c=$3 t out
  t=$(( c > 1 ? 2 : 1 ))
  out=$(wrk -t"$t" -c"$c" -d"${seconds}s" --latency -H "Cookie: $cookie" "$url")
  if echo "$out" | grep -q 'Non-2xx'; then echo "non-2xx responses on $url" >&2; echo "$out" >&2; exit 1; fi
  ms() { echo "$out" | awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; printf "%.2f", v }'; }
  echo "$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')|$(ms 50%)|$(ms 99%)"
}

build . "$dir/current"
read -r base cookie pid < <(serve "$dir/current")
pids+=("$pid")
read -r -a list < <(pages "$base" "$cookie")
if [ -n "$postgres" ]; then
  # The same build and data on PostgreSQL, in the "baseline" columns.
  mkdir -p "$dir/postgres"
  cp "$dir/current/kvalitet" "$dir/postgres/"
  psql -X -q "$postgres/postgres" -c "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db"
  (cd "$dir/postgres" && ./kvalitet --database-url "$postgres/$pg_db" migrate >&2)
  python3 bench/web/to_postgres.py "$dir/current/bench.db" "$postgres/$pg_db"
  read -r bbase bcookie bpid < <(start "$dir/postgres" "$postgres/$pg_db")
  pids+=("$bpid")
  read -r -a blist < <(pages "$bbase" "$bcookie")
  baseline=PostgreSQL
  echo "| page | connections | SQLite requests/s | SQLite p50 ms | SQLite p99 ms | PostgreSQL requests/s | PostgreSQL p50 ms | PostgreSQL p99 ms | SQLite / PostgreSQL |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
elif [ -n "$baseline" ]; then
  git worktree add -q --detach "$dir/baseline-src" "$baseline"
  build "$dir/baseline-src" "$dir/baseline"
  # Cargo names the workspace's own crates by their path within the workspace, so the
  # baseline's artifacts now stand where this checkout's were, newer than its sources:
  # make the next build of this checkout see its sources as changed.
  find crates -name '*.rs' -path '*/src/*' -exec touch {} +
  read -r bbase bcookie bpid < <(serve "$dir/baseline")
  pids+=("$bpid")
  read -r -a blist < <(pages "$bbase" "$bcookie")
  echo "| page | connections | requests/s | p50 ms | p99 ms | baseline requests/s | baseline p50 ms | baseline p99 ms | throughput ratio |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
else
  echo "| page | connections | requests/s | p50 ms | p99 ms |"
  echo "| --- | ---: | ---: | ---: | ---: |"
fi
for i in "${!list[@]}"; do
  page=${list[$i]}
  for c in 1 16; do
    label="$(name "$page" "${list[2]}") | $c"
    if [ -n "$baseline" ]; then
      IFS='|' read -r brps bp50 bp99 < <(measure "$bbase${blist[$i]}" "$bcookie" "$c")
      IFS='|' read -r rps p50 p99 < <(measure "$base$page" "$cookie" "$c")
      ratio=$(awk -v a="$rps" -v b="$brps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "–" }')
      echo "| $label | $rps | $p50 | $p99 | $brps | $bp50 | $bp99 | $ratio |"
    else
      IFS='|' read -r rps p50 p99 < <(measure "$base$page" "$cookie" "$c")
      echo "| $label | $rps | $p50 | $p99 |"
    fi
  done
done
echo
echo "Server peak memory (VmHWM): $(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$pid/status")"
[ -z "$baseline" ] || echo "Baseline ($baseline) server peak memory (VmHWM): $(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$bpid/status")"
