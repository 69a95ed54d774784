"""Benchmark one worker on SQLite against two workers on PostgreSQL, in the same run.

Run from the project's root (needs the test extras, and Debian's ``postgresql`` package or
``TEST_DATABASE_URL``): ``.venv/bin/python bench/bench_workers.py [--rounds N]``.

Both apps are the ``Procfile``'s ``web:`` command (gunicorn, gthread, 8 threads a worker,
``--preload``; on 127.0.0.1), next to one fake Slack Web API (``tests/conftest.py``):

* **sqlite-1**: ``--workers 1``, the store in ``DATA_DIR/bot.sqlite3`` (the default);
* **postgres-2**: ``--workers 2``, ``DATABASE_URL`` a fresh database on a PostgreSQL server
  (``TEST_DATABASE_URL``'s, else one started by ``tests/pgserver.py`` and stopped after):
  de-duplication and drafts in the database, one leader.

A burst is 100 signed ``/magister`` slash commands and 100 ``app_mention`` events (each a
claim in the store), 200 requests released at once on fresh connections
(:class:`bench_cold.Driver`). Each app gets one burst to warm up, then ``--rounds`` bursts
(default 3) in turn with the other app, so that a busy moment of the shared machine falls on
both alike. Per app it prints, over the measured bursts: ack (HTTP answer) p50 / p99 / max,
non-200 answers, acks past Slack's 3 s, throughput (requests acknowledged per second of the
burst, median over the rounds), and the follow-ups (every command's ``response_url`` post
and every mention's reply): the median time to the last one, replies per second, missing.
The full DUO directory and the fixture consent list are used when ``../shared`` exists.

Loopback only; every wait is bounded; the servers are stopped at the end.
"""
from __future__ import annotations

import argparse
import secrets
import shlex
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

import bench_cold  # noqa: E402
from bench_cold import Burst, Served, _clean_env, _free_port, _p, _prepare, _web_command  # noqa: E402

SIZE = 100
"""Slash commands, and as many mentions, in one burst: 200 requests at once."""


def _database(server_url: str) -> str:
    """A fresh database on the server at ``server_url``; its URL."""
    import psycopg

    name = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _workers(argv: list[str], n: int) -> list[str]:
    argv = list(argv)
    argv[argv.index("--workers") + 1] = str(n)
    return argv


def _summary(name: str, bursts: list[Burst]) -> str:
    acks = [a for b in bursts for a in b.acks]
    statuses = [s for b in bursts for s in b.statuses]
    non200 = sum(1 for s in statuses if s != 200)
    late = sum(1 for a in acks if a > bench_cold.ACK_LIMIT)
    rate = statistics.median(len(b.acks) / max(b.acks) for b in bursts)
    lasts = [b.last_follow_up for b in bursts if b.last_follow_up is not None]
    missing = sum(b.missing for b in bursts)
    last = statistics.median(lasts) if lasts else None
    replies = f"{len(bursts[0].acks) / last:6.0f}/s" if last else "     -  "
    return (f"{name:11} ack p50 {_p(acks, .5) * 1000:6.0f} ms  p99 {_p(acks, .99) * 1000:6.0f} ms  "
            f"max {max(acks) * 1000:6.0f} ms | non-200 {non200:3} | >3 s {late:3} | {rate:5.0f} acks/s | "
            f"last reply {f'{last:5.2f} s' if last else '   -   '} ({replies}), missing {missing}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="measured bursts per app (default 3)")
    args = ap.parse_args()

    import os

    import pgserver
    from conftest import BOT_TOKEN, SIGNING_SECRET, FakeSlack, sign

    server = None
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        server = pgserver.start()  # raises pgserver.Unavailable, naming why
        url = server.url
    fake = FakeSlack()
    apps: list[Served] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
            schools = Path(tmp) / "schools"
            schools.mkdir()
            bot_env, what = _prepare(schools)
            if (schools / "schools.csv").exists():
                bot_env["DIRECTORY_PATH"] = str(schools / "schools.csv")
            base = {**_clean_env(), **bot_env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": fake.url, "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"}
            print(f"bot: {what}; a burst is {SIZE} slash commands + {SIZE} mentions at once; one warm-up burst, "
                  f"then {args.rounds} measured, in turn")
            for name, workers, extra in (("sqlite-1", 1, {}), ("postgres-2", 2, {"DATABASE_URL": _database(url)})):
                port = _free_port()
                data = Path(tmp) / name
                data.mkdir()
                env = {**base, **extra, "DATA_DIR": str(data), "PORT": str(port)}
                app = Served(name, _workers(_web_command(port, None), workers), env, port, fake, sign,
                             SIGNING_SECRET, Path(tmp) / f"{name}.log", size=SIZE)
                apps.append(app)
                app.cold = app.burst("warm-up")
            for _ in range(args.rounds):
                for app in apps:
                    app.warm.append(app.burst("measured"))
    finally:
        for app in apps:
            app.stop()
        fake.close()
        if server is not None:
            server.stop()
    for app in apps:
        print(f"{app.name}: {shlex.join(app.argv)}")
    print()
    for app in apps:
        print(_summary(app.name, app.warm))


if __name__ == "__main__":
    main()
