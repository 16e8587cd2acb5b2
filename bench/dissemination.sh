#!/usr/bin/env bash
# bench/dissemination.sh — dissemination figures (issue 5; part of make bench, also runs alone).
# Prints figures; never fails on timing. Exits non-zero only when the server misbehaves (an
# unexpected status or delivery count), printing the request and the answer.
#
# (a) one advisory (情報提供) to DISSEM_ORGS (3,000) recipient organisations, inbox rows
#   durable: DISSEM_ORGS core operators in core.electricity are created through the API as
#   nc-admin (POST /api/v1/orgs, bench/dissem_fleet.py, 16 keep-alive clients), on top of the
#   demo data. Then DISSEM_REPEAT (5) times, each with fresh advisories (a ~1.4 KB GREEN
#   electricity advisory addressed to METI, created with POST /api/v1/advisories):
#     - POST /advisories/{id}/send {"direct": true}: the whole audience (TLP scope ∩ sectors:
#       the 3,000, 東都電力, the CEPTOAR and METI) gets its inbox row in the send's transaction,
#       committed with fsync before the 200;
#     - POST /advisories/{id}/send {} (not direct): METI's row only, then
#       POST /advisories/{id}/relay as meti-analyst: METI's relay to the same operators;
#     - GET /advisories/{id}/acks?pending=true&limit=1000 as the sender (its pending view).
#   Each request is timed by curl (time_total: request to last byte of the answer, one client,
#   no other load); "writer" is the store's BEGIN…fsync time for that request's job, from
#   GET /metrics (renkei_store_commit_seconds_sum before and after). Printed: median and max
#   of the DISSEM_REPEAT runs and the rows delivered (delivered_to / delivered of the answer).
#   After the runs the server is stopped and the inbox rows of every advisory are counted with
#   sqlite3 in the store: they must equal what the answers said.
#
# (b) inbox listing for an organisation with DISSEM_INBOX_ITEMS (100,000) items. The fixture is
#   built through the API, not by inserting rows: bench/dissem_fleet.py creates and sends that
#   many advisories as nc-admin (16 clients; create + send = two requests each), each addressed
#   to METI and, by `named`, to one bench operator (ベンチ受信電力株式会社), so that operator's
#   inbox holds 100,000 real, readable advisories (and METI's 100,000 too). Inserting inbox rows
#   with sqlite3 would be faster but could not point at real advisories — (kind, object_id,
#   org_id) is unique — so it is not done. Then GET /api/v1/inbox as the operator's viewer
#   (bearer token) with wrk, 1 client (-t1 -c1, DISSEM_SECONDS/2) and DISSEM_CONNECTIONS (8)
#   keep-alive clients (-t2, DISSEM_SECONDS): the first page (?limit=100, the newest) and deep
#   pages (?limit=100&after=<a random inbox id of the operator>: keyset on (org_id, id)).
#   p50/p99 of each. Also, on the same store, reads that do not use the inbox's keyset:
#   ?kind=message (none of the 100,000 is one), GET /api/v1/advisories?limit=100 as an operator
#   holding none of them (wangan-admin, gas), and the public feed /feeds/public.json (no login;
#   none of the 100,000 is TLP:CLEAR).
#
# No peer figure: no other implementation of these routes exists to compare with.
# Knobs: DISSEM_ORGS (3000), DISSEM_REPEAT (5), DISSEM_INBOX_ITEMS (100000), DISSEM_SECONDS (10),
#   DISSEM_CONNECTIONS (8), DISSEM_THREADS (16, setup clients).
# Note: curl, wrk and python3 run on the same cores as renkeid, so the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in python3 curl wrk sqlite3; do
  command -v "$tool" >/dev/null || { echo "bench/dissemination.sh: $tool not found; skipped" >&2; exit 0; }
done
BUILD=${BUILD:-build}
ORGS=${DISSEM_ORGS:-3000}
REPEAT=${DISSEM_REPEAT:-5}
ITEMS=${DISSEM_INBOX_ITEMS:-100000}
SECS=${DISSEM_SECONDS:-10}
CONNS=${DISSEM_CONNECTIONS:-8}
THREADS=${DISSEM_THREADS:-16}
tmp=$(mktemp -d /tmp/renkei-bench-dissem-XXXXXX)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# A port nothing answers on (another server there would take our requests); start() picks
# another when the port turns out to be taken.
pick_port() {
  for _ in $(seq 20); do
    port=$(( 20000 + RANDOM % 20000 ))
    base="http://127.0.0.1:$port"
    curl -s -o /dev/null --max-time 1 "$base/healthz" || break
  done
}
pick_port
# A private copy of the server: a rebuild during the run must not change the binary measured.
cp "$BUILD/renkeid" "$tmp/renkeid"

start() { # start DB [extra renkeid args...]
  local db=$1 try; shift
  for try in 1 2 3 4 5; do
    "$tmp/renkeid" --db "$db" --port "$port" --log off --login-rate 100000 "$@" \
      2>>"$tmp/renkeid.err" &
    pid=$!
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      curl -sf "$base/healthz" >/dev/null && return
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
    grep -q 'Address already in use' "$tmp/renkeid.err" || break
    : >"$tmp/renkeid.err"
    pick_port
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
token() { # token DB USER ROLES: a bearer token from the CLI (no login, no argon2id)
  "$BUILD/renkei" --db "$1" token create "$2" bench --roles "$3" --days 1 | cut -f2
}
commit_s() { curl -sf "$base/metrics" | awk '/^renkei_store_commit_seconds_sum/ {print $2}'; }
jfield() { # jfield FILE KEY: a top-level number of a JSON answer
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2"
}
# req METHOD PATH TOKEN [BODY] → "<http code> <ms> <writer ms>"; answer in $tmp/answer.json
req() {
  local c0 c1 code secs
  c0=$(commit_s)
  local args=(-X "$1" -H "Authorization: Bearer $3")
  [[ -n ${4:-} ]] && args+=(-H 'Content-Type: application/json' -d "$4")
  read -r code secs < <(curl -s -o "$tmp/answer.json" -w '%{http_code} %{time_total}\n' \
    "${args[@]}" "$base$2")
  c1=$(commit_s)
  awk -v c="$code" -v s="$secs" -v a="$c0" -v b="$c1" 'BEGIN {printf "%s %.1f %.1f\n", c, s * 1000, (b - a) * 1000}'
}
stats() { # stats "v1 v2 …" → "median max"
  tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g |
    awk '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f %.1f\n", m, v[NR]}'
}

# ---- (a) one advisory to 3,000 organisations -------------------------------------------------

db="$tmp/a.db"
"$BUILD/renkei" --db "$db" init --demo >/dev/null
nc_tok=$(token "$db" nc-admin admin,analyst)
meti_tok=$(token "$db" meti-analyst analyst)
cat >"$tmp/adv.json" <<'JSON'
{"title": "電力分野のリモート保守回線を狙った不正ログインに関する注意喚起",
 "answers": {
  "header": {"severity": "warning"},
  "recipients": {"recipient_ministries": [{"ministry": "meti"}],
                 "recipient_sectors": ["core.electricity", "ci.electricity"]},
  "sharing": {"tlp": "TLP:GREEN", "special_notes": "電力分野の事業者及びセプターへの再提供可。"},
  "content": {"has_attachments": false},
  "overview": {"overview": "電力分野の事業者の公開ウェブサイト及びリモート保守回線に対し、認証情報の総当たりと見られる不審な通信が観測されている。"},
  "targets": {"targets": "インターネットに公開されたSSL-VPN装置、保守用リモートデスクトップ"},
  "guidance": {"guidance": "次のIPアドレス及びドメインからの通信の遮断を検討する。保守アカウントの多要素認証の設定を確認する。",
               "ip_addresses": ["192.0.2.77", "198.51.100.78"],
               "domains": [{"domain": "vpn-update[.]example.com"}],
               "attack_techniques": [{"technique": "T1110"}]},
  "contact": {"contact_person": "提供 花子", "contact_email": "ci-desk@nco.example.go.jp"}}}
JSON

echo
echo "dissemination (issue 5): one advisory to $ORGS recipient organisations, inbox rows durable"
echo "  (fsync'd before the answer); $REPEAT runs with fresh advisories, one client, timed by curl:"
start "$db"
t0=$(date +%s.%N)
set_orgs=$(python3 bench/dissem_fleet.py orgs --base "$base" --token "$nc_tok" -n "$ORGS" \
  --threads "$THREADS") || misbehaved "creating $ORGS organisations (bench/dissem_fleet.py orgs)"
printf '  setup: %s core operators in core.electricity via POST /api/v1/orgs: %.1f s (%s/s)\n' \
  "$ORGS" "$(jfield <(echo "$set_orgs") seconds)" "$(jfield <(echo "$set_orgs") per_second)"

create() { # create → id of a new draft (version 1)
  local r
  read -r r _ _ < <(req POST /api/v1/advisories "$nc_tok" "$(cat "$tmp/adv.json")")
  [[ $r == 201 ]] || misbehaved "POST /api/v1/advisories: HTTP $r" "$tmp/answer.json"
  jfield "$tmp/answer.json" id
}
d_ms="" d_w="" n_ms="" n_w="" r_ms="" r_w="" p_ms="" d_rows="" r_rows="" checks=""
for i in $(seq "$REPEAT"); do
  id=$(create)
  read -r code ms w < <(req POST "/api/v1/advisories/$id/send" "$nc_tok" '{"version":1,"direct":true}')
  [[ $code == 200 ]] || misbehaved "POST /api/v1/advisories/$id/send (direct): HTTP $code" "$tmp/answer.json"
  rows=$(jfield "$tmp/answer.json" delivered_to)
  (( rows >= ORGS )) || misbehaved "direct send delivered to $rows organisations, expected ≥ $ORGS" "$tmp/answer.json"
  d_ms+=" $ms" d_w+=" $w" d_rows=$rows checks+=" $id:$rows"
  read -r code ms _ < <(req GET "/api/v1/advisories/$id/acks?pending=true&limit=1000" "$nc_tok")
  [[ $code == 200 ]] || misbehaved "GET /api/v1/advisories/$id/acks: HTTP $code" "$tmp/answer.json"
  p_ms+=" $ms"
  id=$(create)
  read -r code ms w < <(req POST "/api/v1/advisories/$id/send" "$nc_tok" '{"version":1}')
  [[ $code == 200 && $(jfield "$tmp/answer.json" delivered_to) == 1 ]] ||
    misbehaved "POST /api/v1/advisories/$id/send (to METI): HTTP $code, expected delivered_to 1" "$tmp/answer.json"
  n_ms+=" $ms" n_w+=" $w"
  read -r code ms w < <(req POST "/api/v1/advisories/$id/relay" "$meti_tok")
  [[ $code == 200 ]] || misbehaved "POST /api/v1/advisories/$id/relay as meti-analyst: HTTP $code" "$tmp/answer.json"
  rows=$(jfield "$tmp/answer.json" delivered)
  (( rows >= ORGS )) || misbehaved "relay delivered to $rows organisations, expected ≥ $ORGS" "$tmp/answer.json"
  r_ms+=" $ms" r_w+=" $w" r_rows=$rows checks+=" $id:$((rows + 1))"
done
echo "  renkeid peak RSS: $(rss)"
stop
# Durable: the rows the answers counted are in the store.
for c in $checks; do
  got=$(sqlite3 -readonly "$db" "SELECT count(*) FROM inbox_items WHERE kind = 'advisory' AND object_id = ${c%%:*}")
  [[ $got == "${c##*:}" ]] || misbehaved "advisory ${c%%:*}: $got inbox rows in the store, the answers said ${c##*:}"
done
line() { # line LABEL "values" "writer values" ROWS
  local m x wm wx
  read -r m x < <(stats "$2")
  printf '  %-46s median %7.1f ms   max %7.1f ms' "$1" "$m" "$x"
  if [[ -n $3 ]]; then
    read -r wm wx < <(stats "$3")
    printf '   (writer: median %6.1f ms, max %6.1f ms)' "$wm" "$wx"
  fi
  printf '%s\n' "${4:+   $4}"
}
line "send, direct (whole audience)" "$d_ms" "$d_w" "$d_rows rows delivered"
line "send, not direct (METI only)" "$n_ms" "$n_w" "1 row delivered"
line "relay by METI to its operators" "$r_ms" "$r_w" "$r_rows rows delivered"
line "sender's pending view, first 1,000 rows" "$p_ms" "" "GET …/acks?pending=true&limit=1000"
echo "  inbox rows counted in the store after the runs: as answered ($(wc -w <<<"$checks") advisories)"
printf '  %-46s %.1f s\n' "(a) total" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')"

# ---- (b) inbox listing with 100,000 items ----------------------------------------------------

db="$tmp/b.db"
"$BUILD/renkei" --db "$db" init --demo >/dev/null
org=$("$BUILD/renkei" --db "$db" org add core_operator ベンチ受信電力株式会社 --sectors core.electricity)
printf 'bench-viewer-password\n' |
  "$BUILD/renkei" --db "$db" user add "$org" bench-viewer 'ベンチ 閲覧者' --roles viewer >/dev/null
nc_tok=$(token "$db" nc-admin admin,analyst)
viewer_tok=$(token "$db" bench-viewer viewer)
wangan_tok=$(token "$db" wangan-admin org_admin)

echo
echo "inbox listing for an organisation with $ITEMS items (GET /api/v1/inbox, newest first):"
start "$db"
set_adv=$(python3 bench/dissem_fleet.py advisories --base "$base" --token "$nc_tok" -n "$ITEMS" \
  --named "$org" --threads "$THREADS") ||
  misbehaved "creating and sending $ITEMS advisories (bench/dissem_fleet.py advisories)"
printf '  setup: %s advisories created and sent through the API (to METI and, named, the operator):\n' "$ITEMS"
printf '    %.1f s, %s advisories/s (create + send, %s clients); no row inserted by hand\n' \
  "$(jfield <(echo "$set_adv") seconds)" "$(jfield <(echo "$set_adv") per_second)" "$THREADS"
read -r lo hi n < <(sqlite3 -readonly -separator ' ' "$db" \
  "SELECT min(id), max(id), count(*) FROM inbox_items WHERE org_id = $org")
(( n >= ITEMS )) || misbehaved "the operator's inbox holds $n rows, expected $ITEMS"
echo "    the operator's inbox: $n rows (ids $lo…$hi); store $(du -m "$db" | cut -f1) MB"

lua() { # lua TOKEN PATH [LO HI]: GET PATH (+ &after=random id in LO..HI), with the token if any
  echo 'wrk.method = "GET"'
  [[ -n $1 ]] && echo "wrk.headers[\"Authorization\"] = \"Bearer $1\""
  cat <<'LUA'
local n = 0
function setup(thread) n = n + 1; thread:set("seed", n) end
function init(args) math.randomseed(os.time() * 100 + seed) end
LUA
  echo "function request()"
  if [[ -n ${3:-} ]]; then
    echo "  return wrk.format(nil, \"$2&after=\" .. math.random($3, $4))"
  else
    echo "  return wrk.format(nil, \"$2\")"
  fi
  echo "end"
}
measure() { # measure LABEL LUA_FILE [SECONDS]
  local secs=${3:-$SECS} out serial rps p50 p99 n non2xx errs s50 s99
  serial=$(wrk -t1 -c1 -d"$(( secs > 6 ? secs / 2 : 3 ))s" --timeout 30s --latency -s "$2" "$base")
  out=$(wrk -t2 -c"$CONNS" -d"${secs}s" --timeout 30s --latency -s "$2" "$base")
  sleep 1 # let renkeid drain what wrk left in flight
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {s+=$5} END {if (s) print s}' <<<"$out"$'\n'"$serial")
  errs=$(grep -h 'Socket errors' <<<"$out"$'\n'"$serial" || true)
  s50=$(awk '$1=="50%" {print $2}' <<<"$serial")
  s99=$(awk '$1=="99%" {print $2}' <<<"$serial")
  printf '  %-44s 1 client: p50 %8s p99 %8s | %s clients: p50 %8s p99 %8s %8s req/s (%s req)%s\n' \
    "$1" "$s50" "$s99" "$CONNS" "$p50" "$p99" "$rps" "$n" \
    "${non2xx:+   NON-2xx: $non2xx}${errs:+   $errs}"
}
# One page, checked: 100 advisories, each with its summary.
read -r code _ _ < <(req GET "/api/v1/inbox?limit=100" "$viewer_tok")
[[ $code == 200 ]] || misbehaved "GET /api/v1/inbox?limit=100: HTTP $code" "$tmp/answer.json"
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
print(sum(1 for i in d["items"] if i["kind"] == "advisory" and i["object"]["status"] == "sent"))' \
  "$tmp/answer.json")
[[ $got == 100 ]] || misbehaved "GET /api/v1/inbox?limit=100 gave $got advisories, expected 100" "$tmp/answer.json"
bytes=$(wc -c <"$tmp/answer.json")
lua "$viewer_tok" "/api/v1/inbox?limit=100" >"$tmp/first.lua"
lua "$viewer_tok" "/api/v1/inbox?limit=100" "$lo" "$hi" >"$tmp/deep.lua"
lua "$viewer_tok" "/api/v1/inbox?limit=100&kind=message" >"$tmp/kind.lua"
lua "$wangan_tok" "/api/v1/advisories?limit=100" >"$tmp/advlist.lua"
lua "" "/feeds/public.json" >"$tmp/feed.lua"
echo "  wrk: 1 client (-t1 -c1), then $CONNS keep-alive clients (-t2); a page of 100 is $bytes bytes:"
measure "first page (?limit=100)" "$tmp/first.lua"
measure "deep pages (?limit=100&after=<random id>)" "$tmp/deep.lua"
echo "  other reads on the same store (each on its own index):"
measure "inbox ?kind=message (none of $n)" "$tmp/kind.lua"
measure "/advisories?limit=100 as wangan-admin" "$tmp/advlist.lua"
measure "/feeds/public.json (anonymous)" "$tmp/feed.lua"
echo "  renkeid peak RSS: $(rss)"
stop
echo "  (no peer figure: no other implementation of these routes to compare with)"
