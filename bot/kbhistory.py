"""The history of knowledge-base edits: who changed what, and when.

Every edit through :class:`bot.kbedit.KnowledgeEditor` yields :class:`Change` records and
hands them to a :class:`ChangeLog`. :class:`JsonlChangeLog` keeps them as JSON lines in
``DATA_DIR/knowledge-history.jsonl``; a store-backed log (a table in the bot's database)
can replace it by implementing the same two methods.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)

HISTORY_NAME = "knowledge-history.jsonl"
"""The file name of :class:`JsonlChangeLog` in ``DATA_DIR``."""

ACTIONS = ("add_alternates", "add_keywords", "add_out_of_scope", "set_question", "set_answer",
           "add_draft", "publish")
"""What a :class:`Change` did: phrasings, keywords or out-of-scope questions added, a
question or an answer replaced, a draft entry added, a draft published."""


@dataclass(frozen=True)
class Change:
    """One change to the knowledge base.

    ``who``: the Slack user id, or ``cli:<login>``; ``when``: an aware UTC datetime;
    ``action``: one of :data:`ACTIONS`; ``entry_id``: ``None`` for out-of-scope questions;
    ``language``: ``"nl"``/``"en"``, ``None`` for ``publish``; ``texts``: what was added or
    set (a new draft: its question, then its answer); ``previous``: the text replaced by a
    ``set_*`` action.
    """

    who: str
    when: datetime
    action: str
    entry_id: str | None
    language: str | None
    texts: tuple[str, ...] = ()
    previous: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """A JSON-ready dict (``when`` as ISO 8601 with ``+00:00``)."""
        return {"who": self.who, "when": self.when.astimezone(timezone.utc).isoformat(timespec="seconds"),
                "action": self.action, "entry_id": self.entry_id, "language": self.language,
                "texts": list(self.texts), "previous": list(self.previous)}

    @classmethod
    def from_json(cls, d: dict) -> "Change":
        """The inverse of :meth:`to_json`; raises ``KeyError``/``ValueError``/``TypeError``
        for a malformed record."""
        when = datetime.fromisoformat(d["when"])
        if when.tzinfo is None:
            raise ValueError("when without a time zone")
        return cls(str(d["who"]), when.astimezone(timezone.utc), str(d["action"]), d.get("entry_id"),
                   d.get("language"), tuple(str(t) for t in d.get("texts") or ()),
                   tuple(str(t) for t in d.get("previous") or ()))


@runtime_checkable
class ChangeLog(Protocol):
    """Where changes are kept. ``record`` may raise :class:`OSError` (or the store's error);
    the editor logs that and keeps the edit, which is on disk by then."""

    def record(self, change: Change) -> None:
        """Keep ``change``."""

    def changes(self, limit: int = 50) -> list[Change]:
        """The last ``limit`` changes, newest first."""


class JsonlChangeLog:
    """A :class:`ChangeLog` appending one JSON object a line to ``path`` (created with its
    folder on the first record), under an exclusive ``flock`` so that workers sharing the
    file never interleave lines. A line that cannot be read back is skipped and logged."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    @classmethod
    def in_data_dir(cls, data_dir: Path | str) -> "JsonlChangeLog":
        """The log at ``data_dir / HISTORY_NAME``."""
        return cls(Path(data_dir) / HISTORY_NAME)

    def record(self, change: Change) -> None:
        """Append ``change``; raises :class:`OSError` when the file cannot be written."""
        line = json.dumps(change.to_json(), ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def changes(self, limit: int = 50) -> list[Change]:
        """The last ``limit`` changes, newest first (``[]`` when there is no file yet);
        raises :class:`OSError` when the file exists but cannot be read."""
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                lines = f.readlines()
        except FileNotFoundError:
            return []
        out: list[Change] = []
        for n in range(len(lines) - 1, -1, -1):
            if len(out) >= limit:
                break
            if not lines[n].strip():
                continue
            try:
                out.append(Change.from_json(json.loads(lines[n])))
            except (ValueError, KeyError, TypeError, AttributeError):
                log.warning("%s:%d: unreadable history line skipped", self.path, n + 1)
        return out
