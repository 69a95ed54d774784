"""The knowledge base a running bot answers from, reloaded when its files change.

``LiveKnowledge(directory)`` loads the knowledge base and builds its matcher (by default
:class:`bot.faq.FaqMatcher`, which loads the cached model or fits one). :meth:`check` is
cheap (three ``stat`` calls): when the files' modification time, size or inode changed, a
background thread reads them, and when their content hash differs from the one in use,
loads, validates and builds the new pair while the old matcher keeps answering, then swaps
it in as one :class:`Snapshot`. A knowledge base that does not validate is logged and the
old one kept (until the files change again). Every worker process sharing the folder
notices the same change by the same check (call it per request, or :meth:`start` a
polling thread); the model's fit lock and cache (:meth:`bot.faq.FaqModel.for_knowledge`)
make one of them fit and the others load its result.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Generic, TypeVar

from .errors import KnowledgeError
from .knowledge import FILES, KnowledgeBase, load_knowledge

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """One consistent state: the knowledge base, the matcher built from it, the content
    hash of its files (SHA-256, hex) and its ``generation`` (0 at start, +1 per swap)."""

    kb: KnowledgeBase
    matcher: T
    digest: str
    generation: int


def _default_build(kb: KnowledgeBase):
    from .faq import FaqMatcher

    return FaqMatcher(kb)


class LiveKnowledge(Generic[T]):
    """Owns the current :class:`Snapshot` of the knowledge base in ``directory`` and swaps
    in a new one when the files change (see the module's docstring).

    ``build(kb)`` makes the matcher (default :class:`~bot.faq.FaqMatcher`); ``on_swap``, if
    given, is called with each new snapshot from the reloading thread (keep it short; an
    exception in it is logged). Raises :class:`KnowledgeError` when the knowledge base is
    broken at start. Thread-safe.
    """

    def __init__(self, directory: Path | str, *, build: Callable[[KnowledgeBase], T] = _default_build,
                 on_swap: Callable[[Snapshot[T]], None] | None = None):
        self.directory = Path(directory)
        self._build = build
        self._on_swap = on_swap
        self._cond = threading.Condition()
        self._sig = self._signature()
        raw = self._read()
        kb = load_knowledge(self.directory, texts=_texts(raw))
        self._current: Snapshot[T] = Snapshot(kb, build(kb), _digest(raw), 0)
        self._failed = ""  # the digest of content that did not load: not tried again
        self.last_error = ""
        """The last reload's fault (one line), ``""`` after a good one."""
        self._reloading = False
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    # -- reading the current state ------------------------------------------------------------
    @property
    def current(self) -> Snapshot[T]:
        """The snapshot in use: read it once per question, so knowledge base and matcher match."""
        return self._current

    @property
    def kb(self) -> KnowledgeBase:
        return self._current.kb

    @property
    def matcher(self) -> T:
        return self._current.matcher

    # -- noticing a change ---------------------------------------------------------------------
    def _signature(self) -> tuple:
        sig = []
        for name in FILES:
            try:
                st = (self.directory / name).stat()
                sig.append((st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev))
            except OSError:
                sig.append(None)
        return tuple(sig)

    def _read(self) -> dict[str, bytes | None]:
        raw: dict[str, bytes | None] = {}
        for name in FILES:
            try:
                raw[name] = (self.directory / name).read_bytes()
            except OSError:
                raw[name] = None
        return raw

    def check(self) -> bool:
        """Start a background reload when the files' ``stat`` changed since the last look
        and no reload is running (a running one looks again when it is done). Returns
        whether one started; it swaps only when the content changed. Never raises."""
        sig = self._signature()
        with self._cond:
            if sig == self._sig or self._reloading:
                return False
            self._sig = sig
            self._reloading = True
        threading.Thread(target=self._reload, name="knowledge-reload", daemon=True).start()
        return True

    def _reload(self) -> None:
        try:
            while True:
                raw = self._read()
                digest = _digest(raw)
                if digest not in (self._current.digest, self._failed):
                    self._load(raw, digest)
                with self._cond:
                    sig = self._signature()
                    if sig == self._sig:  # nothing changed while this one loaded
                        self._reloading = False
                        self._cond.notify_all()
                        return
                    self._sig = sig
        except BaseException:
            with self._cond:
                self._reloading = False
                self._cond.notify_all()
            raise

    def _load(self, raw: dict[str, bytes | None], digest: str) -> None:
        try:
            kb = load_knowledge(self.directory, texts=_texts(raw))
            matcher = self._build(kb)
        except KnowledgeError as e:
            self._failed, self.last_error = digest, str(e)
            log.error("knowledge base changed on disk but is broken, still answering from the previous one: %s",
                      "; ".join(e.faults[:5]))
            return
        except Exception as e:  # whatever building fails on, the bot keeps answering
            self._failed, self.last_error = digest, f"{type(e).__name__}: {e}"
            log.exception("knowledge base changed on disk but could not be loaded; keeping the previous one")
            return
        with self._cond:
            snapshot = Snapshot(kb, matcher, digest, self._current.generation + 1)
            self._current = snapshot
            self.last_error = ""
            self._cond.notify_all()
        log.info("knowledge base reloaded from %s (%d entries, %d drafts)", self.directory,
                 len(kb.entries), len(kb.drafts))
        if self._on_swap:
            try:
                self._on_swap(snapshot)
            except Exception:
                log.exception("on_swap failed")

    # -- waiting (tests, the editor's caller) ------------------------------------------------------
    def wait_for(self, generation: int, timeout: float | None = None) -> bool:
        """Block until the snapshot in use is of ``generation`` or later; ``False`` on
        timeout (``timeout`` in seconds; ``None``: no limit)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._current.generation >= generation, timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no reload is running (the last one swapped or was refused);
        ``False`` on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._reloading, timeout)

    # -- polling ---------------------------------------------------------------------------------
    def start(self, interval: float = 5.0) -> None:
        """Call :meth:`check` every ``interval`` seconds in a daemon thread until :meth:`close`."""
        if self._poller is None:
            self._poller = threading.Thread(target=self._poll, args=(interval,), name="knowledge-poll", daemon=True)
            self._poller.start()

    def _poll(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.check()

    def close(self) -> None:
        """Stop polling (a reload under way finishes in its own thread)."""
        self._stop.set()
        if self._poller is not None:
            self._poller.join()
            self._poller = None


def _digest(raw: dict[str, bytes | None]) -> str:
    h = hashlib.sha256()
    for name in FILES:
        data = raw.get(name)
        h.update(f"{name}\x00{-1 if data is None else len(data)}\x00".encode())
        h.update(data or b"")
    return h.hexdigest()


def _texts(raw: dict[str, bytes | None]) -> dict[str, str]:
    """The files as text for :func:`load_knowledge`; one that is missing or not UTF-8 is
    left for the loader to read from disk and report."""
    out = {}
    for name, data in raw.items():
        if data is not None:
            try:
                out[name] = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                pass
    return out
