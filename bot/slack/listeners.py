"""The Slack listeners: what happens on a mention, a DM, ``/magister``, a button, the edit
modal and the App Home. Each acknowledges first and does the work after ``ack()``.

Routing, in short:

* mention (reply in the thread), DM (reply in the DM) and ``/magister <tekst>`` (ephemeral,
  through ``response_url``) all go through :meth:`bot.core.Bot.handle`; ``verzoek <school>``
  makes a draft with the asker's Slack name, always shown to the asker alone.
* Slack-only subcommands (:func:`slack_subcommand`): ``verzoeken`` (``requests``) lists the
  open requests; ``lijst vernieuwen`` / ``lijst status`` (``list refresh`` / ``list status``)
  refresh the consent list or show its status, for ``ADMIN_USER_IDS`` only.
* buttons: "bedoel je…?" / related / examples show an answer; a school candidate shows that
  school; "Verzoek opstellen" makes a draft; 👍/👎 go to :func:`~bot.slack.feedback.record_feedback`;
  "Bewerken" opens the modal, "Plaatsen in kanaal" posts the draft for a colleague and records
  the request as sent, "Markeer als verstuurd" records it (the store refuses a second open
  request for the same school; the reply points to the first; a school on the list needs
  none, so nothing is recorded).
* A click on an ephemeral message is answered through its ``response_url``; a click on a
  thread or DM message is answered in the same thread.
* Each question answered from the knowledge base is logged in the :class:`~bot.store.Store`
  (not lookups, drafts or help); its 👍/👎 buttons carry the logged question's id.

Failures never reach the user as a traceback: a Slack API error is logged with its method
and error code, anything else with its traceback, and the user gets a short apology. Without
a store, or when it fails (:class:`~bot.store.StoreError`: a full or read-only disk), questions
are still answered; request actions apologise in one sentence.
"""
from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any, Callable, Iterator

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond
from slack_bolt.request.payload_utils import is_block_actions, is_slash_command
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..consentlist import School
from ..core import Bot, Reply, parse_command
from ..faq import Answer
from ..consent_source import refresh_report, status_report
from ..render import LIST_T
from ..schools import Lookup
from ..store import Request, Store, StoreError, utc_now
from ..text import clean, fold
from . import blocks as B
from .feedback import Feedback, record_feedback
from .state import DraftRecord, DraftStore, SeenSet

log = logging.getLogger("bot.slack")

COMMAND = "/magister"
"""The slash command (``manifest.yaml`` declares it)."""
EVENTS: dict[str, str | None] = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "app_home_opened": None,
}
"""The bot events the app subscribes to, with the scope each needs. Not ``message.channels``:
a mention would then arrive twice."""

_CHAT_EVENTS = ("message", "app_mention")
_ANSWERED_SUBTYPES = ("file_share",)  # a question with a file attached (a screenshot) is still a question
_POST_ERRORS = ("not_in_channel", "channel_not_found", "is_archived", "restricted_action")


class SlackApiFailure(Exception):
    """A ``response_url`` post that Slack did not accept (status and body in the message)."""


def _method(e: SlackApiError) -> str:
    url = getattr(e.response, "api_url", "") or ""
    return url.rstrip("/").rsplit("/", 1)[-1] or "?"


def _value(action: dict) -> dict:
    try:
        v = json.loads(action.get("value") or "{}")
    except ValueError:
        return {}
    return v if isinstance(v, dict) else {}


def _lang(v: dict) -> str:
    return v.get("l") if v.get("l") in ("nl", "en") else "nl"


def _is_dm(channel: str) -> bool:
    return channel.startswith("D")


def _channel_type(channel: str) -> str:
    """The question log's channel type from a channel id (mentions carry none)."""
    return {"C": "channel", "G": "group", "D": "im"}.get(channel[:1], "")


_SUBCOMMANDS = {
    ("verzoeken",): ("requests", "nl"), ("requests",): ("requests", "en"),
    ("lijst", "vernieuwen"): ("list_refresh", "nl"), ("lijst", "status"): ("list_status", "nl"),
    ("list", "refresh"): ("list_refresh", "en"), ("list", "status"): ("list_status", "en"),
}


def slack_subcommand(question: str) -> tuple[str, str]:
    """``"verzoeken"`` -> ``("requests", "nl")``, ``"list refresh"`` -> ``("list_refresh", "en")``;
    ``("", "")`` for anything else (these words in a longer question stay a question)."""
    words = tuple(w.strip("?!.,:;") for w in fold(question).split())
    return _SUBCOMMANDS.get(words, ("", ""))


class Listeners:
    """The app's listeners around one :class:`Bot`, a :class:`DraftStore` and a :class:`SeenSet`."""

    def __init__(self, bot: Bot, drafts: DraftStore, seen: SeenSet, store: Store | None = None):
        self.bot = bot
        self.drafts = drafts
        self.seen = seen
        self.store = store  # None: it could not be opened; request actions apologise

    @property
    def contact(self) -> str:
        return self.bot.settings.help_contact

    def register(self, app: App) -> None:
        """Attach middleware and listeners to ``app``."""
        app.middleware(self.ack_first)
        app.middleware(self.drop_noise)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home)
        app.command(COMMAND)(self.on_command)
        app.action(re.compile(rf"^{B.A_SHOW_ENTRY}(:\d+)?$"))(self.on_show_entry)
        app.action(re.compile(rf"^{B.A_FEEDBACK}:(up|down)$"))(self.on_feedback)
        app.action(re.compile(rf"^{B.A_PICK_SCHOOL}(:\d+)?$"))(self.on_pick_school)
        app.action(B.A_DRAFT)(self.on_draft_button)
        app.action(B.A_EDIT)(self.on_edit)
        app.action(B.A_POST)(self.on_post)
        app.action(B.A_MAILTO)(self.on_link_click)
        app.action(B.A_MARK)(self.on_mark_sent)
        app.view(B.V_EDIT)(self.on_edit_submit)
        app.error(self.on_error)

    # -- middleware -------------------------------------------------------------------------
    @staticmethod
    def ack_first(body: dict, ack: Callable, next: Callable[[], Any]) -> BoltResponse | None:
        """Acknowledge a slash command or a button click on the request's own thread, before
        its listener runs. Bolt would wait for the listener's ``ack()`` on the listener
        threads, which a burst keeps busy with earlier requests' work, and answer 404 after 3 s
        (events Bolt acknowledges itself). Every such listener acks first with nothing to say,
        so its own ``ack()`` changes nothing. Not a modal's submission: its ack carries the
        form's errors."""
        if is_slash_command(body) or is_block_actions(body):
            ack()
        return next()

    def drop_noise(self, body: dict, request, next: Callable[[], Any]) -> BoltResponse | None:
        """Acknowledge without reply: messages from any bot, edits, deletions and every other
        message subtype but a shared file (no loops), and an event or message seen before
        (Slack's retries)."""
        if body.get("type") == "event_callback":
            ev = body.get("event") or {}
            subtype = ev.get("subtype")
            if ev.get("type") in _CHAT_EVENTS and (ev.get("bot_id") or (subtype and subtype not in _ANSWERED_SUBTYPES)
                                                   or not ev.get("user")):
                return BoltResponse(status=200, body="")
            keys = [f"event:{body['event_id']}"] if body.get("event_id") else []
            if ev.get("type") in _CHAT_EVENTS and ev.get("ts"):
                keys.append(f"msg:{ev.get('channel')}:{ev['ts']}")
            if not self.seen.first_time(*keys):
                retry = (request.headers.get("x-slack-retry-num") or ["-"])[0]
                log.info("skipped a repeated delivery: event=%s type=%s retry=%s",
                         body.get("event_id"), ev.get("type"), retry)
                return BoltResponse(status=200, body="")
        return next()

    # -- sending ------------------------------------------------------------------------------
    @staticmethod
    def _post(client: WebClient, channel: str, msg: dict, thread_ts: str | None = None) -> Any:
        """Post ``msg``; returns Slack's answer (``channel`` and ``ts`` of the message)."""
        return client.chat_postMessage(channel=channel, thread_ts=thread_ts or None, text=msg["text"],
                                       blocks=msg["blocks"], unfurl_links=False, unfurl_media=False)

    @staticmethod
    def _ephemeral(client: WebClient, channel: str, user: str, msg: dict, thread_ts: str | None = None) -> None:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts or None,
                                  text=msg["text"], blocks=msg["blocks"])

    @staticmethod
    def _respond(respond: Respond, msg: dict, *, replace_original: bool = False) -> None:
        r = respond(text=msg["text"], blocks=msg["blocks"], response_type="ephemeral",
                    replace_original=replace_original)
        if r.status_code != 200:
            raise SlackApiFailure(f"response_url answered {r.status_code}: {str(r.body)[:100]}")

    def _to_clicker(self, body: dict, client: WebClient, respond: Respond, msg: dict,
                    *, public: bool = False) -> None:
        """Answer a click: on an ephemeral message through ``response_url``; else in the
        message's thread, to everyone when ``public``, to the clicker alone otherwise."""
        container = body.get("container") or {}
        if container.get("is_ephemeral") or not body.get("message"):
            self._respond(respond, msg)
            return
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        thread_ts = body["message"].get("thread_ts")
        if public:
            self._post(client, channel, msg, thread_ts)
        else:
            self._ephemeral(client, channel, body["user"]["id"], msg, thread_ts)

    @contextmanager
    def _guard(self, what: str, apologize: Callable[[dict], None],
               lang: str | Callable[[], str] = "nl") -> Iterator[None]:
        """Run the block; on failure log it and send the user a short apology (in ``lang``,
        or in the language ``lang()`` gives: worked out only when there is an apology)."""
        try:
            yield
        except SlackApiError as e:
            log.error("slack api error: method=%s error=%s (%s)", _method(e), e.response.get("error"), what)
            self._apologize(apologize, "error_slack", lang)
        except SlackApiFailure as e:
            log.error("slack api error: method=response_url error=%s (%s)", e, what)
        except Exception:
            log.exception("failed while handling %s", what)
            self._apologize(apologize, "error", lang)

    @staticmethod
    def _apologize(apologize: Callable[[dict], None], key: str, lang: str | Callable[[], str]) -> None:
        try:
            apologize(B.note_message(key, lang if isinstance(lang, str) else lang()))
        except Exception as e:  # Slack is down: the log has it
            log.error("could not send the apology either: %s", type(e).__name__)

    def on_error(self, error: Exception, body: dict) -> None:
        """Bolt's last resort (our listeners catch their own errors): log, never reply."""
        if isinstance(error, SlackApiError):
            log.error("slack api error: method=%s error=%s", _method(error), error.response.get("error"))
        else:
            log.error("unhandled %s in a Slack listener (%s)", type(error).__name__, body.get("type"))

    # -- messages: mentions and DMs ---------------------------------------------------------
    def on_mention(self, event: dict, client: WebClient) -> None:
        """A mention in a channel: answer in its thread."""
        self._answer_message(event, client, thread_ts=event.get("thread_ts") or event.get("ts"))

    def on_message(self, event: dict, client: WebClient) -> None:
        """A direct message: answer in the DM (in its thread when it is a thread reply)."""
        if event.get("channel_type") != "im":
            return
        self._answer_message(event, client, thread_ts=event.get("thread_ts"))

    def _answer_message(self, event: dict, client: WebClient, thread_ts: str | None) -> None:
        channel, user, text = event.get("channel", ""), event.get("user", ""), event.get("text") or ""
        question = clean(text)
        lang = partial(self.bot.faq.detect_lang, question)  # the model runs for an apology only
        with self._guard("message", lambda m: self._ephemeral(client, channel, user, m, thread_ts), lang):
            sub, sub_lang = slack_subcommand(question)
            if sub:  # request lists and admin replies are personal too
                self._ephemeral(client, channel, user, self._subcommand_message(sub, sub_lang, user), thread_ts)
                return
            command, arg = parse_command(question)
            if command == "verzoek":  # a draft is personal: only the asker sees it
                msg = self._draft_message(client, arg, user=user, channel=channel, thread_ts=thread_ts)
                self._ephemeral(client, channel, user, msg, thread_ts)
                return
            reply = self.bot.handle(text)
            qid = self._log_question(reply, question, event.get("channel_type") or _channel_type(channel), user)
            msg = B.message(B.reply_blocks(reply, self.bot.kb, self.contact, question, qid), reply.lang)
            self._post(client, channel, msg, thread_ts)

    def _log_question(self, reply: Reply, question: str, channel_type: str, user: str) -> int | None:
        """Log a question answered from the knowledge base; its id, or ``None`` (not a
        question, no store, or the store failed: logged, the answer goes out all the same)."""
        a = reply.answer
        if self.store is None or reply.kind != "answer" or a is None or not question.strip():
            return None
        entry = a.entry or (a.suggestions[0] if a.suggestions else None)
        try:
            return self.store.log_question(question, a.status, entry_id=entry.id if entry else None, score=a.score,
                                           channel_type=channel_type, user_id=user)
        except (StoreError, ValueError) as e:
            log.error("question not logged: %s", e)
            return None

    # -- /magister ----------------------------------------------------------------------------
    def on_command(self, ack: Callable, command: dict, respond: Respond, client: WebClient) -> None:
        """``/magister <vraag> | school <naam> | verzoek <school> | help``: ephemeral answers."""
        ack()
        text = command.get("text") or ""
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        question = clean(text)
        lang = partial(self.bot.faq.detect_lang, question)  # the model runs for help or an apology only
        with self._guard("command", lambda m: self._respond(respond, m), lang):
            name, arg = parse_command(question)
            sub, sub_lang = slack_subcommand(question)
            if not question:
                msg = B.message(B.help_blocks(lang()), lang())
            elif sub:
                msg = self._subcommand_message(sub, sub_lang, user)
            elif name == "verzoek":
                msg = self._draft_message(client, arg, user=user, channel=channel, thread_ts=None)
            else:
                reply = self.bot.handle(text)
                a = reply.answer
                if (reply.kind == "answer" and a and a.status == "no_match" and a.reason in ("low_score", "out_of_scope")
                        and len(question.split()) == 1):
                    msg = B.message(B.help_blocks(reply.lang, unknown=question), reply.lang)  # unknown subcommand
                else:
                    qid = self._log_question(reply, question, "slash", user)
                    msg = B.message(B.reply_blocks(reply, self.bot.kb, self.contact, question, qid), reply.lang)
            self._respond(respond, msg)

    # -- Slack-only subcommands -----------------------------------------------------------------
    def _subcommand_message(self, name: str, lang: str, user: str) -> dict:
        """``verzoeken`` for everyone; ``lijst vernieuwen`` / ``lijst status`` for admins
        (a refresh runs here, after ``ack()``; its listeners grant requests and announce)."""
        if name == "requests":
            if self.store is None:
                return B.note_message("store_error", lang)
            try:
                requests = self.store.open_requests()
            except StoreError as e:
                log.error("open requests not read: %s", e)
                return B.note_message("store_error", lang)
            return B.message(B.requests_blocks(requests, lang, utc_now()), lang)
        if user not in self.bot.settings.admin_user_ids:
            log.info("admin command %s refused for user=%s", name, user)
            return B.message(B.admin_only_blocks(lang, self.contact), lang)
        source = self.bot.consent_source
        if source is None:
            return B.message(B.text_blocks(LIST_T[lang]["no_source"]), lang)
        if name == "list_refresh":
            log.info("consent list refresh asked by user=%s", user)
            return B.message(B.text_blocks(refresh_report(source.refresh(), lang)), lang)
        return B.message(B.text_blocks(status_report(source.status(), lang)), lang)

    # -- buttons ------------------------------------------------------------------------------
    def on_show_entry(self, ack: Callable, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        """A question button ("bedoel je…?", "zie ook", examples): show that answer."""
        ack()
        v = _value(action)
        lang = _lang(v)
        with self._guard("show_entry", lambda m: self._to_clicker(body, client, respond, m), lang):
            entry = self.bot.kb.entry(str(v.get("e", "")))
            answer = Answer("answered", entry, 1.0, lang=lang)
            msg = B.message(B.answer_blocks(answer, self.bot.kb, self.contact, str(v.get("q", ""))), lang)
            self._to_clicker(body, client, respond, msg, public=True)

    def on_feedback(self, ack: Callable, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        """👍/👎: record the vote, thank the clicker (only they see it)."""
        ack()
        v = _value(action)
        lang = _lang(v)
        with self._guard("feedback", lambda m: self._to_clicker(body, client, respond, m), lang):
            channel = (body.get("channel") or {}).get("id", "")
            qid = v.get("i")
            record_feedback(Feedback(entry_id=str(v.get("e", ""))[:100], helpful=action["action_id"].endswith(":up"),
                                     user=body["user"]["id"], channel=channel, lang=lang, question=str(v.get("q", "")),
                                     question_id=qid if isinstance(qid, int) and not isinstance(qid, bool) else None),
                            self.store)
            self._to_clicker(body, client, respond, B.note_message("thanks", lang))

    def on_pick_school(self, ack: Callable, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        """A school button ("welke bedoel je?"): show that school's verdict."""
        ack()
        v = _value(action)
        lang = _lang(v)
        with self._guard("pick_school", lambda m: self._to_clicker(body, client, respond, m), lang):
            msg = B.message(B.lookup_blocks(self._school(str(v.get("n", "")), str(v.get("h", ""))), lang), lang)
            self._to_clicker(body, client, respond, msg, public=True)

    def _school(self, name: str, host: str) -> Lookup:
        """The chosen school: granted when it is on the current list by exactly this name and
        host; otherwise (the list changed) an ordinary lookup of the name."""
        consent = self.bot.consent
        exact = [s for s in consent.schools if s.name == name and s.host == host]
        if not exact:
            return self.bot.lookup(name)
        school: School = exact[0]
        same = tuple(s for s in consent.schools if s.host and s.host == school.host and s is not school)
        return Lookup("granted", name, school, same, 1.0, "", consent.info())

    def on_draft_button(self, ack: Callable, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        """"Verzoek opstellen" under a lookup: a draft for the clicker alone."""
        ack()
        v = _value(action)
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        thread_ts = (body.get("message") or {}).get("thread_ts")
        with self._guard("draft_request", lambda m: self._to_clicker(body, client, respond, m)):
            msg = self._draft_message(client, str(v.get("s", "")), user=user, channel=channel, thread_ts=thread_ts)
            self._to_clicker(body, client, respond, msg)

    def on_edit(self, ack: Callable, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        """"Bewerken": open the modal with the draft (``views.open`` needs the trigger now)."""
        ack()
        v = _value(action)
        with self._guard("draft_edit", lambda m: self._to_clicker(body, client, respond, m)):
            draft_id, rec = self._record(v, body, client)
            meta = {"id": draft_id, "s": rec.school_query[:200], "c": rec.channel,
                    "r": body.get("response_url") or ""}
            client.views_open(trigger_id=body["trigger_id"], view=B.edit_modal(rec.draft, meta))

    def on_post(self, ack: Callable, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        """"Plaatsen in kanaal": post the draft where it was made, for a colleague to send, and
        record the request as sent. When a request for the school is open already, say so
        (with a link to it) and post nothing."""
        ack()
        v = _value(action)
        with self._guard("draft_post", lambda m: self._to_clicker(body, client, respond, m)):
            _, rec = self._record(v, body, client)
            user = body["user"]["id"]
            channel = (body.get("channel") or {}).get("id") or rec.channel
            found, _ = self._open_for(rec)
            if self._blocks(found, user):
                key = "already_mine" if found.requested_by == user else "already_open"
                self._to_clicker(body, client, respond, self._existing_message(client, key, found))
                return
            msg = B.message(B.posted_draft_blocks(rec.draft, self._user_name(client, user)))
            try:
                posted = self._post(client, channel, msg, rec.thread_ts)
            except SlackApiError as e:
                if e.response.get("error") not in _POST_ERRORS:
                    raise
                log.warning("slack api error: method=%s error=%s (draft_post)", _method(e), e.response.get("error"))
                self._to_clicker(body, client, respond, B.note_message("not_in_channel"))
                return
            note = self._record_sent(client, rec, user, posted.get("channel") or channel, posted.get("ts") or "",
                                     posted=True)
            self._to_clicker(body, client, respond, note)

    def on_mark_sent(self, ack: Callable, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        """"Markeer als verstuurd": the requester sent the draft themselves (e-mail); record it.
        When a request for the school is open already, say so (with a link to it); when the
        school is on the list, say that and record nothing."""
        ack()
        v = _value(action)
        with self._guard("draft_mark_sent", lambda m: self._to_clicker(body, client, respond, m)):
            _, rec = self._record(v, body, client)
            listed = self._listed_as(rec)
            if listed:
                self._to_clicker(body, client, respond, B.note_message("already_listed", school=listed))
                return
            user = body["user"]["id"]
            channel = rec.channel or (body.get("channel") or {}).get("id") or \
                (body.get("container") or {}).get("channel_id", "")
            found, ok = self._open_for(rec)
            if not ok:
                self._to_clicker(body, client, respond, B.note_message("store_error"))
                return
            if self._blocks(found, user):
                key = "already_mine" if found.requested_by == user else "already_open"
                self._to_clicker(body, client, respond, self._existing_message(client, key, found))
                return
            self._to_clicker(body, client, respond, self._record_sent(client, rec, user, channel, "", posted=False))

    # -- requests in the store ----------------------------------------------------------------
    def _listed_as(self, rec: DraftRecord) -> str:
        """The name the list in use gives the draft's school when the bot calls it listed, else
        ``""``. Such a school needs no request: one recorded would sit in the App Home as open
        (for good with the example list or no refresh) and end in a "granted" DM for nothing."""
        lk = self.bot.lookup(rec.school_query)
        return lk.match.name if lk.status == "granted" and lk.match else ""

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

    def _permalink(self, client: WebClient, r: Request) -> str:
        """A link to the message that posted ``r`` (``chat.getPermalink``, no scope), or ``""``."""
        if not (r.channel and r.message_ts):
            return ""
        try:
            return str(client.chat_getPermalink(channel=r.channel, message_ts=r.message_ts).get("permalink") or "")
        except SlackApiError as e:
            log.warning("slack api error: method=%s error=%s (permalink)", _method(e), e.response.get("error"))
            return ""

    def _existing_message(self, client: WebClient, key: str, r: Request) -> dict:
        return B.message(B.existing_request_blocks(key, r, "nl", self._permalink(client, r)))

    def _record_sent(self, client: WebClient, rec: DraftRecord, user: str, channel: str, ts: str,
                     *, posted: bool) -> dict:
        """Record the draft's request as sent by ``user`` (in ``channel`` at ``ts`` when
        posted); the note for the clicker."""
        if self.store is None:
            return B.note_message("posted_untracked" if posted else "store_error")
        try:
            req, new = self.store.open_request(rec.draft.school, host=rec.host, code=rec.code, requested_by=user,
                                               channel=channel)
            if not new and self._blocks(req, user):  # recorded by someone else a moment ago
                return self._existing_message(client, "draft_open", req)
            self.store.mark_sent(req.id, channel=channel, message_ts=ts)
        except (StoreError, ValueError) as e:
            log.error("request not recorded: %s", e)
            return B.note_message("posted_untracked" if posted else "store_error")
        log.info("request %d for %r recorded as sent by user=%s", req.id, req.school_name, user)
        return B.note_message("posted_tracked" if posted else "marked_ok", school=req.school_name)

    def on_link_click(self, ack: Callable) -> None:
        """A link button ("Openen in e-mail") also calls the app: acknowledge, nothing more."""
        ack()

    # -- the edit modal -----------------------------------------------------------------------
    def on_edit_submit(self, ack: Callable, body: dict, view: dict, client: WebClient) -> None:
        """The modal's "Opslaan": validate (errors show at the fields), then show the new draft."""
        state = (view.get("state") or {}).get("values") or {}
        values = {bid: ((state.get(bid) or {}).get(bid) or {}).get("value") or "" for bid in (B.B_TO, B.B_SUBJECT, B.B_BODY)}
        cleaned, errors = B.validate_edit(values)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        user = body["user"]["id"]
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        channel = str(meta.get("c", ""))
        respond = Respond(response_url=meta.get("r") or None)

        def send(msg: dict, replace_original: bool = False) -> None:
            if respond.response_url:
                try:
                    self._respond(respond, msg, replace_original=replace_original)
                    return
                except SlackApiFailure as e:  # a response URL lives 30 minutes; the modal may stay open longer
                    log.warning("slack api error: method=response_url error=%s (draft_edit_submit)", e)
                    if not channel:
                        raise
            if channel:
                self._ephemeral(client, channel, user, msg)

        with self._guard("draft_edit_submit", send):
            draft_id, rec = self._record({"id": meta.get("id", ""), "s": meta.get("s", "")}, body, client,
                                         channel=channel)
            new = replace(rec.draft, to=cleaned[B.B_TO], subject=cleaned[B.B_SUBJECT], body=cleaned[B.B_BODY])
            self.drafts.put(draft_id, replace(rec, draft=new))
            msg = B.message(B.draft_blocks(new, draft_id=draft_id, school_query=rec.school_query,
                                           can_post=bool(rec.channel) and not _is_dm(rec.channel)))
            send(msg, replace_original=True)

    # -- App Home -----------------------------------------------------------------------------
    def on_home(self, event: dict, client: WebClient) -> None:
        """The App Home tab: what the bot does, how to ask, the consent list in use, and the
        user's own open requests."""
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        requests: list[Request] | None = None
        if self.store is not None:
            try:
                requests = self.store.open_requests(requested_by=event["user"])
            except StoreError as e:
                log.error("open requests not read: %s", e)
        try:
            client.views_publish(user_id=event["user"], view=B.home_view(self.bot.consent.info(), self.contact,
                                                                         requests=requests, now=utc_now()))
        except SlackApiError as e:
            log.error("slack api error: method=%s error=%s (app_home)", _method(e), e.response.get("error"))

    # -- drafts -------------------------------------------------------------------------------
    def _user_name(self, client: WebClient, user: str) -> str:
        """The user's name from their Slack profile (``users.info``); ``""`` when unknown."""
        if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user or ""):
            return ""
        try:
            u = client.users_info(user=user)["user"]
        except SlackApiError as e:
            log.warning("slack api error: method=%s error=%s (sender name)", _method(e), e.response.get("error"))
            return ""
        p = u.get("profile") or {}
        return (p.get("real_name") or p.get("display_name") or u.get("real_name") or u.get("name") or "").strip()

    def _draft_message(self, client: WebClient, query: str, *, user: str, channel: str,
                       thread_ts: str | None) -> dict:
        """A fresh draft for ``query`` signed with the user's name, stored for its buttons."""
        if not query.strip():
            return B.message(B.reply_blocks(Reply("usage", "nl", text="verzoek"), self.bot.kb))
        reply, rec = self._new_record(client, query, user, channel, thread_ts or "")
        lk = reply.lookup
        listed = lk.match.name if lk and lk.status == "granted" and lk.match else ""
        draft_id = self.drafts.add(rec)
        found, _ = self._open_for(rec)
        notice = B.existing_request_text("draft_open", found) if found else ""
        if self.bot.consent.unavailable:
            notice = "\n".join(x for x in (B.S["nl"]["draft_unverified"], notice) if x)
        return B.message(B.draft_blocks(rec.draft, draft_id=draft_id, school_query=query, listed_as=listed,
                                        can_post=bool(channel) and not _is_dm(channel), notice=notice))

    def _new_record(self, client: WebClient, query: str, user: str, channel: str,
                    thread_ts: str = "") -> tuple[Reply, DraftRecord]:
        """A fresh draft for ``query`` signed with ``user``'s name, with the school's host and
        vestigingscode when the lookup found it."""
        reply = self.bot.draft_reply(query, sender=self._user_name(client, user))
        assert reply.draft is not None
        lk = reply.lookup
        found = lk.match if lk and lk.status in ("granted", "not_granted") and lk.match else None
        rec = DraftRecord(reply.draft, query, user, channel, thread_ts, found.host if found else "",
                          found.vestigingscode if found else "")
        return reply, rec

    def reminder_message(self, client: WebClient, r: Request, lang: str = "nl", now: datetime | None = None) -> dict:
        """The one reminder of request ``r``: what and when, then the draft made again, ready
        to send (its buttons work like any draft's)."""
        reply, rec = self._new_record(client, r.school_name, r.requested_by, "")
        rec = replace(rec, host=rec.host or r.host, code=rec.code or r.code)
        lk = reply.lookup
        listed = lk.match.name if lk and lk.status == "granted" and lk.match else ""
        draft_id = self.drafts.add(rec)
        blocks = B.reminder_blocks(r, lang, now or utc_now()) + B.draft_blocks(
            rec.draft, draft_id=draft_id, school_query=r.school_name, listed_as=listed, can_post=False, can_mark=False)
        return B.message(blocks, lang)

    def _record(self, v: dict, body: dict, client: WebClient, *, channel: str = "") -> tuple[str, DraftRecord]:
        """The stored draft a button or modal refers to; made again from the school's name
        when it is gone (a restart, another process, a day old)."""
        draft_id = str(v.get("id", ""))[:40]
        rec = self.drafts.get(draft_id) if draft_id else None
        if rec is not None:
            return draft_id, rec
        user = body["user"]["id"]
        channel = channel or (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        query = str(v.get("s", "")) or "uw school"
        _, rec = self._new_record(client, query, user, channel)
        if draft_id:
            self.drafts.put(draft_id, rec)
        else:
            draft_id = self.drafts.add(rec)
        return draft_id, rec
