"""The bot's own state: requests to schools, the question log, and what several workers share.

``Store(location)`` opens one database and applies the :data:`MIGRATIONS` it has not seen yet:

* a path (the default, ``DATA_DIR/bot.sqlite3``): a SQLite file in WAL mode, one connection
  for every thread behind a lock (SQLite writes one transaction at a time anyway, and a lock
  cannot deadlock on ``database is locked`` between our own threads); other processes (the
  command line next to the running bot) wait up to :data:`BUSY_TIMEOUT_S`;
* a PostgreSQL URL (``DATABASE_URL``, ``postgres://`` or ``postgresql://``): a small pool of
  connections per process (:mod:`bot.db`), safe for several processes writing at once.

Both run the same SQL through SQLAlchemy Core; the schema version is the one row of the
``schema_version`` table (SQLite files from before that table carry it in ``PRAGMA
user_version``, which SQLite keeps in step so an older bot still refuses a newer file).

Requests follow one life: ``drafted`` -> ``sent`` -> ``granted`` (a consent-list refresh
shows the school, :meth:`Store.close_granted`) or ``withdrawn``. ``drafted`` and ``sent``
are *open*; there is at most one open request per school (:meth:`Store.open_request`), also
with two processes recording one at the same moment.

State for several workers (issue 12): :meth:`Store.claim` (de-duplication of Slack events
and messages), drafts with an expiry (:meth:`Store.save_draft`), consent-list snapshots with a
cheap version check (:meth:`Store.save_consent_list`, :meth:`Store.consent_version`).
:class:`bot.leader.Leader` picks the one process that runs the background jobs.

Every time is UTC, stored as ISO-8601 text (``2026-11-29T14:05:00+00:00``) and returned as
an aware :class:`~datetime.datetime`; every method where time matters takes ``now``.

Every storage fault (disk full, read-only file or directory, locked, damaged file, a
database server that cannot be reached) raises :class:`StoreError`, one line naming the
database and the cause: the caller logs it, apologises in one sentence and keeps answering
questions. A failed write changes nothing.
"""
from __future__ import annotations

import csv
import errno
import json
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, NamedTuple, TextIO

from . import db
from .config import Settings
from .consentlist import ConsentList, normalize_host
from .drafts import MAX_FIELD_CHARS, MAX_NOTE_CHARS
from .errors import BotError
from .kbhistory import Change
from .names import identity_key
from .text import clean

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.sql.elements import TextClause

DB_FILENAME = "bot.sqlite3"
"""The database's file name inside ``Settings.data_dir``."""
BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another process's write (SQLite) or lock (PostgreSQL) before
:class:`StoreError` ("locked")."""
MAX_QUESTION_CHARS = 1000
"""Longest question text kept in the log; longer is cut."""
CLAIM_TTL_S = 86_400.0
"""How long :meth:`Store.purge_claims` keeps a claimed key by default (a day: Slack retries
an event within about five minutes)."""
MAX_KEY_CHARS = 500
"""Longest key :meth:`Store.claim` takes."""
DRAFT_TTL_S = 86_400.0
"""How long a draft behind its buttons lives by default (seconds)."""
MAX_DRAFT_CHARS = 100_000
"""Largest draft payload, as JSON text (a draft is a few thousand characters)."""
CONSENT_KEEP = 5
"""How many consent-list snapshots :meth:`Store.save_consent_list` keeps (the newest)."""

STATUSES = ("drafted", "sent", "granted", "withdrawn")
OPEN_STATUSES = ("drafted", "sent")
QUESTION_STATUSES = ("answered", "ambiguous", "no_match")
"""The statuses of :class:`bot.faq.Answer`, the only ones the question log takes."""

# Each migration is a list of statements run in one transaction that also records the new
# version, so a crash mid-migration leaves the previous version intact. Written in SQL that
# SQLite and PostgreSQL both take, but for the column types bot.db.translate respells for
# PostgreSQL (INTEGER PRIMARY KEY, REAL). Never edit a released migration: append a new one.
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
    (  # 3: state several workers share: claimed keys, drafts, consent-list snapshots
        """CREATE TABLE claims (
            key          TEXT PRIMARY KEY,
            claimed_at   TEXT NOT NULL
        )""",
        "CREATE INDEX claims_claimed_at ON claims (claimed_at)",
        """CREATE TABLE drafts (
            id           TEXT PRIMARY KEY,
            payload      TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            expires_at   TEXT NOT NULL
        )""",
        "CREATE INDEX drafts_expires_at ON drafts (expires_at)",
        """CREATE TABLE consent_lists (
            id            INTEGER PRIMARY KEY,
            source        TEXT NOT NULL,
            body          TEXT NOT NULL,
            fmt           TEXT,
            etag          TEXT NOT NULL DEFAULT '',
            last_modified TEXT NOT NULL DEFAULT '',
            content_type  TEXT NOT NULL DEFAULT '',
            sha256        TEXT NOT NULL DEFAULT '',
            fetched_at    TEXT NOT NULL,
            checked_at    TEXT NOT NULL,
            confirmed_at  TEXT NOT NULL,
            error         TEXT NOT NULL DEFAULT ''
        )""",
    ),
    (  # 4: the knowledge base's history, and the question groups a review dealt with
        """CREATE TABLE knowledge_changes (
            id           INTEGER PRIMARY KEY,
            changed_at   TEXT NOT NULL,
            who          TEXT NOT NULL,
            action       TEXT NOT NULL,
            entry_id     TEXT,
            language     TEXT,
            texts        TEXT NOT NULL DEFAULT '[]',
            previous     TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX knowledge_changes_changed_at ON knowledge_changes (changed_at)",
        """CREATE TABLE ignored_groups (
            key          TEXT PRIMARY KEY,
            action       TEXT NOT NULL DEFAULT 'ignored',
            ignored_by   TEXT NOT NULL DEFAULT '',
            ignored_at   TEXT NOT NULL
        )""",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)

_OS_FAULTS = {errno.ENOSPC: "full", errno.EROFS: "readonly", errno.EACCES: "readonly", errno.EPERM: "readonly"}
_LOCK_MIGRATE = db.advisory_key("migrate")
_LOCK_REQUESTS = db.advisory_key("open-request")


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


@dataclass(frozen=True)
class ConsentSnapshot:
    """One good consent list as the leader stored it, for every worker to answer from.

    ``id`` grows with each new list (the newest is the one in use); ``source`` where it came
    from (the configured URL, which may hold a secret: never shown to users, or a file path);
    ``body`` the list's text as fetched (decoded; NUL characters dropped), ``fmt`` the format
    it was parsed as (``None``: sniffed); ``etag`` / ``last_modified`` the server's validators
    for the next conditional fetch, ``content_type`` as served, ``sha256`` of the body as
    fetched (``""`` when unknown). ``fetched_at`` when it was fetched, ``checked_at`` the last
    time the source was asked, ``confirmed_at`` the last time the source said it is still
    current (aware UTC); ``error`` why the last check failed (``""`` when it did not).
    """

    id: int
    source: str
    body: str
    fmt: str | None
    etag: str
    last_modified: str
    content_type: str
    sha256: str
    fetched_at: datetime
    checked_at: datetime
    confirmed_at: datetime
    error: str


class ConsentVersion(NamedTuple):
    """What :meth:`Store.consent_version` returns: the newest snapshot's ``list_id`` (``0``
    when none is stored) and when its source was last checked (``None`` when none). Equal
    versions mean nothing a worker shows has changed."""

    list_id: int
    checked_at: datetime | None


@lru_cache(maxsize=256)
def _sql(statement: str) -> "TextClause":
    """``statement`` (named parameters as ``:name``) as a SQLAlchemy text construct, parsed once."""
    from sqlalchemy import text

    return text(statement)


def _rows(c: "Connection", statement: str, **params: Any) -> list[Mapping[str, Any]]:
    return list(c.execute(_sql(statement), params).mappings())


def _run(c: "Connection", statement: str, **params: Any) -> int:
    """Run a statement; its row count."""
    return c.execute(_sql(statement), params).rowcount


def _request(row: Mapping[str, Any]) -> Request:
    return Request(row["id"], row["school_name"], row["host"], row["code"], row["requested_by"],
                   row["channel"], row["message_ts"], row["status"], _dt(row["created_at"]),
                   _dt(row["sent_at"]), _dt(row["granted_at"]), _dt(row["reminded_at"]), row["note"])


def _get(c: "Connection", request_id: int) -> Request | None:
    rows = _rows(c, "SELECT * FROM requests WHERE id = :id", id=request_id)
    return _request(rows[0]) if rows else None


def _question(row: Mapping[str, Any]) -> Question:
    return Question(row["id"], _dt(row["asked_at"]), row["channel_type"], row["user_id"], row["text"],
                    row["status"], row["entry_id"], row["score"], row["feedback"])


def _snapshot(row: Mapping[str, Any]) -> ConsentSnapshot:
    return ConsentSnapshot(row["id"], row["source"], row["body"], row["fmt"], row["etag"], row["last_modified"],
                           row["content_type"], row["sha256"], _dt(row["fetched_at"]), _dt(row["checked_at"]),
                           _dt(row["confirmed_at"]), row["error"])


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


def _find_open(c: "Connection", name: str, host: str, code: str) -> Request | None:
    for row in _rows(c, "SELECT * FROM requests WHERE status IN ('drafted', 'sent') ORDER BY id"):
        existing = _request(row)
        if _same_school(existing, name, host, code):
            return existing
    return None


def _claim_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("a claim needs a non-empty key")
    if len(key) > MAX_KEY_CHARS:
        raise ValueError(f"a claim key is at most {MAX_KEY_CHARS} characters, got {len(key)}")
    return key


def _payload(payload: Mapping[str, Any]) -> str:
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"a draft payload must be JSON: {e}") from None
    if not isinstance(payload, Mapping):
        raise ValueError("a draft payload is a JSON object (a dict)")
    if len(text) > MAX_DRAFT_CHARS:
        raise ValueError(f"a draft payload is at most {MAX_DRAFT_CHARS:,} characters of JSON, got {len(text):,}")
    return text


def default_path(data_dir: Path | str) -> Path:
    """Where the SQLite database lives: ``data_dir / DB_FILENAME``."""
    return Path(data_dir) / DB_FILENAME


class Store:
    """Requests, the question log and the workers' shared state in one database; safe to
    share between threads (and, on PostgreSQL, between processes).

    ``location`` is a path (a SQLite file; its directory is created when missing) or a
    PostgreSQL URL (``postgres://``, ``postgresql://`` or ``postgresql+psycopg://``; the
    database must exist). Opening migrates an older schema. Raises :class:`StoreError` when
    the database cannot be opened, created, reached or migrated, or was written by a newer
    version of the bot (``kind == "schema"``). Use as a context manager or call :meth:`close`.

    ``dialect`` is ``"sqlite"`` or ``"postgresql"``; ``path`` what it was opened with, so
    ``Store(store.path)`` (:meth:`reopen`) opens the same database again: the SQLite file as a
    :class:`~pathlib.Path`, or the PostgreSQL URL (it holds the password: never log it);
    ``name`` what messages and logs call the database (the file, or the URL without its password).
    """

    def __init__(self, location: Path | str):
        postgres = isinstance(location, str) and db.is_postgres_url(location)
        self.dialect = "postgresql" if postgres else "sqlite"
        self.path: Path | str = location if postgres else Path(location)
        self.name = db.display_url(str(location)) if postgres else str(self.path)
        self._secret = db.password_of(str(location)) if postgres else ""
        self._lock = threading.RLock()  # SQLite: the one connection is used by one thread at a time
        self._closed = False
        self._engine: Engine | None = None
        self._c: Connection | None = None  # SQLite: the one connection (self._conn: its sqlite3 connection)
        if postgres:
            with self._faults("open the database"):
                self._engine = db.postgres_engine(str(location), lock_timeout_s=BUSY_TIMEOUT_S)
                self._reader = self._engine.execution_options(isolation_level="AUTOCOMMIT")
        else:
            self._open_sqlite()
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _open_sqlite(self) -> None:
        assert isinstance(self.path, Path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"store {self.path}: cannot create the directory: {e.strerror or e}",
                             _OS_FAULTS.get(e.errno or 0, "io")) from None
        with self._faults("open the database"):
            # Autocommit: we issue BEGIN IMMEDIATE ourselves, so a write never has to upgrade
            # a read lock (the classic source of "database is locked").
            self._engine = db.sqlite_engine(str(self.path), BUSY_TIMEOUT_S)
            self._c = self._engine.connect()
        try:
            with self._faults("open the database"):
                self._conn = self._c.connection.driver_connection  # the sqlite3 connection underneath
                self._c.exec_driver_sql("PRAGMA journal_mode=WAL")
                # FULL: a commit survives a power cut too, not just a killed process; the bot
                # writes a few rows a minute, so the fsync costs nothing that matters.
                self._c.exec_driver_sql("PRAGMA synchronous=FULL")
                self._c.exec_driver_sql("PRAGMA foreign_keys=ON")
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_settings(cls, settings: Settings) -> "Store":
        """The store ``settings.database_url`` names, else the SQLite file at
        ``settings.data_dir / DB_FILENAME``."""
        return cls(settings.database_url or default_path(settings.data_dir))

    def reopen(self) -> "Store":
        """A new store on the same database (e.g. in a forked worker: a connection must not
        be shared across a fork). This one is left as it is."""
        return type(self)(self.path)

    def close(self) -> None:
        """Close the connections (a later call on this store raises :class:`StoreError`)."""
        with self._lock:
            self._closed = True
            try:
                if self._c is not None:
                    self._c.close()
                if self._engine is not None:
                    self._engine.dispose()
            except Exception:  # noqa: BLE001 - closing a broken connection: nothing left to do
                pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------
    @contextmanager
    def _faults(self, action: str) -> Iterator[None]:
        """Turn driver and SQLAlchemy errors into one-line :class:`StoreError`\\ s naming the database."""
        import sqlite3

        from sqlalchemy.exc import SQLAlchemyError

        if self._closed:
            raise StoreError(f"store {self.name}: cannot {action}: the store is closed")
        try:
            yield
        except (SQLAlchemyError, sqlite3.Error) as e:
            kind, why = db.fault(e, busy_timeout_s=BUSY_TIMEOUT_S, secret=self._secret)
            raise StoreError(f"store {self.name}: cannot {action}: {why}", kind) from e

    @contextmanager
    def _read(self, action: str) -> Iterator["Connection"]:
        """A connection for reads (autocommit: each statement sees the latest commits)."""
        if self.dialect == "sqlite":
            with self._lock, self._faults(action):
                yield self._c
        else:
            with self._faults(action), self._reader.connect() as c:
                yield c

    @contextmanager
    def _write(self, action: str) -> Iterator["Connection"]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        if self.dialect == "postgresql":
            with self._faults(action), self._engine.begin() as c:
                yield c
            return
        with self._lock, self._faults(action):
            c = self._c
            c.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield c
                c.exec_driver_sql("COMMIT")
            except BaseException:
                try:
                    c.exec_driver_sql("ROLLBACK")
                except Exception:  # noqa: BLE001 - SQLite already rolled back (e.g. after SQLITE_FULL)
                    pass
                raise

    def _serialize(self, c: "Connection", lock_key: int) -> None:
        """Hold ``lock_key`` until the transaction on ``c`` ends, so this kind of write runs
        one at a time across processes. PostgreSQL: an advisory transaction lock (waits up to
        :data:`BUSY_TIMEOUT_S`); SQLite: nothing to do, ``BEGIN IMMEDIATE`` already is."""
        if self.dialect == "postgresql":
            c.execute(_sql("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})

    def _version(self, c: "Connection") -> int:
        if self.dialect == "sqlite":
            legacy = c.exec_driver_sql("PRAGMA user_version").scalar_one()
            has_table = _rows(c, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
        else:
            legacy = 0
            # pg_tables, not to_regclass(): a scan sees a table another process just committed,
            # the catalog cache (not refreshed by an advisory lock) may not yet.
            has_table = _rows(c, "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
                                 " AND tablename = 'schema_version'")
        recorded = _rows(c, "SELECT max(version) AS v FROM schema_version")[0]["v"] if has_table else None
        return max(legacy, recorded or 0)

    def _migrate(self) -> None:
        with self._read("read the schema version") as c:
            version = self._version(c)
        if version > SCHEMA_VERSION:
            raise StoreError(f"store {self.name}: schema version {version} is newer than this bot knows "
                             f"({SCHEMA_VERSION}); update the bot", "schema")
        while version < SCHEMA_VERSION:
            with self._write(f"migrate the schema to version {version + 1}") as c:
                self._serialize(c, _LOCK_MIGRATE)
                # Another process may have migrated meanwhile: re-read inside the transaction.
                version = self._version(c)
                if version >= SCHEMA_VERSION:
                    break
                for statement in MIGRATIONS[version]:
                    c.exec_driver_sql(db.translate(statement, self.dialect))
                version += 1
                c.exec_driver_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                _run(c, "DELETE FROM schema_version")
                _run(c, "INSERT INTO schema_version (version) VALUES (:v)", v=version)
                if self.dialect == "sqlite":
                    c.exec_driver_sql(f"PRAGMA user_version = {version}")

    def schema_version(self) -> int:
        """The database's schema version (the ``schema_version`` table)."""
        with self._read("read the schema version") as c:
            return self._version(c)

    # -- requests ---------------------------------------------------------------------------
    def open_request(self, school_name: str, *, host: str = "", code: str = "", requested_by: str = "",
                     channel: str = "", note: str = "", now: datetime | None = None) -> tuple[Request, bool]:
        """Record a drafted request for a school, unless one is already open.

        Returns ``(request, True)`` for a new request, or ``(existing, False)`` when an open
        request for the same school exists (same Magister host when both are known, else the
        same vestigingscode, else the same :func:`name_key`); the check and the insert are
        one transaction, and such transactions run one at a time across processes (SQLite's
        write lock; on PostgreSQL an advisory transaction lock), so two workers recording the
        same school at once make one request.
        ``host`` may be any form :func:`~bot.consentlist.normalize_host` takes. Raises
        ``ValueError`` for an empty school name or a ``host`` that is no Magister host, and
        :class:`StoreError`.
        """
        name, norm_host, code = _school_key(school_name, host, code)
        with self._write("record the request") as c:
            self._serialize(c, _LOCK_REQUESTS)
            existing = _find_open(c, name, norm_host, code)
            if existing is not None:
                return existing, False
            [row] = _rows(
                c, "INSERT INTO requests (school_name, host, code, requested_by, channel, status, created_at, note)"
                   " VALUES (:name, :host, :code, :by, :channel, 'drafted', :at, :note) RETURNING id",
                name=name, host=norm_host, code=code, by=_cut(requested_by, 64), channel=_cut(channel, 64),
                at=_iso(now or utc_now()), note=_cut(note, MAX_NOTE_CHARS))
            return _get(c, row["id"]), True

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
            _run(c, "UPDATE requests SET status = 'sent', sent_at = :at WHERE id = :id AND status = 'drafted'",
                 at=_iso(now or utc_now()), id=request_id)
            if channel or message_ts:
                _run(c, "UPDATE requests SET channel = :channel, message_ts = :ts WHERE id = :id AND message_ts = ''"
                        " AND status IN ('drafted', 'sent')",
                     channel=_cut(channel, 64), ts=_cut(message_ts, 64), id=request_id)
            return _get(c, request_id)

    def withdraw(self, request_id: int) -> Request | None:
        """Withdraw an open request (a closed one is returned unchanged); ``None`` when
        there is no such request."""
        with self._write("withdraw the request") as c:
            _run(c, "UPDATE requests SET status = 'withdrawn' WHERE id = :id AND status IN ('drafted', 'sent')",
                 id=request_id)
            return _get(c, request_id)

    def list_requests(self, status: str | None = None, requested_by: str | None = None) -> list[Request]:
        """Requests, oldest first (by :attr:`Request.since`, then id).

        ``status``: one of :data:`STATUSES`, ``"open"`` (drafted or sent) or ``None``/``"all"``
        for every request; ``requested_by``: only this Slack user's. Raises ``ValueError`` for
        an unknown status, :class:`StoreError`.
        """
        where, args = [], {}
        if status == "open":
            where.append("status IN ('drafted', 'sent')")
        elif status not in (None, "all"):
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}; expected open, all or one of {', '.join(STATUSES)}")
            where.append("status = :status")
            args["status"] = status
        if requested_by is not None:
            where.append("requested_by = :by")
            args["by"] = requested_by
        sql = "SELECT * FROM requests" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY COALESCE(sent_at, created_at), id"
        with self._read("list the requests") as c:
            return [_request(r) for r in _rows(c, sql, **args)]

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
                # A row another process granted meanwhile no longer matches: each grant is made once.
                if _run(c, "UPDATE requests SET status = 'granted', granted_at = :at"
                           " WHERE id = :id AND status IN ('drafted', 'sent')", at=_iso(now or utc_now()), id=rid):
                    granted.append(_get(c, rid))
        return granted

    def due_reminders(self, now: datetime, days: float) -> list[Request]:
        """Sent requests, not yet granted or reminded, sent at least ``days`` days before
        ``now``; oldest first. Drafted requests get no reminder: the school never had them."""
        cutoff = _iso(_utc(now) - timedelta(days=days))
        with self._read("read due reminders") as c:
            rows = _rows(c, "SELECT * FROM requests WHERE status = 'sent' AND reminded_at IS NULL"
                            " AND sent_at <= :cutoff ORDER BY sent_at, id", cutoff=cutoff)
            return [_request(r) for r in rows]

    def mark_reminded(self, request_id: int, now: datetime | None = None) -> bool:
        """Record the one reminder of a sent request. ``True`` when this call recorded it,
        ``False`` when it was reminded before (or is not open): send the reminder only on
        ``True``, and a second process sweeping at the same moment cannot send it twice."""
        with self._write("record the reminder") as c:
            return _run(c, "UPDATE requests SET reminded_at = :at WHERE id = :id AND reminded_at IS NULL"
                           " AND status = 'sent'", at=_iso(now or utc_now()), id=request_id) == 1

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
            [row] = _rows(
                c, "INSERT INTO questions (asked_at, channel_type, user_id, text, status, entry_id, score)"
                   " VALUES (:at, :channel_type, :user_id, :text, :status, :entry_id, :score) RETURNING id",
                at=_iso(asked_at or utc_now()), channel_type=_cut(channel_type, 32), user_id=_cut(user_id, 64),
                text=_cut(text, MAX_QUESTION_CHARS), status=status, entry_id=entry_id or None,
                score=None if score is None else round(float(score), 4))
            return int(row["id"])

    def set_feedback(self, question_id: int, feedback: int) -> bool:
        """Record 👍 (``+1``) or 👎 (``-1``) on a logged question; the latest vote counts.
        ``False`` when the question is not (or no longer) in the log. Raises ``ValueError``
        for another value, :class:`StoreError`."""
        if feedback not in (1, -1):
            raise ValueError(f"feedback is +1 or -1, got {feedback!r}")
        with self._write("record the feedback") as c:
            return _run(c, "UPDATE questions SET feedback = :f WHERE id = :id", f=feedback, id=question_id) == 1

    def questions(self, since: datetime | None = None, until: datetime | None = None) -> list[Question]:
        """Logged questions asked in ``[since, until)`` (either end open when ``None``), oldest first."""
        where, args = [], {}
        if since is not None:
            where.append("asked_at >= :since")
            args["since"] = _iso(since)
        if until is not None:
            where.append("asked_at < :until")
            args["until"] = _iso(until)
        sql = "SELECT * FROM questions" + (" WHERE " + " AND ".join(where) if where else "")
        with self._read("read the question log") as c:
            return [_question(r) for r in _rows(c, sql + " ORDER BY asked_at, id", **args)]

    def purge_questions(self, older_than_days: float, now: datetime | None = None) -> int:
        """Delete questions asked more than ``older_than_days`` days before ``now`` (the
        retention, ``Settings.question_retention_days``); returns how many were deleted.
        Call it at start-up and once a day, e.g. with the reminder sweep."""
        cutoff = _iso(_utc(now or utc_now()) - timedelta(days=older_than_days))
        with self._write("purge old questions") as c:
            return _run(c, "DELETE FROM questions WHERE asked_at < :cutoff", cutoff=cutoff)

    # -- de-duplication ---------------------------------------------------------------------
    def claim(self, key: str, *more: str, now: datetime | None = None) -> bool:
        """Claim ``key`` (and ``more`` keys) for this process: ``True`` when none of them was
        claimed before, by any process; all are claimed either way (as
        :meth:`bot.state.SeenSet.first_time`). Keys are e.g. ``"event:<event_id>"`` and
        ``"msg:<channel>:<ts>"``: handle an event only when its claim returns ``True``.

        One transaction of ``INSERT … ON CONFLICT DO NOTHING``, the keys in sorted order (two
        processes claiming overlapping keys wait on each other, never deadlock), so of two
        processes claiming the same key at once exactly one gets ``True``. A key is kept until
        :meth:`purge_claims`. Raises ``ValueError`` for an empty key or one longer than
        :data:`MAX_KEY_CHARS`, :class:`StoreError`.
        """
        keys = sorted({_claim_key(k) for k in (key, *more)})
        at = _iso(now or utc_now())
        with self._write("record the claim") as c:
            won = [_run(c, "INSERT INTO claims (key, claimed_at) VALUES (:key, :at) ON CONFLICT DO NOTHING",
                        key=k, at=at) for k in keys]
        return all(n == 1 for n in won)

    def purge_claims(self, older_than_s: float = CLAIM_TTL_S, now: datetime | None = None) -> int:
        """Forget keys claimed more than ``older_than_s`` seconds before ``now`` (default a
        day); returns how many. Call it from the retention job."""
        cutoff = _iso(_utc(now or utc_now()) - timedelta(seconds=older_than_s))
        with self._write("purge old claims") as c:
            return _run(c, "DELETE FROM claims WHERE claimed_at < :cutoff", cutoff=cutoff)

    # -- drafts -----------------------------------------------------------------------------
    def save_draft(self, payload: Mapping[str, Any], *, ttl_s: float = DRAFT_TTL_S,
                   now: datetime | None = None) -> str:
        """Store a new draft; returns its id (URL-safe, 12 characters, random).

        ``payload`` is a JSON object (a dict of JSON values, at most :data:`MAX_DRAFT_CHARS`
        as JSON text); it expires ``ttl_s`` seconds after ``now``. Raises ``ValueError`` for a
        payload that is no JSON object or too large, :class:`StoreError`.
        """
        text = _payload(payload)
        at = _utc(now or utc_now())
        with self._write("save the draft") as c:
            while True:  # a clash of 72 random bits is not expected, but cannot hurt
                draft_id = secrets.token_urlsafe(9)
                if _run(c, "INSERT INTO drafts (id, payload, created_at, updated_at, expires_at)"
                           " VALUES (:id, :payload, :at, :at, :expires) ON CONFLICT DO NOTHING",
                        id=draft_id, payload=text, at=_iso(at), expires=_iso(at + timedelta(seconds=ttl_s))):
                    return draft_id

    def put_draft(self, draft_id: str, payload: Mapping[str, Any], *, ttl_s: float = DRAFT_TTL_S,
                  now: datetime | None = None) -> None:
        """Replace the draft ``draft_id`` with ``payload`` (an edit saved in the modal), or
        store it under that id again when it is unknown or expired (a button clicked after
        its draft was purged); it then expires ``ttl_s`` seconds after ``now``. Raises
        ``ValueError`` like :meth:`save_draft`, also for an empty ``draft_id``; :class:`StoreError`."""
        if not draft_id or len(draft_id) > 64:
            raise ValueError("a draft id is 1 to 64 characters")
        text = _payload(payload)
        at = _utc(now or utc_now())
        with self._write("save the draft") as c:
            _run(c, "INSERT INTO drafts (id, payload, created_at, updated_at, expires_at)"
                    " VALUES (:id, :payload, :at, :at, :expires)"
                    " ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at,"
                    " expires_at = excluded.expires_at",
                 id=draft_id, payload=text, at=_iso(at), expires=_iso(at + timedelta(seconds=ttl_s)))

    def get_draft(self, draft_id: str, *, now: datetime | None = None) -> dict[str, Any] | None:
        """The payload of the draft ``draft_id`` as last saved, by any process, or ``None``
        when it is unknown or expired at ``now``."""
        with self._read("read the draft") as c:
            rows = _rows(c, "SELECT payload FROM drafts WHERE id = :id AND expires_at > :now",
                         id=draft_id, now=_iso(now or utc_now()))
        return json.loads(rows[0]["payload"]) if rows else None

    def purge_drafts(self, now: datetime | None = None) -> int:
        """Delete drafts expired at ``now``; returns how many. Call it from the retention job."""
        with self._write("purge expired drafts") as c:
            return _run(c, "DELETE FROM drafts WHERE expires_at <= :now", now=_iso(now or utc_now()))

    # -- the knowledge base's history and the review -----------------------------------------
    def record_change(self, change: Change) -> None:
        """Keep one :class:`~bot.kbhistory.Change` (texts and previous as JSON arrays).
        Raises :class:`StoreError`."""
        with self._write("record the knowledge change") as c:
            _run(c, "INSERT INTO knowledge_changes (changed_at, who, action, entry_id, language, texts, previous)"
                    " VALUES (:at, :who, :action, :entry_id, :language, :texts, :previous)",
                 at=_iso(change.when), who=_cut(change.who, 100), action=change.action, entry_id=change.entry_id,
                 language=change.language, texts=json.dumps(list(change.texts), ensure_ascii=False),
                 previous=json.dumps(list(change.previous), ensure_ascii=False))

    def knowledge_changes(self, limit: int = 50) -> list[Change]:
        """The last ``limit`` knowledge changes, newest first. Raises :class:`StoreError`."""
        with self._read("read the knowledge history") as c:
            rows = _rows(c, "SELECT * FROM knowledge_changes ORDER BY changed_at DESC, id DESC LIMIT :n",
                         n=max(int(limit), 0))
        return [Change(r["who"], _dt(r["changed_at"]), r["action"], r["entry_id"], r["language"],
                       tuple(json.loads(r["texts"] or "[]")), tuple(json.loads(r["previous"] or "[]")))
                for r in rows]

    def ignore_groups(self, keys: Iterable[str], *, who: str = "", action: str = "ignored",
                      now: datetime | None = None) -> int:
        """Mark question keys (:func:`bot.report.content_key` of a group's questions) as dealt
        with, so the review leaves their group out from now on: ``action`` ``ignored``
        ("Negeren"), ``added`` (phrasings of an entry) or ``draft`` (a new draft). A key marked
        before keeps its first mark. Returns how many keys were new. Raises ``ValueError``
        for an unknown action, :class:`StoreError`."""
        if action not in ("ignored", "added", "draft"):
            raise ValueError(f"unknown review action {action!r}")
        at = _iso(now or utc_now())
        unique = sorted({_cut(k, MAX_KEY_CHARS) for k in keys if k})
        with self._write("record the review") as c:
            return sum(_run(c, "INSERT INTO ignored_groups (key, action, ignored_by, ignored_at)"
                               " VALUES (:key, :action, :who, :at) ON CONFLICT DO NOTHING",
                            key=k, action=action, who=_cut(who, 100), at=at) for k in unique)

    def ignored_keys(self) -> set[str]:
        """Every key :meth:`ignore_groups` marked. Raises :class:`StoreError`."""
        with self._read("read the review") as c:
            return {r["key"] for r in _rows(c, "SELECT key FROM ignored_groups")}

    # -- consent-list snapshots -------------------------------------------------------------
    def save_consent_list(self, source: str, body: str, *, fetched_at: datetime, fmt: str | None = None,
                          etag: str = "", last_modified: str = "", content_type: str = "", sha256: str = "",
                          keep: int = CONSENT_KEEP) -> ConsentSnapshot:
        """Store a good consent list as the newest (the one every worker answers from).

        ``source`` the URL or path it came from, ``body`` its text (NUL characters, which
        PostgreSQL text cannot hold and the list parser drops anyway, are left out), ``fmt``
        the format it was parsed as, the server's validators ``etag`` / ``last_modified``,
        ``content_type``, ``sha256`` of the bytes as fetched, ``fetched_at`` when. The same
        ``sha256`` from the same source as the newest snapshot (a new leader fetching what the
        old one stored) is no new list: that snapshot is confirmed at ``fetched_at`` instead
        (:meth:`record_consent_check`). Only the newest ``keep`` snapshots are kept. Returns
        the newest snapshot. Raises :class:`StoreError`.
        """
        at = _iso(fetched_at)
        with self._write("store the consent list") as c:
            newest = _rows(c, "SELECT id, source, sha256 FROM consent_lists ORDER BY id DESC LIMIT 1")
            if sha256 and newest and (newest[0]["source"], newest[0]["sha256"]) == (source, sha256):
                list_id = newest[0]["id"]
                _run(c, "UPDATE consent_lists SET checked_at = :at, confirmed_at = :at, error = '', etag = :etag,"
                        " last_modified = :lm WHERE id = :id", at=at, etag=etag, lm=last_modified, id=list_id)
            else:
                [row] = _rows(
                    c, "INSERT INTO consent_lists (source, body, fmt, etag, last_modified, content_type, sha256,"
                       " fetched_at, checked_at, confirmed_at)"
                       " VALUES (:source, :body, :fmt, :etag, :lm, :ct, :sha, :at, :at, :at) RETURNING id",
                    source=source, body=body.replace("\x00", ""), fmt=fmt, etag=etag, lm=last_modified,
                    ct=content_type, sha=sha256, at=at)
                list_id = row["id"]
                _run(c, "DELETE FROM consent_lists WHERE id NOT IN"
                        " (SELECT id FROM consent_lists ORDER BY id DESC LIMIT :keep)", keep=max(keep, 1))
            return _snapshot(_rows(c, "SELECT * FROM consent_lists WHERE id = :id", id=list_id)[0])

    def record_consent_check(self, list_id: int, *, at: datetime | None = None, error: str = "",
                             etag: str | None = None, last_modified: str | None = None) -> bool:
        """Record that the source of snapshot ``list_id`` was asked at ``at``: with no
        ``error``, it said the list is still current (a 304, or the same bytes): ``confirmed_at``
        becomes ``at`` and ``etag`` / ``last_modified`` are updated when given; with an ``error``
        (one line: the fetch failed, the new list was refused) only ``checked_at`` and ``error``
        change, the list stays in use. Either way :meth:`consent_version` changes. ``False``
        when there is no such snapshot. Raises :class:`StoreError`."""
        sets = ["checked_at = :at", "error = :error"]
        args: dict[str, Any] = {"at": _iso(at or utc_now()), "error": error[:1000], "id": list_id}
        if not error:
            sets.append("confirmed_at = :at")
            for column, value in (("etag", etag), ("last_modified", last_modified)):
                if value is not None:
                    sets.append(f"{column} = :{column}")
                    args[column] = value
        with self._write("record the consent-list check") as c:
            return _run(c, f"UPDATE consent_lists SET {', '.join(sets)} WHERE id = :id", **args) == 1

    def latest_consent_list(self, source: str | None = None) -> ConsentSnapshot | None:
        """The newest stored snapshot (of ``source`` only, when given), or ``None``."""
        where = " WHERE source = :source" if source is not None else ""
        with self._read("read the consent list") as c:
            rows = _rows(c, f"SELECT * FROM consent_lists{where} ORDER BY id DESC LIMIT 1",
                         **({"source": source} if source is not None else {}))
        return _snapshot(rows[0]) if rows else None

    def consent_version(self) -> ConsentVersion:
        """The newest snapshot's id and last check time (one indexed row; cheap enough to ask
        every few seconds): a worker reloads with :meth:`latest_consent_list` only when it
        changed. ``ConsentVersion(0, None)`` when no list is stored."""
        with self._read("read the consent-list version") as c:
            rows = _rows(c, "SELECT id, checked_at FROM consent_lists ORDER BY id DESC LIMIT 1")
        return ConsentVersion(rows[0]["id"], _dt(rows[0]["checked_at"])) if rows else ConsentVersion(0, None)


class StoreChangeLog:
    """The :class:`~bot.kbhistory.ChangeLog` of a :class:`Store` (the ``knowledge_changes``
    table): what a bot with a store records its knowledge edits in, and what ``python -m bot
    knowledge history`` reads. ``record`` and ``changes`` raise :class:`StoreError`."""

    def __init__(self, store: Store):
        self.store = store

    def record(self, change: Change) -> None:
        """Keep ``change``."""
        self.store.record_change(change)

    def changes(self, limit: int = 50) -> list[Change]:
        """The last ``limit`` changes, newest first."""
        return self.store.knowledge_changes(limit)


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
