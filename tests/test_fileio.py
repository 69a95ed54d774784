"""bot/fileio.py: atomic replacement keeps a file's permissions and leaves no temporary files."""
import os
import stat

import pytest

from bot.fileio import atomic_write, atomic_write_files


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path):
    old = tmp_path / "faq.yaml"
    old.write_bytes(b"old")
    os.chmod(old, 0o640)
    atomic_write(old, b"new")
    assert old.read_bytes() == b"new" and _mode(old) == 0o640
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "sub" / "model.npz", b"x")  # not 0600, as mkstemp alone would give
    finally:
        os.umask(umask)
    assert _mode(tmp_path / "sub" / "model.npz") == 0o644
    assert [p.name for p in tmp_path.rglob(".*.tmp")] == []


def test_several_files_are_all_written_or_a_failure_leaves_the_unrenamed_ones_as_they_were(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_bytes(b"a0")
    b.write_bytes(b"b0")
    assert atomic_write_files({a: b"a1", b: b"b1"}) == (a, b)
    assert (a.read_bytes(), b.read_bytes()) == (b"a1", b"b1")
    with pytest.raises(OSError):
        atomic_write_files({a: b"a2", tmp_path / "missing" / "c.yaml": b"c"})
    assert a.read_bytes() == b"a1"  # staged first, so nothing was renamed
    assert [p.name for p in tmp_path.rglob(".*.tmp")] == []
