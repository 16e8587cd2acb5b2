#!/usr/bin/env python3
"""assets_fleet.py — sets up the filing-status benchmark (make bench, from bench/assets.sh).

Three phases, state kept in OUT/fleet.json:
  accounts  (renkeid running on a store with the demo data, renkei init --demo) as nc-admin:
            N core operators (POST /api/v1/orgs), sectors round-robin over the core sectors of
            data/sectors.json, and one reporter per operator (POST /api/v1/users);
  tokens    (renkeid stopped) an API token for each reporter, nc-admin and meti-analyst with
            `renkei token create`: logging 300 users in would cost 300 argon2id verifications;
  file      (renkeid running) each reporter files its operator's inventory of E entries
            (bench/gen_inventory.py) as one submission (POST /api/v1/asset-inventories,
            dry_run=false, text/csv, bearer token) and records D drafts (POST /api/v1/assets
            {"draft": true, ...}: overdue, due soon, not yet due); the registry's answers are
            checked, then wrk scripts are written to OUT:
              op_detail.lua         GET /filing-status?org_id=N as N's own reporter (rotating)
              ministry_detail.lua   GET /filing-status?org_id=N as meti-analyst (its operators)
              nc_summary.lua        GET /filing-status as nc-admin (every operator)
              ministry_summary.lua  GET /filing-status as meti-analyst (its sectors)
Prints the time of each step. Exits 1, printing the request and the answer, when the server
misbehaves. Only the standard library.
"""
import argparse
import concurrent.futures as cf
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_inventory  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class Fail(Exception):
    pass


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.local = threading.local()

    def conn(self, fresh=False):
        c = getattr(self.local, "c", None)
        if c is None or fresh:
            if c is not None:
                c.close()
            c = self.local.c = http.client.HTTPConnection(self.host, self.port, timeout=300)
        return c

    def request(self, method, path, body=None, headers=None, expect=(200,)):
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        for attempt in (0, 1):
            c = self.conn(fresh=attempt > 0)
            try:
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                if attempt:
                    raise
        if r.status not in expect:
            shown = body[:300].decode(errors="replace") if body else ""
            raise Fail("%s %s (%s) -> %d %s\n  answer: %s" % (
                method, path, shown, r.status, r.reason, data[:1000].decode(errors="replace")))
        ctype = r.getheader("Content-Type", "")
        return r, json.loads(data) if "json" in ctype and data else data


def login_token(cl, username, password, roles):
    r, j = cl.request("POST", "/api/v1/session", {"username": username, "password": password},
                      expect=(201,))
    cookie = r.getheader("Set-Cookie").split(";")[0]
    r, t = cl.request("POST", "/api/v1/tokens",
                      {"name": "bench", "roles": roles, "expires_in_days": 1},
                      {"Cookie": cookie, "X-CSRF-Token": j["csrf_token"]}, expect=(201,))
    return "Bearer " + t["token"]


def pool_map(workers, fn, items):
    with cf.ThreadPoolExecutor(workers) as ex:
        return list(ex.map(fn, items))


def step(label, fn, *args):
    t = time.monotonic()
    out = fn(*args)
    print("    %-56s %6.1f s" % (label, time.monotonic() - t), flush=True)
    return out


def draft_entries(prefix, name, n):
    """n draft entries, new computers: overdue, due soon, not yet due, repeating."""
    intro = ["2026-05-18", "2026-08-03", "2026-11-16"]
    prods = [("os", "Microsoft", "Windows", "10 Enterprise LTSC 2021 (10.0.19044.5854)"),
             ("appliance", "Siemens", "SIMATIC CP", "V3.0.37"),
             ("middleware", "Apache", "Tomcat", "10.1.34")]
    out = []
    for i in range(n):
        kind, mf, pname, ver = prods[i % 3]
        out.append({"ref": "%s-NEW-%03d" % (prefix, i + 1),
                    "facility": "%s 新設 監視制御システム 増設 %d 号系" % (name, i + 1),
                    "categories": ["E"], "in_place_at_enforcement": False,
                    "introduced_on": intro[i % 3],
                    "products": [{"kind": kind, "manufacturer": mf, "name": pname,
                                  "version": ver}]})
    return out


def lua(path, reqs, comment):
    """A wrk script cycling through (path, Authorization) pairs, independently per thread."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("-- %s (written by bench/assets_fleet.py)\nlocal reqs = {\n" % comment)
        for p, auth in reqs:
            f.write('  {"%s", "%s"},\n' % (p, auth))
        f.write("}\nlocal i, threads = 0, 0\n"
                "function setup(thread) threads = threads + 1; thread:set(\"tid\", threads) end\n"
                "function init(args) i = ((tid or 1) * 7919) % #reqs end\n"
                "request = function()\n  i = i % #reqs + 1\n"
                "  return wrk.format(\"GET\", reqs[i][1], {[\"Authorization\"] = reqs[i][2]})\n"
                "end\n")


def fleet(n_orgs):
    """The bench operators: sectors round-robin over the core sectors."""
    with open(os.path.join(HERE, "..", "data", "sectors.json"), encoding="utf-8") as f:
        core = [s for s in json.load(f)["sectors"] if s["list"] == "core"]
    ops = []
    for n in range(1, n_orgs + 1):
        s = core[(n - 1) % len(core)]
        ops.append({"n": n, "sector": s["code"], "prefix": "OP%03d" % n,
                    "name": "ベンチ%s事業者%03d" % (s["name_ja"], n),
                    "user": "bench-op%03d" % n, "password": "bench-op%03d-password" % n})
    return ops


def phase_accounts(a, cl, state):
    """Organisations and reporters through the API, as nc-admin."""
    nc = login_token(cl, "nc-admin", "renkei-demo-nc-admin", ["admin", "analyst"])
    ops = fleet(a.orgs)

    def make_org(op):
        _, o = cl.request("POST", "/api/v1/orgs",
                          {"type": "core_operator", "name_ja": op["name"] + "株式会社",
                           "name_en": "Bench operator %03d" % op["n"], "sectors": [op["sector"]]},
                          {"Authorization": nc}, expect=(201,))
        op["org_id"] = o["id"]

    def make_user(op):
        cl.request("POST", "/api/v1/users",
                   {"org_id": op["org_id"], "username": op["user"],
                    "display_name": "ベンチ 担当者 %03d" % op["n"], "password": op["password"],
                    "roles": ["reporter"]},
                   {"Authorization": nc}, expect=(201,))

    step("%d operator organisations (POST /orgs, as nc-admin)" % a.orgs, pool_map, a.workers,
         make_org, ops)
    step("%d reporters (POST /users, an argon2id hash each)" % a.orgs, pool_map, a.workers,
         make_user, ops)
    state["ops"] = ops


def phase_tokens(a, cl, state):
    """API tokens with the CLI while renkeid is stopped: a login per user would cost an
    argon2id verification each (the same as creating the user again)."""
    def token(user, roles):
        out = subprocess.run([a.renkei, "--db", a.db, "token", "create", user, "bench",
                              "--roles", roles, "--days", "1"],
                             check=True, capture_output=True, text=True).stdout.split()
        if len(out) != 2 or not out[1].startswith("rk_"):
            raise Fail("renkei token create %s: unexpected output %r" % (user, out))
        return "Bearer " + out[1]

    def all_tokens():
        state["nc"] = token("nc-admin", "admin,analyst")
        state["meti"] = token("meti-analyst", "analyst")
        for op in state["ops"]:
            op["auth"] = token(op["user"], "reporter")

    step("%d API tokens (renkei token create, renkeid stopped)" % (len(state["ops"]) + 2),
         all_tokens)


def phase_file(a, cl, state):
    """Each reporter files its inventory and records drafts; checks; writes the wrk scripts."""
    ops, nc = state["ops"], state["nc"]
    with open(os.path.join(HERE, "..", "data", "ministries.json"), encoding="utf-8") as f:
        meti = set(next(m for m in json.load(f)["ministries"] if m["code"] == "meti")["sectors"])
    csvs = {}

    def gen(op):
        rows = gen_inventory.inventory_rows(op["prefix"], entries=a.entries, seed=op["n"],
                                            org_name=op["name"])
        csvs[op["n"]] = (gen_inventory.csv_text(rows).encode(), len(rows))

    def upload(op):
        body, _ = csvs[op["n"]]
        _, rep = cl.request("POST", "/api/v1/asset-inventories?org_id=%d&dry_run=false"
                            % op["org_id"], body,
                            {"Authorization": op["auth"], "Content-Type": "text/csv"},
                            expect=(201,))
        if rep["summary"]["added"] != a.entries or not rep["filed"]:
            raise Fail("inventory of org %d: expected %d added and filed, got %s"
                       % (op["org_id"], a.entries, json.dumps(rep["summary"])))

    def drafts(op):
        for e in draft_entries(op["prefix"], op["name"], a.drafts):
            cl.request("POST", "/api/v1/assets", {"draft": True, "entry": e},
                       {"Authorization": op["auth"]}, expect=(201,))

    step("generate %d inventories x %d entries (client side)" % (len(ops), a.entries),
         lambda: [gen(op) for op in ops])
    rows = sum(n for _, n in csvs.values())
    step("%d inventories, %d rows (POST /asset-inventories)" % (len(ops), rows),
         pool_map, a.workers, upload, ops)
    step("%d drafts (POST /assets, \"draft\": true)" % (len(ops) * a.drafts), pool_map,
         a.workers, drafts, ops)

    # Check what the registry now says before measuring it.
    _, summ = cl.request("GET", "/api/v1/filing-status", headers={"Authorization": nc})
    by = {o["org_id"]: o for o in summ["orgs"]}
    bad = [op["org_id"] for op in ops
           if by.get(op["org_id"], {}).get("counts", {}).get("live") != a.entries]
    if bad:
        raise Fail("GET /api/v1/filing-status as nc-admin: %d of %d bench operators do not "
                   "show live=%d; first: %s" % (len(bad), len(ops), a.entries,
                                                json.dumps(by.get(bad[0]), ensure_ascii=False)))
    _, det = cl.request("GET", "/api/v1/filing-status?org_id=%d" % ops[0]["org_id"],
                        headers={"Authorization": ops[0]["auth"]})
    c = det["counts"]
    if c.get("live") != a.entries or c.get("pending") != a.drafts or \
            len(det["items"]) != c.get("filed_late", 0) + a.drafts:
        raise Fail("GET /api/v1/filing-status?org_id=%d as its reporter: expected live=%d, "
                   "pending=%d and filed_late + pending items, got %s and %d items"
                   % (ops[0]["org_id"], a.entries, a.drafts, json.dumps(c), len(det["items"])))
    sc = by[ops[0]["org_id"]]["counts"]
    if sc.get("filed_late") != c.get("filed_late"):
        print("  NOTE: operator %d's filed_late differs: %s in the summary (as nc-admin), "
              "%s in its detailed status (as its reporter)"
              % (ops[0]["org_id"], sc.get("filed_late"), c.get("filed_late")))
    print("  check: the summary lists %d operators; operator %d as its reporter: %s"
          % (len(summ["orgs"]), ops[0]["org_id"], json.dumps(c, separators=(",", ":"))))

    meti_ops = [op for op in ops if op["sector"] in meti]
    lua(os.path.join(a.out, "op_detail.lua"),
        [("/api/v1/filing-status?org_id=%d" % op["org_id"], op["auth"]) for op in ops],
        "each operator's reporter reads its own detailed status")
    lua(os.path.join(a.out, "ministry_detail.lua"),
        [("/api/v1/filing-status?org_id=%d" % op["org_id"], state["meti"]) for op in meti_ops],
        "meti-analyst reads the detailed status of the %d METI operators" % len(meti_ops))
    lua(os.path.join(a.out, "nc_summary.lua"), [("/api/v1/filing-status", nc)],
        "nc-admin reads the summary of every operator")
    lua(os.path.join(a.out, "ministry_summary.lua"), [("/api/v1/filing-status", state["meti"])],
        "meti-analyst reads the summary of its sectors")
    state["meti_orgs"] = len(meti_ops)
    state["summary_orgs"] = len(summ["orgs"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("phase", choices=["accounts", "tokens", "file"])
    ap.add_argument("--base", help="renkeid URL (accounts, file)")
    ap.add_argument("--renkei", help="the renkei CLI (tokens)")
    ap.add_argument("--db", help="the store (tokens)")
    ap.add_argument("--orgs", type=int, default=300)
    ap.add_argument("--entries", type=int, default=500)
    ap.add_argument("--drafts", type=int, default=3)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--out", required=True, help="directory: state (fleet.json), wrk scripts")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "fleet.json")
    state = {}
    if a.phase != "accounts":
        with open(path) as f:
            state = json.load(f)
    cl = Client(a.base) if a.base else None
    {"accounts": phase_accounts, "tokens": phase_tokens, "file": phase_file}[a.phase](a, cl,
                                                                                      state)
    with open(path, "w") as f:
        json.dump(state, f)


if __name__ == "__main__":
    try:
        main()
    except Fail as e:
        print("assets_fleet: SERVER MISBEHAVED: %s" % e, file=sys.stderr)
        sys.exit(1)
