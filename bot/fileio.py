"""Writing files so that a reader, a crash or a kill sees the old content or the new, never a mix.

Used by the consent list's cache and status (:mod:`bot.consent_source`), the school
directory (:mod:`bot.directory`), the FAQ model's cache (:mod:`bot.faq`) and the knowledge
base's editor (:mod:`bot.kbedit`).
"""
from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a reader (or a crash, or a kill) sees the old
    file or the new one, never a mix (:func:`atomic_write_files` of one file). Creates the
    folder. Raises :class:`OSError`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_files({path: data})


def atomic_write_files(files: Mapping[Path, bytes]) -> tuple[Path, ...]:
    """Replace each path with its bytes: every file is first written in full to a temporary
    file beside it (fsynced, with the permissions of the file it replaces, or 0666 less the
    umask for a new one), then each is renamed over its target in turn (``os.replace``) and
    the folders are fsynced. Atomic per file, not across files. Returns the paths. Raises
    :class:`OSError`; a file not yet renamed when that happens is left as it was."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            _sweep(path)
            staged.append((_stage(path, data), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            _unlink(tmp)
        raise
    for folder in {path.parent for _, path in staged}:
        _fsync_dir(folder)
    return tuple(path for _, path in staged)


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` to a temporary file beside ``path`` with ``path``'s permissions,
    fsynced; returns its name."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows: no directory fsync
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _unlink(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _sweep(path: Path, older_than: float = 3600.0) -> None:
    """Remove temporary files a killed writer left beside ``path`` (only old ones: a young one
    may be another process's write in progress)."""
    now = time.time()
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if now - tmp.stat().st_mtime > older_than:
                tmp.unlink()
        except OSError:
            pass
