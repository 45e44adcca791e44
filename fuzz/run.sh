#!/usr/bin/env bash
# Runs every fuzz target for a bounded time and prints, per target, how long it ran,
# how many inputs it executed and what it found.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 seconds, every target)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Each target
# runs as one libFuzzer process (one core). The corpus of each target starts from the
# repository's fixtures and grows in fuzz/corpus/TARGET; a crash or broken invariant is
# saved in fuzz/artifacts/TARGET, and each run's log in fuzz/logs/TARGET.log.
set -euo pipefail

seconds="${1:-60}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$here"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz (and rustup toolchain install nightly)" >&2
    exit 2
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

# Seeds: the fixtures each parser reads, copied into the corpus when it is empty.
seed() {
    local target="$1"
    shift
    mkdir -p "corpus/$target"
    if [ -z "$(ls -A "corpus/$target")" ]; then
        for f in "$@"; do
            [ -f "$f" ] && cp "$f" "corpus/$target/$(basename "$f")"
        done
    fi
}
fixtures="$root/crates/kvalitet-measures/tests/fixtures"
cli_fixtures="$root/crates/kvalitet/tests/fixtures"
seed csv_arenden "$fixtures"/arenden*.csv "$cli_fixtures"/arenden*.csv
seed csv_insatser "$fixtures"/insatser*.csv "$cli_fixtures"/insatser*.csv
seed csv_kontakter "$fixtures"/kontakter*.csv
seed measures_toml "$root/crates/kvalitet-measures/measures.toml"
seed demo_toml "$root"/demo/*.toml
mkdir -p corpus/xlsx corpus/dates corpus/form_input
if [ -z "$(ls -A corpus/xlsx)" ]; then
    # Mode byte 0: the file as it is.
    for f in "$fixtures"/*.xlsx; do
        { printf '\x00'; cat "$f"; } >"corpus/xlsx/$(basename "$f")"
    done
fi
if [ -z "$(ls -A corpus/dates)" ]; then
    for d in 2024-02-29 20240229 2023-02-30 1899-12-31 2200-12-31 19121212-1212; do
        printf '%s' "$d" >"corpus/dates/$d"
    done
fi

# One build for all targets; no sanitizer (the crates forbid unsafe code, so the
# sanitizer adds little and costs speed), debug assertions on.
if ! build="$(cargo +nightly fuzz build -s none 2>&1)"; then
    echo "$build" >&2
    exit 1
fi

mkdir -p logs
printf '%-15s %8s %12s  %s\n' target seconds executions findings
status=0
for t in "${targets[@]}"; do
    log="logs/$t.log"
    max_len=4096
    case "$t" in
        xlsx) max_len=65536 ;;
        csv_*|measures_toml|demo_toml) max_len=16384 ;;
    esac
    set +e
    cargo +nightly fuzz run -s none "$t" -- \
        -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
        >"$log" 2>&1
    code=$?
    set -e
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)"
    took="$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1 || true)"
    if [ "$code" -eq 0 ]; then
        found="none"
    else
        status=1
        artifact="$(grep -o 'Test unit written to [^ ]*' "$log" | tail -1 | sed 's/Test unit written to //' || true)"
        reason="$(grep -m1 -A1 -E 'panicked at|ERROR: libFuzzer' "$log" | tr '\n' ' ' | cut -c1-160 || true)"
        found="FOUND (exit $code): ${reason:-see $log} ${artifact:+-> $artifact}"
    fi
    printf '%-15s %8s %12s  %s\n' "$t" "${took:-?}" "${runs:-?}" "$found"
done
exit $status
