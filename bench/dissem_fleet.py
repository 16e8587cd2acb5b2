#!/usr/bin/env python3
"""dissem_fleet.py — sets up the dissemination benchmark (make bench, from bench/dissemination.sh).

Everything goes through the HTTP API of a running renkeid (renkei init --demo store), with a
bearer token of nc-admin (roles admin + analyst), over keep-alive connections from THREADS
threads:

  orgs        N core operators (POST /api/v1/orgs) in one sector: the recipients of part (a);
  advisories  N advisories (情報提供), each created (POST /api/v1/advisories) and sent
              (POST /api/v1/advisories/{id}/send, not direct) with `named: [ORG]`: each send
              puts one inbox row in the addressed ministry's inbox and one in ORG's, durable
              before the 200 — the fixture of part (b), ORG's inbox of N advisories. Every
              answer is checked (201 / 200, delivered_to 2).

Prints one JSON line: {"created": n, "seconds": s, "per_second": r, "first_id": i, "last_id": j}.
Exits 1, printing the request and the answer, when the server misbehaves. Only the standard
library.
"""
import argparse
import concurrent.futures as cf
import http.client
import json
import sys
import threading
import time
import urllib.parse


class Fail(Exception):
    pass


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, base, token):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.token = token
        self.local = threading.local()

    def conn(self, fresh=False):
        c = getattr(self.local, "c", None)
        if c is None or fresh:
            if c is not None:
                c.close()
            c = self.local.c = http.client.HTTPConnection(self.host, self.port, timeout=300)
        return c

    def post(self, path, body, expect):
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Authorization": "Bearer " + self.token}
        for attempt in (0, 1):
            c = self.conn(fresh=attempt > 0)
            try:
                c.request("POST", path, body=data, headers=headers)
                r = c.getresponse()
                answer = r.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                if attempt:
                    raise
        if r.status != expect:
            raise Fail("POST %s (%s) -> %d %s\n  answer: %s" % (
                path, data[:300].decode(errors="replace"), r.status, r.reason,
                answer[:1000].decode(errors="replace")))
        return json.loads(answer)


# A realistic advisory (about 1.4 KB of answers): the shape of the demo advisories, GREEN,
# electricity, addressed to METI.
def advisory(i, named):
    return {
        "title": "ベンチマーク用注意喚起 第%06d号（電力分野における不審な通信）" % i,
        "named": [named],
        "answers": {
            "header": {"severity": "warning"},
            "recipients": {
                "recipient_ministries": [{"ministry": "meti"}],
                "recipient_sectors": ["core.electricity", "ci.electricity"],
            },
            "sharing": {"tlp": "TLP:GREEN", "special_notes": "電力分野の事業者及びセプターへの再提供可。"},
            "content": {"has_attachments": False},
            "overview": {"overview": "電力分野の事業者の公開ウェブサイト及びリモート保守回線に対し、"
                                     "認証情報の総当たりと見られる不審な通信が観測されている。"
                                     "観測番号 %d。" % i},
            "targets": {"targets": "インターネットに公開されたSSL-VPN装置、保守用リモートデスクトップ"},
            "guidance": {
                "guidance": "次のIPアドレス及びドメインからの通信の遮断を検討する。"
                            "保守アカウントの多要素認証の設定を確認する。",
                "ip_addresses": ["192.0.2.%d" % (i % 250 + 1), "198.51.100.%d" % (i % 200 + 1)],
                "domains": [{"domain": "update-%d.example.com" % (i % 1000)}],
                "attack_techniques": [{"technique": "T1110"}],
            },
            "contact": {"contact_person": "提供 花子", "contact_email": "ci-desk@nco.example.go.jp"},
        },
    }


def run(n, threads, fn):
    t0 = time.monotonic()
    ids = []
    with cf.ThreadPoolExecutor(threads) as ex:
        for r in ex.map(fn, range(n), chunksize=64):
            ids.append(r)
    secs = time.monotonic() - t0
    return ids, secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("phase", choices=["orgs", "advisories"])
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("-n", type=int, required=True)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--sector", default="core.electricity")
    ap.add_argument("--named", type=int, help="advisories: the organisation whose inbox fills")
    a = ap.parse_args()
    cl = Client(a.base, a.token)

    if a.phase == "orgs":
        def one(i):
            return cl.post("/api/v1/orgs", {"type": "core_operator",
                                            "name_ja": "ベンチ電力%05d株式会社" % i,
                                            "sectors": [a.sector]}, 201)["id"]
    else:
        if not a.named:
            ap.error("advisories needs --named")

        def one(i):
            d = cl.post("/api/v1/advisories", advisory(i, a.named), 201)
            s = cl.post("/api/v1/advisories/%d/send" % d["id"], {"version": d["version"]}, 200)
            if s.get("delivered_to") != 2:
                raise Fail("POST /api/v1/advisories/%d/send: delivered_to %r, expected 2 "
                           "(METI and organisation %d)" % (d["id"], s.get("delivered_to"), a.named))
            return d["id"]
    try:
        ids, secs = run(a.n, a.threads, one)
    except Fail as e:
        print("bench: SERVER MISBEHAVED: %s" % e, file=sys.stderr)
        return 1
    print(json.dumps({"created": len(ids), "seconds": round(secs, 3),
                      "per_second": round(len(ids) / secs, 1), "first_id": min(ids),
                      "last_id": max(ids)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
