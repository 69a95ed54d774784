"""A throwaway PostgreSQL server on 127.0.0.1 for the tests (Debian's ``postgresql`` package).

``.ci/run`` starts one before pytest and exports ``TEST_DATABASE_URL``; without that variable
the ``pg_server`` fixture (tests/conftest.py) starts one itself the same way, and when no
PostgreSQL can be started the tests that need it are skipped, naming the reason.

The server: ``initdb`` and ``pg_ctl`` from ``/usr/lib/postgresql/<newest>/bin`` (else
``pg_ctl`` on ``PATH``), run as the ``postgres`` user when we are root (PostgreSQL refuses to
run as root), in a fresh temporary directory, ``trust`` authentication, listening on
127.0.0.1 only at a free port, durability off (``fsync=off``: a test database need not survive
a power cut). About a second to start. Stopped with ``pg_ctl stop -m immediate`` and its
directory removed.

Command line (for .ci/run)::

    python tests/pgserver.py start      # prints: TEST_DATABASE_URL=… and PGTEST_DIR=…
    python tests/pgserver.py stop DIR
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "listen_addresses=127.0.0.1",
            "max_connections=300", "shared_buffers=32MB")


class Unavailable(Exception):
    """No PostgreSQL server can be started here; ``str(e)`` says why in one line."""


@dataclass
class Server:
    """A running server: ``url`` of its ``postgres`` database (user ``postgres``, no
    password), ``root`` the temporary directory holding its data, log and socket."""

    url: str
    root: Path
    bin_dir: Path
    user: str | None

    def stop(self) -> None:
        """Stop the server at once and remove its directory."""
        stop(self.root)


def bin_dir() -> Path | None:
    """The directory with ``initdb`` and ``pg_ctl``: Debian's newest version, else ``PATH``'s."""
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if versions:
        return Path(versions[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], user: str | None, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, user=user, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})


def start() -> Server:
    """Initialise and start a server; raises :class:`Unavailable` when it cannot."""
    bins = bin_dir()
    if bins is None:
        raise Unavailable("no PostgreSQL here (pg_ctl not found; apt-get install -y postgresql)")
    user = None
    if os.geteuid() == 0:
        import pwd

        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root and there is no 'postgres' user to run PostgreSQL as") from None
        user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="pgtest-"))
    if user:
        os.chown(root, pw.pw_uid, pw.pw_gid)
    init = _run([str(bins / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--no-sync", "--no-instructions"], user, root)
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise Unavailable(f"initdb failed: {(init.stderr or init.stdout).strip().splitlines()[-1:]}")
    for _ in range(5):  # another process may take the free port before the server binds it
        port = _free_port()
        options = " ".join(f"-c {s}" for s in SETTINGS) + f" -p {port} -k {root}"
        up = _run([str(bins / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"), "-w", "-t", "60",
                   "-o", options, "start"], user, root)
        if up.returncode == 0:
            return Server(f"postgresql://postgres@127.0.0.1:{port}/postgres", root, bins, user)
    log = (root / "log").read_text(errors="replace").strip().splitlines()[-1:] if (root / "log").exists() else []
    shutil.rmtree(root, ignore_errors=True)
    raise Unavailable(f"pg_ctl start failed: {(up.stderr or up.stdout).strip()[:200]} {log}")


def stop(root: Path | str) -> None:
    """Stop the server in ``root`` (``-m immediate``) and remove ``root``; quiet when it is gone."""
    root = Path(root)
    bins = bin_dir()
    if bins is not None and (root / "data" / "postmaster.pid").exists():
        user = "postgres" if os.geteuid() == 0 else None
        _run([str(bins / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "-w", "stop"], user, root)
    shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"]:
        try:
            server = start()
        except Unavailable as e:
            print(f"pgserver: {e}", file=sys.stderr)
            return 1
        print(f"TEST_DATABASE_URL={server.url}")
        print(f"PGTEST_DIR={server.root}")
        return 0
    if argv[:1] == ["stop"] and len(argv) == 2:
        stop(argv[1])
        return 0
    print("usage: pgserver.py start | stop DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
