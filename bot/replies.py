"""What the conversation takes in and gives back, as plain data: :class:`Message`,
:class:`Reply` and :class:`Action`. No backend (Slack, the console, the tests) is named here;
each turns its own events into a :class:`Message` and renders a :class:`Reply` its own way
(:mod:`bot.render` as text, :mod:`bot.slack.blocks` as Block Kit).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from .consentlist import School
from .drafts import Draft
from .faq import Answer
from .schools import Lookup
from .store import Request

KINDS = ("dm", "mention", "slash", "console", "click")
"""Where a :class:`Message` comes from: a direct message, a mention in a channel, a slash
command, a console line, or a click on an offered :class:`Action` (or an edit form saved)."""


@dataclass(frozen=True)
class Message:
    """One input to the conversation.

    ``text`` as the user typed it (cleaned once, by the conversation); ``user`` and
    ``channel`` are the backend's ids (``""`` when it has none), ``thread`` the thread to
    answer in (``""``: none). ``kind`` is one of :data:`KINDS`; ``channel_type`` is what the
    question log records (``channel``, ``group``, ``im``, ``slash``, ``console``; ``""``:
    nothing logged). ``lang`` is a hint (``"nl"``/``"en"``, e.g. a button's language; ``""``:
    detect it). A click has ``action`` (the :attr:`Action.id`) and ``value`` (its
    :attr:`Action.value`). ``raw`` is the backend's own event, for the backend alone.
    """

    text: str = ""
    user: str = ""
    channel: str = ""
    thread: str = ""
    kind: str = "console"
    channel_type: str = ""
    lang: str = ""
    action: str = ""
    value: Mapping[str, Any] = field(default_factory=dict)
    raw: Any = None


@dataclass(frozen=True)
class Action:
    """A button a reply offers. ``id`` is what a click sends back as :attr:`Message.action`
    (``show_entry:0``, ``feedback:up``, ``pick_school:1``, ``draft_request``, ``draft_edit``,
    ``draft_post``, ``draft_mailto``, ``draft_mark_sent``), with ``value`` (short keys, so a
    Slack button value stays small). ``label`` is worded in the reply's language; ``url``
    makes it a link (``draft_mailto``: nothing comes back); ``style`` ``"primary"`` or ``""``;
    ``group`` names the row it belongs to (``related``, ``suggestions``, ``examples``,
    ``feedback``, ``lookup``, ``draft``, ``posted``, ``review:N``, ``drafts``).

    With ``options`` it is a choice of one (Slack: a select menu; ``label`` its
    placeholder): each option is an :class:`Action` whose ``label`` is shown and whose
    ``value`` (the whole value, small: at most 150 characters as JSON) is what the click
    sends back under this action's ``id``."""

    id: str
    label: str
    value: Mapping[str, Any] = field(default_factory=dict)
    url: str = ""
    style: str = ""
    group: str = ""
    options: tuple["Action", ...] = ()


@dataclass(frozen=True)
class Reply:
    """What the bot says, as data; ``kind`` says which fields hold it:

    * ``answer``: ``answer`` to ``question`` (``question_id``: its row in the question log).
    * ``lookup``: ``lookup``.
    * ``draft``: ``draft`` (with the ``lookup`` that found the school), kept as ``draft_id``
      for its buttons, made for ``school_query``; ``listed_as`` the list's name when the school
      is listed already; ``existing`` an open request for the school; ``unverified`` when the
      list was unavailable. ``reminder`` is the same with ``request`` (the one reminder of it).
    * ``posted_draft``: ``draft`` as posted for a colleague to send, by ``poster``.
    * ``help`` (``unknown``: a command word the bot does not know), ``usage`` (``text``:
      ``school`` or ``verzoek``).
    * ``note``: the sentence :data:`bot.wording.CHAT` ``[lang][key]`` filled with ``fmt``.
    * ``existing``: ``key`` (``already_open``, ``already_mine``, ``draft_open``) about the
      open request ``request``, with a ``permalink`` to its message (``""``: none).
    * ``requests``: the open ``requests`` as of ``now``. ``admin_only``: the refusal.
    * ``text``: plain ``text`` (a refresh's or a status's report).
    * ``granted``: ``request`` is granted. ``announce``: ``schools`` new on the list.
    * ``review``: the admins' ``review`` (:class:`ReviewDigest`), each item's actions in the
      group ``review:N``, the drafts' in ``drafts``. ``review_note``: the sentence
      :data:`bot.wording.REVIEW` ``[lang][key]`` filled with ``fmt``.

    ``actions`` are the buttons to offer, in order. ``lang`` is ``"nl"`` or ``"en"``.
    """

    kind: str
    lang: str = "nl"
    answer: Answer | None = None
    lookup: Lookup | None = None
    draft: Draft | None = None
    text: str = ""
    question: str = ""
    question_id: int | None = None
    actions: tuple[Action, ...] = ()
    unknown: str = ""
    draft_id: str = ""
    school_query: str = ""
    listed_as: str = ""
    existing: Request | None = None
    unverified: bool = False
    poster: str = ""
    key: str = ""
    fmt: Mapping[str, str] = field(default_factory=dict)
    request: Request | None = None
    permalink: str = ""
    requests: tuple[Request, ...] = ()
    now: datetime | None = None
    schools: tuple[School, ...] = ()
    review: "ReviewDigest | None" = None

    def actions_in(self, group: str) -> list[Action]:
        """The actions of one row, in order."""
        return [a for a in self.actions if a.group == group]


@dataclass(frozen=True)
class Where:
    """Where :meth:`bot.backends.base.Backend.send` posts: a ``channel`` (in ``thread`` when
    set), or the DM with ``user`` when ``channel`` is empty."""

    channel: str = ""
    thread: str = ""
    user: str = ""


@dataclass(frozen=True)
class Sent:
    """A message a backend posted: its ``channel`` and ``ts`` (``""`` when the backend has no
    ids), so a request can point to it later."""

    channel: str = ""
    ts: str = ""


@dataclass(frozen=True)
class DraftForm:
    """What :meth:`bot.backends.base.Backend.open_editor` lets a user edit: ``draft`` (kept as
    ``draft_id``, made for ``school_query`` in ``channel``). Saving comes back as a
    :class:`Message` with ``action`` ``draft_save`` and ``value`` ``{id, s, to, subject, body}``."""

    draft_id: str
    draft: Draft
    school_query: str
    channel: str = ""


@dataclass(frozen=True)
class ReviewItem:
    """One thing for an admin to review (:mod:`bot.review`), kept as ``id`` behind its
    actions. ``kind``: ``unanswered`` (mostly "weet ik niet"), ``ambiguous`` (mostly "bedoel
    je…?") or ``down`` (answers that got 👎); ``questions``: the distinct questions, most
    asked first; ``count``: how often they were asked (``down``: how many 👎); ``entry_id``:
    the entry a ``down`` answer came from, or the entry a group came closest to (``None``:
    none); ``answer``: the answer a ``down`` item gave (``""`` otherwise)."""

    id: str
    kind: str
    questions: tuple[str, ...]
    count: int
    entry_id: str | None = None
    answer: str = ""


@dataclass(frozen=True)
class ReviewDigest:
    """What the admins review: the ``items`` of the questions asked in ``[since, until)``,
    biggest first, ``more`` items left out, and the draft entries waiting to be published as
    ``(entry id, Dutch question, has English)``."""

    since: datetime
    until: datetime
    items: tuple[ReviewItem, ...] = ()
    more: int = 0
    drafts: tuple[tuple[str, str, bool], ...] = ()


@dataclass(frozen=True)
class KnowledgeForm:
    """What :meth:`bot.backends.base.Backend.open_form` asks an admin for: a question and an
    answer in Dutch (required) and English (optional, unless ``entry_id`` names a draft to
    publish: then required), prefilled. ``item_id``: the review item it comes from (``""``:
    none). Saving comes back as a :class:`Message` with ``action`` ``review_save`` and
    ``value`` ``{r, e, q_nl, a_nl, q_en, a_en}``."""

    item_id: str = ""
    entry_id: str = ""
    question_nl: str = ""
    answer_nl: str = ""
    question_en: str = ""
    answer_en: str = ""
