"""The 👍/👎 under an answer: one hook, :func:`record_feedback`, that every vote goes through.

Today it logs one line (logger ``bot.feedback``); a later step stores votes (SQLite). Swap
or extend the function body; the listeners only call it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

log = logging.getLogger("bot.feedback")


@dataclass(frozen=True)
class Feedback:
    """One vote: ``entry_id`` answered ``question`` (as asked, at most 300 characters) in
    ``lang``; ``helpful`` is the thumb; ``user``/``channel`` are Slack ids; ``at`` is UTC."""

    entry_id: str
    helpful: bool
    user: str = ""
    channel: str = ""
    lang: str = "nl"
    question: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def record_feedback(fb: Feedback) -> None:
    """Record a vote (now: log it). Must not raise for a well-formed :class:`Feedback`."""
    log.info("feedback entry=%s helpful=%s lang=%s user=%s channel=%s question=%r",
             fb.entry_id, fb.helpful, fb.lang, fb.user, fb.channel, fb.question[:120])
