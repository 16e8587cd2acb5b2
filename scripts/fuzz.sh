#!/usr/bin/env bash
# fuzz.sh — the body of `make fuzz`: builds the libFuzzer targets (fuzz/fuzz_*.c) with clang
# and runs each one for FUZZ_SECONDS (default 20).
#
# Each target runs on a scratch copy of its corpus, so the tree's corpus only grows when
# someone decides an input is worth keeping (the summary says how). Crash, leak and timeout
# reproducers go to build-fuzz/artifacts/. Exits non-zero if any target fails.
#
# Environment: FUZZ_SECONDS (per target), FUZZ_TARGETS (space-separated names, default all),
# FUZZ_JOBS (parallel build jobs, default: number of cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

seconds=${FUZZ_SECONDS:-20}
build=build-fuzz
artifacts=$build/artifacts
work=$build/corpus-work
logs=$build/logs
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz.sh: clang is required (libFuzzer ships with it)" >&2
    exit 2
fi

echo "== configuring and building $build"
CC=clang cmake -S . -B "$build" -DRK_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs"

if [[ -n ${FUZZ_TARGETS:-} ]]; then
    read -r -a targets <<<"$FUZZ_TARGETS"
else
    targets=()
    for src in fuzz/fuzz_*.c; do
        targets+=("$(basename "$src" .c)")
    done
fi

mkdir -p "$artifacts" "$logs"
failed=()
summary=()
echo "== running ${#targets[@]} targets for ${seconds}s each"
for t in "${targets[@]}"; do
    bin=$build/$t
    seed=fuzz/corpus/$t
    scratch=$work/$t
    log=$logs/$t.log
    if [[ ! -x $bin ]]; then
        echo "fuzz.sh: $bin was not built" >&2
        failed+=("$t")
        continue
    fi
    # A fresh copy every run: yesterday's scratch inputs are not today's seeds.
    rm -rf "$scratch"
    mkdir -p "$scratch"
    if [[ -d $seed ]]; then
        cp -R "$seed"/. "$scratch"/
    fi
    before=$(find "$scratch" -type f | wc -l)

    echo "-- $t (log: $log)"
    rc=0
    # -artifact_prefix needs the trailing slash to mean "directory"; the per-target prefix
    # keeps reproducers of different targets apart.
    "$bin" "$scratch" \
        -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$t-" >"$log" 2>&1 || rc=$?

    after=$(find "$scratch" -type f | wc -l)
    new=$((after - before))
    # libFuzzer's final stats: "stat::number_of_executed_units: N", "stat::average_exec_per_sec: N".
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2 || true)
    if ((rc != 0)); then
        status="FAILED (exit $rc)"
        failed+=("$t")
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5 >&2 || true
        grep -Eo "artifact_prefix='[^']*'; Test unit written to [^ ]+" "$log" >&2 || true
    else
        status=ok
    fi
    line=$(printf '%-22s %-18s runs=%-10s exec/s=%-8s cov=%-6s new_inputs=%s' \
        "$t" "$status" "${runs:-?}" "${eps:-?}" "${cov:-?}" "$new")
    summary+=("$line")
    # Only offered for clean runs: a failing run's corpus should be looked at, not merged.
    if ((new > 0 && rc == 0)); then
        summary+=("    keep the ones that add coverage: $build/$t -merge=1 $seed $scratch")
    fi
done

echo
echo "== summary (${seconds}s per target; artifacts in $artifacts/)"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
    echo "fuzz.sh: failing targets: ${failed[*]}" >&2
    exit 1
fi
