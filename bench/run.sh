#!/usr/bin/env bash
# The whole benchmark suite in one command: the web pages (bench/web/run.sh; with
# --postgres where a PostgreSQL server answers), sqlx's Any
# driver against the native ones (bench/driver/run.sh; SQLite only with --quick), the
# board documents (kvalitet-documents' bench_documents example) and the case-data
# measures against DuckDB (bench/measures/run.sh), one after the other on this machine.
#
#   bench/run.sh [--quick]
#
# --quick: 3 s per web measurement, 3 document runs, measures at 100 000 rows (a smoke
# run, minutes); without it: 10 s, 11 runs, 1 and 10 million rows (about an hour).
#
# Writes the machine's description and every table to bench/results/DATE.md and replaces
# the "Latest suite run" section of BENCHMARKS.md with the same text. Needs wrk (installed
# from Debian when missing) and python3 (DuckDB goes into a venv).
set -euo pipefail
cd "$(dirname "$0")/.."

web_seconds=10 doc_runs=11 sizes=(1000000 10000000) mode=full driver=(11)
if [ "${1:-}" = "--quick" ]; then
  web_seconds=3 doc_runs=3 sizes=(100000) mode=quick driver=(3 --sqlite-only)
fi

day=$(date +%F)
mkdir -p bench/results
# The web pages on PostgreSQL too, beside SQLite, where a PostgreSQL server answers.
web_pg=()
if psql -X -q "${KVALITET_BENCH_PG:-postgres://postgres@127.0.0.1:5432}/postgres" -c 'SELECT 1' >/dev/null 2>&1; then
  web_pg=(--postgres)
fi
out=bench/results/$day.md
{
  echo "## Latest suite run: $day ($mode)"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), $(rustc --version | cut -d' ' -f1-2), release builds; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "### Web pages (\`bench/web/run.sh $web_seconds ${web_pg[*]}\`)"
  echo
  bench/web/run.sh "$web_seconds" "${web_pg[@]}"
  echo
  echo "### sqlx Any against the native drivers (\`bench/driver/run.sh ${driver[*]}\`)"
  echo
  bench/driver/run.sh "${driver[@]}"
  echo
  echo "### Board documents (\`bench_documents --runs $doc_runs\`, median of the runs)"
  echo
  echo '```'
  cargo run --release -q -p kvalitet-documents --example bench_documents -- --runs "$doc_runs"
  echo '```'
  echo
  echo "### Case-data measures against DuckDB (\`bench/measures/run.sh ${sizes[*]}\`)"
  echo
  bench/measures/run.sh "${sizes[@]}"
} | tee "$out"

# Replace the section from its heading to the end of BENCHMARKS.md with this run.
python3 - "$out" <<'EOF'
import sys
run = open(sys.argv[1], encoding="utf-8").read()
doc = open("BENCHMARKS.md", encoding="utf-8").read()
mark = "## Latest suite run"
head = doc.split(mark)[0].rstrip() + "\n\n"
open("BENCHMARKS.md", "w", encoding="utf-8").write(head + run)
EOF
echo "Written: $out and BENCHMARKS.md" >&2
