#!/usr/bin/env bash
# The JSON API against its own OpenAPI description: schemathesis (from PyPI, pinned)
# generates requests from /api/v1/openapi.json and checks every answer (no server error,
# the status, content type, headers and body as described, invalid input refused), with
# an administrator's API token made by `kvalitet token create`, on the demo in SQLite and
# on a fresh PostgreSQL database. Runs the debug binary the Rust tests built.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin="$root/target/debug/kvalitet"
[ -x "$bin" ] || cargo build --quiet --bin kvalitet
version=4.32.5
# Python 3.11 fails on schemathesis's own sources (CPython's "AST constructor recursion
# depth mismatch"): take a newer interpreter where there is one (pyenv's, on these machines).
python=python3
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9]; do
  [ -x "$candidate" ] && python=$candidate
done
venv="$root/target/schemathesis-$version-py$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ ! -x "$venv/bin/schemathesis" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
examples=${SCHEMATHESIS_MAX_EXAMPLES:-50}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Every check but one: `positive_data_acceptance` expects whatever the schema allows to be
# stored, and the API refuses with 422, naming the field, what the pages refuse and a schema
# cannot say (a follow-up's date in the plan's year and not in the future, a reason for a
# withdrawn action, one result a year, a title that is only spaces or holds control
# characters). Those refusals are tested in crates/kvalitet-web/tests/web/api.rs.

# run_on NAME [DATABASE-URL]: the demo loaded (in the directory's kvalitet.db without a
# URL), a token made, the server started, the API fuzzed.
run_on() {
  local name=$1 dir port token pid status=0
  local db=()
  [ -n "${2:-}" ] && db=(--database-url "$2")
  dir=$(mktemp -d)
  port=$(free_port)
  (cd "$dir" && "$bin" "${db[@]}" demo load >/dev/null)
  token=$(cd "$dir" && "$bin" "${db[@]}" token create --name schemathesis --role administrator \
    --scope "Individ- och familjeomsorg" | sed -n 's/^Nyckel: //p')
  [ -n "$token" ] || { echo "schemathesis ($name): no token made"; return 1; }
  (cd "$dir" && exec "$bin" "${db[@]}" serve --no-demo --bind "127.0.0.1:$port" >"$dir/serve.log" 2>&1) &
  pid=$!
  for _ in $(seq 1 50); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "== schemathesis on $name"
  # From the scratch directory: schemathesis keeps its examples database in the working one.
  (cd "$dir" && "$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
    -H "Authorization: Bearer $token" --checks all --exclude-checks positive_data_acceptance \
    --max-examples "$examples" --workers 2 \
    --generation-deterministic --suppress-health-check too_slow --warnings off) || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if grep -q "panicked" "$dir/serve.log"; then
    echo "schemathesis ($name): the server panicked:"; grep -A5 panicked "$dir/serve.log"; status=1
  fi
  rm -rf "$dir"
  return "$status"
}

overall=0
run_on sqlite || overall=1
admin=${KVALITET_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
db="kvalitet_schemathesis_$$"
if psql "$admin" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null 2>&1; then
  run_on postgres "${admin%/*}/$db" || overall=1
  psql "$admin" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
elif [ -n "${KVALITET_REQUIRE_POSTGRES:-}" ]; then
  echo "schemathesis: no PostgreSQL at $admin"; overall=1
fi
[ "$overall" -eq 0 ] && echo "schemathesis: passed on every backend" || echo "schemathesis: failed"
exit "$overall"
