"""The conversation's short-lived state, kept in this process's memory.

* :class:`DraftStore`: drafts behind the "Bewerken" / "Plaatsen in kanaal" buttons (a Slack
  button value holds at most 2,000 characters; an edited draft up to 3,000 more).
* :class:`SeenSet`: the event ids and messages already answered, so Slack's retries
  (``X-Slack-Retry-Num``) and a message delivered as both ``app_mention`` and ``message.im``
  get one reply.

Both are per process: the Slack app uses them only when it runs without a store; with one it
keeps both there (:class:`~bot.shared.SharedSeen`, :class:`~bot.shared.SharedDrafts`, the same
interface), for every worker on its database. After a restart a draft's buttons still work:
the draft is made again from the school's name.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from .drafts import Draft

V = TypeVar("V")


class _TTLMap(Generic[V]):
    """A thread-safe mapping whose items expire ``ttl`` seconds after they were set;
    beyond ``max_items`` the oldest go first."""

    def __init__(self, ttl: float, max_items: int, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.max_items = max_items
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if expires > now and len(self._items) <= self.max_items:
                break
            self._items.popitem(last=False)

    def set(self, key: str, value: V) -> None:
        with self._lock:
            now = self._clock()
            self._items.pop(key, None)
            self._items[key] = (now + self.ttl, value)
            self._expire(now)

    def get(self, key: str) -> V | None:
        with self._lock:
            self._expire(self._clock())
            item = self._items.get(key)
            return item[1] if item else None

    def add_new(self, key: str, value: V) -> bool:
        """Set ``key`` unless present; ``True`` when it was new (atomic)."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            if key in self._items:
                return False
            self._items[key] = (now + self.ttl, value)
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class SeenSet:
    """Keys (event ids, ``channel:ts`` of messages) seen in the last ``ttl`` seconds.

    Slack retries an event three times within about five minutes; an hour covers that.
    """

    def __init__(self, ttl: float = 3600, max_items: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self._map: _TTLMap[bool] = _TTLMap(ttl, max_items, clock)

    def first_time(self, *keys: str) -> bool:
        """``True`` when none of ``keys`` was seen before; all are remembered either way."""
        new = [self._map.add_new(k, True) for k in keys if k]
        return all(new)


@dataclass(frozen=True)
class DraftRecord:
    """A draft with where it was made: ``school_query`` (to make it again), the ``user``
    who asked, the ``channel`` and ``thread_ts`` (``""`` outside a thread); ``host`` and
    ``code`` (vestigingscode) of the school when the lookup found it, for the request store."""

    draft: Draft
    school_query: str
    user: str
    channel: str
    thread_ts: str = ""
    host: str = ""
    code: str = ""


class DraftStore:
    """Drafts by a random id, kept ``ttl`` seconds (a day by default)."""

    def __init__(self, ttl: float = 86_400, max_items: int = 5_000, clock: Callable[[], float] = time.monotonic):
        self._map: _TTLMap[DraftRecord] = _TTLMap(ttl, max_items, clock)

    def add(self, record: DraftRecord) -> str:
        """Store ``record``; returns its new id (URL-safe, 12 characters)."""
        draft_id = secrets.token_urlsafe(9)
        self._map.set(draft_id, record)
        return draft_id

    def get(self, draft_id: str) -> DraftRecord | None:
        """The record, or ``None`` when unknown or expired."""
        return self._map.get(draft_id)

    def put(self, draft_id: str, record: DraftRecord) -> None:
        """Replace (or restore) the record under ``draft_id``."""
        self._map.set(draft_id, record)
