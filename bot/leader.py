"""One leader among the bot's processes, for the jobs exactly one should run.

The background consent-list refresh, the reminder sweep, retention and announcements must run
in one process, however many workers serve Slack. :class:`Leader` elects it:

* PostgreSQL: ``pg_try_advisory_lock(key)`` on a connection of its own, held for the life of
  the process (never one from the store's pool: the lock lives as long as the session). Who
  gets the lock leads; the others try again every ``retry_s`` seconds. When the leader dies,
  its connection drops and PostgreSQL releases the lock, so another worker takes over within
  ``retry_s`` (TCP keepalives bound the wait to about 30 s more when the leader's machine
  vanishes without closing the connection). A leader checks its connection every ``retry_s``
  too, and gives up leadership when it is gone (the lock went with it).
* SQLite: one process serves, so it always leads (the command line next to it runs no jobs).

A job checks :attr:`Leader.is_leader` each time it is due, so the lost leader of a network
split stops within ``retry_s`` of noticing. Advisory locks are per database: every worker of
one bot must use the same database and the same ``name``. They need a direct connection (a
PgBouncer in transaction mode does not keep a session's lock).
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Callable

from . import db
from .store import BUSY_TIMEOUT_S, Store

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

DEFAULT_RETRY_S = 15.0
"""Seconds between a follower's attempts to take the lock (and the leader's connection checks):
a dead leader is replaced within this (the issue asks for within a minute)."""


class Leader:
    """Whether this process leads the background jobs of the bot on ``store``'s database.

    ``name`` names the lock (one per kind of job group; all workers use the same);
    ``retry_s`` seconds between attempts and checks; ``on_change(is_leader)`` is called on the
    election thread when this process becomes leader (``True``) or stops being one
    (``False``), its exceptions logged. :meth:`start` makes the first attempt before it
    returns and starts a daemon thread for the rest; :meth:`stop` (or leaving the ``with``
    block) releases the lock. Never raises for a database fault: it is logged, and tried again.
    """

    def __init__(self, store: Store, name: str = "background-jobs", *, retry_s: float = DEFAULT_RETRY_S,
                 on_change: Callable[[bool], None] | None = None):
        self.store = store
        self.name = name
        self.key = db.advisory_key(f"leader:{name}")
        self.retry_s = retry_s
        self.on_change = on_change
        self._elected = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one attempt at a time; stop() waits for one under way
        self._thread: threading.Thread | None = None
        self._started = False
        self._engine = None
        self._conn: Connection | None = None
        self._failing = False

    @property
    def is_leader(self) -> bool:
        """``True`` while this process holds the leadership."""
        return self._elected.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until this process is leader, at most ``timeout`` seconds; ``is_leader`` then."""
        return self._elected.wait(timeout)

    def start(self) -> "Leader":
        """Try once now, then keep trying (and checking) every ``retry_s`` on a daemon thread.
        Returns ``self``. A second call does nothing."""
        if self._started or self._stop.is_set():
            return self
        self._started = True
        if self.store.dialect == "sqlite":
            self._set(True)
            return self
        self.attempt()
        self._thread = threading.Thread(target=self._run, name=f"leader-{self.name}", daemon=True)
        self._thread.start()
        return self

    def attempt(self) -> bool:
        """One round now: a follower tries to take the lock, a leader checks that its
        connection (and so its lock) is still there. Returns :attr:`is_leader` after it."""
        with self._lock:
            if self._stop.is_set():
                return False
            if self.store.dialect == "sqlite":
                return self.is_leader
            try:
                if self._conn is None:
                    self._connect()
                if self.is_leader:
                    self._conn.exec_driver_sql("SELECT 1")
                else:
                    from sqlalchemy import text

                    got = self._conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
                    if got:
                        log.info("leader %r: this process (%s) leads now", self.name, self.store.name)
                        self._set(True)
            except Exception as e:  # noqa: BLE001 - any fault of the connection: it and the lock are gone
                self._lost(e)
            else:
                self._failing = False
            return self.is_leader

    def stop(self) -> None:
        """Stop trying, release the lock (closing the connection) and stop leading."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.retry_s + 5)
        with self._lock:
            self._close()
            self._set(False)

    def __enter__(self) -> "Leader":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- inside ---------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.wait(self.retry_s):
            self.attempt()

    def _connect(self) -> None:
        if self._engine is None:
            self._engine = db.postgres_engine(str(self.store.path), lock_timeout_s=BUSY_TIMEOUT_S, pool=False,
                                              keepalive=True)
        self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _lost(self, error: Exception) -> None:
        _, why = db.fault(error, secret=db.password_of(str(self.store.path)))
        if self.is_leader:
            log.error("leader %r: lost the connection to %s (%s); no longer leading", self.name, self.store.name, why)
        elif not self._failing:
            log.warning("leader %r: cannot reach %s (%s); trying again every %g s", self.name, self.store.name, why,
                        self.retry_s)
        self._failing = True
        self._close()
        self._set(False)

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()  # ends the session: PostgreSQL releases its advisory locks
            except Exception:  # noqa: BLE001 - already broken
                pass
        if self._stop.is_set() and self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _set(self, leading: bool) -> None:
        if leading == self.is_leader:
            return
        if leading:
            self._elected.set()
        else:
            self._elected.clear()
        if self.on_change is not None:
            try:
                self.on_change(leading)
            except Exception:  # noqa: BLE001 - a callback must not stop the election
                log.exception("leader %r: on_change(%s) failed", self.name, leading)
