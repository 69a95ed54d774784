"""The conversation: every flow a user can start, for every backend (Slack, the console, tests).

:class:`Conversation` takes a :class:`~bot.replies.Message` (a line of text, or a click on an
:class:`~bot.replies.Action` it offered) and answers through a
:class:`~bot.backends.base.Backend`:

* a question (the knowledge base's answer, "bedoel je…?" or "weet ik niet"), logged in the
  :class:`~bot.store.Store` with its 👍/👎 buttons; a school lookup (``school X`` or a question
  about one school), with the candidates and "Verzoek opstellen" as actions; ``help``;
* ``verzoek X``: a draft, shown to the asker alone, kept in ``drafts`` (a
  :class:`~bot.state.DraftStore`, or the store's :class:`~bot.shared.SharedDrafts`) for its
  actions: edit it (:meth:`~bot.backends.base.Backend.open_editor`), post it for a
  colleague, mark it as sent. Posting or marking records the request; at most one open
  request per school (the reply points to the first), none for a school on the list;
* ``verzoeken``: the open requests; ``lijst vernieuwen`` / ``lijst status`` for admins;
* ``nakijken`` and the review's actions, for admins: :class:`bot.review.Review`.

The one router is :func:`bot.core.route`; the text of a message is cleaned once, here.
Background work (grants, reminders, announcements) is :class:`bot.jobs.Jobs`.
Errors: a :class:`~bot.store.StoreError` becomes a sentence for the user; a draft that
cannot be read from the store is made again from the school's name (as after a restart), one
that cannot be kept goes out all the same (its buttons make it again). Anything else (a
backend failure, a bad button value) propagates to the backend, which logs it and apologises.
"""
from __future__ import annotations

import logging
import re
import secrets
from dataclasses import replace
from datetime import datetime
from typing import Any, Callable, Mapping

from .backends.base import Backend
from .consent_source import RefreshResult
from .consentlist import School
from .core import Bot, route
from .errors import CannotPost
from .faq import Answer
from .feedback import Feedback, record_feedback
from .render import refresh_report, school_label, status_report
from .replies import Action, DraftForm, Message, Reply, Where
from .review import ACTIONS as REVIEW_ACTIONS, Review
from .state import DraftRecord, DraftStore, SeenSet
from .store import Request, Store, StoreError, utc_now
from .text import clean, fold
from .wording import CHAT, LIST

log = logging.getLogger("bot.conversation")

# Action ids (what a click sends back as Message.action).
A_SHOW_ENTRY = "show_entry"
A_FEEDBACK = "feedback"
A_PICK_SCHOOL = "pick_school"
A_DRAFT = "draft_request"
A_EDIT = "draft_edit"
A_POST = "draft_post"
A_MAILTO = "draft_mailto"
A_MARK = "draft_mark_sent"
A_SAVE = "draft_save"
"""Not a button: an edit form saved (:class:`~bot.replies.DraftForm`)."""

VALUE_TEXT_MAX = 300
"""Longest string in an action's value (a question, a school's name): values stay small."""
EMAIL_MAX = 254
"""Longest e-mail address accepted for a draft (RFC 5321 path limit)."""
SUBJECT_MAX = 250
"""Longest subject accepted for a draft."""
BODY_MAX = 3000
"""Longest text kept for a draft."""
_EMAIL = re.compile(r"^[^@\s<>,;:\"]+@[^@\s<>,;:\"]+\.[A-Za-z]{2,}$")
_ONE_WORD_HELP = ("low_score", "out_of_scope")
"""A one-word slash command the knowledge base cannot place is an unknown command: help."""


def _short(**kw: Any) -> dict[str, Any]:
    return {k: (v[:VALUE_TEXT_MAX] if isinstance(v, str) else v) for k, v in kw.items()}


def _lang(value: Any) -> str:
    return value if value in ("nl", "en") else "nl"


def validate_edit(values: Mapping[str, str], lang: str = "nl") -> tuple[dict[str, str], dict[str, str]]:
    """Check an edited draft ``{to, subject, body}``: ``(cleaned, errors)``, ``errors``
    mapping a field to a sentence in ``lang`` (empty when all is well). The recipient may be
    empty; the subject and the text may not."""
    s = CHAT[_lang(lang)]
    to = (values.get("to") or "").strip()
    subject = " ".join((values.get("subject") or "").split())
    body = (values.get("body") or "").replace("\r\n", "\n").strip()
    errors = {}
    if to and (len(to) > EMAIL_MAX or not _EMAIL.match(to)):
        errors["to"] = s["bad_email"]
    if not subject:
        errors["subject"] = s["empty_subject"]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = s["long_subject"].format(n=SUBJECT_MAX)
    if not body:
        errors["body"] = s["empty_body"]
    return {"to": to, "subject": subject, "body": body[:BODY_MAX] + "\n"}, errors


class Conversation:
    """The conversation around one :class:`~bot.core.Bot`, a request ``store`` (``None``:
    requests are not tracked, questions not logged; request actions apologise), the
    ``drafts`` behind the buttons and ``seen``, the deliveries answered already (a backend's
    de-duplication: ``first_time(*keys)``); both in this process's memory by default, or
    :mod:`bot.shared`'s adapters over the store. Thread-safe as its parts are; shared by all
    backends of a process. ``refresh_list`` is how an admin's ``lijst vernieuwen`` refreshes
    (the jobs set it: they share the result with other workers and send its news before the
    admin's answer); ``None``: the consent source's own refresh."""

    def __init__(self, bot: Bot, store: Store | None = None, drafts: DraftStore | None = None,
                 seen: SeenSet | None = None):
        self.bot = bot
        self.store = store
        self.drafts = drafts or DraftStore()
        self.seen = seen or SeenSet()
        self.refresh_list: Callable[[], RefreshResult | None] | None = None
        self.review = Review(self)

    def use_store(self, store: Store | None) -> None:
        """Use ``store`` from now on (a forked worker's own connection to the same database),
        also for drafts and de-duplication kept in the old one; ``None``: none (they then
        stay in this process's memory)."""
        old, self.store = self.store, store
        for name, local in (("drafts", DraftStore), ("seen", SeenSet)):
            part = getattr(self, name)
            if old is not None and getattr(part, "store", None) is old:
                if store is None:
                    setattr(self, name, local())
                else:
                    part.store = store

    @property
    def settings(self):
        return self.bot.settings

    def lang_of(self, msg: Message) -> str:
        """The language to answer ``msg`` in when there is no reply to take it from (an
        apology): its hint, else its text's (a click without a hint: Dutch)."""
        if msg.lang:
            return _lang(msg.lang)
        return "nl" if msg.kind == "click" else self.bot.faq.detect_lang(clean(msg.text))

    # -- the entry point -------------------------------------------------------------------
    def handle(self, msg: Message, out: Backend) -> None:
        """Answer ``msg`` through ``out``. Raises whatever ``out`` raises, and ``KeyError`` /
        ``ValueError`` for a click whose value names nothing the bot knows. The whole message
        is answered from one knowledge base (:meth:`bot.core.Bot.pinned`)."""
        with self.bot.pinned():
            if msg.kind == "click":
                self._click(msg, out)
            else:
                self._text(msg, out)

    def _text(self, msg: Message, out: Backend) -> None:
        question = clean(msg.text)  # the one clean-up of this message's text
        r = route(question)
        if r.command in ("requests", "list_refresh", "list_status"):  # personal: to the asker alone
            out.send_private(msg, self._command(r.command, r.lang, msg.user, out))
            return
        if r.command == "review":  # admins: the questions to review, with their actions
            out.send_private(msg, self.review.command(msg.user, r.lang, out))
            return
        if r.command == "verzoek":  # a draft is personal too
            out.send_private(msg, self._draft(r.arg, msg, out))
            return
        if r.command == "help" or (not question and msg.kind == "slash"):
            reply = Reply("help", self.bot.faq.detect_lang(question))
        elif r.command == "school":
            reply = self.bot.lookup_reply(r.arg, lang=self.bot.faq.detect_lang(question))
        else:
            reply = self.bot.respond(question)
            a = reply.answer
            if (msg.kind == "slash" and a and a.status == "no_match" and a.reason in _ONE_WORD_HELP
                    and len(question.split()) == 1):
                reply = Reply("help", reply.lang, unknown=question)  # "/magister frobnicate"
            else:
                reply = replace(reply, question_id=self._log_question(reply, msg))
        out.reply(msg, self.offer(reply))

    def _click(self, msg: Message, out: Backend) -> None:
        action, v = msg.action, msg.value
        base = action.split(":", 1)[0]
        if base == A_SHOW_ENTRY:
            lang = _lang(v.get("l"))
            entry = self.bot.kb.entry(str(v.get("e", "")))
            answer = Answer("answered", entry, 1.0, lang=lang)
            out.reply(msg, self.offer(Reply("answer", lang, answer=answer, question=str(v.get("q", "")))))
        elif base == A_FEEDBACK:
            lang = _lang(v.get("l"))
            qid = v.get("i")
            record_feedback(Feedback(entry_id=str(v.get("e", ""))[:100], helpful=action.endswith(":up"),
                                     user=msg.user, channel=msg.channel, lang=lang, question=str(v.get("q", "")),
                                     question_id=qid if isinstance(qid, int) and not isinstance(qid, bool) else None),
                            self.store)
            out.send_private(msg, Reply("note", lang, key="thanks"))
        elif base == A_PICK_SCHOOL:
            lang = _lang(v.get("l"))
            lookup = self.bot.chosen(str(v.get("n", "")), str(v.get("h", "")))
            out.reply(msg, self.offer(Reply("lookup", lang, lookup=lookup)))
        elif base == A_DRAFT:
            out.send_private(msg, self._draft(str(v.get("s", "")), msg, out))
        elif base == A_EDIT:
            draft_id, rec = self._record(v, msg, out)
            out.open_editor(msg, DraftForm(draft_id, rec.draft, rec.school_query, rec.channel))
        elif base == A_SAVE:
            self._save(msg, out)
        elif base == A_POST:
            self._post(msg, out)
        elif base == A_MARK:
            self._mark_sent(msg, out)
        elif base == A_MAILTO:
            return  # a link: the backend opened it, nothing to answer
        elif base in REVIEW_ACTIONS:
            self.review.click(msg, out)
        else:
            raise ValueError(f"unknown action {action[:40]!r}")

    # -- the actions a reply offers -------------------------------------------------------------
    def offer(self, reply: Reply, *, can_post: bool = True, can_mark: bool = True) -> Reply:
        """``reply`` with the actions it offers (see :class:`~bot.replies.Action`): an answer's
        related questions and 👍/👎, "bedoel je…?" suggestions, examples when there is no
        match; a lookup's candidates and "Verzoek opstellen"; a draft's "Bewerken", "Plaatsen in
        kanaal" (``can_post``), "Openen in e-mail" and "Markeer als verstuurd" (``can_mark``)."""
        lang = _lang(reply.lang)
        s = CHAT[lang]
        acts: list[Action] = []
        if reply.kind == "answer" and reply.answer:
            a, q = reply.answer, reply.question
            def entries(items, group: str) -> list[Action]:
                return [Action(f"{A_SHOW_ENTRY}:{i}", e.question[lang], _short(e=e.id, l=lang, q=q), group=group)
                        for i, e in enumerate(items)]
            if a.status == "answered" and a.entry:
                acts += entries([self.bot.kb.entry(r) for r in a.entry.related if self._has(r)], "related")
                vote = _short(e=a.entry.id, l=lang, q=q, **({"i": reply.question_id} if reply.question_id else {}))
                acts += [Action(f"{A_FEEDBACK}:up", s["up"], vote, group="feedback"),
                         Action(f"{A_FEEDBACK}:down", s["down"], vote, group="feedback")]
            elif a.status == "ambiguous":
                acts += entries(a.suggestions, "suggestions")
            elif a.reason not in ("empty", "no_topic"):
                acts += entries(self.bot.kb.entries[:5], "examples")
        elif reply.kind == "lookup" and reply.lookup and not (reply.lookup.list_info or {}).get("unavailable"):
            lk = reply.lookup
            if lk.status == "ambiguous" or (lk.status == "not_found" and lk.reason == "no_match"):
                out = set(lk.unlisted)
                acts += [Action(f"{A_PICK_SCHOOL}:{i}", school_label(c, i not in out, lang),
                                _short(n=f"{c.name} {c.city}".strip() if i in out else c.name, h=c.host, l=lang),
                                group="lookup")
                         for i, c in enumerate(lk.candidates)]
            if lk.status == "not_granted" and lk.match:
                acts.append(Action(A_DRAFT, s["draft_button"], _short(s=self._draft_query(lk.match)), style="primary",
                                   group="lookup"))
            elif lk.status == "not_found" and lk.reason in ("no_match", "host_not_listed") and lk.query.strip():
                acts.append(Action(A_DRAFT, s["draft_button"], _short(s=lk.query.strip()), style="primary",
                                   group="lookup"))
        elif reply.kind in ("draft", "reminder") and reply.draft:
            d, s_nl = reply.draft, CHAT["nl"]  # drafts are Dutch, whatever the user spoke
            value = _short(id=reply.draft_id, s=reply.school_query)
            acts.append(Action(A_EDIT, s_nl["edit"], value, style="primary", group="draft"))
            if can_post:
                acts.append(Action(A_POST, s_nl["post"], value, group="draft"))
            acts.append(Action(A_MAILTO, s_nl["mail"], url=d.mailto(), group="draft"))
            if can_mark:
                acts.append(Action(A_MARK, s_nl["mark"], value, group="draft"))
        elif reply.kind == "posted_draft" and reply.draft:
            acts.append(Action(A_MAILTO, CHAT["nl"]["mail"], url=reply.draft.mailto(), group="posted"))
        return replace(reply, actions=tuple(acts))

    def _draft_query(self, school: School) -> str:
        """What the draft button looks up for ``school`` (a directory school, not listed): its
        name, or its name and place when the bare name finds another school (e.g. a listed
        "Bonhoeffer College" in Castricum for the one in Enschede), so the draft keeps the
        vestigingscode and no namesake's grant closes its request."""
        again = self.bot.lookup(school.name)
        if again.status == "not_granted" and again.match and again.match.vestigingscode == school.vestigingscode:
            return school.name
        where = school.city if school.city and fold(school.city) not in fold(school.name) else ""
        return f"{school.name} {where}".strip()

    def _has(self, entry_id: str) -> bool:
        try:
            self.bot.kb.entry(entry_id)
        except KeyError:
            return False
        return True

    # -- the question log ---------------------------------------------------------------------
    def _log_question(self, reply: Reply, msg: Message) -> int | None:
        """Log a question answered from the knowledge base; its id, or ``None`` (not a
        question, a backend that logs none, no store, or the store failed: logged, the answer
        goes out all the same)."""
        a = reply.answer
        if (self.store is None or reply.kind != "answer" or a is None or not reply.question.strip()
                or not msg.channel_type):
            return None
        entry = a.entry or (a.suggestions[0] if a.suggestions else None)
        try:
            return self.store.log_question(reply.question, a.status, entry_id=entry.id if entry else None,
                                           score=a.score, channel_type=msg.channel_type, user_id=msg.user)
        except (StoreError, ValueError) as e:
            log.error("question not logged: %s", e)
            return None

    # -- requests and admin commands --------------------------------------------------------------
    def _command(self, name: str, lang: str, user: str, out: Backend) -> Reply:
        """``verzoeken`` for everyone; ``lijst vernieuwen`` / ``lijst status`` for admins (a
        refresh runs here; its grants and announcements go out before the admin's answer)."""
        if name == "requests":
            if self.store is None:
                return Reply("note", lang, key="store_error")
            try:
                requests = self.store.open_requests()
            except StoreError as e:
                log.error("open requests not read: %s", e)
                return Reply("note", lang, key="store_error")
            return Reply("requests", lang, requests=tuple(requests), now=utc_now())
        if not out.is_admin(user):
            log.info("admin command %s refused for user=%s", name, user)
            return Reply("admin_only", lang)
        source = self.bot.consent_source
        if source is None:
            return Reply("text", lang, text=LIST[lang]["no_source"])
        if name == "list_refresh":
            log.info("consent list refresh asked by user=%s", user)
            result = self.refresh_list() if self.refresh_list else source.refresh()
            return Reply("text", lang, text=refresh_report(result, lang))
        return Reply("text", lang, text=status_report(source.status(), lang))

    def home(self, user: str) -> tuple[dict, list[Request] | None]:
        """What a user's home shows: the consent list's info, and the user's own open requests
        (``None`` when they cannot be read)."""
        requests: list[Request] | None = None
        if self.store is not None:
            try:
                requests = self.store.open_requests(requested_by=user)
            except StoreError as e:
                log.error("open requests not read: %s", e)
        return self.bot.consent.info(), requests

    # -- drafts ---------------------------------------------------------------------------------
    def _new_record(self, query: str, user: str, channel: str, thread: str, out: Backend) -> tuple[Reply, DraftRecord]:
        """A fresh draft for ``query`` signed with ``user``'s name, with the school's host and
        vestigingscode when the lookup found it."""
        reply = self.bot.draft_reply(query, sender=out.user_name(user))
        if reply.draft is None:
            raise ValueError("a draft needs a school")
        lk = reply.lookup
        found = lk.match if lk and lk.status in ("granted", "not_granted") and lk.match else None
        rec = DraftRecord(reply.draft, query, user, channel, thread, found.host if found else "",
                          found.vestigingscode if found else "")
        return reply, rec

    def _draft(self, query: str, msg: Message, out: Backend) -> Reply:
        """A fresh draft for ``query``, kept for its buttons; notes an open request for the
        school and a list that could not be checked."""
        if not query.strip():
            return Reply("usage", "nl", text="verzoek")
        reply, rec = self._new_record(query, msg.user, msg.channel, msg.thread, out)
        draft_id = self._keep(rec)
        found, _ = self._open_for(rec)
        reply = replace(reply, draft_id=draft_id, existing=found, unverified=self.bot.consent.unavailable)
        return self.offer(reply, can_post=out.can_post_in(msg.channel))

    def reminder(self, r: Request, lang: str, now: datetime, out: Backend) -> Reply:
        """The one reminder of request ``r``: what and when, then the draft made again, ready
        to send (its actions work like any draft's)."""
        reply, rec = self._new_record(r.school_name, r.requested_by, "", "", out)
        rec = replace(rec, host=rec.host or r.host, code=rec.code or r.code)
        draft_id = self._keep(rec)
        reply = replace(reply, kind="reminder", lang=lang, draft_id=draft_id, school_query=r.school_name,
                        request=r, now=now)
        return self.offer(reply, can_post=False, can_mark=False)

    def _keep(self, rec: DraftRecord) -> str:
        """Keep ``rec`` for its buttons; its id. When the store cannot keep it (logged), an id
        kept nowhere: the buttons then make the draft again from the school's name."""
        try:
            return self.drafts.add(rec)
        except StoreError as e:
            log.error("draft not kept (its buttons will make it again): %s", e)
            return secrets.token_urlsafe(9)

    def _record(self, v: Mapping[str, Any], msg: Message, out: Backend) -> tuple[str, DraftRecord]:
        """The kept draft an action refers to; made again from the school's name when it is
        gone (a restart, a day old) or cannot be read (a store fault, logged)."""
        draft_id = str(v.get("id", ""))[:40]
        try:
            rec = self.drafts.get(draft_id) if draft_id else None
        except StoreError as e:
            log.error("draft %s not read, making it again: %s", draft_id, e)
            rec = None
        if rec is not None:
            return draft_id, rec
        query = str(v.get("s", "")) or "uw school"
        _, rec = self._new_record(query, msg.user, msg.channel, "", out)
        if not draft_id:
            return self._keep(rec), rec
        try:
            self.drafts.put(draft_id, rec)
        except StoreError as e:
            log.error("draft %s not kept: %s", draft_id, e)
        return draft_id, rec

    def _save(self, msg: Message, out: Backend) -> None:
        """An edited draft saved: checked, kept, and shown in place of the old one."""
        cleaned, errors = validate_edit(msg.value)
        if errors:
            out.send_private(msg, Reply("note", key="edit_invalid", fmt={"errors": " ".join(errors.values())}))
            return
        draft_id, rec = self._record(msg.value, msg, out)
        new = replace(rec.draft, to=cleaned["to"], subject=cleaned["subject"], body=cleaned["body"])
        try:
            self.drafts.put(draft_id, replace(rec, draft=new))
        except StoreError as e:  # a click would post the draft without this edit: say so
            log.error("edited draft %s not kept: %s", draft_id, e)
            out.send_private(msg, Reply("note", key="edit_not_kept"))
            return
        reply = Reply("draft", "nl", draft=new, draft_id=draft_id, school_query=rec.school_query)
        out.update(msg, self.offer(reply, can_post=out.can_post_in(rec.channel)))

    def _post(self, msg: Message, out: Backend) -> None:
        """"Plaatsen in kanaal": post the draft where it was made, for a colleague to send, and
        record the request as sent. When the school is on the list, or a request for it is
        open already, say so (with a link to the request) and post nothing."""
        _, rec = self._record(msg.value, msg, out)
        if self._refused(rec, msg, out)[0]:
            return
        channel = msg.channel or rec.channel
        posted = self.offer(Reply("posted_draft", draft=rec.draft, poster=out.user_name(msg.user)))
        try:
            sent = out.send(Where(channel, rec.thread_ts), posted)
        except CannotPost:
            out.send_private(msg, Reply("note", key="not_in_channel"))
            return
        out.send_private(msg, self._record_sent(rec, msg.user, sent.channel or channel, sent.ts, posted=True, out=out))

    def _mark_sent(self, msg: Message, out: Backend) -> None:
        """"Markeer als verstuurd": the requester sent the draft themselves (e-mail); record it.
        When a request for the school is open already, say so (with a link to it); when the
        school is on the list, say that and record nothing (it needs no request)."""
        _, rec = self._record(msg.value, msg, out)
        refused, ok = self._refused(rec, msg, out)
        if refused:
            return
        if not ok:
            out.send_private(msg, Reply("note", key="store_error"))
        else:
            out.send_private(msg, self._record_sent(rec, msg.user, rec.channel or msg.channel, "", posted=False, out=out))

    def _refused(self, rec: DraftRecord, msg: Message, out: Backend) -> tuple[bool, bool]:
        """Whether no request may be recorded for the draft's school, the user told why (it
        is on the list; a request for it is open already, with a link to it), and whether the
        store could be asked."""
        listed = self.bot.listed_as(rec.school_query)
        if listed:
            out.send_private(msg, Reply("note", key="already_listed", fmt={"school": listed}))
            return True, True
        found, ok = self._open_for(rec)
        if self._blocks(found, msg.user):
            out.send_private(msg, self._existing("already_mine" if found.requested_by == msg.user else "already_open",
                                                 found, out))
            return True, ok
        return False, ok

    def _open_for(self, rec: DraftRecord) -> tuple[Request | None, bool]:
        """The open request for the draft's school, and whether the store could be asked."""
        if self.store is None:
            return None, False
        try:
            return self.store.find_open(rec.draft.school, host=rec.host, code=rec.code), True
        except (StoreError, ValueError) as e:
            log.error("open requests not read: %s", e)
            return None, False

    @staticmethod
    def _blocks(found: Request | None, user: str) -> bool:
        """Whether ``found`` stops a new request: any open request, except the user's own
        that was only drafted (then this click sends it)."""
        return found is not None and not (found.requested_by == user and found.status == "drafted")

    @staticmethod
    def _existing(key: str, r: Request, out: Backend) -> Reply:
        link = out.permalink(r.channel, r.message_ts) if r.channel and r.message_ts else ""
        return Reply("existing", key=key, request=r, permalink=link)

    def _record_sent(self, rec: DraftRecord, user: str, channel: str, ts: str, *, posted: bool,
                     out: Backend) -> Reply:
        """Record the draft's request as sent by ``user`` (in ``channel`` at ``ts`` when
        posted); the note for the user."""
        if self.store is None:
            return Reply("note", key="posted_untracked" if posted else "store_error")
        try:
            req, new = self.store.open_request(rec.draft.school, host=rec.host, code=rec.code, requested_by=user,
                                               channel=channel)
            if not new and self._blocks(req, user):  # recorded by someone else a moment ago
                return self._existing("draft_open", req, out)
            self.store.mark_sent(req.id, channel=channel, message_ts=ts)
        except (StoreError, ValueError) as e:
            log.error("request not recorded: %s", e)
            return Reply("note", key="posted_untracked" if posted else "store_error")
        log.info("request %d for %r recorded as sent by user=%s", req.id, req.school_name, user)
        return Reply("note", key="posted_tracked" if posted else "marked_ok", fmt={"school": req.school_name})
