#!/usr/bin/env python3
"""gen_inventory.py — synthetic but realistic quarterly inventories (棚卸しファイル) for make bench.

Writes a CSV inventory in the format of docs/inventory-format.md: one row per product, entries
of 1–3 products (a few exempt entries and category-A entries filed with IP ranges only have a
single row without product columns), categories A–F (sometimes two), real manufacturer/product
names with their versions and filed CPE names taken from data/demo_assets.json (facts from the
CISA KEV catalog, see data/SOURCES.md), invented facilities, dates and notes, and IP ranges cut
from the documentation prefixes (RFC 5737, RFC 3849) for category-A entries.

Deterministic for a given seed. Only the standard library.

  gen_inventory.py --rows 100000 --prefix BENCH -o inv.csv [--modified inv-mod.csv --modify 0.01]
  gen_inventory.py --entries 500 --prefix OP042 -o op042.csv

--modified writes a second file, as the next quarter's upload would be: the same inventory in
which a fraction (--modify) of the rows differ: in randomly chosen entries one product has a new
version (its filed CPE and purl follow) and every row of the entry has changed_on set. A summary
(rows, entries, changed rows and entries, bytes) is printed to stdout as one JSON line.

Also importable: inventory_rows(...) returns the rows, csv_text(rows) the file.
"""
import argparse
import datetime
import json
import os
import random
import re
import sys

COLUMNS = ["ref", "facility", "categories", "in_place_at_enforcement", "introduced_on",
           "changed_on", "retired_on", "exemption_ground", "exemption_note", "ip_ranges", "notes",
           "product_kind", "product_name", "manufacturer", "product_version", "service_model",
           "cpe", "purl"]
ENTRY_COLS = COLUMNS[:11]

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_ASSETS = os.path.join(HERE, "..", "data", "demo_assets.json")

# Fallback when data/demo_assets.json is unavailable: the same KEV-derived names.
FALLBACK_PRODUCTS = [
    {"kind": "os", "manufacturer": "Fortinet", "name": "FortiOS", "version": "7.4.8",
     "cpe": "cpe:2.3:o:fortinet:fortios:7.4.8:*:*:*:*:*:*:*"},
    {"kind": "os", "manufacturer": "Microsoft", "name": "Windows",
     "version": "Server 2022 (10.0.20348.3807)"},
    {"kind": "middleware", "manufacturer": "Apache", "name": "Tomcat", "version": "9.0.98",
     "cpe": "cpe:2.3:a:apache:tomcat:9.0.98:*:*:*:*:*:*:*"},
    {"kind": "appliance", "manufacturer": "F5", "name": "BIG-IP", "version": "17.1.2.1"},
    {"kind": "os", "manufacturer": "Linux", "name": "Kernel", "version": "5.14.0-503.40.1.el9_5"},
    {"kind": "cloud", "manufacturer": "Microsoft", "name": "Microsoft 365", "service_model": "saas"},
]

SITES = ["本店", "本社", "東日本支社", "西日本支社", "中央給電指令所", "第一データセンター",
         "第二データセンター", "城南変電所", "湾岸発電所", "みなと太陽光発電所", "北部制御センター",
         "南部制御センター", "災害対策拠点", "研修センター", "物流センター", "コールセンター"]
SYSTEMS = {
    "A": ["インターネット接続境界", "公開 Web サーバ", "リモートアクセス装置", "メールゲートウェイ",
          "DNS サーバ"],
    "B": ["認証基盤", "ディレクトリサービス", "特権ID管理システム", "統合ログ基盤"],
    "C": ["DMZ データ中継サーバ", "ファイル転送サーバ", "API ゲートウェイ"],
    "D": ["境界ファイアウォール", "制御系ネットワーク スイッチ", "VPN 装置", "ロードバランサ"],
    "E": ["監視制御システム", "SCADA サーバ", "HMI 端末", "PLC 保守端末", "系統保護リレー装置",
          "運行管理システム"],
    "F": ["バックアップ基盤", "仮想化基盤", "ストレージ基盤", "運用管理サーバ"],
}
NOTES = ["", "", "", "冗長構成 (2 台)。", "保守ベンダーによる月次点検あり。",
         "制御系ネットワークのみ接続。", "HA 構成, 本店データセンター設置",
         "更新計画: 次年度に後継機へ移行予定。", "リモート保守は閉域網経由。"]
EXEMPT_NOTE = ("当社仕様に基づきメーカーが個別に設計・製作した専用設計品であり、"
               "専ら当社の事業の用に供するもの(届出義務の対象外)。")


def load_products():
    try:
        with open(DEMO_ASSETS, encoding="utf-8") as f:
            demo = json.load(f)
    except OSError:
        return FALLBACK_PRODUCTS
    seen, out = set(), []
    for item in demo.get("filings", []) + demo.get("drafts", []):
        for p in item["entry"].get("products", []):
            key = json.dumps(p, sort_keys=True)
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out or FALLBACK_PRODUCTS


def bump(version):
    """The next version: the last number in the string incremented ("7.2.10" -> "7.2.11")."""
    m = list(re.finditer(r"\d+", version))
    if not m:
        return version + ".1"
    last = m[-1]
    return version[:last.start()] + str(int(last.group()) + 1) + version[last.end():]


def date(rng, lo_days, hi_days):
    """A date between 2025-01-01 + lo_days and + hi_days (inclusive), as YYYY-MM-DD."""
    d = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(lo_days, hi_days))
    return d.isoformat()


def days(s):
    return (datetime.date.fromisoformat(s) - datetime.date(2025, 1, 1)).days


def product_row(p):
    return {"product_kind": p["kind"], "product_name": p["name"],
            "manufacturer": p["manufacturer"], "product_version": p.get("version") or "",
            "service_model": p.get("service_model") or "", "cpe": p.get("cpe") or "",
            "purl": p.get("purl") or ""}


def ip_ranges(rng, serial):
    """1–3 distinct documentation-prefix ranges, host bits zero."""
    out = set()
    for _ in range(rng.choice([1, 1, 2, 3])):
        kind = rng.randrange(4)
        if kind == 0:
            size = rng.choice([28, 29, 30])
            step = 1 << (32 - size)
            out.add("198.51.100.%d/%d" % (rng.randrange(256 // step) * step, size))
        elif kind == 1:
            size = rng.choice([27, 28, 29])
            step = 1 << (32 - size)
            out.add("203.0.113.%d/%d" % (rng.randrange(256 // step) * step, size))
        elif kind == 2:
            out.add("192.0.2.%d/32" % rng.randrange(256))
        else:
            out.add("2001:db8:%x:%x::/64" % (serial % 0xffff, rng.randrange(0x10000)))
    return ";".join(sorted(out))


def inventory_rows(prefix, rows=None, entries=None, seed=1, org_name="ベンチ電力"):
    """Rows (dicts keyed by COLUMNS) of an inventory of `rows` rows or `entries` entries."""
    rng = random.Random("%s/%d" % (prefix, seed))
    catalog = load_products()
    out = []
    n = 0
    while (rows is None or len(out) < rows) and (entries is None or n < entries):
        n += 1
        cats = rng.choice("AABCDDEEEEEF")
        if rng.random() < 0.15:
            cats = "".join(sorted(set(cats + rng.choice("ABCDEF"))))
        site = rng.choice(SITES)
        system = rng.choice(SYSTEMS[cats[0]])
        e = {c: "" for c in ENTRY_COLS}
        e["ref"] = "%s-%s-%06d" % (prefix, cats[0], n)
        e["facility"] = "%s %s %s %d 号系" % (org_name, site, system, rng.randint(1, 40))
        e["categories"] = ";".join(cats)
        if rng.random() < 0.4:
            e["in_place_at_enforcement"] = "true"
            if rng.random() < 0.1:
                e["changed_on"] = date(rng, 550, 690)
        else:
            e["in_place_at_enforcement"] = rng.choice(["false", "", "0"])
            intro = date(rng, 0, 680)
            e["introduced_on"] = intro
            if rng.random() < 0.1:
                e["changed_on"] = date(rng, days(intro), 690)
        e["notes"] = rng.choice(NOTES)
        if "A" in cats and rng.random() < 0.6:
            e["ip_ranges"] = ip_ranges(rng, n)
        r = rng.random()
        if r < 0.02:                       # exempt, no products: one row
            e["exemption_ground"] = rng.choice(["exclusive_design", "general_purpose"])
            e["exemption_note"] = EXEMPT_NOTE
            prods = []
        elif r < 0.03 and e["ip_ranges"]:  # filed with IP ranges only: one row
            prods = []
        else:
            k = rng.choices([1, 2, 3], weights=[50, 30, 20])[0]
            if rows is not None:
                k = min(k, rows - len(out))
            prods, keys = [], set()
            while len(prods) < k:
                p = rng.choice(catalog)
                key = (p["kind"], p["manufacturer"], p["name"])
                if key not in keys:
                    keys.add(key)
                    prods.append(p)
        if not prods:
            out.append(dict(e, **{c: "" for c in COLUMNS[11:]}))
        for p in prods:
            out.append(dict(e, **product_row(p)))
    return out


def modify(rows, fraction, seed=2, changed_on="2026-11-24"):
    """A copy of rows in which round(fraction * len(rows)) rows differ: in randomly chosen
    entries one product gets a new version (its filed CPE and purl follow) and every row of
    the entry gets changed_on. Returns (rows, changed rows, changed entries)."""
    rng = random.Random(seed)
    groups = {}
    for i, r in enumerate(rows):
        groups.setdefault(r["ref"], []).append(i)
    cand = [g for g in groups.values() if any(rows[i]["product_version"] for i in g)]
    rng.shuffle(cand)
    target = round(fraction * len(rows))
    out = [dict(r) for r in rows]
    touched = nref = 0
    for g in cand:
        if touched >= target:
            break
        if touched + len(g) > target and len(g) > 1:
            continue  # keep the count exact: a smaller entry will fit
        i = rng.choice([i for i in g if rows[i]["product_version"]])
        r = out[i]
        old = r["product_version"]
        r["product_version"] = bump(old)
        if r["cpe"]:
            parts = r["cpe"].split(":")
            if parts[5] == old:
                parts[5] = r["product_version"]
                r["cpe"] = ":".join(parts)
            else:
                r["cpe"] = ""  # let the server derive it
        if r["purl"].endswith("@" + old):
            r["purl"] = r["purl"][:-len(old)] + r["product_version"]
        for j in g:
            intro = out[j]["introduced_on"]
            out[j]["changed_on"] = max(changed_on, intro) if intro else changed_on
        touched += len(g)
        nref += 1
    return out, touched, nref


def cell(v):
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def csv_text(rows):
    lines = [",".join(COLUMNS)]
    lines += [",".join(cell(r[c]) for c in COLUMNS) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int)
    ap.add_argument("--entries", type=int)
    ap.add_argument("--prefix", default="BENCH")
    ap.add_argument("--org-name", default="ベンチ電力")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--modified")
    ap.add_argument("--modify", type=float, default=0.01)
    a = ap.parse_args()
    if (a.rows is None) == (a.entries is None):
        ap.error("give exactly one of --rows, --entries")
    rows = inventory_rows(a.prefix, a.rows, a.entries, a.seed, a.org_name)
    text = csv_text(rows).encode()
    with open(a.output, "wb") as f:
        f.write(text)
    info = {"rows": len(rows), "entries": len({r["ref"] for r in rows}), "bytes": len(text)}
    if a.modified:
        mod, touched, nref = modify(rows, a.modify)
        mtext = csv_text(mod).encode()
        with open(a.modified, "wb") as f:
            f.write(mtext)
        info.update(modified_rows=touched, modified_entries=nref, modified_bytes=len(mtext))
    json.dump(info, sys.stdout)
    print()


if __name__ == "__main__":
    main()
