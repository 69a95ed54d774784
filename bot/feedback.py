"""The 👍/👎 under an answer: one hook, :func:`record_feedback`, that every vote goes through.

It logs one line (logger ``bot.feedback``) and, when the vote refers to a logged question
(``question_id``, carried by the buttons) and a :class:`~bot.store.Store` is given, records
it there (:meth:`~bot.store.Store.set_feedback`; the latest vote counts). Swap or extend
the function body; the conversation only calls it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .store import Store, StoreError

log = logging.getLogger("bot.feedback")


@dataclass(frozen=True)
class Feedback:
    """One vote: ``entry_id`` answered ``question`` (as asked, at most 300 characters) in
    ``lang``; ``helpful`` is the thumb; ``user``/``channel`` are Slack ids; ``at`` is UTC;
    ``question_id`` the question's row in the question log (``None`` when it was not logged)."""

    entry_id: str
    helpful: bool
    user: str = ""
    channel: str = ""
    lang: str = "nl"
    question: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    question_id: int | None = None


def record_feedback(fb: Feedback, store: Store | None = None) -> bool:
    """Record a vote: log it, and store it on its logged question when there is one.

    Returns whether the store took it. Never raises for a well-formed :class:`Feedback`: a
    :class:`~bot.store.StoreError` is logged (the log line above still has the vote).
    """
    log.info("feedback entry=%s helpful=%s lang=%s user=%s channel=%s question_id=%s question=%r",
             fb.entry_id, fb.helpful, fb.lang, fb.user, fb.channel, fb.question_id, fb.question[:120])
    if store is None or fb.question_id is None:
        return False
    try:
        return store.set_feedback(fb.question_id, 1 if fb.helpful else -1)
    except StoreError as e:
        log.error("feedback not stored: %s", e)
        return False
