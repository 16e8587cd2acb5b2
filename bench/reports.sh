#!/usr/bin/env bash
# bench/reports.sh — durable incident-report submissions (part of make bench; also runs alone).
# Prints figures; never fails on timing. Exits non-zero only when the server misbehaves (the
# report does not validate, or most answers are not 201), printing the request and the answer.
#
# The body: a realistic DDoS quick report (速報) of about 4.7 KB, written by bench/gen_report.py
#   (form ddos: header, reporter, ~370-character Japanese overview, 3 timeline rows, two attack
#   blocks T1498.001 / T1499.002 with 40 IPv4/IPv6 source addresses, ports and traffic), checked
#   once with `renkei report validate`. Filed by the demo reporter toto-reporter (東都電力,
#   core.electricity + ci.electricity) with a bearer token (roles ["reporter"]).
# reports/s: wrk, BENCH_CONNECTIONS (64) keep-alive clients, 2 threads, BENCH_SECONDS (10),
#   POST /api/v1/incidents with that body. Each request files a new incident: identification
#   number assigned, the report row, routing rows to the national centre and METI, an audit
#   record; committed with fsync before the 201, whose body is the incident as the filer sees
#   it. Counted: 201 answers per second (wrk's Lua script counts the others and prints the
#   first), p50/p99 latency, renkeid's peak RSS. The peer figure is the same server with
#   --max-batch 1: one fsync per report.
# follow-ups: POST /api/v1/incidents/{id}/reports (続報: kind follow_up, report_kind follow_up)
#   for half as long, each to a different incident filed by the first run (wrk threads take
#   alternate ids), so no two are in flight for one incident and none gets a number conflict.
# Where the time goes: per-report CPU of renkeid's MHD workers (request handling) and of its
#   writer thread (SQL + commit), from /proc/<pid>/task/*/stat, and wrk's and other processes'
#   share of the cores, from /proc/stat; the group-commit figures from GET /metrics
#   (renkei_store_*: reports per commit, commit time, how busy the writer was); the ceilings
#   these imply; and, when perf is installed (BENCH_PERF=0 skips it), a REPORT_PERF_SECONDS (5)
#   profile of the group-commit server with call graphs: renkeid's CPU split into the phases of
#   a report, converted to µs per report with the CPU figure of the unprofiled run.
#
# Knobs: BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_PERF (1), REPORT_PERF_SECONDS (5).
# Note: wrk runs on the same cores as renkeid, so the figures are a floor; the CPU line says how
#   much of the machine other processes took during the run.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in python3 curl wrk; do
  command -v "$tool" >/dev/null || { echo "bench/reports.sh: $tool not found; skipped" >&2; exit 0; }
done
BUILD=${BUILD:-build}
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
PERF_SECS=${REPORT_PERF_SECONDS:-5}
FSECS=$(( SECS / 2 > 3 ? SECS / 2 : 3 ))
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
tmp=$(mktemp -d /tmp/renkei-bench-reports-XXXXXX)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# A port nothing answers on (another server there would take our requests).
for _ in $(seq 20); do
  port=$(( 20000 + RANDOM % 20000 ))
  base="http://127.0.0.1:$port"
  curl -s -o /dev/null --max-time 1 "$base/healthz" || break
done
# A private copy of the server: a rebuild during the run must not change the binary being
# measured (nor hide its symbols from perf).
cp "$BUILD/renkeid" "$tmp/renkeid"

start() { # start [extra renkeid args...]
  "$tmp/renkeid" --db "$tmp/renkei.db" --port "$port" --log off --login-rate 100000 "$@" \
    2>>"$tmp/renkeid.err" &
  pid=$!
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    curl -sf "$base/healthz" >/dev/null && return
    sleep 0.1
  done
  echo "bench: renkeid did not start on port $port: $(tail -3 "$tmp/renkeid.err")" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }
rss() { awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status"; }
misbehaved() { # misbehaved WHAT [ANSWER_FILE]
  echo "bench: SERVER MISBEHAVED: $1" >&2
  [[ -n ${2:-} ]] && echo "  answer (first 1000 bytes): $(head -c 1000 "$2")" >&2
  [[ -s $tmp/renkeid.err ]] && echo "  renkeid stderr: $(tail -5 "$tmp/renkeid.err")" >&2
  exit 1
}

token() { # a bearer token of toto-reporter with the reporter role
  local jar="$tmp/cookies" csrf tok
  csrf=$(curl -sf -c "$jar" -H 'Content-Type: application/json' \
    -d '{"username":"toto-reporter","password":"renkei-demo-toto-reporter"}' \
    "$base/api/v1/session" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p') || true
  [[ -n $csrf ]] || misbehaved "POST /api/v1/session as toto-reporter gave no csrf_token"
  tok=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d '{"name":"bench-reports","roles":["reporter"],"expires_in_days":1}' \
    "$base/api/v1/tokens" | sed -n 's/.*"token":"\(rk_[^"]*\)".*/\1/p') || true
  [[ -n $tok ]] || misbehaved "POST /api/v1/tokens as toto-reporter gave no token"
  echo "$tok"
}

file_one() { # file_one TOKEN: files one report with curl; prints the new incident's id
  local code
  code=$(curl -s -o "$tmp/one.json" -w '%{http_code}' -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/report.json" "$base/api/v1/incidents")
  [[ $code == 201 ]] || misbehaved "POST /api/v1/incidents with the bench report: HTTP $code" \
    "$tmp/one.json"
  sed -n 's/^{"id":\([0-9]*\),.*/\1/p' "$tmp/one.json"
}

# wrk's Lua script: the body from a file, the token, 201s counted per thread and summed in
# done(); given LO and HI, each request goes to the next incident of its thread's share.
lua() { # lua TOKEN BODY_FILE [LO HI]
  cat <<LUA
local threads, nthreads = {}, 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end
local f = assert(io.open("$2", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $1"
ok, bad, first_bad = 0, 0, ""
function response(status, headers, body)
  if status == 201 then ok = ok + 1 else
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body or "", 1, 400) end
  end
end
function done(summary, latency, requests)
  local o, b, s = 0, 0, ""
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); b = b + t:get("bad")
    if s == "" then s = t:get("first_bad") end
  end
  io.write(string.format("BENCH_201 %d %d %d\n", o, b, summary.duration))
  if s ~= "" then io.write("BENCH_FIRST_BAD " .. (string.gsub(s, "%s+", " ")) .. "\n") end
end
LUA
  if [[ -n ${3:-} ]]; then
    cat <<LUA
local lo, hi = $3, $4
function init(args) nxt = lo + tid - 1 end
function request()
  local id = nxt
  nxt = nxt + 2
  if nxt > hi then nxt = lo + tid - 1 end
  return wrk.format(nil, "/api/v1/incidents/" .. id .. "/reports")
end
LUA
  fi
}

# ---- CPU and group-commit accounting ---------------------------------------------------------

snap() { # snap: machine busy/all jiffies, renkeid workers/writer jiffies, store metrics, time
  local busy all wk=0 wr=0 t j m
  read -r busy all < <(awk '/^cpu / {b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6}' \
    /proc/stat)
  for t in /proc/"$pid"/task/*; do
    [[ ${t##*/} == "$pid" ]] && continue
    j=$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null) || continue
    if [[ $(<"$t/comm") == MHD-worker ]]; then wk=$((wk + j)); else wr=$((wr + j)); fi
  done
  m=$(curl -sf "$base/metrics" | awk '/^renkei_store_commit_seconds_sum/ {s = $2}
    /^renkei_store_commit_seconds_count/ {c = $2} /^renkei_store_write_jobs_total/ {j = $2}
    END {print s + 0, c + 0, j + 0}')
  echo "$busy $all $wk $wr $m $(date +%s.%N)"
}

# run_wrk LABEL DURATION LUA_FILE PATH: prints the figure line; sets ok, secs, cpu figures.
run_wrk() {
  local out s0 s1 rps p50 p99 bad dur errs first wrk_cpu
  s0=$(snap)
  out=$(wrk -t2 -c"$CONNS" -d"${2}s" --timeout 30s --latency -s "$3" "$base$4"; times)
  sleep 1 # let renkeid answer what wrk left in flight before the metrics are read
  s1=$(snap)
  read -r ok bad dur < <(awk '/^BENCH_201/ {print $2, $3, $4}' <<<"$out")
  [[ -n ${ok:-} ]] || misbehaved "wrk printed no counts:
$out"
  first=$(sed -n 's/^BENCH_FIRST_BAD //p' <<<"$out")
  if (( ok == 0 || bad > ok )); then
    misbehaved "$1: only $ok of $((ok + bad)) answers were 201; the first other: ${first:0:600}"
  fi
  secs=$(awk -v d="$dur" 'BEGIN {print d / 1e6}')
  rps=$(awk -v o="$ok" -v s="$secs" 'BEGIN {printf "%.0f", o / s}')
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(grep -h 'Socket errors' <<<"$out" || true)
  # times: the subshell's children (wrk) user and system time, as "XmY.ZZZs XmY.ZZZs".
  wrk_cpu=$(tail -1 <<<"$out" | awk '{t = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/);
    t += a[1] * 60 + a[2]} print t}')
  local note=""
  (( bad > 0 )) && note="   NON-201: $bad (first: ${first:0:160})"
  printf '%-36s %8s reports/s   p50 %8s   p99 %8s   peak RSS %s%s\n' "  $1" "$rps" "$p50" "$p99" \
    "$(rss)" "$note${errs:+   $errs}"
  # Per-report figures of the window between the snapshots (the run and its tail): CPU
  # (jiffies) over the reports committed meanwhile; the writer's busy time over the window.
  read -r cpu_wk cpu_wr cpu_wrk cpu_other busy_pct commits jobs commit_s window < <(
    awk -v a="$s0" -v b="$s1" -v hz="$HZ" -v ok="$ok" -v w="$wrk_cpu" '
    BEGIN {split(a, x, " "); split(b, y, " ")
      all = (y[2] - x[2]) / hz; busy = (y[1] - x[1]) / hz
      wk = (y[3] - x[3]) / hz; wr = (y[4] - x[4]) / hz
      other = busy - wk - wr - w; if (other < 0) other = 0
      n = y[7] - x[7]; if (n < ok) n = ok
      printf "%.0f %.0f %.0f %.0f %.0f %d %d %.3f %.3f\n", wk / n * 1e6, wr / n * 1e6, w / n * 1e6,
        (all > 0 ? other / all * 100 : 0), (all > 0 ? busy / all * 100 : 0),
        y[6] - x[6], y[7] - x[7], y[5] - x[5], y[8] - x[8]}')
}

cpu_line() { # the CPU split of the last run
  printf '      CPU per report: %s µs request handling (MHD workers) + %s µs writer thread = %s µs; wrk %s µs; machine %s%% busy, other processes %s%% of the %s cores\n' \
    "$cpu_wk" "$cpu_wr" "$((cpu_wk + cpu_wr))" "$cpu_wrk" "$busy_pct" "$cpu_other" "$NCPU"
}

commit_line() { # the group-commit figures of the last run
  awk -v c="$commits" -v j="$jobs" -v s="$commit_s" -v secs="$window" -v wr="$cpu_wr" '
    BEGIN {if (!c) exit
      printf "      group commit: %d commits, %.1f reports per commit, %.2f ms per commit (BEGIN … fsync), writer busy %.0f%% of the run, %.0f µs of it per report (%.0f µs on CPU)\n",
        c, j / c, s / c * 1000, s / secs * 100, s / j * 1e6, wr}'
}

# ---- the report ------------------------------------------------------------------------------

"$BUILD/renkei" --db "$tmp/renkei.db" init --demo >/dev/null
# One "now" for both: a follow-up may not move awareness later than the first report's.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
python3 bench/gen_report.py --now "$now" -o "$tmp/report.json" >"$tmp/gen.json"
python3 bench/gen_report.py --now "$now" --follow-up -o "$tmp/follow.json" >/dev/null
for f in report follow; do
  "$BUILD/renkei" report validate "$tmp/$f.json" >/dev/null 2>"$tmp/validate.err" ||
    misbehaved "renkei report validate rejects bench/gen_report.py's $f report" "$tmp/validate.err"
done
read -r bytes nips < <(python3 -c 'import json,sys; g=json.load(open(sys.argv[1]));
print(g["bytes"], g["source_ips"])' "$tmp/gen.json")

echo
echo "durable incident reports through the HTTP API (POST /api/v1/incidents: a new incident each,"
echo "  numbered, routed and audited, fsync'd before the 201), $CONNS keep-alive clients (wrk -t2):"
echo "  body: DDoS quick report (速報), $bytes bytes, 2 attack blocks, $nips source addresses;" \
  "renkei report validate: ok"

start
tok=$(token)
first=$(file_one "$tok")
lua "$tok" "$tmp/report.json" >"$tmp/new.lua"
run_wrk "renkeid (group commit)" "$SECS" "$tmp/new.lua" /api/v1/incidents
commit_line
cpu_line
main_wk=$cpu_wk main_wr=$cpu_wr main_wrk=$cpu_wrk main_commits=$commits main_jobs=$jobs
main_commit_s=$commit_s
awk '/^renkei_store_batch_max/ {print "      largest group commit: " $2 " reports"}' \
  < <(curl -sf "$base/metrics")
last=$(file_one "$tok")

# Follow-ups to the incidents just filed, one per incident, threads on alternate ids.
if (( last - first > 2 * CONNS )); then
  lua "$tok" "$tmp/follow.json" "$((first + 1))" "$((last - 1))" >"$tmp/follow.lua"
  run_wrk "follow-ups (${FSECS}s)" "$FSECS" "$tmp/follow.lua" /
  commit_line
  cpu_line
else
  echo "  follow-ups: skipped (too few incidents filed to give each request its own)"
fi
stop

start --max-batch 1
tok=$(token)
run_wrk "peer: same server, 1 fsync/report" "$SECS" "$tmp/new.lua" /api/v1/incidents
commit_line
stop

# ---- where the time goes ---------------------------------------------------------------------

echo
echo "where the time goes (group commit, $CONNS clients; µs per report):"
awk -v wk="$main_wk" -v wr="$main_wr" -v w="$main_wrk" -v c="$main_commits" -v j="$main_jobs" \
  -v s="$main_commit_s" -v ncpu="$NCPU" '
  BEGIN {
    printf "  breakdown: %d µs CPU request handling (MHD workers) + %d µs CPU writer (SQL + commit)", wk, wr
    if (c && j) printf ";\n    the writer holds a report %.0f µs: %.0f µs on CPU, %.0f µs off it (WAL write + fsync, or\n    waiting for a core; %.1f reports share each %.2f ms commit)", s / j * 1e6, wr, s / j * 1e6 - wr, j / c, s / c * 1000
    print ""
    if (wk + wr + w > 0)
      printf "  ceilings: %d cores / %d µs (renkeid + wrk) = %.0f reports/s on CPU", ncpu, wk + wr + w, ncpu * 1e6 / (wk + wr + w)
    if (wr > 0) printf "; one writer thread at %d µs CPU = %.0f/s", wr, 1e6 / wr
    print ""
  }'

if [[ ${BENCH_PERF:-1} != 0 ]] && command -v perf >/dev/null; then
  start
  tok=$(token)
  lua "$tok" "$tmp/report.json" >"$tmp/prof.lua"
  wrk -t2 -c"$CONNS" -d"$((PERF_SECS + 2))s" --timeout 30s -s "$tmp/prof.lua" "$base/api/v1/incidents" \
    >"$tmp/prof.out" 2>&1 &
  wpid=$!
  sleep 1
  if perf record -F 299 --call-graph dwarf,16384 -p "$pid" -o "$tmp/perf.data" -- \
    sleep "$PERF_SECS" >"$tmp/perf.err" 2>&1 && [[ -s $tmp/perf.data ]]; then
    wait "$wpid" || true
    perf report -i "$tmp/perf.data" --children --sort sym -g none --stdio 2>/dev/null |
      awk '$1 ~ /%$/ && $3 ~ /^\[/ {sub(/%/, "", $1); print $1, $4}' >"$tmp/incl.txt"
    perf report -i "$tmp/perf.data" --no-children --sort dso -g none --stdio 2>/dev/null |
      awk '$1 ~ /%$/ {print}' >"$tmp/dso.txt"
    awk -v cpu="$((main_wk + main_wr))" -v secs="$PERF_SECS" -f - "$tmp/incl.txt" "$tmp/dso.txt" <<'AWK'
FILENAME == ARGV[1] { if (!($2 in p)) p[$2] = $1; next }
{ dso[++nd] = $0 }
function g(s) { return (s in p) ? p[s] : 0 }
function part(label, pct) {
  if (pct < 0) pct = 0
  printf "    %-58s %5.1f%%  %4.0f µs\n", label, pct, pct * cpu / 100
  done += pct
}
END {
  printf "  perf, %d s at 299 Hz with call graphs: renkeid's CPU by phase (%% of its samples; µs\n", secs
  printf "    scaled to the %d µs per report of the unprofiled run):\n", cpu
  part("parse the JSON body (parse_body)", g("parse_body"))
  part("validate envelope + answers (report_input_check)", g("report_input_check"))
  part("prepare filing: org/recipients reads, deadlines, body dump", g("inc_prepare") - g("report_input_check"))
  part("201 answer: re-read incident, view, JSON dump (finish)", g("finish"))
  part("authenticate the bearer token", g("authenticate") ? g("authenticate") : g("auth_lookup"))
  commit = g("sqlite3BtreeCommitPhaseOne") + g("sqlite3BtreeCommitPhaseTwo") + g("sqlite3WalDefaultHook")
  part("writer: SQL of the jobs (incident, report, routes, audit)", g("writer_main") - commit)
  part("writer: COMMIT (WAL write, fsync calls, checkpoints)", commit)
  part("request end: free, metrics (on_completed)", g("on_completed"))
  printf "    %-58s %5.1f%%  %4.0f µs\n", "rest: libmicrohttpd, sockets, epoll, scheduling", 100 - done, (100 - done) * cpu / 100
  line = "    by library (self):"
  for (i = 1; i <= nd && i <= 7; i++) { split(dso[i], f, " "); sub(/\.so.*/, "", f[2]); sub(/\[kernel.kallsyms\]/, "kernel", f[2]); line = line " " f[2] " " f[1] (i < nd && i < 7 ? "," : "") }
  print line
}
AWK
  else
    wait "$wpid" || true
    echo "  perf: could not profile ($(head -c 200 "$tmp/perf.err" | tr '\n' ' '))"
  fi
  stop
elif [[ ${BENCH_PERF:-1} != 0 ]]; then
  echo "  perf not installed: no profile (the CPU split above is from /proc)"
fi
