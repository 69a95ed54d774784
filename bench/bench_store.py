"""Benchmark the store and the question report, and check close_granted on real names.

Run from the project's root: ``.venv/bin/python bench/bench_store.py``. Prints:

* write latency of ``log_question`` (median, p99, ms) from one thread and from 16 at once,
  against a bare ``INSERT; COMMIT`` on a plain sqlite3 connection with the same pragmas;
* ``close_granted`` with the real consent-list fixture and one open request per Magister
  tenant of 2022 (named as the tenant list names it, without a host): time, how many it
  grants, and how many of those grants are wrong (no tenant of that name has a listed
  host), against granting whenever ``SchoolMatcher.lookup`` says ``granted``;
* ``question_report`` over a synthetic log of unanswered questions (time, groups).

The real-data part needs ``../shared/data``; without it that part is skipped.
"""
from __future__ import annotations

import csv
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import consentlist  # noqa: E402
from bot.report import question_report  # noqa: E402
from bot.schools import SchoolMatcher  # noqa: E402
from bot.store import Store, utc_now  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def ms(samples: list[float]) -> str:
    s = sorted(samples)
    return f"median {statistics.median(s) * 1000:.2f} ms, p99 {s[int(len(s) * 0.99) - 1] * 1000:.2f} ms"


def bench_writes(d: Path) -> None:
    store = Store(d / "w.sqlite3")
    times = []
    for i in range(500):
        t = time.perf_counter()
        store.log_question(f"vraag {i}", "no_match")
        times.append(time.perf_counter() - t)
    print(f"log_question, 1 thread:        {ms(times)}")

    raw = sqlite3.connect(d / "raw.sqlite3", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute("CREATE TABLE q (t TEXT)")
    times = []
    for i in range(500):
        t = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO q VALUES (?)", (f"vraag {i}",))
        raw.execute("COMMIT")
        times.append(time.perf_counter() - t)
    print(f"baseline sqlite3, 1 thread:    {ms(times)}")

    times, lock = [], threading.Lock()

    def work():
        mine = []
        for i in range(50):
            t = time.perf_counter()
            store.log_question(f"vraag {i}", "no_match")
            mine.append(time.perf_counter() - t)
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(16)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    print(f"log_question, 16 threads x 50: {ms(times)}; {800 / wall:.0f} writes/s")
    store.close()


def bench_close_granted(d: Path) -> None:
    listed = consentlist.load(SHARED / "consent" / "consent-list.csv")
    tenant_hosts: dict[str, set[str]] = {}
    with open(SHARED / "schools" / "magister_tenants_2022.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            tenant_hosts.setdefault(row["name"], set()).add(consentlist.normalize_host(row["url"]))
    # The truth: a name is on the list when one of its tenants' hosts is.
    truth = {name: bool(hosts & listed.hosts) for name, hosts in tenant_hosts.items()}
    store = Store(d / "g.sqlite3")
    t = time.perf_counter()
    asked = {}
    for name in tenant_hosts:
        r, created = store.open_request(name, requested_by="U1")
        if created:
            store.mark_sent(r.id)
            asked[r.id] = name
    opened = time.perf_counter() - t
    t = time.perf_counter()
    granted = store.close_granted(listed)
    took = time.perf_counter() - t
    wrong = [asked[r.id] for r in granted if not truth[asked[r.id]]]
    should = sum(truth[n] for n in asked.values())
    print(f"open_request x {len(tenant_hosts)} (tenant names, no host): {opened * 1000:.0f} ms, {len(asked)} opened")
    print(f"close_granted against {len(listed.schools)} listed schools: {took * 1000:.0f} ms; granted "
          f"{len(granted)} of the {should} whose tenant host is listed; wrong grants: {len(wrong)} {wrong[:10]}")
    matcher = SchoolMatcher(listed)  # baseline: grant when a fuzzy lookup grants
    looked = [n for n in asked.values() if matcher.lookup(n).status == "granted"]
    print(f"  baseline SchoolMatcher.lookup: would grant {len(looked)}; wrong: "
          f"{sum(not truth[n] for n in looked)} {[n for n in looked if not truth[n]][:10]}")
    store.close()


def bench_report(d: Path) -> None:
    rnd = random.Random(5)
    topics = ["kan een school de toestemming intrekken", "hoe lang duurt het voor een school reageert",
              "wat kost studyspace", "werkt het op een ipad", "kan ik ouders toegang geven",
              "waarom zie ik geen cijfers", "wat als de school failliet gaat", "krijgt de mentor bericht"]
    words = "de het een school toestemming ouders cijfers rooster huiswerk magister koppeling app".split()
    store = Store(d / "r.sqlite3")
    now = utc_now()
    for i in range(3000):
        if i % 3:
            base = rnd.choice(topics).split()
            if rnd.random() < 0.5:
                base.insert(rnd.randrange(len(base)), rnd.choice(words))
            text = " ".join(base)
        else:
            text = " ".join(rnd.choice(words) for _ in range(6)) + f" {i}"
        store.log_question(text, rnd.choice(["no_match", "ambiguous"]), asked_at=now - timedelta(minutes=i))
    t = time.perf_counter()
    report = question_report(store, now - timedelta(days=30), now)
    took = time.perf_counter() - t
    print(f"question_report: {report.total} questions -> {len(report.groups)} groups in {took * 1000:.0f} ms; "
          f"largest {[g.count for g in report.groups[:8]]}")
    store.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        bench_writes(d)
        if SHARED.exists():
            bench_close_granted(d)
        else:
            print("close_granted: skipped (no ../shared/data)")
        bench_report(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
