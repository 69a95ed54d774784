"""The admins' review of the question log: the knowledge base gets better from the chat.

:class:`Review` turns the question report (:func:`bot.report.question_report`) of the past
:data:`PERIOD_DAYS` days into a :class:`~bot.replies.ReviewDigest`: the groups of questions
the bot could not answer or was unsure of, and the answers that got 👎, biggest first, each
a :class:`~bot.replies.ReviewItem` with its actions:

* **Toevoegen aan…** (``review_add``, a choice of entries): the item's questions become
  alternate phrasings of the entry picked, each in its own language
  (:meth:`bot.kbedit.KnowledgeEditor.add_phrasings`);
* **Nieuwe vraag** (``review_new``): a form (:meth:`~bot.backends.base.Backend.open_form`),
  saved (``review_save``) as a draft entry with the item's other questions as its phrasings;
* **Negeren** (``review_ignore``): the item does not come back;

and the drafts waiting, each with **Publiceren** (``review_publish``; a draft without English
asks for it in the form first). Every action is for admins (``Backend.is_admin``); anyone
else gets the polite refusal. An item dealt with (ignored, added, made a draft) is recorded
by its questions' keys (:func:`bot.report.content_key`) in the store
(:meth:`~bot.store.Store.ignore_groups`), so a group that holds any of them stays out, also
when new wordings join it. What an item's buttons refer to is kept in the store for
:data:`ITEM_TTL_S` (any worker can answer the click).

After an edit the bot starts reloading (:meth:`bot.core.Bot.check_knowledge`); a refused edit
changes no file and its reason goes to the admin. :meth:`Review.weekly` makes the weekly DM
(``REVIEW_DAY``, ``REVIEW_HOUR``), once a week across all workers (a claim in the store).
Errors: a :class:`~bot.store.StoreError` or a refused edit becomes a sentence for the admin;
a click naming nothing known raises ``KeyError``/``ValueError`` like any click.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

from .backends.base import Backend
from .kbedit import EditRefused, KnowledgeEditor, Row
from .kbhistory import ChangeLog, JsonlChangeLog
from .knowledge import DEFAULT_DIR
from .replies import Action, KnowledgeForm, Message, Reply, ReviewDigest, ReviewItem
from .report import content_key, question_report
from .store import StoreChangeLog, StoreError, utc_now
from .wording import REVIEW

log = logging.getLogger("bot.review")

A_ADD, A_NEW, A_IGNORE, A_PUBLISH, A_SAVE = "review_add", "review_new", "review_ignore", "review_publish", "review_save"
ACTIONS = (A_ADD, A_NEW, A_IGNORE, A_PUBLISH, A_SAVE)
"""The review's action ids (a button's id adds ``:N``, the item's place)."""

PERIOD_DAYS = 7
"""The review covers the questions of this many days before now."""
MAX_ITEMS = 10
"""Items in one review (the rest are counted: ``ReviewDigest.more``)."""
MAX_KEPT_QUESTIONS = 50
"""Questions of an item kept behind its buttons (and added as phrasings)."""
ITEM_TTL_S = 30 * 86_400.0
"""How long an item's buttons keep working (seconds)."""
WINDOW = timedelta(hours=12)
"""How long after ``REVIEW_HOUR`` the weekly DM may still go out (a worker that was down)."""
TEXT_MAX = 3000
"""Longest question or answer a form takes."""


def _lang(value: Any) -> str:
    return value if value in ("nl", "en") else "nl"


def item_id(keys: list[str]) -> str:
    """The id of an item: the same questions, the same id (``rv`` and 14 hex digits)."""
    return "rv" + hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:14]


def weekly_slot(now: datetime, day: int, hour: int) -> datetime | None:
    """The start of this week's review DM (weekday ``day`` 1..7, ``hour`` UTC) when ``now``
    is at most :data:`WINDOW` after it, else ``None`` (``day`` 0: never)."""
    if not day:
        return None
    start = now.replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(days=(now.isoweekday() - day) % 7)
    return start if start <= now < start + WINDOW else None


class Review:
    """The review of one :class:`~bot.conversation.Conversation` (its bot, store and settings;
    not imported here: the conversation imports this module)."""

    def __init__(self, conversation: Any):
        self.conversation = conversation
        self._slot: datetime | None = None  # the last weekly slot claimed (or tried) here

    @property
    def bot(self):
        return self.conversation.bot

    @property
    def store(self):
        return self.conversation.store

    # -- what to review ---------------------------------------------------------------------
    def digest(self, now: datetime | None = None) -> ReviewDigest:
        """The review of the :data:`PERIOD_DAYS` days up to ``now``: the items not dealt with
        yet, biggest first (the first :data:`MAX_ITEMS`, each kept in the store behind its
        buttons), and the drafts. Raises :class:`~bot.store.StoreError` (also without a store)."""
        store = self.store
        if store is None:
            raise StoreError("no store: no question log to review")
        now = now or utc_now()
        since = now - timedelta(days=PERIOD_DAYS)
        report = question_report(store, since, now + timedelta(seconds=1))  # the log keeps whole seconds
        ignored = store.ignored_keys()
        found: list[tuple[int, str, list[str], list[str], str | None]] = []  # count, kind, questions, keys, entry
        for g in report.groups:
            keys = [content_key(q) for q in g.questions]
            if not any(k in ignored for k in keys):
                kind = "ambiguous" if g.statuses.get("ambiguous", 0) > g.statuses.get("no_match", 0) else "unanswered"
                found.append((g.count, kind, list(g.questions), keys, next(iter(g.entries), None)))
        for n in report.negative:
            pairs = [(q, f"down:{n.entry_id}:{content_key(q)}") for q in n.questions]
            pairs = [(q, k) for q, k in pairs if k not in ignored]
            if pairs:
                found.append((n.down, "down", [q for q, _ in pairs], [k for _, k in pairs], n.entry_id))
        found.sort(key=lambda f: -f[0])  # stable: groups before 👎 at the same count
        kb = self.bot.kb
        items = []
        for count, kind, questions, keys, entry_id in found[:MAX_ITEMS]:
            rid = item_id(keys)
            store.put_draft(rid, {"review": kind, "q": questions[:MAX_KEPT_QUESTIONS], "k": keys, "e": entry_id},
                            ttl_s=ITEM_TTL_S, now=now)
            entry = self._entry(entry_id) if kind == "down" else None
            answer = entry.answer_text(self.bot.faq.detect_lang(questions[0])) if entry else ""
            items.append(ReviewItem(rid, kind, tuple(questions), count, entry_id, answer))
        drafts = tuple((e.id, e.question["nl"], "en" in e.question and "en" in e.answer) for e in kb.drafts)
        return ReviewDigest(since, now, tuple(items), max(len(found) - MAX_ITEMS, 0), drafts)

    def reply(self, lang: str = "nl", now: datetime | None = None) -> Reply:
        """The review as a reply with its actions; a ``review_note`` when the store fails."""
        try:
            digest = self.digest(now)
        except StoreError as e:
            log.error("review not made: %s", e)
            return Reply("review_note", _lang(lang), key="store_error")
        return self.offer(Reply("review", _lang(lang), review=digest))

    def command(self, user: str, lang: str, out: Backend) -> Reply:
        """``nakijken`` / ``review`` (and the App Home's section): the review for an admin,
        the polite refusal for anyone else."""
        if not out.is_admin(user):
            log.info("review refused for user=%s", user)
            return Reply("review_note", _lang(lang), key="admin_only")
        return self.reply(lang)

    def offer(self, reply: Reply) -> Reply:
        """``reply`` (a ``review``) with each item's actions (group ``review:N``) and the
        drafts' **Publiceren** (group ``drafts``)."""
        lang = _lang(reply.lang)
        w = REVIEW[lang]
        kb = self.bot.kb
        acts: list[Action] = []
        digest = reply.review
        for i, item in enumerate(digest.items if digest else ()):
            group = f"review:{i}"
            options = tuple(Action("", w["draft_label"].format(question=e.question["nl"]) if e.draft
                                   else e.question[lang], {"r": item.id, "e": e.id})
                            for e in kb.all_entries())
            acts += [Action(f"{A_ADD}:{i}", w["add"], {"r": item.id}, group=group, options=options),
                     Action(f"{A_NEW}:{i}", w["new"], {"r": item.id, "l": lang}, group=group),
                     Action(f"{A_IGNORE}:{i}", w["ignore"], {"r": item.id, "l": lang}, group=group)]
        for j, (entry_id, _, _) in enumerate(digest.drafts if digest else ()):
            acts.append(Action(f"{A_PUBLISH}:{j}", w["publish"], {"e": entry_id, "l": lang}, style="primary",
                               group="drafts"))
        return replace(reply, actions=tuple(acts))

    def weekly(self, now: datetime | None = None) -> ReviewDigest | None:
        """This week's review for the admins' DM, or ``None``: not due (see
        :func:`weekly_slot`), already made this week by any worker, no admins or store,
        nothing to review. Raises :class:`~bot.store.StoreError`."""
        s = self.conversation.settings
        now = now or utc_now()
        slot = weekly_slot(now, s.review_day, s.review_hour)
        if slot is None or slot == self._slot or not s.admin_user_ids or self.store is None:
            return None
        self._slot = slot  # one claim a week from here, not one a tick
        if not self.store.claim(f"review-digest:{slot.isoformat()}", now=now):
            return None
        digest = self.digest(now)
        return digest if digest.items or digest.drafts else None

    # -- the actions ------------------------------------------------------------------------
    def click(self, msg: Message, out: Backend) -> None:
        """Carry out a review action for an admin (others: the refusal). Answers through
        ``out`` (``send_private``, ``open_form``), then ``out.review_changed``."""
        lang = _lang(msg.lang or msg.value.get("l"))
        if not out.is_admin(msg.user):
            log.info("review action %s refused for user=%s", msg.action[:40], msg.user)
            out.send_private(msg, Reply("review_note", lang, key="admin_only"))
            return
        base = msg.action.split(":", 1)[0]
        try:
            if base == A_PUBLISH:
                done = self._publish(msg, out, lang)
            elif base == A_SAVE:
                done = self._save(msg, out, lang)
            else:
                item = self._item(msg.value)
                if item is None:
                    out.send_private(msg, Reply("review_note", lang, key="expired"))
                    return
                if base == A_ADD:
                    done = self._add(msg, out, lang, item)
                elif base == A_NEW:
                    out.open_form(msg, self._form(item))
                    return
                elif base == A_IGNORE:
                    self.store.ignore_groups(item["k"], who=msg.user, action="ignored")
                    log.info("review item %s ignored by user=%s", msg.value.get("r"), msg.user)
                    out.send_private(msg, Reply("review_note", lang, key="ignored"))
                    done = True
                else:
                    raise ValueError(f"unknown review action {msg.action[:40]!r}")
        except StoreError as e:
            log.error("review action %s failed: %s", base, e)
            out.send_private(msg, Reply("review_note", lang, key="store_error"))
            return
        if done:
            out.review_changed(msg.user)

    def _item(self, value: Mapping[str, Any]) -> dict | None:
        """The item a click refers to, as kept behind its buttons (``None``: gone)."""
        if self.store is None:
            raise StoreError("no store")
        rid = str(value.get("r", ""))[:40]
        item = self.store.get_draft(rid) if rid.startswith("rv") else None
        return {**item, "id": rid} if item and "review" in item else None

    def _editor(self) -> KnowledgeEditor:
        store = self.store
        changelog: ChangeLog = (StoreChangeLog(store) if store is not None
                                else JsonlChangeLog.in_data_dir(self.conversation.settings.data_dir))
        live = self.bot.live
        directory = live.directory if live else Path(self.conversation.settings.knowledge_dir or DEFAULT_DIR)
        return KnowledgeEditor(directory, changelog)

    def _entry(self, entry_id: str | None):
        """The entry or draft ``entry_id``, or ``None``."""
        return next((e for e in self.bot.kb.all_entries() if e.id == entry_id), None)

    def _entry_question(self, entry_id: str, lang: str) -> str:
        e = self._entry(entry_id)
        return (e.question.get(lang) or e.question["nl"]) if e else entry_id

    def _refused(self, msg: Message, out: Backend, lang: str, e: EditRefused) -> bool:
        reason = e.faults[0] + (f" (+{len(e.faults) - 1})" if len(e.faults) > 1 else "")
        log.info("knowledge edit by user=%s refused: %s", msg.user, reason)
        out.send_private(msg, Reply("review_note", lang, key="refused", fmt={"reason": reason}))
        return False

    def _by_lang(self, questions: list[str]) -> dict[str, list[str]]:
        by: dict[str, list[str]] = {}
        for q in questions:
            by.setdefault(self.bot.faq.detect_lang(q), []).append(q)
        return by

    def _add(self, msg: Message, out: Backend, lang: str, item: dict) -> bool:
        """"Toevoegen aan…": the item's questions as phrasings of the entry picked."""
        entry_id = str(msg.value.get("e", ""))[:100]
        editor = self._editor()
        added: list[str] = []
        skipped: list[str] = []
        try:
            for lg, texts in self._by_lang(item["q"]).items():
                result = editor.add_phrasings(entry_id, lg, texts, who=msg.user)
                added += result.added
                skipped += [f"'{x.text}': {x.reason}" for x in result.skipped]
        except EditRefused as e:
            if not added:
                return self._refused(msg, out, lang, e)
            skipped.append(e.faults[0])  # one language written, the other refused
        why = "; ".join(skipped[:3])
        if not added:
            out.send_private(msg, Reply("review_note", lang, key="nothing_added",
                                        fmt={"skipped": REVIEW[lang]["skipped"].format(skipped=why)}))
            return False
        self.bot.check_knowledge()
        self.store.ignore_groups(item["k"], who=msg.user, action="added")
        log.info("user=%s added %d phrasing(s) to %s", msg.user, len(added), entry_id)
        text = REVIEW[lang]["added"].format(n=len(added), question=self._entry_question(entry_id, lang))
        if skipped:
            text += " " + REVIEW[lang]["skipped"].format(skipped=why)
        out.send_private(msg, Reply("text", lang, text=text))
        return True

    def _form(self, item: dict) -> KnowledgeForm:
        by = self._by_lang(item["q"])
        return KnowledgeForm(item_id=str(item.get("id", "")), question_nl=(by.get("nl") or [""])[0],
                             question_en=(by.get("en") or [""])[0])

    def _publish(self, msg: Message, out: Backend, lang: str) -> bool:
        """"Publiceren": publish the draft; one without English asks for it first."""
        entry_id = str(msg.value.get("e", ""))[:100]
        try:
            d = self.bot.kb.draft(entry_id)
        except KeyError:
            out.send_private(msg, Reply("review_note", lang, key="no_draft", fmt={"id": entry_id}))
            return False
        if "en" not in d.question or "en" not in d.answer:
            out.open_form(msg, KnowledgeForm(entry_id=d.id, question_nl=d.question["nl"], answer_nl=d.answer["nl"],
                                             question_en=d.question.get("en", ""), answer_en=d.answer.get("en", "")))
            return False
        try:
            self._editor().publish(entry_id, who=msg.user)
        except EditRefused as e:
            return self._refused(msg, out, lang, e)
        self.bot.check_knowledge()
        log.info("user=%s published %s", msg.user, entry_id)
        out.send_private(msg, Reply("review_note", lang, key="published", fmt={"id": entry_id}))
        return True

    def _save(self, msg: Message, out: Backend, lang: str) -> bool:
        """The form saved: a new draft (with the item's other questions as its phrasings),
        or a draft's English added and the draft published."""
        v = {k: " ".join(str(msg.value.get(k) or "").split()) if k.startswith("q") else
             str(msg.value.get(k) or "").replace("\r\n", "\n").strip()
             for k in ("q_nl", "a_nl", "q_en", "a_en")}
        v = {k: t[:TEXT_MAX] for k, t in v.items()}
        entry_id = str(msg.value.get("e", ""))[:100]
        if not (v["q_nl"] and v["a_nl"]):
            out.send_private(msg, Reply("review_note", lang, key="incomplete"))
            return False
        editor = self._editor()
        if entry_id:  # a draft completed, then published
            if not (v["q_en"] and v["a_en"]):
                out.send_private(msg, Reply("review_note", lang, key="incomplete_en"))
                return False
            rows = [Row(entry_id, lg, kind, v[f"{kind[0]}_{lg}"]) for lg in ("nl", "en") for kind in ("question", "answer")]
            try:
                _, verdicts = editor.apply(rows, who=msg.user)
                faults = [reason for verdict, reason in verdicts if verdict == "fault"]
                if faults:
                    raise EditRefused(faults)
                editor.publish(entry_id, who=msg.user)
            except EditRefused as e:
                return self._refused(msg, out, lang, e)
            self.bot.check_knowledge()
            out.send_private(msg, Reply("review_note", lang, key="published", fmt={"id": entry_id}))
            return True
        item = self._item(msg.value) if msg.value.get("r") else None
        try:
            result = editor.add_draft(v["q_nl"], v["a_nl"], who=msg.user, question_en=v["q_en"], answer_en=v["a_en"])
        except EditRefused as e:
            return self._refused(msg, out, lang, e)
        new_id = result.entry_id or ""
        if item:
            try:
                for lg, texts in self._by_lang(item["q"]).items():
                    editor.add_phrasings(new_id, lg, texts, who=msg.user)  # a text already there is skipped
            except EditRefused as e:
                log.warning("the draft's phrasings were not added: %s", e)
        self.bot.check_knowledge()  # after the last write; a draft is not fitted on, so no refit
        if item:
            self.store.ignore_groups(item["k"], who=msg.user, action="draft")
        log.info("user=%s saved draft %s", msg.user, new_id)
        out.send_private(msg, Reply("review_note", lang, key="draft_saved", fmt={"id": new_id}))
        return True
