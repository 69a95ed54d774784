"""The last good list on disk (bot/consent_source.py): atomic saves, a process killed while
saving, leftovers of such a kill, and a cache file read back as a list."""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bot.consent_source import CACHE_FILE, CachedList, ConsentSource, read_list
from bot.fileio import atomic_write

ROOT = Path(__file__).resolve().parents[1]
URL = "https://lists.example.nl/consent.csv?key=secret"
OLD = "naam;host\nCals College;cals\nVossius Gymnasium;vossius\n"

# Saves one big list (so that the write takes a while) after saying it is about to.
CHILD = r"""
import sys
from datetime import datetime, timezone
from pathlib import Path
from bot.consent_source import CachedList
from bot.fileio import atomic_write
rows = "Nieuwe School;nieuw\n" * int(sys.argv[3])
entry = CachedList(sys.argv[2], datetime.now(timezone.utc), "naam;host\n" + rows, "csv", sha256="new")
data = entry.to_bytes()
print("saving", flush=True)
atomic_write(Path(sys.argv[1]), data)
print("saved", flush=True)
"""


def save_old(data_dir: Path) -> bytes:
    entry = CachedList(URL, datetime(2026, 11, 1, tzinfo=timezone.utc), OLD, "csv", '"v1"', "", "old")
    atomic_write(data_dir / CACHE_FILE, entry.to_bytes())
    return (data_dir / CACHE_FILE).read_bytes()


def test_a_process_killed_while_saving_leaves_the_previous_list_intact(tmp_path):
    before = save_old(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # About 150 MB: the write takes long enough for the kill to land in the middle of it.
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path / CACHE_FILE), URL, "8000000"],
                             stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert child.stdout.readline().strip() == "saving"
        for _ in range(10_000):  # until the temporary file is there: the write has begun
            if list(tmp_path.glob(f".{CACHE_FILE}.*.tmp")):
                break
            time.sleep(0.001)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    leftovers = list(tmp_path.glob(f".{CACHE_FILE}.*.tmp"))
    assert leftovers, "the kill came after the save: nothing was tested"
    assert (tmp_path / CACHE_FILE).read_bytes() == before
    # The bot starts from the previous list, and the leftover does not disturb it.
    src = ConsentSource(url=URL, data_dir=tmp_path)
    consent = src.start(fetch_missing=False)
    assert [s.name for s in consent.schools] == ["Cals College", "Vossius Gymnasium"] and consent.error == ""
    assert consent.source == "https://lists.example.nl/consent.csv"  # the key stays out of replies
    # A later save sweeps leftovers old enough to belong to no writer still at work.
    old = time.time() - 7200
    for f in leftovers:
        os.utime(f, (old, old))
    save_old(tmp_path)
    assert not list(tmp_path.glob(f".{CACHE_FILE}.*.tmp"))


def test_a_completed_save_is_whole(tmp_path):
    save_old(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / CACHE_FILE), URL, "1000"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.stdout.split() == ["saving", "saved"]
    entry = CachedList.read(tmp_path / CACHE_FILE)
    assert entry.sha256 == "new" and entry.text.count("\n") == 1001


def test_a_cache_file_reads_as_a_list(tmp_path):
    save_old(tmp_path)
    consent = read_list(tmp_path / CACHE_FILE)
    assert [s.host for s in consent.schools] == ["cals.magister.net", "vossius.magister.net"]
    assert "secret" not in consent.source


def test_atomic_write_creates_the_folder_and_replaces(tmp_path):
    target = tmp_path / "a" / "b" / "x.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two" and os.listdir(target.parent) == ["x.json"]
