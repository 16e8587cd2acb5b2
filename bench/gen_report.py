#!/usr/bin/env python3
"""bench/gen_report.py — a realistic DDoS quick report (速報) for bench/reports.sh.

Writes the JSON body of POST /api/v1/incidents (the envelope of src/api/report_input.h with
answers of data/forms/ddos.json): the reporter section of the demo operator toto (東都電力),
a ~370-character Japanese overview, three timeline rows and two attack blocks (a UDP flood,
T1498.001, and an HTTP flood, T1499.002) with 28 and 12 source addresses (IPv4 and IPv6),
ports and traffic figures: about 4.7 KB of compact UTF-8 JSON.

  gen_report.py [--now RFC3339] [--follow-up] -o FILE

--now sets the report's clock (default: the current time); every date-time in the report is
at or a few minutes to hours before it, so the awareness time is never in the future.
--follow-up writes the same report as a 続報 (kind follow_up, report_kind follow_up, with
previous_report_at) for POST /api/v1/incidents/{id}/reports.
Prints one JSON line: {"bytes": n, "source_ips": n}.
"""
import argparse
import datetime as dt
import json
import sys

JST = dt.timezone(dt.timedelta(hours=9))


def iso(t):
    return t.astimezone(JST).strftime("%Y-%m-%dT%H:%M:%S+09:00")


def sources(n, seed):
    """n distinct source addresses, about one in four IPv6 (botnet / reflector mix)."""
    out = []
    for i in range(n):
        k = seed * 1000 + i
        if i % 4 == 3:
            out.append("2001:db8:%x:%x::%x" % (0x100 + k % 251, k % 4093, 0x10 + i))
        else:
            nets = ("198.51.100", "203.0.113", "192.0.2", "100.64.%d" % (k % 200))
            out.append("%s.%d" % (nets[i % 4], 1 + (k * 37) % 253))
    assert len(set(out)) == n, "duplicate addresses"
    return out


def report(now, follow_up):
    aware = now - dt.timedelta(minutes=95)
    overview = (
        f"{aware.astimezone(JST):%Y年%m月%d日%H時%M分}頃より、当社の電力需給情報公開サイト及び送配電事業者向け系統情報"
        "連携サービス(https://www.example.co.jp/)に対する大規模なDDoS攻撃を検知した。"
        "攻撃は国内外の多数の送信元IPアドレスからのUDPフラッド攻撃(最大約42Gbps)と、"
        "HTTPフラッド攻撃(最大約18万RPS)の二種類で構成されており、上位回線事業者のDDoS緩和"
        "サービスを起動した上で、WAFのレート制限を強化して対処している。現時点で公開サイト"
        "は応答遅延が継続しているが、系統情報連携サービスは予備回線への切替により概ね正常に稼働"
        "している。電力供給そのもの(発電・送配電設備の制御系)への影響は確認されていない。"
        "攻撃者からの脅迫・要求等は現時点で受領していない。引き続き監視を継続し、影響範囲の"
        "確認を進める。"
    )
    t = [aware + dt.timedelta(minutes=m) for m in (0, 12, 45)]
    doc = {
        "form": "ddos",
        "kind": "follow_up" if follow_up else "quick",
        "tlp": "TLP:AMBER",
        "severity": "warning",
        "aware_at": iso(aware),
        "answers": {
            "header": {
                "reported_at": iso(now),
                "addressee": "経済産業大臣",
                "report_kind": "follow_up" if follow_up else "new",
            },
            "reporter": {
                "name_kana": "トウトデンリョクカブシキガイシャ",
                "name": "東都電力株式会社",
                "corporate_number": "7990001000001",
                "contact_kana": "コバヤシ ユミ",
                "contact_name": "小林 由美",
                "department": "情報システム部 サイバーセキュリティ推進室 (TOTO-CSIRT)",
                "phone": "03-5555-0123",
                "email": "csirt@toto-denryoku.example.jp",
            },
            "business_impact": {
                "overview": overview,
                "service_level_breach": False,
                "spread_possible": True,
                "service_impact": (
                    "電力需給情報公開サイトで応答遅延(平均応答時間 通常0.3秒→8秒)が発生。"
                    "系統情報連携サービスは予備回線に切替済で、連携遅延は最大3分。"
                    "想定される最大リスクは、攻撃規模の拡大による連携サービスの停止と、"
                    "それに伴う送配電事業者間の需給調整業務の遅延。"
                ),
                "timeline": [
                    {"at": iso(t[0]), "event": "ネットワーク監視装置がUDPトラフィックの急増"
                                                "(平常時の約40倍)を検知し、SOCが一次調査を開始。"},
                    {"at": iso(t[1]), "event": "HTTPフラッド攻撃の併発を確認。上位回線事業者に"
                                                "DDoS緩和サービスの発動を依頼し、WAFのレート制限を強化。"},
                    {"at": iso(t[2]), "event": "系統情報連携サービスを予備回線へ切替。"
                                                "公開サイトは応答遅延が継続中。経営層へ報告。"},
                ],
            },
            "affected_systems": {
                "devices": "公開Webサーバ 6台(負荷分散構成)、WAF 2台、インターネット接続回線 2系統"
                           "(10Gbps×2)、系統情報連携用APIゲートウェイ 2台",
                "system_status": "partly_running",
            },
            "attack": {
                "attacks": [
                    {
                        "started_at": iso(t[0]),
                        "period_notes": "断続的に継続中(約10分周期で規模が変動)",
                        "attack_type": "T1498.001",
                        "details": "UDPフラッド攻撃(送信元ポート123/1900/11211からの反射を含む)",
                        "protocol": "UDP",
                        "source_ips": sources(28, 1),
                        "source_ports": [53, 123, 1900, 11211, "30000-65535"],
                        "source_devices": "海外のクラウド事業者及び家庭用ルータと推定される機器",
                        "destination_ips": ["203.0.113.10", "203.0.113.11", "2001:db8:10::10"],
                        "destination_ports": [80, 443],
                        "target_service": "電力需給情報公開サイト",
                        "traffic_bps": 42000000000,
                        "traffic_pps": 5600000,
                    },
                    {
                        "started_at": iso(t[1]),
                        "attack_type": "T1499.002",
                        "details": "HTTPS GETフラッド攻撃(検索APIへのランダムクエリ)",
                        "protocol": "HTTPS",
                        "source_ips": sources(12, 2),
                        "source_ports": ["1024-65535"],
                        "destination_ips": ["203.0.113.20", "203.0.113.21"],
                        "destination_ports": [443],
                        "target_service": "系統情報連携API (api.example.co.jp)",
                        "traffic_bps": 1800000000,
                        "traffic_rps": 180000,
                    },
                ]
            },
            "next_steps": {
                "publication": "considering",
                "outlook": "ongoing",
                "filing_basis": "重要電子計算機に対する特定侵害事象の報告(基幹インフラ役務の"
                                "安定的な提供の確保に関する制度)",
            },
        },
    }
    if follow_up:
        doc["answers"]["header"]["previous_report_at"] = iso(now - dt.timedelta(minutes=30))
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--now", help="RFC 3339 date-time (default: now)")
    ap.add_argument("--follow-up", action="store_true")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    now = dt.datetime.fromisoformat(a.now) if a.now else dt.datetime.now(dt.timezone.utc)
    doc = report(now, a.follow_up)
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    with open(a.out, "wb") as f:
        f.write(body)
    n = sum(len(r["source_ips"]) for r in doc["answers"]["attack"]["attacks"])
    json.dump({"bytes": len(body), "source_ips": n}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
