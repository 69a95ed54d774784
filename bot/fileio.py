"""Writing a file so that a reader, a crash or a kill sees the old content or the new, never a mix.

Used by the consent list's cache and status (:mod:`bot.consent_source`), the school
directory (:mod:`bot.directory`) and the FAQ model's cache (:mod:`bot.faq`).
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a reader (or a crash, or a kill) sees the old
    file or the new one, never a mix: write a temporary file beside it, fsync, rename over
    it (``os.replace``), fsync the folder. Creates the folder. Raises :class:`OSError`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows: no directory fsync
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


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
