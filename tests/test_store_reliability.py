"""The store under faults: a process killed mid-write (SIGKILL), a read-only file or
directory, a full disk. Real processes, real permissions and file-size limits, no mocks.

Permissions do not bind root, so when the tests run as root the faulty side runs in a
forked child that drops to the ``nobody`` user first.
"""
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bot.store import Store, StoreError

ROOT = Path(__file__).resolve().parents[1]
try:
    import pwd

    NOBODY = pwd.getpwnam("nobody").pw_uid
except (ImportError, KeyError):
    NOBODY = 65534


def integrity(path: Path) -> str:
    c = sqlite3.connect(path)
    try:
        return c.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        c.close()


def child(path: Path, code: str) -> subprocess.Popen:
    """``python -c code path`` with the project importable, stdout a pipe (line-buffered)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# -- killed mid-write ------------------------------------------------------------------------
LONG_TRANSACTION = r"""
import sys, time
from bot.store import Store
s = Store(sys.argv[1])
for i in range(20):
    s.log_question(f"committed {i}", "answered", entry_id="deadline")
print("committed", flush=True)
with s._write("test: one long transaction") as c:   # the store's own write path
    for i in range(10_000):
        c.exec_driver_sql("INSERT INTO questions (asked_at, text, status) VALUES (datetime('now'), ?, 'no_match')",
                          (f"uncommitted {i} " + "x" * 65536,))
        if i == 80:   # ~5 MB: far beyond the page cache, so pages spill into the WAL
            print("writing", flush=True)
            time.sleep(60)
"""


def test_kill_in_the_middle_of_a_long_write_keeps_the_committed_rows(tmp_path):
    path = tmp_path / "bot.sqlite3"
    p = child(path, LONG_TRANSACTION)
    try:
        assert p.stdout.readline().strip() == "committed", p.stderr.read()
        assert p.stdout.readline().strip() == "writing", p.stderr.read()
        wal = Path(f"{path}-wal")
        assert wal.stat().st_size > 1_000_000  # the uncommitted transaction is on disk
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(10)
    assert p.returncode == -signal.SIGKILL
    assert integrity(path) == "ok"
    with Store(path) as s:
        texts = [q.text for q in s.questions()]
        assert texts == [f"committed {i}" for i in range(20)]
        s.log_question("after the crash", "no_match")  # usable again
        s.open_request("Cals College", requested_by="U1")
        assert len(s.questions()) == 21 and len(s.list_requests()) == 1
    assert integrity(path) == "ok"


COMMIT_STREAM = r"""
import sys
from bot.store import Store
s = Store(sys.argv[1])
i = 0
while True:
    print(s.log_question(f"q {i}", "no_match"), flush=True)
    if i % 7 == 0:
        s.open_request(f"School {i} College", requested_by="U1")
    i += 1
"""


def test_kill_during_a_stream_of_commits_loses_no_committed_row(tmp_path):
    path = tmp_path / "bot.sqlite3"
    p = child(path, COMMIT_STREAM)
    reported = []
    try:
        while len(reported) < 300:
            line = p.stdout.readline()
            assert line, p.stderr.read()
            reported.append(int(line))
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(10)
    assert integrity(path) == "ok"
    with Store(path) as s:
        ids = {q.id for q in s.questions()}
        assert set(reported) <= ids  # every commit the child saw succeed is there
        s.log_question("after the crash", "no_match")


# -- read-only file or directory, full disk ---------------------------------------------------
@pytest.fixture()
def shared_dir():
    """A directory other users can reach (pytest's tmp_path is private to its owner)."""
    d = Path(tempfile.mkdtemp(prefix="store-test-"))
    d.chmod(0o755)
    yield d
    for p in [d, *d.rglob("*")]:
        p.chmod(0o777 if p.is_dir() else 0o666)
    shutil.rmtree(d)


def in_child(fn, as_nobody: bool = True) -> dict:
    """Run ``fn() -> dict`` in a forked child (as ``nobody`` when we are root and
    ``as_nobody``); its result (or the repr of what it raised, under ``"crash"``) comes back
    over a pipe."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(r)
        try:
            if as_nobody and os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
        except OSError as e:
            result = {"skip": f"cannot drop root here: {e}"}
        else:
            try:
                result = fn()
            except BaseException as e:  # noqa: BLE001 - reported to the parent
                result = {"crash": repr(e)}
        os.write(w, json.dumps(result).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    result = json.loads(data or b'{"crash": "child died"}')
    if "skip" in result:
        pytest.skip(result["skip"])
    return result


def _fault(fn) -> dict:
    try:
        fn()
    except StoreError as e:
        return {"kind": e.kind, "message": str(e)}
    return {"kind": None}


def test_read_only_directory_without_a_database(shared_dir):
    data = shared_dir / "data"
    data.mkdir()
    data.chmod(0o555)
    got = in_child(lambda: _fault(lambda: Store(data / "bot.sqlite3")))
    assert got.get("kind") in ("readonly", "cantopen"), got
    assert str(data / "bot.sqlite3") in got["message"] and "\n" not in got["message"]


def test_read_only_directory_and_file_with_a_database(shared_dir):
    path = shared_dir / "bot.sqlite3"
    with Store(path) as s:
        s.open_request("Cals College", requested_by="U1")
    path.chmod(0o444)
    shared_dir.chmod(0o555)
    got = in_child(lambda: _fault(lambda: Store(path)))
    assert got.get("kind") == "readonly", got
    assert "read-only" in got["message"]


def test_read_only_file_reads_work_and_writes_give_store_error(shared_dir):
    path = shared_dir / "bot.sqlite3"
    with Store(path) as s:
        s.open_request("Cals College", requested_by="U1")
        s.log_question("wat is de deadline", "answered", entry_id="deadline")
    path.chmod(0o444)
    shared_dir.chmod(0o777)  # the directory stays writable: SQLite may make its -wal and -shm

    def attempt():
        s = Store(path)
        before = [r.school_name for r in s.open_requests()]
        write = _fault(lambda: s.open_request("Vossius Gymnasium", requested_by="U2"))
        log = _fault(lambda: s.log_question("nog een vraag", "no_match"))
        after = [r.school_name for r in s.list_requests()]
        return {"before": before, "write": write, "log": log, "after": after, "questions": len(s.questions())}

    got = in_child(attempt)
    assert got.get("before") == ["Cals College"], got
    assert got["write"]["kind"] == "readonly" and got["log"]["kind"] == "readonly"
    assert "cannot record the request" in got["write"]["message"]
    assert got["after"] == ["Cals College"] and got["questions"] == 1  # still reading, nothing half-written
    path.chmod(0o644)
    assert integrity(path) == "ok"


def test_disk_full_gives_store_error_and_the_store_recovers(tmp_path):
    """A file-size limit (RLIMIT_FSIZE) makes the OS refuse writes, as a full disk does."""
    path = tmp_path / "bot.sqlite3"
    with Store(path) as s:
        s.open_request("Cals College", requested_by="U1")

    def fill():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG from write() instead of dying
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        s = Store(path)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, hard))
        logged, fault = 0, None
        for i in range(10_000):
            try:
                s.log_question(f"vraag {i} " + "x" * 900, "no_match")
                logged += 1
            except StoreError as e:
                fault = {"kind": e.kind, "message": str(e)}
                break
        reads = [r.school_name for r in s.open_requests()]
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again
        s.log_question("na het opruimen", "no_match")
        return {"logged": logged, "fault": fault, "reads": reads, "total": len(s.questions())}

    got = in_child(fill, as_nobody=False)  # a file-size limit binds root too
    assert got.get("fault") and got["fault"]["kind"] in ("full", "io"), got
    assert "disk" in got["fault"]["message"]
    assert got["logged"] > 10 and got["reads"] == ["Cals College"]
    assert got["total"] == got["logged"] + 1  # the failed write left nothing behind
    assert integrity(path) == "ok"


TMPFS_FILL = r"""
import json, sys
from bot.store import Store, StoreError
s = Store(sys.argv[1])
try:
    for i in range(100_000):
        s.log_question(f"vraag {i} " + "x" * 900, "no_match")
except StoreError as e:
    print(json.dumps({"kind": e.kind, "message": str(e), "logged": i, "total": len(s.questions())}))
"""


def test_a_really_full_disk_on_a_tiny_tmpfs(tmp_path):
    """SQLITE_FULL from a real file system that runs out of space (needs root to mount)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("mounting a tmpfs needs root and unshare")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = (f"mount -t tmpfs -o size=256k tmpfs {mnt} && "
              f"exec {sys.executable} -c '{TMPFS_FILL}' {mnt}/bot.sqlite3")
    p = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    if p.returncode != 0 and "Traceback" not in p.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {p.stderr.strip()[:100]}")
    got = json.loads(p.stdout)
    assert got["kind"] == "full" and "the disk is full" in got["message"], got
    assert got["total"] == got["logged"] > 10
