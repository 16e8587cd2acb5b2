#!/usr/bin/env bash
# bench/assets.sh — the asset registry's figures (part of make bench; also runs alone).
# Prints figures; never fails on timing. Exits non-zero only when the server misbehaves
# (an unexpected status or count), printing the request and the answer.
#
# inventory import: one operator's 100,000-row CSV inventory (bench/gen_inventory.py: ~59,500
#   entries of 1–3 products, real KEV manufacturer/product names) uploaded with curl to
#   POST /api/v1/asset-inventories, timed by curl (upload + parse + diff + answer):
#   (a) dry run on an empty registry, (b) the real import (one submission, fsync'd before the
#   201), (c) the same file again (nothing to file), (d) a dry run of the next quarter's file
#   with 1% of its rows changed, (e) the real import of that file. rows/s = CSV rows / wall s.
#
# filing status: 300 core operators × 500 filed entries (+ 3 drafts each), set up through the
#   API by bench/assets_fleet.py, then GET /api/v1/filing-status with wrk (Lua scripts set a
#   per-request bearer token): an operator's detailed status as its own reporter and as a
#   ministry (meti-analyst), and the all-operator summary as the national centre (nc-admin)
#   and as the ministry. Reports p50/p99 and requests/s under ASSET_CONNECTIONS keep-alive
#   clients, and p50/p99 of one client alone.
#
# Knobs: ASSET_ROWS (100000), ASSET_ORGS (300), ASSET_ENTRIES (500), ASSET_CONNECTIONS (8),
#   ASSET_SECONDS (10 per loaded run; the 1-client run takes half), BENCH_ENFORCEMENT
#   (2026-07-01).
# Note: curl, wrk and python3 run on the same cores as renkeid, so the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in python3 curl wrk; do
  command -v "$tool" >/dev/null || { echo "bench/assets.sh: $tool not found; skipped" >&2; exit 0; }
done
BUILD=${BUILD:-build}
ROWS=${ASSET_ROWS:-100000}
ORGS=${ASSET_ORGS:-300}
ENTRIES=${ASSET_ENTRIES:-500}
CONNS=${ASSET_CONNECTIONS:-8}
SECS=${ASSET_SECONDS:-10}
ENF=${BENCH_ENFORCEMENT:-2026-07-01}
tmp=$(mktemp -d /tmp/renkei-bench-assets-XXXXXX)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"

start() { # start DB [extra renkeid args...]
  local db=$1; shift
  "$BUILD/renkeid" --db "$db" --port "$port" --log off --login-rate 100000 \
    --enforcement-date "$ENF" "$@" 2>>"$tmp/renkeid.err" &
  pid=$!
  for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && return; sleep 0.1; done
  echo "bench: renkeid did not start (see $tmp/renkeid.err)" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }
rss() { awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status"; }
misbehaved() { # misbehaved WHAT ANSWER_FILE
  echo "bench: SERVER MISBEHAVED: $1" >&2
  echo "  answer (first 1000 bytes): $(head -c 1000 "$2")" >&2
  [[ -s $tmp/renkeid.err ]] && echo "  renkeid stderr: $(tail -5 "$tmp/renkeid.err")" >&2
  exit 1
}

# ---- inventory import ------------------------------------------------------------------------

db="$tmp/import.db"
"$BUILD/renkei" --db "$db" --enforcement-date "$ENF" init --demo >/dev/null
org=$("$BUILD/renkei" --db "$db" org add core_operator ベンチ電力株式会社 --sectors core.electricity)
printf 'bench-reporter-password\n' |
  "$BUILD/renkei" --db "$db" user add "$org" bench-reporter 'ベンチ 担当者' --roles reporter >/dev/null
tok=$("$BUILD/renkei" --db "$db" token create bench-reporter bench --roles reporter --days 1 |
  awk '{print $2}')
gen=$(python3 bench/gen_inventory.py --rows "$ROWS" --prefix BENCH -o "$tmp/inv.csv" \
  --modified "$tmp/inv-q2.csv" --modify 0.01)
read -r entries bytes mrows mentries < <(python3 -c 'import json,sys; g=json.loads(sys.argv[1]);
print(g["entries"], g["bytes"], g["modified_rows"], g["modified_entries"])' "$gen")

upload() { # upload LABEL FILE DRY_RUN EXPECT_STATUS EXPECT(added,changed,retired,unchanged) NOTE
  local out="$tmp/answer.json" code secs got
  read -r code secs < <(curl -s -o "$out" -w '%{http_code} %{time_total}\n' \
    -H "Authorization: Bearer $tok" -H 'Content-Type: text/csv' --data-binary "@$2" \
    "$base/api/v1/asset-inventories?org_id=$org&dry_run=$3")
  got=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])).get("summary",{});
print(",".join(str(s.get(k)) for k in ("added","changed","retired","unchanged")))' "$out" \
    2>/dev/null || echo "?")
  if [[ $code != "$4" || $got != "$5" ]]; then
    misbehaved "POST /api/v1/asset-inventories?org_id=$org&dry_run=$3 ($(basename "$2")):
  expected HTTP $4 with summary added,changed,retired,unchanged = $5;
  got HTTP $code with $got" "$out"
  fi
  printf '  %-40s %7.2f s  %9.0f rows/s   %s\n' "$1" "$secs" \
    "$(awk -v r="$ROWS" -v s="$secs" 'BEGIN {print r / s}')" "$6"
}

mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')
echo
echo "asset inventory import through the HTTP API (POST /api/v1/asset-inventories, text/csv):"
echo "  one operator's file: $ROWS CSV rows = $entries entries, $bytes bytes ($mb MiB);"
echo "  the next quarter's file changes $mrows rows (1%) in $mentries entries"
start "$db" --max-upload 67108864
upload "(a) dry run, empty registry" "$tmp/inv.csv" true 200 "$entries,0,0,0" \
  "added $entries"
upload "(b) real import (one submission)" "$tmp/inv.csv" false 201 "$entries,0,0,0" \
  "added $entries, fsync'd before the 201"
upload "(c) same file again (nothing to file)" "$tmp/inv.csv" false 200 "0,0,0,$entries" \
  "unchanged $entries, no submission"
upload "(d) dry run, 1% of rows changed" "$tmp/inv-q2.csv" true 200 \
  "0,$mentries,0,$((entries - mentries))" "changed $mentries"
upload "(e) real import of that file" "$tmp/inv-q2.csv" false 201 \
  "0,$mentries,0,$((entries - mentries))" "changed $mentries, one submission"
read -r code secs size < <(curl -s -o "$tmp/status.json" -w '%{http_code} %{time_total} %{size_download}\n' \
  -H "Authorization: Bearer $tok" "$base/api/v1/filing-status?org_id=$org")
[[ $code == 200 ]] || misbehaved "GET /api/v1/filing-status?org_id=$org: HTTP $code" "$tmp/status.json"
items=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["counts"];
print("live %d, filed_late %d, %d items" % (c["live"], c["filed_late"], len(d["items"])))' \
  "$tmp/status.json")
printf '  %-40s %7.2f s  %s, %s bytes\n' "then GET /filing-status?org_id=, 1 req" \
  "$secs" "$items" "$size"
echo "  renkeid peak RSS: $(rss)"
stop

# ---- filing status ---------------------------------------------------------------------------

db="$tmp/fleet.db"
"$BUILD/renkei" --db "$db" --enforcement-date "$ENF" init --demo >/dev/null
echo
echo "filing status with $ORGS operators x $ENTRIES filed entries (+3 drafts each):"
fleet() { python3 bench/assets_fleet.py "$@" --orgs "$ORGS" --entries "$ENTRIES" --drafts 3 \
  --out "$tmp/lua" || { echo "  (renkeid stderr: $(tail -3 "$tmp/renkeid.err"))" >&2; exit 1; }; }
t0=$(date +%s.%N)
echo "  setup:"
start "$db"
fleet accounts --base "$base"
stop
fleet tokens --renkei "$BUILD/renkei" --db "$db"
start "$db"
fleet file --base "$base"
printf '  %-58s %6.1f s\n' "setup total" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')"
read -r meti nsum < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]));
print(s["meti_orgs"], s["summary_orgs"])' "$tmp/lua/fleet.json")

measure() { # measure LABEL SCRIPT
  local out serial rps p50 p99 n non2xx errs s50 s99
  # One client first: run after the loaded test it would wait behind that test's backlog.
  serial=$(wrk -t1 -c1 -d"$(( SECS > 6 ? SECS / 2 : 3 ))s" --timeout 30s --latency \
    -s "$tmp/lua/$2.lua" "$base")
  out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 30s --latency -s "$tmp/lua/$2.lua" "$base")
  sleep 2 # let renkeid drain the requests wrk left in flight
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {s+=$5} END {if (s) print s}' <<<"$out"$'\n'"$serial")
  errs=$(grep -h 'Socket errors' <<<"$out"$'\n'"$serial" || true)
  s50=$(awk '$1=="50%" {print $2}' <<<"$serial")
  s99=$(awk '$1=="99%" {print $2}' <<<"$serial")
  printf '  %-42s 1 client: p50 %8s p99 %8s | %s clients: p50 %8s p99 %8s %7s req/s (%s req)%s\n' \
    "$1" "$s50" "$s99" "$CONNS" "$p50" "$p99" "$rps" "$n" \
    "${non2xx:+   NON-2xx: $non2xx}${errs:+   $errs}"
}

echo "  GET /api/v1/filing-status with wrk: 1 client (-t1 -c1), then $CONNS keep-alive clients (-t2):"
measure "one operator, as its reporter (of $ORGS)" op_detail
measure "one operator, as meti-analyst (of $meti)" ministry_detail
measure "summary of all $nsum operators, as nc-admin" nc_summary
measure "summary of its sectors, as meti-analyst" ministry_summary
echo "  renkeid peak RSS: $(rss)"
stop
