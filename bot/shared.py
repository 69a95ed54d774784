"""The store's shared state in the shapes the Slack app uses today, so several workers can share it.

Each adapter has the interface of the per-process object it replaces
(``bot/state.py``), backed by a :class:`~bot.store.Store` every worker opens on one
database (``DATABASE_URL``):

* :class:`SharedSeen` for ``SeenSet``: ``first_time(*keys)`` is :meth:`Store.claim`;
* :class:`SharedDrafts` for ``DraftStore``: ``add`` / ``get`` / ``put`` of a draft record (a
  dataclass such as ``DraftRecord``, nested dataclasses included) stored as JSON with an expiry;
* the consent list: :func:`snapshot_args` turns a :class:`~bot.consent_source.CachedList` into
  :meth:`Store.save_consent_list`'s arguments and :func:`cached_list` a snapshot back into one;
  :class:`ConsentFollower` keeps a worker's copy of the newest stored list, checking the cheap
  :meth:`Store.consent_version` at most every few seconds.

Unlike the in-memory objects, these raise :class:`~bot.store.StoreError` when the database
cannot be reached; callers decide what a user sees (one apologising sentence).
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
import typing
from dataclasses import replace
from typing import Any, Callable, Generic, TypeVar

from . import consentlist
from .consentlist import ConsentList
from .errors import ConsentListError
from .store import DRAFT_TTL_S, ConsentSnapshot, ConsentVersion, Store, StoreError

if typing.TYPE_CHECKING:
    from .consent_source import CachedList

log = logging.getLogger(__name__)
R = TypeVar("R")


class SharedSeen:
    """``SeenSet``'s interface over :meth:`Store.claim`: the first worker to see a key wins."""

    def __init__(self, store: Store):
        self.store = store

    def first_time(self, *keys: str) -> bool:
        """``True`` when none of ``keys`` (empty ones ignored) was claimed before by any
        worker; all are claimed either way. Raises :class:`StoreError`."""
        keys = tuple(k for k in keys if k)
        return self.store.claim(*keys) if keys else True


def to_payload(record: Any) -> dict[str, Any]:
    """A dataclass instance as a JSON object: its fields by name, nested dataclasses as
    objects, tuples as lists. Raises ``TypeError`` for a value that is not a dataclass."""
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        raise TypeError(f"expected a dataclass instance, got {type(record).__name__}")
    return dataclasses.asdict(record)


def from_payload(cls: type[R], payload: dict[str, Any]) -> R:
    """The instance of dataclass ``cls`` that :func:`to_payload` made ``payload`` from: fields
    typed as a dataclass are rebuilt, lists become tuples where the field is a tuple, unknown
    keys are ignored, missing ones take their defaults. Raises ``TypeError`` / ``ValueError``
    when ``payload`` does not fit ``cls``."""
    hints = typing.get_type_hints(cls)
    args = {}
    for f in dataclasses.fields(cls):
        if f.name not in payload:
            continue
        value, hint = payload[f.name], hints.get(f.name)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict):
            value = from_payload(hint, value)
        elif typing.get_origin(hint) is tuple and isinstance(value, list):
            value = tuple(value)
        args[f.name] = value
    return cls(**args)


class SharedDrafts(Generic[R]):
    """``DraftStore``'s interface (``add`` / ``get`` / ``put``) over the store's drafts table:
    records of dataclass ``record_type`` kept ``ttl_s`` seconds (a day by default), the same
    for every worker: an edit saved in the modal on one worker is what another posts."""

    def __init__(self, store: Store, record_type: type[R], ttl_s: float = DRAFT_TTL_S):
        self.store = store
        self.record_type = record_type
        self.ttl_s = ttl_s

    def add(self, record: R) -> str:
        """Store ``record``; returns its new id (URL-safe, 12 characters). Raises :class:`StoreError`."""
        return self.store.save_draft(to_payload(record), ttl_s=self.ttl_s)

    def get(self, draft_id: str) -> R | None:
        """The record, or ``None`` when unknown, expired, or no longer of ``record_type``'s
        shape (stored by another version of the bot). Raises :class:`StoreError`."""
        payload = self.store.get_draft(draft_id)
        if payload is None:
            return None
        try:
            return from_payload(self.record_type, payload)
        except (TypeError, ValueError) as e:
            log.warning("draft %s does not fit %s: %s", draft_id, self.record_type.__name__, e)
            return None

    def put(self, draft_id: str, record: R) -> None:
        """Replace (or restore) the record under ``draft_id``. Raises :class:`StoreError`."""
        self.store.put_draft(draft_id, to_payload(record), ttl_s=self.ttl_s)


# -- the consent list ---------------------------------------------------------------------------
def snapshot_args(cached: "CachedList") -> dict[str, Any]:
    """:meth:`Store.save_consent_list`'s keyword arguments for a list as
    :class:`~bot.consent_source.ConsentSource` keeps it (``store.save_consent_list(**args)``)."""
    return {"source": cached.source, "body": cached.text, "fetched_at": cached.fetched_at, "fmt": cached.fmt,
            "etag": cached.etag, "last_modified": cached.last_modified, "content_type": cached.content_type,
            "sha256": cached.sha256}


def cached_list(snapshot: ConsentSnapshot) -> "CachedList":
    """A stored snapshot as :class:`~bot.consent_source.CachedList` (what a leader starts a
    conditional fetch from: its validators and sha256)."""
    from .consent_source import CachedList

    return CachedList(snapshot.source, snapshot.fetched_at, snapshot.body, snapshot.fmt, snapshot.etag,
                      snapshot.last_modified, snapshot.sha256, snapshot.content_type)


def consent_from_snapshot(snapshot: ConsentSnapshot, name: str) -> ConsentList:
    """The list a snapshot holds, called ``name`` (what replies show: never a URL with a
    secret), as of its last confirmation, carrying the last check's error. Raises
    :class:`~bot.errors.ConsentListError` when the body does not parse."""
    parsed = consentlist.parse(snapshot.body, source=name, fmt=snapshot.fmt)
    return replace(parsed, source=name, as_of=snapshot.confirmed_at, error=snapshot.error)


class ConsentFollower:
    """One worker's copy of the newest consent list in the store.

    :meth:`current` answers from memory and asks :meth:`Store.consent_version` (one indexed
    row) at most every ``every_s`` seconds (by ``clock``, in seconds); only when the version
    changed is the snapshot read and parsed (``parse(snapshot)``, default
    :func:`consent_from_snapshot` named ``name``). So a list the leader stores is in use
    everywhere within ``every_s`` plus a parse, and a lookup never waits for another thread's
    check. ``source``: follow only snapshots of that source (``None``: any). A store fault or a
    snapshot that does not parse is logged and the list in use is kept.
    """

    def __init__(self, store: Store, *, name: str = "", source: str | None = None, every_s: float = 2.0,
                 parse: Callable[[ConsentSnapshot], ConsentList] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.source = source
        self.every_s = every_s
        self._parse = parse or (lambda snap: consent_from_snapshot(snap, name or "consent list"))
        self._clock = clock
        self._lock = threading.Lock()
        self._checked: float | None = None
        self._version = ConsentVersion(0, None)
        self._consent: ConsentList | None = None

    @property
    def version(self) -> ConsentVersion:
        """The version of the list in use (``ConsentVersion(0, None)`` before the first)."""
        return self._version

    def current(self) -> ConsentList | None:
        """The newest stored list (``None`` while none is stored), checked when due."""
        if self._checked is None or self._clock() - self._checked >= self.every_s:
            self.check(wait=self._consent is None)
        return self._consent

    def check(self, *, wait: bool = True) -> bool:
        """Ask the store for its version now and load the list when it changed; ``True`` when
        a new list (or a new check time of the same one) is now in use. With ``wait=False`` a
        check another thread is making is not waited for (``False``)."""
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            self._checked = self._clock()
            try:
                version = self.store.consent_version()
                if version == self._version:
                    return False
                snapshot = self.store.latest_consent_list(self.source)
            except StoreError as e:
                log.warning("consent list: cannot check the stored version: %s", e)
                return False
            if snapshot is None:
                return False
            try:
                consent = self._parse(snapshot)
            except ConsentListError as e:
                log.error("consent list %d in the store does not parse: %s", snapshot.id, e)
                self._version = version  # do not parse it again every few seconds
                return False
            self._consent, self._version = consent, version
            return True
        finally:
            self._lock.release()
