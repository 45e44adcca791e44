#!/usr/bin/env bash
# What sqlx's Any driver costs against the native drivers (issue 19, item 4): the reads of
# the heaviest pages (a plan by id, the tenant's 311 units, a process area's risks and
# every risk of the 700-risk plan, the follow-up entries of an area's actions), each
# through `AnyConnection` and through `SqliteConnection` / `PgConnection`, alternating
# rounds, medians; on the web benchmark's data set in SQLite and, where PostgreSQL
# answers at $KVALITET_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres), in a
# database of its own there too.
#
#   bench/driver/run.sh [ROUNDS] [--sqlite-only]
#
# Generating the data set in PostgreSQL takes long (one audited transaction; over 12
# minutes on 2 cores): --sqlite-only leaves it out.
#
# Prints markdown tables; paste them into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-11}
sqlite_only=${2:-}
admin=${KVALITET_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
cargo build --release -q -p kvalitet --example bench_data
cargo build --release -q -p kvalitet-store --example bench_driver
target=$(realpath "${CARGO_TARGET_DIR:-target}")/release/examples
dir=$(mktemp -d)
db=kvalitet_bench_driver_$$
cleanup() {
  rm -rf "$dir"
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$target/bench_data" "sqlite://$dir/bench.db?mode=rwc" >&2
"$target/bench_driver" "sqlite://$dir/bench.db" "$rounds"
echo
if [ "$sqlite_only" = "--sqlite-only" ]; then
  echo "(PostgreSQL left out: --sqlite-only)"
elif psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null 2>&1; then
  url="${admin%/*}/$db"
  "$target/bench_data" "$url" >&2
  "$target/bench_driver" "$url" "$rounds"
else
  echo "(PostgreSQL did not answer at $admin: not measured)"
fi
