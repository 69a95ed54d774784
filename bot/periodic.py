"""A function called on a daemon thread every so many seconds (the consent list's refresh, the
request sweep)."""
from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Calls ``fn()`` on a daemon thread: first after ``first_after`` seconds, then every
    ``every`` seconds (``every <= 0``: :meth:`start` does nothing). A call that raises is
    logged and the thread goes on. :meth:`stop` asks the thread to end and waits for it."""

    def __init__(self, fn: Callable[[], object], every: float, *, first_after: float = 0.0,
                 name: str = "periodic"):
        self.fn = fn
        self.every = every
        self.first_after = first_after
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once; again after :meth:`stop`)."""
        if self.every <= 0 or self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> bool:
        """Stop the thread; ``True`` when it ended within ``timeout`` seconds (a call under
        way finishes first; the thread is a daemon, so it never holds up the process's exit)."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        delay = self.first_after
        while not self._stop.wait(delay):
            try:
                self.fn()
            except Exception:  # the thread must outlive any one call
                log.exception("%s failed", self.name)
            delay = self.every
