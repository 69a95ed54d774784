"""Benchmark the shared-state writes on SQLite and PostgreSQL, in the same run.

Run from the project's root: ``.venv/bin/python bench/bench_shared_store.py``
(``TEST_DATABASE_URL`` a PostgreSQL server to create a scratch database on; unset: one is
started and stopped with ``tests/pgserver.py``, as the tests do). Per engine it prints:

* ``claim()`` (the de-duplication insert every event makes) latency median/p99 from one
  thread, and throughput from 8 threads in each of 2 processes (as two gunicorn workers);
* ``open_request()`` (serialised across processes) the same way, over 50 schools, so most
  calls find the open request and a few make one;
* ``consent_version()`` (the check every worker makes every few seconds) latency.

SQLite here is the file with ``synchronous=FULL`` (every commit fsynced) as the bot runs it;
PostgreSQL is the test server, run with ``fsync=off`` by tests/pgserver.py, so its figures show
the cost of the round trips and locking, not of a durable commit on a production disk.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bot.store import Store, utc_now  # noqa: E402

THREADS, PROCESSES, PER_THREAD = 8, 2, 100


def ms(samples: list[float]) -> str:
    s = sorted(samples)
    return f"median {statistics.median(s) * 1000:.2f} ms, p99 {s[max(int(len(s) * 0.99) - 1, 0)] * 1000:.2f} ms"


def _worker(location: str, op: str, tag: str, start: mp.Event, out: mp.Queue) -> None:
    store = Store(location)
    barrier = threading.Barrier(THREADS)

    def work(t: int) -> None:
        barrier.wait()
        for i in range(PER_THREAD):
            if op == "claim":
                store.claim(f"event:{tag}:{t}:{i}", f"msg:C1:{i % 50}")
            else:
                store.open_request(f"School {i % 50} College", requested_by=f"U{t}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(time.perf_counter() - t0)
    store.close()


def parallel(location: str, op: str) -> str:
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(location, op, f"p{n}", start, out)) for n in range(PROCESSES)]
    for p in procs:
        p.start()
    time.sleep(2.0)  # let both open their stores before the clock starts
    t0 = time.perf_counter()
    start.set()
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    calls = THREADS * PROCESSES * PER_THREAD
    return f"{calls / wall:,.0f} calls/s ({PROCESSES} processes x {THREADS} threads, {calls} calls in {wall:.2f} s)"


def bench(label: str, location: str) -> None:
    with Store(location) as s:
        times = []
        for i in range(500):
            t = time.perf_counter()
            s.claim(f"event:single:{i}")
            times.append(time.perf_counter() - t)
        print(f"{label}: claim, 1 thread:             {ms(times)}")
        times = []
        for i in range(300):
            t = time.perf_counter()
            s.open_request(f"Single {i % 50} College", requested_by="U1")
            times.append(time.perf_counter() - t)
        print(f"{label}: open_request, 1 thread:      {ms(times)}")
        s.save_consent_list("bench.csv", "name,host\nCals College,cals.magister.net\n", fetched_at=utc_now())
        times = []
        for _ in range(500):
            t = time.perf_counter()
            s.consent_version()
            times.append(time.perf_counter() - t)
        print(f"{label}: consent_version, 1 thread:   {ms(times)}")
    print(f"{label}: claim, parallel:             {parallel(location, 'claim')}")
    print(f"{label}: open_request, parallel:      {parallel(location, 'open_request')}")


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        bench("sqlite    ", str(Path(d) / "bench.sqlite3"))
    server = None
    admin = os.environ.get("TEST_DATABASE_URL", "")
    if not admin:
        import pgserver

        server = pgserver.start()
        admin = server.url
    import psycopg

    name = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    try:
        bench("postgresql", urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", "")))
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
