"""What the question log teaches: ``python -m bot report questions [--since 30d]``.

:func:`question_report` reads the questions of a period from a :class:`~bot.store.Store`
and returns a :class:`Report`: the answer rate, the questions the bot could not answer or
was unsure of, grouped by similarity (each group is a candidate alternate phrasing of an
entry, or a missing entry), and the entries that got 👎. :func:`render` makes it readable
(Dutch); :meth:`Report.to_json` is the ``--json`` form. :func:`render_requests` is the
office's table of requests (``python -m bot requests list``).

Grouping: each question is reduced to its content words (stop words dropped, words stemmed
and synonyms merged as the FAQ matcher does), then questions join the most-asked group
whose first question is at least :data:`GROUP_SIMILARITY` alike (rapidfuzz
``token_sort_ratio``, so word order and small typos do not matter).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from .faq import stem
from .store import QUESTION_STATUSES, Question, Request, Store, utc_now
from .text import STOP_WORDS as STOP, tokens
from .wording import REPORT

GROUP_SIMILARITY = 70
"""Least ``token_sort_ratio`` (0..100) of two questions' content words to share a group.
At 70 "kan een school toestemming intrekken" and "toestemming intrekken door de school"
share one; "wat kost studyspace" and "werkt studyspace op de ipad" do not."""
MAX_EXAMPLES = 5
"""Distinct questions shown per group or entry in the text report (the JSON has all)."""
_SINCE = re.compile(r"^\s*(\d+)\s*([dwh]?)\s*$", re.I)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``"30d"``, ``"2w"``, ``"12h"``, ``"30"`` (days) or an ISO date/time
    (``"2026-11-01"``, taken as UTC) -> the aware UTC start of the period.
    Raises ``ValueError`` with a one-line message for anything else, for a period that
    reaches before the year 1, and for a start after ``now``."""
    now = now or utc_now()
    m = _SINCE.match(text or "")
    if m:
        unit = (m.group(2) or "d").lower()
        try:
            n = int(m.group(1))  # ValueError past 4,300 digits
            return now - {"d": timedelta(days=n), "w": timedelta(weeks=n), "h": timedelta(hours=n)}[unit]
        except (OverflowError, ValueError):  # datetime cannot go before the year 1
            raise ValueError(f"{text[:40]!r}: too long a period; give a date instead, e.g. 2020-01-01") from None
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text[:40]!r}: expected e.g. 30d, 2w, 12h or 2026-11-01") from None
    start = start.replace(tzinfo=now.tzinfo) if start.tzinfo is None else start
    if start > now:
        raise ValueError(f"{text[:40]!r} is in the future; give a past date, e.g. "
                         f"{(now - timedelta(days=30)).date().isoformat()}")
    return start


def content_key(text: str) -> str:
    """A question's content words in matching form: ``"Kan een school de toestemming
    intrekken?"`` -> ``"school toestemming intrekk"`` (stop words dropped, stemmed)."""
    words = tokens(text)
    content = [stem(w) for w in words if w not in STOP]
    return " ".join(content or words)


@dataclass(frozen=True)
class QuestionGroup:
    """Similar questions the bot did not answer. ``questions``: the distinct texts, most
    asked first; ``count``: how often the group was asked; ``statuses``: how often each
    status (``ambiguous``, ``no_match``); ``entries``: entry ids the bot came closest to,
    with counts; ``last_asked``: aware UTC."""

    questions: tuple[str, ...]
    count: int
    statuses: dict[str, int]
    entries: dict[str, int]
    last_asked: datetime

    def to_json(self) -> dict:
        """Plain JSON types; ``last_asked`` as ISO-8601."""
        return {"questions": list(self.questions), "count": self.count, "statuses": self.statuses,
                "entries": self.entries, "last_asked": self.last_asked.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class EntryFeedback:
    """An entry that got 👎: ``entry_id`` (``None``: feedback on a reply without an entry),
    ``down`` and ``up`` counts, and the ``questions`` that got 👎 (distinct, newest first)."""

    entry_id: str | None
    down: int
    up: int
    questions: tuple[str, ...]

    def to_json(self) -> dict:
        """Plain JSON types."""
        return {"entry_id": self.entry_id, "down": self.down, "up": self.up, "questions": list(self.questions)}


@dataclass(frozen=True)
class Report:
    """The question report of ``[since, until)``: ``total`` questions, counts ``by_status``
    (``answered``, ``ambiguous``, ``no_match``), 👍 ``up`` and 👎 ``down``, the unanswered
    ``groups`` (largest first) and the ``negative`` entries (most 👎 first)."""

    since: datetime
    until: datetime
    total: int
    by_status: dict[str, int]
    up: int
    down: int
    groups: tuple[QuestionGroup, ...] = ()
    negative: tuple[EntryFeedback, ...] = ()

    @property
    def answer_rate(self) -> float | None:
        """Share of questions answered (0..1), ``None`` when none were asked."""
        return self.by_status.get("answered", 0) / self.total if self.total else None

    def to_json(self) -> dict:
        """The ``--json`` form: plain JSON types, times as ISO-8601."""
        rate = self.answer_rate
        return {"since": self.since.isoformat(timespec="seconds"), "until": self.until.isoformat(timespec="seconds"),
                "total": self.total, "by_status": self.by_status,
                "answer_rate": None if rate is None else round(rate, 3),
                "feedback": {"up": self.up, "down": self.down},
                "groups": [g.to_json() for g in self.groups], "negative": [n.to_json() for n in self.negative]}


def question_report(store: Store, since: datetime, now: datetime | None = None) -> Report:
    """The report on questions asked from ``since`` up to ``now``. Raises
    :class:`~bot.store.StoreError` when the log cannot be read."""
    until = now or utc_now()
    return build_report(store.questions(since, until), since, until)


def build_report(asked: list[Question], since: datetime, until: datetime) -> Report:
    """The report on ``asked``, the questions of ``[since, until)``."""
    by_status = Counter(q.status for q in asked)
    feedback = Counter(q.feedback for q in asked if q.feedback)
    return Report(since, until, len(asked), {s: by_status.get(s, 0) for s in QUESTION_STATUSES},
                  feedback.get(1, 0), feedback.get(-1, 0),
                  group_questions([q for q in asked if q.status != "answered"]), _negative(asked))


def group_questions(asked: list[Question]) -> tuple[QuestionGroup, ...]:
    """Group questions by similarity (see the module's docstring); largest group first."""
    by_key: dict[str, list[Question]] = {}
    for q in asked:
        by_key.setdefault(content_key(q.text), []).append(q)
    # Most-asked wording first, so it leads its group and the greedy pass is stable.
    keys = sorted(by_key, key=lambda k: (-len(by_key[k]), -max(q.id for q in by_key[k])))
    leaders: list[str] = []
    members: dict[str, list[Question]] = {}
    for k in keys:
        best = process.extractOne(k, leaders, scorer=fuzz.token_sort_ratio, score_cutoff=GROUP_SIMILARITY)
        lead = best[0] if best else k
        if not best:
            leaders.append(k)
        members.setdefault(lead, []).extend(by_key[k])
    groups = []
    for qs in members.values():
        texts = Counter(q.text for q in qs)
        groups.append(QuestionGroup(
            tuple(t for t, _ in texts.most_common()), len(qs), dict(Counter(q.status for q in qs)),
            dict(Counter(q.entry_id for q in qs if q.entry_id).most_common()), max(q.asked_at for q in qs)))
    groups.sort(key=lambda g: (-g.count, -g.last_asked.timestamp()))
    return tuple(groups)


def _negative(asked: list[Question]) -> tuple[EntryFeedback, ...]:
    by_entry: dict[str | None, list[Question]] = {}
    for q in asked:
        if q.feedback:
            by_entry.setdefault(q.entry_id, []).append(q)
    out = []
    for entry_id, qs in by_entry.items():
        down = [q for q in reversed(qs) if q.feedback == -1]
        if down:
            out.append(EntryFeedback(entry_id, len(down), len(qs) - len(down), tuple(dict.fromkeys(q.text for q in down))))
    out.sort(key=lambda e: (-e.down, e.up, e.entry_id or ""))
    return tuple(out)


# -- text ---------------------------------------------------------------------------------


def _day(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def render(report: Report, lang: str = "nl") -> str:
    """The report as readable text (plain, for a terminal or an e-mail), in ``lang``
    (``"nl"`` or ``"en"``; wording from :data:`bot.wording.REPORT`)."""
    w = REPORT[lang if lang in REPORT else "nl"]
    r, n = report, report.total
    days = max(round((r.until - r.since).total_seconds() / 86400), 0)
    lines = [w["title"].format(since=_day(r.since), until=_day(r.until), days=days)]
    if not n:
        lines.append(w["none"])
        return "\n".join(lines) + "\n"
    counts = " · ".join(f"{w['status'][s]} {c} ({_pct(c, n)})" for s, c in r.by_status.items())
    lines.append(w["totals"].format(n=n, counts=counts, up=r.up, down=r.down))
    lines.append(w["rate"].format(pct=_pct(r.by_status.get("answered", 0), n)))
    lines.append("")
    if r.groups:
        lines.append(w["groups"].format(n=len(r.groups)))
        for i, g in enumerate(r.groups, 1):
            statuses = ", ".join(f"{w['status'].get(s, s)} {c}" for s, c in g.statuses.items())
            near = w["near"].format(entries=", ".join(g.entries)) if g.entries else ""
            lines.append(w["group"].format(i=i, count=g.count, statuses=statuses, last=_day(g.last_asked), near=near))
            lines.extend(f"       - {t}" for t in g.questions[:MAX_EXAMPLES])
            if len(g.questions) > MAX_EXAMPLES:
                lines.append(w["more"].format(n=len(g.questions) - MAX_EXAMPLES))
    else:
        lines.append(w["no_groups"])
    lines.append("")
    if r.negative:
        lines.append(w["negative"])
        for e in r.negative:
            lines.append(f"  {e.entry_id or w['no_entry']}: 👎 {e.down}, 👍 {e.up}")
            lines.extend(f"       - {t}" for t in e.questions[:MAX_EXAMPLES])
    else:
        lines.append(w["no_negative"])
    return "\n".join(lines) + "\n"


def render_requests(requests: list[Request], now: datetime | None = None, lang: str = "nl") -> str:
    """Requests as a plain-text table (headings in ``lang``), one line each, in the given
    order; "Geen verzoeken." when there are none. The age counts from sending (else drafting)."""
    w = REPORT[lang if lang in REPORT else "nl"]
    if not requests:
        return w["no_requests"] + "\n"
    now = now or utc_now()
    rows = [w["columns"]]
    for r in requests:
        rows.append((str(r.id), w["request_status"].get(r.status, r.status), r.school_name, r.host or "-",
                     r.requested_by or "-", _day(r.created_at), _day(r.sent_at) if r.sent_at else "-",
                     f"{r.age_days(now):.0f}" if r.is_open else "-"))
    widths = [min(max(len(row[i]) for row in rows), 40) for i in range(len(rows[0]))]
    out = ["  ".join(cell[:40].ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(out) + "\n"
