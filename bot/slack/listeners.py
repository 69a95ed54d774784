"""The Slack backend: Bolt listeners that turn events into :class:`~bot.replies.Message`
objects for the :class:`~bot.conversation.Conversation`, and :class:`SlackBackend`, which turns
its :class:`~bot.replies.Reply` objects into Block Kit (:mod:`bot.slack.blocks`) and Web API
calls. No business rule lives here; what to say is the conversation's.

Where a reply goes:

* a mention is answered in its thread, a DM in the DM (in its thread when it is a thread
  reply), ``/magister <tekst>`` through ``response_url`` (only the asker sees it). What the
  conversation says privately (a draft, the request list, an admin's answer) is ephemeral.
* A click on an ephemeral message is answered through its ``response_url``; a click on a
  thread or DM message in the same thread (to everyone for an answer or a lookup, to the
  clicker alone otherwise). "Bewerken" opens a modal; its "Opslaan" replaces the draft.
* Posting in a channel and DMs (granted, reminder, announcements, the weekly review) go by
  ``chat.postMessage``. A click in the App Home (the admins' review) is answered in the app's
  DM with the clicker, and the App Home is published again; so is a knowledge form saved
  from there.

Each listener acknowledges first and does the work after ``ack()``. Failures never reach the
user as a traceback: a Slack API error is logged with its method and error code, anything
else with its traceback, and the user gets a short apology.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond
from slack_bolt.request.payload_utils import is_block_actions, is_slash_command
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..backends.base import Backend
from ..conversation import (A_DRAFT, A_EDIT, A_FEEDBACK, A_MAILTO, A_MARK, A_PICK_SCHOOL, A_POST, A_SAVE,
                            A_SHOW_ENTRY, Conversation)
from ..errors import CannotPost, DeliveryFailed
from ..replies import DraftForm, KnowledgeForm, Message, Reply, Sent, Where
from ..review import A_SAVE as A_REVIEW_SAVE
from ..store import StoreError, utc_now
from ..wording import REVIEW
from . import blocks as B

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
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_PUBLIC_CLICKS = (A_SHOW_ENTRY, A_PICK_SCHOOL)
"""Clicks whose answer everyone in the thread sees (an answer, a lookup)."""


class SlackApiFailure(Exception):
    """A ``response_url`` post that Slack did not accept (status and body in the message)."""


def _method(e: SlackApiError) -> str:
    url = getattr(e.response, "api_url", "") or ""
    return url.rstrip("/").rsplit("/", 1)[-1] or "?"


def _value(action: dict) -> dict:
    """A button's value, or a select menu's chosen option's, as a dict (``{}``: none)."""
    raw = action.get("value") or (action.get("selected_option") or {}).get("value")
    try:
        v = json.loads(raw or "{}")
    except ValueError:
        return {}
    return v if isinstance(v, dict) else {}


def _channel_type(channel: str) -> str:
    """The question log's channel type from a channel id (mentions carry none)."""
    return {"C": "channel", "G": "group", "D": "im"}.get(channel[:1], "")


@dataclass(frozen=True)
class _Context:
    """What a reply to one Slack request needs: the ``client``, the interaction ``body`` (a
    click, a modal), its ``respond`` (slash command, click, modal), and the ``channel``
    a modal's draft was made in."""

    client: WebClient
    body: dict | None = None
    respond: Respond | None = None
    channel: str = ""


class SlackBackend(Backend):
    """The :class:`~bot.backends.base.Backend` for Slack: one per app, around ``client`` (the
    background jobs post through it too); a message's own request rides in ``Message.raw``."""

    def __init__(self, conversation: Conversation, client: WebClient):
        super().__init__(conversation)
        self.client = client

    # -- Web API calls ----------------------------------------------------------------------
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

    def render(self, reply: Reply) -> list[dict]:
        """``reply`` as Slack messages (:func:`bot.slack.blocks.reply_messages`)."""
        conv = self.conversation
        return B.reply_messages(reply, conv.bot.kb, conv.settings.help_contact)

    def to_clicker(self, msg: Message, m: dict, *, public: bool = False) -> None:
        """Answer a click: on an ephemeral message through ``response_url``; else in the
        message's thread, to everyone when ``public``, to the clicker alone otherwise."""
        ctx: _Context = msg.raw
        body = ctx.body or {}
        container = body.get("container") or {}
        if container.get("type") == "view":  # the App Home: no message to answer under
            self._post(ctx.client, body["user"]["id"], m)
            return
        if container.get("is_ephemeral") or not body.get("message"):
            self._respond(ctx.respond, m)
            return
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        thread_ts = body["message"].get("thread_ts")
        if public:
            self._post(ctx.client, channel, m, thread_ts)
        else:
            self._ephemeral(ctx.client, channel, body["user"]["id"], m, thread_ts)

    def _to_modal_user(self, msg: Message, m: dict, *, replace_original: bool = False) -> None:
        """Answer a modal's submission: through the draft message's ``response_url`` (it lives
        30 minutes; the modal may stay open longer), else ephemeral in its channel."""
        ctx: _Context = msg.raw
        if ctx.respond is not None and ctx.respond.response_url:
            try:
                self._respond(ctx.respond, m, replace_original=replace_original)
                return
            except SlackApiFailure as e:
                log.warning("slack api error: method=response_url error=%s (draft_edit_submit)", e)
                if not ctx.channel:
                    raise
        if ctx.channel:
            self._ephemeral(ctx.client, ctx.channel, msg.user, m)
        elif msg.action == A_REVIEW_SAVE:  # a form opened from the App Home: the app's DM
            self._post(ctx.client, msg.user, m)

    def _answer(self, msg: Message, reply: Reply, *, public: bool) -> None:
        ctx: _Context = msg.raw
        for m in self.render(reply):
            if msg.kind == "slash":
                self._respond(ctx.respond, m)
            elif msg.kind == "click" and ctx.body is not None and ctx.body.get("type") == "view_submission":
                self._to_modal_user(msg, m)
            elif msg.kind == "click":
                self.to_clicker(msg, m, public=public)
            elif public:
                self._post(ctx.client, msg.channel, m, msg.thread)
            else:
                self._ephemeral(ctx.client, msg.channel, msg.user, m, msg.thread)

    # -- Backend ---------------------------------------------------------------------------
    def reply(self, msg: Message, reply: Reply) -> None:
        self._answer(msg, reply, public=msg.kind != "click" or msg.action.split(":")[0] in _PUBLIC_CLICKS)

    def send_private(self, msg: Message, reply: Reply) -> None:
        self._answer(msg, reply, public=False)

    def update(self, msg: Message, reply: Reply) -> None:
        for m in self.render(reply):
            self._to_modal_user(msg, m, replace_original=True)

    def send(self, where: Where, reply: Reply) -> Sent:
        """Post in a channel, or in the app's DM with a user (``chat.postMessage`` with the
        user id as the channel: no ``conversations.open``). Raises :class:`CannotPost` when
        the bot may not post in the channel, :class:`DeliveryFailed` (logged) otherwise."""
        channel = where.channel or where.user
        if not where.channel and not _USER_ID.match(where.user or ""):
            log.warning("no DM: %r is no Slack user id", where.user[:20])
            raise DeliveryFailed("no Slack user id")
        client = self.client
        posted: Any = {}
        for m in self.render(reply):
            try:
                posted = self._post(client, channel, m, where.thread)
            except SlackApiError as e:
                error = e.response.get("error")
                if where.channel and error in _POST_ERRORS:
                    log.warning("slack api error: method=%s error=%s (post in %s)", _method(e), error, channel)
                    raise CannotPost(str(error)) from None
                log.error("slack api error: method=%s error=%s (%s to %s)", _method(e), error, reply.kind, channel)
                raise DeliveryFailed(str(error)) from None
        return Sent(posted.get("channel") or channel, posted.get("ts") or "")

    def open_editor(self, msg: Message, form: DraftForm) -> None:
        """Open the edit modal (``views.open`` needs the click's trigger now)."""
        ctx: _Context = msg.raw
        body = ctx.body or {}
        meta = {"id": form.draft_id, "s": form.school_query[:200], "c": form.channel,
                "r": body.get("response_url") or ""}
        client = ctx.client
        client.views_open(trigger_id=body["trigger_id"], view=B.edit_modal(form.draft, meta))

    def open_form(self, msg: Message, form: KnowledgeForm) -> None:
        """Open the knowledge form (``views.open`` with the click's trigger); where to answer
        its submission rides in the view's metadata."""
        ctx: _Context = msg.raw
        body = ctx.body or {}
        container = body.get("container") or {}
        channel = "" if container.get("type") == "view" else msg.channel
        meta = {"r": form.item_id, "e": form.entry_id, "c": channel, "u": body.get("response_url") or ""}
        ctx.client.views_open(trigger_id=body["trigger_id"], view=B.knowledge_modal(form, meta))

    def review_changed(self, user: str) -> None:
        """Publish ``user``'s App Home again: the review in it changed."""
        self.publish_home(user)

    def publish_home(self, user: str) -> None:
        """Publish ``user``'s App Home (``views.publish``): what the bot does, the consent
        list, the user's open requests and, for an admin, the review. A Slack error is logged."""
        conv = self.conversation
        info, requests = conv.home(user)
        review = conv.review.command(user, "nl", self) if self.is_admin(user) else None
        try:
            with conv.bot.pinned():
                view = B.home_view(info, conv.settings.help_contact, requests=requests, now=utc_now(),
                                   review=review, kb=conv.bot.kb)
            self.client.views_publish(user_id=user, view=view)
        except SlackApiError as e:
            log.error("slack api error: method=%s error=%s (app_home)", _method(e), e.response.get("error"))

    def user_name(self, user: str) -> str:
        """The user's name from their Slack profile (``users.info``); ``""`` when unknown."""
        if not _USER_ID.match(user or ""):
            return ""
        client = self.client
        try:
            u = client.users_info(user=user)["user"]
        except SlackApiError as e:
            log.warning("slack api error: method=%s error=%s (sender name)", _method(e), e.response.get("error"))
            return ""
        p = u.get("profile") or {}
        return (p.get("real_name") or p.get("display_name") or u.get("real_name") or u.get("name") or "").strip()

    def permalink(self, channel: str, ts: str) -> str:
        """A link to a posted message (``chat.getPermalink``, no scope), or ``""``."""
        client = self.client
        try:
            return str(client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink") or "")
        except SlackApiError as e:
            log.warning("slack api error: method=%s error=%s (permalink)", _method(e), e.response.get("error"))
            return ""

    def can_post_in(self, channel: str) -> bool:
        return bool(channel) and not channel.startswith("D")  # D…: a DM, nobody to hand the draft to


class Listeners:
    """The app's listeners: each turns a Slack request into a :class:`Message` for the
    conversation, behind middleware that acks first and drops noise (deliveries answered
    before: the conversation's ``seen``)."""

    def __init__(self, backend: SlackBackend):
        self.backend = backend
        self.conversation = backend.conversation

    def register(self, app: App) -> None:
        """Attach middleware and listeners to ``app``."""
        app.middleware(self.ack_first)
        app.middleware(self.drop_noise)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home)
        app.command(COMMAND)(self.on_command)
        for action in (A_SHOW_ENTRY, A_PICK_SCHOOL):
            app.action(re.compile(rf"^{action}(:\d+)?$"))(self.on_click)
        app.action(re.compile(rf"^{A_FEEDBACK}:(up|down)$"))(self.on_click)
        for action in (A_DRAFT, A_EDIT, A_POST, A_MARK):
            app.action(action)(self.on_click)
        app.action(A_MAILTO)(self.on_link_click)
        app.action(re.compile(r"^review_(add|new|ignore|publish):\d+$"))(self.on_click)
        app.view(B.V_EDIT)(self.on_edit_submit)
        app.view(B.V_KNOWLEDGE)(self.on_knowledge_submit)
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
        (Slack's retries), by any worker. When that cannot be checked (a store fault, logged)
        the event is answered: better twice than never."""
        if body.get("type") == "event_callback":
            ev = body.get("event") or {}
            subtype = ev.get("subtype")
            if ev.get("type") in _CHAT_EVENTS and (ev.get("bot_id") or (subtype and subtype not in _ANSWERED_SUBTYPES)
                                                   or not ev.get("user")):
                return BoltResponse(status=200, body="")
            keys = [f"event:{body['event_id']}"] if body.get("event_id") else []
            if ev.get("type") in _CHAT_EVENTS and ev.get("ts"):
                keys.append(f"msg:{ev.get('channel')}:{ev['ts']}")
            try:
                first = self.conversation.seen.first_time(*keys)
            except (StoreError, ValueError) as e:  # ValueError: a key too long to keep
                log.error("repeated deliveries not checked, answering: %s", e)
                first = True
            if not first:
                retry = (request.headers.get("x-slack-retry-num") or ["-"])[0]
                log.info("skipped a repeated delivery: event=%s type=%s retry=%s",
                         body.get("event_id"), ev.get("type"), retry)
                return BoltResponse(status=200, body="")
        return next()

    # -- running a message ---------------------------------------------------------------------
    def _run(self, what: str, msg: Message, apologize: Callable[[dict], None]) -> None:
        """Hand ``msg`` to the conversation; on failure log it and send the user a short
        apology (in the message's language, worked out only when there is an apology)."""
        try:
            self.backend.handle(msg)
        except SlackApiError as e:
            log.error("slack api error: method=%s error=%s (%s)", _method(e), e.response.get("error"), what)
            self._apologize(apologize, "error_slack", msg)
        except DeliveryFailed:  # logged where it failed
            self._apologize(apologize, "error_slack", msg)
        except SlackApiFailure as e:
            log.error("slack api error: method=response_url error=%s (%s)", e, what)
        except Exception:
            log.exception("failed while handling %s", what)
            self._apologize(apologize, "error", msg)

    def _apologize(self, apologize: Callable[[dict], None], key: str, msg: Message) -> None:
        try:
            apologize(B.note_message(key, self.conversation.lang_of(msg)))
        except Exception as e:  # Slack is down: the log has it
            log.error("could not send the apology either: %s", type(e).__name__)

    def on_error(self, error: Exception, body: dict) -> None:
        """Bolt's last resort (our listeners catch their own errors): log, never reply."""
        if isinstance(error, SlackApiError):
            log.error("slack api error: method=%s error=%s", _method(error), error.response.get("error"))
        else:
            log.error("unhandled %s in a Slack listener (%s)", type(error).__name__, body.get("type"))

    # -- messages: mentions, DMs, /magister -----------------------------------------------------
    def on_mention(self, event: dict, client: WebClient) -> None:
        """A mention in a channel: answer in its thread."""
        channel = event.get("channel", "")
        self._chat(event, client, "mention", event.get("thread_ts") or event.get("ts") or "",
                   event.get("channel_type") or _channel_type(channel))

    def on_message(self, event: dict, client: WebClient) -> None:
        """A direct message: answer in the DM (in its thread when it is a thread reply)."""
        if event.get("channel_type") != "im":
            return
        self._chat(event, client, "dm", event.get("thread_ts") or "", "im")

    def _chat(self, event: dict, client: WebClient, kind: str, thread: str, channel_type: str) -> None:
        msg = Message(text=event.get("text") or "", user=event.get("user", ""), channel=event.get("channel", ""),
                      thread=thread, kind=kind, channel_type=channel_type, raw=_Context(client))
        self._run("message", msg, lambda m: SlackBackend._ephemeral(client, msg.channel, msg.user, m, thread))

    def on_command(self, ack: Callable, command: dict, respond: Respond, client: WebClient) -> None:
        """``/magister <vraag> | school <naam> | verzoek <school> | verzoeken | help | …``:
        ephemeral answers."""
        ack()
        msg = Message(text=command.get("text") or "", user=command.get("user_id", ""),
                      channel=command.get("channel_id", ""), kind="slash", channel_type="slash",
                      raw=_Context(client, respond=respond))
        self._run("command", msg, lambda m: SlackBackend._respond(respond, m))

    # -- buttons and the modal ------------------------------------------------------------------
    def on_click(self, ack: Callable, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        """A button the conversation offered: the click goes to it as a message."""
        ack()
        v = _value(action)
        action_id = action["action_id"]
        msg = Message(user=body["user"]["id"], kind="click", action=action_id, value=v,
                      channel=(body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", ""),
                      thread=(body.get("message") or {}).get("thread_ts") or "",
                      lang=v.get("l") if v.get("l") in ("nl", "en") else "",
                      raw=_Context(client, body=body, respond=respond))
        self._run(action_id.split(":")[0], msg, lambda m: self.backend.to_clicker(msg, m))

    def on_link_click(self, ack: Callable) -> None:
        """A link button ("Openen in e-mail") also calls the app: acknowledge, nothing more."""
        ack()

    def on_edit_submit(self, ack: Callable, body: dict, view: dict, client: WebClient) -> None:
        """The modal's "Opslaan": validate (errors show at the fields), then the conversation
        keeps the new draft and shows it in place of the old one."""
        state = (view.get("state") or {}).get("values") or {}
        values = {bid: ((state.get(bid) or {}).get(bid) or {}).get("value") or "" for bid in (B.B_TO, B.B_SUBJECT, B.B_BODY)}
        cleaned, errors = B.validate_edit(values)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        channel = str(meta.get("c", ""))
        respond = Respond(response_url=meta.get("r") or None)
        msg = Message(user=body["user"]["id"], channel=channel, kind="click", action=A_SAVE,
                      value={"id": meta.get("id", ""), "s": meta.get("s", ""), **cleaned},
                      raw=_Context(client, body=body, respond=respond, channel=channel))
        self._run("draft_edit_submit", msg, lambda m: self.backend._to_modal_user(msg, m))

    def on_knowledge_submit(self, ack: Callable, body: dict, view: dict, client: WebClient) -> None:
        """The knowledge form saved: the required fields checked (errors show at the fields),
        then acknowledged, and the edit (a second or so) runs after the ack; its outcome goes
        to the admin where the form came from (else their DM)."""
        state = (view.get("state") or {}).get("values") or {}
        values = {bid: ((state.get(bid) or {}).get(bid) or {}).get("value") or "" for bid in B.KNOWLEDGE_FIELDS}
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        required = ("q_nl", "a_nl") + (("q_en", "a_en") if meta.get("e") else ())
        missing = {bid: REVIEW["nl"]["incomplete_en" if bid.endswith("en") else "incomplete"]
                   for bid in required if not values[bid].strip()}
        if missing:
            ack(response_action="errors", errors=missing)
            return
        ack()
        channel = str(meta.get("c", ""))
        msg = Message(user=body["user"]["id"], channel=channel, kind="click", action=A_REVIEW_SAVE,
                      value={"r": meta.get("r", ""), "e": meta.get("e", ""), **values},
                      raw=_Context(client, body=body, respond=Respond(response_url=meta.get("u") or None),
                                   channel=channel))
        self._run("knowledge_form_submit", msg, lambda m: self.backend._to_modal_user(msg, m))

    # -- App Home -----------------------------------------------------------------------------
    def on_home(self, event: dict, client: WebClient) -> None:
        """The App Home tab: what the bot does, how to ask, the consent list in use, the
        user's own open requests, and for an admin the review."""
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        self.backend.publish_home(event["user"])
