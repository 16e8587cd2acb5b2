#!/usr/bin/env bash
# make bench — performance figures for renkei. Prints figures; never fails on timing.
#
# durable-writes: POST /api/v1/orgs (the simplest write route: one row plus its hash-chained
#   audit record, committed with fsync before the 201) from 64 concurrent keep-alive clients
#   (wrk, 2 threads) for BENCH_SECONDS. Reports writes/s, p50/p99 latency and renkeid's peak
#   RSS. The peer figure is the same server with --max-batch 1: one fsync per write, i.e.
#   what a server without group commit gets on this disk.
# incident reports (bench/reports.sh, described there): durable DDoS quick reports (~4.7 KB)
#   filed through POST /api/v1/incidents by 64 clients, reports/s with p50/p99 and peak RSS, the
#   1-fsync peer, follow-ups, and where the time goes (CPU per report, group commit, perf).
#   BENCH_REPORTS=0 skips it.
# asset registry (bench/assets.sh, described there): inventory import rows/s for a 100,000-row
#   CSV (dry run, real import, re-import, 1%-changed file) and GET /api/v1/filing-status
#   p50/p99 with 300 operators x 500 entries. BENCH_ASSETS=0 skips it.
# dissemination (bench/dissemination.sh, described there): one advisory sent to 3,000
#   organisations with the inbox rows durable (direct send; send to METI + METI's relay; the
#   sender's pending view), median/max of 5 runs; GET /api/v1/inbox p50/p99 for an
#   organisation with 100,000 items (first and deep pages, 1 and 8 clients), built through the
#   API. BENCH_DISSEM=0 skips it.
# Note: wrk runs on the same 2 cores as renkeid, so the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SECONDS_=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
tmp=$(mktemp -d /tmp/renkei-bench-XXXXXX)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"

start() { # start [extra renkeid args...]
  "$BUILD/renkeid" --db "$tmp/renkei.db" --port "$port" --log off --login-rate 100000 "$@" \
    2>>"$tmp/renkeid.err" &
  pid=$!
  for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && return; sleep 0.1; done
  echo "bench: renkeid did not start (see $tmp/renkeid.err)" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }

token() {
  local jar="$tmp/cookies" csrf
  csrf=$(curl -sf -c "$jar" -H 'Content-Type: application/json' \
    -d '{"username":"nc-admin","password":"renkei-demo-nc-admin"}' "$base/api/v1/session" |
    sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
  curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d '{"name":"bench","roles":["admin"],"expires_in_days":1}' "$base/api/v1/tokens" |
    sed -n 's/.*"token":"\(rk_[^"]*\)".*/\1/p'
}

run_writes() { # run_writes LABEL
  local tok out rps p50 p99 rss non2xx
  tok=$(token)
  cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $tok"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, string.format(
    '{"type":"ci_operator","name_ja":"ベンチ事業者%d","name_en":"Bench operator","sectors":["ci.finance"]}', counter))
end
LUA
  out=$(wrk -t2 -c"$CONNS" -d"${SECONDS_}s" --latency -s "$tmp/post.lua" "$base/api/v1/orgs")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  rss=$(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")
  printf '%-34s %10s writes/s   p50 %8s   p99 %8s   peak RSS %s%s\n' "$1" "$rps" "$p50" "$p99" \
    "$rss" "${non2xx:+   NON-2xx: $non2xx}"
}

echo "renkei bench — $(nproc) cores, ${SECONDS_}s per run, $CONNS keep-alive clients (wrk -t2)"
"$BUILD/renkei" --db "$tmp/renkei.db" init --demo >/dev/null
echo
echo "durable writes through the HTTP API (POST /api/v1/orgs, fsync'd before 201):"
start
run_writes "renkeid (group commit)"
curl -sf "$base/metrics" | awk '/^renkei_store_batch_max/ {print "  largest group commit: " $2 " jobs"}
  /^renkei_store_commit_seconds_count/ {c=$2} /^renkei_store_write_jobs_total/ {j=$2}
  END {if (c) printf "  mean jobs per commit: %.1f\n", j/c}'
stop
start --max-batch 1
run_writes "peer: same server, 1 fsync/write"
stop

# Incident reports: durable report submissions/s and where the time goes (BENCH_REPORTS=0 skips).
[[ ${BENCH_REPORTS:-1} == 0 ]] || bash bench/reports.sh

# The asset registry: inventory import rows/s and filing-status latency (BENCH_ASSETS=0 skips).
[[ ${BENCH_ASSETS:-1} == 0 ]] || bash bench/assets.sh

# Dissemination: advisory delivery to 3,000 organisations and inbox listing (BENCH_DISSEM=0 skips).
[[ ${BENCH_DISSEM:-1} == 0 ]] || bash bench/dissemination.sh
