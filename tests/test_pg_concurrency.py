"""Several processes on one database: de-duplication, one open request per school, migrations
and the leader, with real child processes (``python -c``) on a real SQLite file and a real
PostgreSQL database (tests/conftest.py). Children start, open their store and say ``ready``;
the test releases them together with one line on their standard input, so their writes
overlap. Nothing is proved by sleeping: the leader test waits on an event with a timeout.
"""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.leader import Leader
from bot.store import SCHEMA_VERSION, Store, StoreError

ROOT = Path(__file__).resolve().parents[1]


def spawn(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def together(code: str, location, n: int = 2, timeout: float = 120) -> list:
    """Run ``code`` in ``n`` children on ``location``, released at once; their JSON results."""
    children = [spawn(code, str(location), str(i)) for i in range(n)]
    try:
        for p in children:
            line = p.stdout.readline()
            assert line.strip() == "ready", (line, p.stderr.read())
        for p in children:  # release them together
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in children:
            out, err = p.communicate(timeout=timeout)
            assert p.returncode == 0, err
            results.append(json.loads(out))
        return results
    finally:
        for p in children:
            if p.poll() is None:
                p.kill()
                p.wait()


CLAIMS = r"""
import json, sys
from bot.store import Store
s = Store(sys.argv[1])
keys = [f"event:Ev{i:04d}" for i in range(300)]
if sys.argv[2] == "1":
    keys.reverse()          # the other end first: the two meet in the middle
print("ready", flush=True)
sys.stdin.readline()
won = [k for k in keys if s.claim(k, f"msg:C1:{k}")]
print(json.dumps(won))
"""


def test_two_processes_claiming_the_same_keys_at_once_win_each_exactly_once(db_location):
    Store(db_location).close()  # created and migrated before the race
    a, b = together(CLAIMS, db_location)
    if "postgresql" in str(db_location):
        assert a and b  # both won some: they really overlapped (SQLite's busy wait may let one win all)
    assert sorted(a + b) == [f"event:Ev{i:04d}" for i in range(300)]
    assert not set(a) & set(b)


REQUESTS = r"""
import json, sys
from bot.store import Store
s = Store(sys.argv[1])
me = sys.argv[2]
print("ready", flush=True)
sys.stdin.readline()
out = []
for i in range(25):
    name = f"School {i} College" if me == "0" else f"het school {i} college"   # one school, two spellings
    r, created = s.open_request(name, requested_by=f"U{me}")
    out.append([r.id, created])
print(json.dumps(out))
"""


def test_two_processes_opening_a_request_for_the_same_school_at_once_make_one(db_location):
    Store(db_location).close()
    a, b = together(REQUESTS, db_location)
    for (id_a, new_a), (id_b, new_b) in zip(a, b):
        assert id_a == id_b and new_a != new_b  # one made it, the other found it
    with Store(db_location) as s:
        assert len(s.open_requests()) == 25


MIGRATE = r"""
import json, sys
from bot.store import Store
print("ready", flush=True)
sys.stdin.readline()
s = Store(sys.argv[1])      # both open a fresh database at once: both migrate it, once
print(json.dumps(s.schema_version()))
"""


def test_two_processes_migrating_a_fresh_database_at_once(db_location):
    assert together(MIGRATE, db_location) == [SCHEMA_VERSION, SCHEMA_VERSION]
    with Store(db_location) as s:
        assert s.schema_version() == SCHEMA_VERSION and s.list_requests() == []


# -- the leader ------------------------------------------------------------------------------
LEADER = r"""
import sys, time
from bot.leader import Leader
from bot.store import Store
leader = Leader(Store(sys.argv[1]), retry_s=0.2).start()
print("leader" if leader.wait(10) else "not leader", flush=True)
time.sleep(600)   # stands for a worker serving; the test kills it
"""


def test_a_dead_leaders_lock_goes_to_another_process_within_its_retry_interval(pg_url):
    a = spawn(LEADER, pg_url)
    b = None
    try:
        assert a.stdout.readline().strip() == "leader", a.stderr.read()
        changes = []
        b = Leader(Store(pg_url), retry_s=0.2, on_change=changes.append).start()
        assert b.attempt() is False and not b.is_leader  # A holds the lock
        a.send_signal(signal.SIGKILL)
        a.wait(10)
        assert b.wait(timeout=10), "B did not take over after A died"
        assert changes == [True]
    finally:
        if a.poll() is None:
            a.kill()
            a.wait()
        if b is not None:
            b.stop()
            b.store.close()


def test_a_stopped_leader_hands_over_and_a_leader_that_loses_its_connection_stops_leading(pg_url):
    import psycopg

    with Store(pg_url) as sa, Store(pg_url) as sb:
        lost = []
        a = Leader(sa, retry_s=0.2, on_change=lost.append).start()
        b = Leader(sb, retry_s=0.2).start()
        try:
            assert a.is_leader and not b.is_leader
            # the server ends A's session (as a restart or a network cut would)
            with psycopg.connect(pg_url, autocommit=True) as admin:
                ended = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                                      " AND objid = %s AND granted", (a.key & 0xFFFFFFFF,)).fetchall()
            assert ended == [(True,)]
            assert b.wait(timeout=10)
            a.attempt()  # A's next check finds its connection gone: it no longer leads
            assert not a.is_leader and lost == [True, False]
            b.stop()
            assert a.wait(timeout=10)  # and takes over again when B lets go
        finally:
            a.stop()
            b.stop()
        assert not a.is_leader


def test_with_sqlite_the_one_process_always_leads(tmp_path):
    with Store(tmp_path / "bot.sqlite3") as s:
        changes = []
        with Leader(s, on_change=changes.append) as leader:
            assert leader.is_leader and leader.wait(0) and leader.attempt()
        assert not leader.is_leader and changes == [True, False]


# -- PostgreSQL URLs and faults ---------------------------------------------------------------
def test_heroku_style_postgres_urls_are_taken(pg_url):
    heroku = "postgres://" + pg_url.split("://", 1)[1]
    with Store(heroku) as s:
        assert s.dialect == "postgresql" and s.schema_version() == SCHEMA_VERSION
        assert s.name.startswith("postgres://postgres@127.0.0.1:")
        s.open_request("Cals College", requested_by="U1")
        with Store(s.path) as again, s.reopen() as third:  # as a forked worker reopens it
            assert [r.school_name for r in again.open_requests()] == ["Cals College"] == \
                [r.school_name for r in third.open_requests()]


def test_an_unreachable_server_is_a_store_error_without_the_password(tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreError) as e:
        Store(f"postgresql://bot:s3cr3t-pw@127.0.0.1:{port}/bot")
    message = str(e.value)
    assert e.value.kind == "cantopen" and "s3cr3t-pw" not in message and "\n" not in message
    assert message.startswith(f"store postgresql://bot@127.0.0.1:{port}/bot: cannot ")


def test_a_missing_database_and_a_read_only_one_are_store_errors(pg_url):
    import psycopg

    with pytest.raises(StoreError) as e:
        Store(pg_url.rsplit("/", 1)[0] + "/no_such_database")
    assert e.value.kind == "cantopen" and "does not exist" in str(e.value)
    with Store(pg_url) as s:
        s.open_request("Cals College", requested_by="U1")
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    with Store(pg_url) as s:  # reads work, writes give one line and change nothing
        assert [r.school_name for r in s.open_requests()] == ["Cals College"]
        with pytest.raises(StoreError) as e:
            s.open_request("Vossius Gymnasium")
        assert e.value.kind == "readonly" and "cannot record the request" in str(e.value)
        assert len(s.list_requests()) == 1
