"""The bot's own state in SQLite: requests to schools and the question log.

``Store(path)`` opens (or creates) ``DATA_DIR/bot.sqlite3``, switches it to WAL, and applies
the :data:`MIGRATIONS` it has not seen yet (the schema version is ``PRAGMA user_version``).
One connection serves every thread behind a lock: SQLite writes one transaction at a time
anyway, and a lock cannot deadlock on ``database is locked`` between our own threads. Other
processes (the command line next to the running bot) wait up to :data:`BUSY_TIMEOUT_S`.

Requests follow one life: ``drafted`` -> ``sent`` -> ``granted`` (a consent-list refresh
shows the school, :meth:`Store.close_granted`) or ``withdrawn``. ``drafted`` and ``sent``
are *open*; there is at most one open request per school (:meth:`Store.open_request`).

Every time is UTC, stored as ISO-8601 text (``2026-11-29T14:05:00+00:00``) and returned as
an aware :class:`~datetime.datetime`; every method where time matters takes ``now``.

Every storage fault (disk full, read-only file or directory, locked, damaged file) raises
:class:`StoreError`, one line naming the file and the cause: the caller logs it, apologises
in one sentence and keeps answering questions. A failed write changes nothing.
"""
from __future__ import annotations

import csv
import errno
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from .config import Settings
from .consentlist import ConsentList, normalize_host
from .drafts import MAX_FIELD_CHARS, MAX_NOTE_CHARS
from .errors import BotError
from .names import identity_key
from .text import clean

DB_FILENAME = "bot.sqlite3"
"""The database's file name inside ``Settings.data_dir``."""
BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another process's write before :class:`StoreError` ("locked")."""
MAX_QUESTION_CHARS = 1000
"""Longest question text kept in the log; longer is cut."""

STATUSES = ("drafted", "sent", "granted", "withdrawn")
OPEN_STATUSES = ("drafted", "sent")
QUESTION_STATUSES = ("answered", "ambiguous", "no_match")
"""The statuses of :class:`bot.faq.Answer`, the only ones the question log takes."""

# Each migration is a list of statements run in one transaction that also sets
# user_version, so a crash mid-migration leaves the previous version intact.
# Never edit a released migration: append a new one.
MIGRATIONS: list[tuple[str, ...]] = [
    (  # 1: requests to schools
        """CREATE TABLE requests (
            id           INTEGER PRIMARY KEY,
            school_name  TEXT NOT NULL,
            host         TEXT NOT NULL DEFAULT '',
            code         TEXT NOT NULL DEFAULT '',
            requested_by TEXT NOT NULL DEFAULT '',
            channel      TEXT NOT NULL DEFAULT '',
            message_ts   TEXT NOT NULL DEFAULT '',
            status       TEXT NOT NULL CHECK (status IN ('drafted', 'sent', 'granted', 'withdrawn')),
            created_at   TEXT NOT NULL,
            sent_at      TEXT,
            granted_at   TEXT,
            reminded_at  TEXT,
            note         TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX requests_status ON requests (status, created_at)",
    ),
    (  # 2: the question log
        """CREATE TABLE questions (
            id           INTEGER PRIMARY KEY,
            asked_at     TEXT NOT NULL,
            channel_type TEXT NOT NULL DEFAULT '',
            user_id      TEXT NOT NULL DEFAULT '',
            text         TEXT NOT NULL,
            status       TEXT NOT NULL CHECK (status IN ('answered', 'ambiguous', 'no_match')),
            entry_id     TEXT,
            score        REAL,
            feedback     INTEGER CHECK (feedback IN (-1, 1))
        )""",
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)

# SQLite's primary result codes (https://sqlite.org/rescode.html) -> (kind, what it means).
_FAULTS = {
    3: ("readonly", "permission denied"),
    5: ("locked", f"the database is busy in another process (waited {BUSY_TIMEOUT_S:g} s)"),
    6: ("locked", "the database is locked"),
    8: ("readonly", "the database is read-only (file or directory not writable)"),
    10: ("io", "disk I/O error (disk full, file too large or failing disk?)"),
    11: ("corrupt", "the database file is damaged"),
    13: ("full", "the disk is full"),
    14: ("cantopen", "cannot open the database file (no permission, or not a directory?)"),
    26: ("corrupt", "the file is not a SQLite database"),
}
_OS_FAULTS = {errno.ENOSPC: "full", errno.EROFS: "readonly", errno.EACCES: "readonly", errno.EPERM: "readonly"}


class StoreError(BotError):
    """The store could not read or write its database.

    ``kind`` is one of ``"full"``, ``"readonly"``, ``"locked"``, ``"io"``, ``"cantopen"``,
    ``"corrupt"``, ``"schema"`` (the file is from a newer bot) or ``"error"``; ``str(e)`` is
    one line: ``"store data/bot.sqlite3: cannot record the request: the disk is full"``.
    """

    def __init__(self, message: str, kind: str = "error"):
        super().__init__(message)
        self.kind = kind


def utc_now() -> datetime:
    """The current time, UTC, aware."""
    return datetime.now(timezone.utc)


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _iso(dt: datetime | None) -> str | None:
    """Aware or naive (taken as UTC) datetime -> ISO-8601 UTC text that sorts as it compares."""
    return None if dt is None else _utc(dt).isoformat(timespec="seconds")


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _cut(value: str | None, limit: int = MAX_FIELD_CHARS) -> str:
    text = clean(value or "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Request:
    """One request to a school's applicatiebeheerder.

    ``school_name`` as the requester named it, ``host`` (``"x.magister.net"``) and ``code``
    (the vestigingscode from the school directory) when known, else ``""``;
    ``requested_by`` a Slack user id; ``channel`` and ``message_ts`` where the draft was
    posted (``""`` when not posted in Slack); ``status`` one of :data:`STATUSES`; times are
    aware UTC datetimes, ``None`` until they happen.
    """

    id: int
    school_name: str
    host: str
    code: str
    requested_by: str
    channel: str
    message_ts: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    granted_at: datetime | None
    reminded_at: datetime | None
    note: str

    @property
    def is_open(self) -> bool:
        """Drafted or sent: not yet granted or withdrawn."""
        return self.status in OPEN_STATUSES

    @property
    def since(self) -> datetime:
        """When the school got the request (``sent_at``), else when it was drafted."""
        return self.sent_at or self.created_at

    def age_days(self, now: datetime | None = None) -> float:
        """Days since :attr:`since` (``now`` default: the current time)."""
        return max((_utc(now or utc_now()) - self.since).total_seconds() / 86400, 0.0)

    def to_json(self) -> dict:
        """Every field in order, times as ISO-8601 text or ``None`` (also the CSV columns)."""
        return {f.name: _iso(v) if isinstance(v := getattr(self, f.name), datetime) else v for f in fields(self)}


@dataclass(frozen=True)
class Question:
    """One logged question: ``asked_at`` (aware UTC), ``channel_type`` (Slack's ``im``,
    ``channel``, ``group``, ``mpim``, or ``slash``/``console``), ``user_id`` (a Slack user id,
    never a name), the ``text``, ``status`` (:data:`QUESTION_STATUSES`), ``entry_id`` (the
    answer or best suggestion) and ``score`` when there was one, ``feedback`` +1/-1/``None``."""

    id: int
    asked_at: datetime
    channel_type: str
    user_id: str
    text: str
    status: str
    entry_id: str | None
    score: float | None
    feedback: int | None


def _request(row: sqlite3.Row) -> Request:
    return Request(row["id"], row["school_name"], row["host"], row["code"], row["requested_by"],
                   row["channel"], row["message_ts"], row["status"], _dt(row["created_at"]),
                   _dt(row["sent_at"]), _dt(row["granted_at"]), _dt(row["reminded_at"]), row["note"])


def _get(c: sqlite3.Connection, request_id: int) -> Request | None:
    row = c.execute("SELECT * FROM requests WHERE id = ?", (request_id,)).fetchone()
    return _request(row) if row else None


def _question(row: sqlite3.Row) -> Question:
    return Question(row["id"], _dt(row["asked_at"]), row["channel_type"], row["user_id"], row["text"],
                    row["status"], row["entry_id"], row["score"], row["feedback"])


def name_key(name: str) -> str:
    """The identity of a school by name (:func:`bot.names.identity_key`, the one the whole bot
    uses): "Het Cals College" = "cals college"; "Cals College" is not "Cals College
    Nieuwegein", nor "Thorbecke VO" "Thorbecke SG"."""
    return identity_key(name)


def _same_school(a: Request, name: str, host: str, code: str) -> bool:
    """Same Magister host when both are known (consent is per host), else the same
    vestigingscode, else the same :func:`name_key`."""
    if a.host and host:
        return a.host == host
    if a.code and code:
        return a.code == code
    return name_key(a.school_name) == name_key(name)


def _school_key(school_name: str, host: str, code: str) -> tuple[str, str, str]:
    """``(name, host, code)`` as stored: name cleaned and cut, host normalised, code upper
    case without spaces. Raises ``ValueError`` for an empty name or a host that is no
    Magister host."""
    name = _cut(school_name)
    if not name:
        raise ValueError("a request needs a school name")
    norm_host = normalize_host(host) if host and host.strip() else ""
    if host and host.strip() and not norm_host:
        raise ValueError(f"{host[:60]!r} is no Magister host")
    return name, norm_host, "".join(clean(code).split()).upper()[:12]


def _find_open(c: sqlite3.Connection, name: str, host: str, code: str) -> Request | None:
    for row in c.execute("SELECT * FROM requests WHERE status IN ('drafted', 'sent') ORDER BY id").fetchall():
        existing = _request(row)
        if _same_school(existing, name, host, code):
            return existing
    return None


def default_path(data_dir: Path | str) -> Path:
    """Where the database lives: ``data_dir / DB_FILENAME``."""
    return Path(data_dir) / DB_FILENAME


class Store:
    """Requests and the question log in one SQLite file; safe to share between threads.

    Opening creates the file and its directory when missing and migrates an older schema.
    Raises :class:`StoreError` when the file cannot be opened, created or migrated, or was
    written by a newer version of the bot (``kind == "schema"``). Use as a context manager
    or call :meth:`close`.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"store {self.path}: cannot create the directory: {e.strerror or e}",
                             _OS_FAULTS.get(e.errno or 0, "io")) from None
        with self._faults("open the database"):
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a write never has
            # to upgrade a read lock (the classic source of "database is locked").
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                         check_same_thread=False)
        try:
            with self._faults("open the database"):
                self._conn.row_factory = sqlite3.Row
                self._conn.execute("PRAGMA journal_mode=WAL")
                # FULL: a commit survives a power cut too, not just a killed process; the bot
                # writes a few rows a minute, so the fsync costs nothing that matters.
                self._conn.execute("PRAGMA synchronous=FULL")
                self._conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    @classmethod
    def from_settings(cls, settings: Settings) -> "Store":
        """The store at ``settings.data_dir / DB_FILENAME``."""
        return cls(default_path(settings.data_dir))

    def close(self) -> None:
        """Close the connection (a later call on this store raises :class:`StoreError`)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------
    @contextmanager
    def _faults(self, action: str) -> Iterator[None]:
        """Turn sqlite3 errors into one-line :class:`StoreError`\\ s naming the file."""
        try:
            yield
        except sqlite3.Error as e:
            code = getattr(e, "sqlite_errorcode", None)
            kind, why = _FAULTS.get(code & 0xFF, ("error", str(e))) if code is not None else ("error", str(e))
            if isinstance(e, sqlite3.ProgrammingError) and "closed" in str(e):
                kind, why = "error", "the store is closed"
            raise StoreError(f"store {self.path}: cannot {action}: {why}", kind) from e

    @contextmanager
    def _read(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock, self._faults(action):
            yield self._conn

    @contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        with self._lock, self._faults(action):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                try:
                    self._conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite already rolled back (e.g. after SQLITE_FULL)
                raise

    def _migrate(self) -> None:
        with self._read("read the schema version") as c:
            version = c.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"store {self.path}: schema version {version} is newer than this bot knows "
                             f"({SCHEMA_VERSION}); update the bot", "schema")
        while version < SCHEMA_VERSION:
            with self._write(f"migrate the schema to version {version + 1}") as c:
                # Another process may have migrated meanwhile: re-read inside the transaction.
                version = c.execute("PRAGMA user_version").fetchone()[0]
                if version >= SCHEMA_VERSION:
                    break
                for statement in MIGRATIONS[version]:
                    c.execute(statement)
                version += 1
                c.execute(f"PRAGMA user_version = {version}")

    def schema_version(self) -> int:
        """The database's schema version (``PRAGMA user_version``)."""
        with self._read("read the schema version") as c:
            return c.execute("PRAGMA user_version").fetchone()[0]

    # -- requests ---------------------------------------------------------------------------
    def open_request(self, school_name: str, *, host: str = "", code: str = "", requested_by: str = "",
                     channel: str = "", note: str = "", now: datetime | None = None) -> tuple[Request, bool]:
        """Record a drafted request for a school, unless one is already open.

        Returns ``(request, True)`` for a new request, or ``(existing, False)`` when an open
        request for the same school exists (same Magister host when both are known, else the
        same vestigingscode, else the same :func:`name_key`); the check and the insert are
        one transaction.
        ``host`` may be any form :func:`~bot.consentlist.normalize_host` takes. Raises
        ``ValueError`` for an empty school name or a ``host`` that is no Magister host, and
        :class:`StoreError`.
        """
        name, norm_host, code = _school_key(school_name, host, code)
        with self._write("record the request") as c:
            existing = _find_open(c, name, norm_host, code)
            if existing is not None:
                return existing, False
            cur = c.execute(
                "INSERT INTO requests (school_name, host, code, requested_by, channel, status, created_at, note)"
                " VALUES (?, ?, ?, ?, ?, 'drafted', ?, ?)",
                (name, norm_host, code, _cut(requested_by, 64), _cut(channel, 64), _iso(now or utc_now()),
                 _cut(note, MAX_NOTE_CHARS)))
            return _get(c, cur.lastrowid), True

    def find_open(self, school_name: str, *, host: str = "", code: str = "") -> Request | None:
        """The open request for the same school as :meth:`open_request` would find (oldest
        first), or ``None``; reads only, so a caller can warn before it posts anything.
        Raises ``ValueError`` like :meth:`open_request`, and :class:`StoreError`."""
        name, norm_host, code = _school_key(school_name, host, code)
        with self._read("look for an open request") as c:
            return _find_open(c, name, norm_host, code)

    def get_request(self, request_id: int) -> Request | None:
        """The request with ``request_id``, or ``None``."""
        with self._read("read the request") as c:
            return _get(c, request_id)

    def mark_sent(self, request_id: int, *, channel: str = "", message_ts: str = "",
                  now: datetime | None = None) -> Request | None:
        """Record that a drafted request went out (posted in ``channel`` at ``message_ts``,
        or mailed). Idempotent: an already sent request keeps its first ``sent_at`` (its
        ``channel``/``message_ts`` are filled in if they were empty). A granted or
        withdrawn request is returned unchanged. ``None`` when there is no such request.
        """
        with self._write("record the request as sent") as c:
            c.execute("UPDATE requests SET status = 'sent', sent_at = ? WHERE id = ? AND status = 'drafted'",
                      (_iso(now or utc_now()), request_id))
            if channel or message_ts:
                c.execute("UPDATE requests SET channel = ?, message_ts = ? WHERE id = ? AND message_ts = ''"
                          " AND status IN ('drafted', 'sent')", (_cut(channel, 64), _cut(message_ts, 64), request_id))
            return _get(c, request_id)

    def withdraw(self, request_id: int) -> Request | None:
        """Withdraw an open request (a closed one is returned unchanged); ``None`` when
        there is no such request."""
        with self._write("withdraw the request") as c:
            c.execute("UPDATE requests SET status = 'withdrawn' WHERE id = ? AND status IN ('drafted', 'sent')",
                      (request_id,))
            return _get(c, request_id)

    def list_requests(self, status: str | None = None, requested_by: str | None = None) -> list[Request]:
        """Requests, oldest first (by :attr:`Request.since`, then id).

        ``status``: one of :data:`STATUSES`, ``"open"`` (drafted or sent) or ``None``/``"all"``
        for every request; ``requested_by``: only this Slack user's. Raises ``ValueError`` for
        an unknown status, :class:`StoreError`.
        """
        where, args = [], []
        if status == "open":
            where.append("status IN ('drafted', 'sent')")
        elif status not in (None, "all"):
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}; expected open, all or one of {', '.join(STATUSES)}")
            where.append("status = ?")
            args.append(status)
        if requested_by is not None:
            where.append("requested_by = ?")
            args.append(requested_by)
        sql = "SELECT * FROM requests" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY COALESCE(sent_at, created_at), id"
        with self._read("list the requests") as c:
            return [_request(r) for r in c.execute(sql, args)]

    def open_requests(self, requested_by: str | None = None) -> list[Request]:
        """Drafted and sent requests, oldest first (optionally one user's)."""
        return self.list_requests("open", requested_by)

    def close_granted(self, consent: ConsentList, now: datetime | None = None,
                      linked_codes: Iterable[str] = ()) -> list[Request]:
        """Mark every open request whose school is now on the consent list as granted.

        A request is on the list when its Magister host is, or its vestigingscode is (the
        list's own, or one in ``linked_codes``: the codes of the DUO locations that list entries
        stand for by an exact or strong link, :meth:`bot.schools.SchoolMatcher.linked_codes`), or
        (for a request with no vestigingscode) a listed school has the same :func:`name_key` and
        no other host than the request's.
        Deliberately no fuzzy lookup: a wrong "granted" tells a requester the school said
        yes when it did not, while a missed one only leaves the request open until its
        reminder. Returns the requests this call granted (each exactly once, also when two
        processes refresh at once), so the caller can tell each requester. Raises
        :class:`StoreError`.
        """
        codes = {s.vestigingscode for s in consent.schools if s.vestigingscode} | set(linked_codes)
        hosts_by_name: dict[str, set[str]] = {}
        for s in consent.schools:
            hosts_by_name.setdefault(name_key(s.name), set()).add(s.host)
        hits = []
        for r in self.open_requests():  # matching runs outside the write transaction
            named = hosts_by_name.get(name_key(r.school_name), set())
            # A same-named school elsewhere does not count when the request's host is known,
            # nor when its vestigingscode is (two schools may share a name: "Bonhoeffer College").
            if (r.host and r.host in consent.hosts) or (r.code and r.code in codes) or \
                    (named and (not r.host or "" in named) and not r.code):
                hits.append(r.id)
        if not hits:
            return []
        granted = []
        with self._write("record granted requests") as c:
            for rid in hits:
                cur = c.execute("UPDATE requests SET status = 'granted', granted_at = ?"
                                " WHERE id = ? AND status IN ('drafted', 'sent')", (_iso(now or utc_now()), rid))
                if cur.rowcount:
                    granted.append(_get(c, rid))
        return granted

    def due_reminders(self, now: datetime, days: float) -> list[Request]:
        """Sent requests, not yet granted or reminded, sent at least ``days`` days before
        ``now``; oldest first. Drafted requests get no reminder: the school never had them."""
        cutoff = _iso(_utc(now) - timedelta(days=days))
        with self._read("read due reminders") as c:
            rows = c.execute("SELECT * FROM requests WHERE status = 'sent' AND reminded_at IS NULL"
                             " AND sent_at <= ? ORDER BY sent_at, id", (cutoff,))
            return [_request(r) for r in rows]

    def mark_reminded(self, request_id: int, now: datetime | None = None) -> bool:
        """Record the one reminder of a sent request. ``True`` when this call recorded it,
        ``False`` when it was reminded before (or is not open): send the reminder only on
        ``True``, and a second process sweeping at the same moment cannot send it twice."""
        with self._write("record the reminder") as c:
            cur = c.execute("UPDATE requests SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL"
                            " AND status = 'sent'", (_iso(now or utc_now()), request_id))
            return cur.rowcount == 1

    # -- question log -----------------------------------------------------------------------
    def log_question(self, text: str, status: str, *, entry_id: str | None = None, score: float | None = None,
                     channel_type: str = "", user_id: str = "", asked_at: datetime | None = None) -> int:
        """Log one question the bot handled; returns its id (for :meth:`set_feedback`).

        ``text`` is cleaned (Slack mentions and markup removed) and cut to
        :data:`MAX_QUESTION_CHARS`; ``status`` is an :class:`~bot.faq.Answer` status
        (:data:`QUESTION_STATUSES`). Raises ``ValueError`` for another status,
        :class:`StoreError`.
        """
        if status not in QUESTION_STATUSES:
            raise ValueError(f"unknown question status {status!r}; expected one of {', '.join(QUESTION_STATUSES)}")
        with self._write("log the question") as c:
            cur = c.execute(
                "INSERT INTO questions (asked_at, channel_type, user_id, text, status, entry_id, score)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_iso(asked_at or utc_now()), _cut(channel_type, 32), _cut(user_id, 64),
                 _cut(text, MAX_QUESTION_CHARS), status, entry_id or None,
                 None if score is None else round(float(score), 4)))
            return int(cur.lastrowid)

    def set_feedback(self, question_id: int, feedback: int) -> bool:
        """Record 👍 (``+1``) or 👎 (``-1``) on a logged question; the latest vote counts.
        ``False`` when the question is not (or no longer) in the log. Raises ``ValueError``
        for another value, :class:`StoreError`."""
        if feedback not in (1, -1):
            raise ValueError(f"feedback is +1 or -1, got {feedback!r}")
        with self._write("record the feedback") as c:
            return c.execute("UPDATE questions SET feedback = ? WHERE id = ?",
                             (feedback, question_id)).rowcount == 1

    def questions(self, since: datetime | None = None, until: datetime | None = None) -> list[Question]:
        """Logged questions asked in ``[since, until)`` (either end open when ``None``), oldest first."""
        where, args = [], []
        if since is not None:
            where.append("asked_at >= ?")
            args.append(_iso(since))
        if until is not None:
            where.append("asked_at < ?")
            args.append(_iso(until))
        sql = "SELECT * FROM questions" + (" WHERE " + " AND ".join(where) if where else "")
        with self._read("read the question log") as c:
            return [_question(r) for r in c.execute(sql + " ORDER BY asked_at, id", args)]

    def purge_questions(self, older_than_days: float, now: datetime | None = None) -> int:
        """Delete questions asked more than ``older_than_days`` days before ``now`` (the
        retention, ``Settings.question_retention_days``); returns how many were deleted.
        Call it at start-up and once a day, e.g. with the reminder sweep."""
        cutoff = _iso(_utc(now or utc_now()) - timedelta(days=older_than_days))
        with self._write("purge old questions") as c:
            return c.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount


def export_csv(requests: list[Request], out: TextIO) -> None:
    """Write ``requests`` as CSV to ``out``: a header row (the fields of :class:`Request`,
    as in :meth:`Request.to_json`), then one row each. A cell a spreadsheet would run as a
    formula (starting with ``=``, ``+``, ``-`` or ``@``) gets a leading ``'``."""
    writer = csv.writer(out)
    writer.writerow([f.name for f in fields(Request)])
    for r in requests:
        writer.writerow([_csv_cell(v) for v in r.to_json().values()])


def _csv_cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
