"""The one factory every Slack entry point uses: :func:`build_runtime` (and :func:`build_app`,
its :class:`slack_bolt.App` alone).

Socket Mode (:func:`bot.slack.run`), HTTP under gunicorn (:mod:`bot.slack.http`) and the
tests all get their app here: the core's :class:`~bot.conversation.Conversation` and
:class:`~bot.jobs.Jobs` behind the :class:`~bot.slack.listeners.SlackBackend`, with the same
listeners and middleware. The scopes and events below are what ``manifest.yaml`` must
declare; a test keeps the two, and the Web API methods the code calls, in step.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from slack_bolt import App
from slack_bolt.middleware.request_verification import RequestVerification
from slack_sdk import WebClient
from slack_sdk.http_retry import default_retry_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from ..config import Settings
from ..conversation import Conversation
from ..core import Bot
from ..errors import ConfigError
from ..jobs import Jobs
from ..shared import SharedDrafts, SharedSeen
from ..state import DraftRecord, DraftStore, SeenSet
from ..store import Store, StoreError
from .listeners import COMMAND, EVENTS, Listeners, SlackBackend

log = logging.getLogger("bot.slack")

API_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    # .public: "Plaatsen in kanaal" and ANNOUNCE_CHANNEL without /invite. A user id as the
    # channel posts in the app's DM with that user (granted, reminder): no conversations.open.
    "chat.postMessage": ("chat:write", "chat:write.public"),
    "chat.postEphemeral": ("chat:write",),
    "chat.getPermalink": (),  # the link to an open request's message (no scope needed)
    "users.info": ("users:read",),  # the sender's name in a draft
    "views.open": (),
    "views.publish": (),
}
"""Every Web API method the app calls, with the bot scopes it needs (api.slack.com/methods)."""

SCOPES: tuple[str, ...] = tuple(sorted(
    {s for scopes in API_SCOPES.values() for s in scopes}
    | {s for s in EVENTS.values() if s}
    | {"commands"}  # the /magister slash command
))
"""The bot token scopes ``manifest.yaml`` requests: exactly these."""

RATE_LIMIT_RETRIES = 2
"""How often a call answered 429 is retried (after ``Retry-After`` seconds)."""
LISTENER_THREADS = 16
"""Threads that run listeners after ``ack()`` (Bolt's default is 5)."""


class ListenerPool(ThreadPoolExecutor):
    """The threads that run listeners after ``ack()``; :meth:`wait_idle` says when every
    listener handed to it has finished, so a caller (a test, a shutdown) knows that all a
    request made the bot send has been sent, without guessing how long that takes."""

    def __init__(self, threads: int = LISTENER_THREADS):
        super().__init__(threads, thread_name_prefix="slack-listener")
        self._running = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._idle:
            self._running += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future | None) -> None:
        with self._idle:
            self._running -= 1
            if self._running == 0:
                self._idle.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no listener is queued or running; ``False`` when ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)


def make_client(settings: Settings) -> WebClient:
    """A :class:`WebClient` with the bot token, ``SLACK_API_URL`` when set, and retries for
    connection errors and 429s. Raises :class:`ConfigError` when the token is missing."""
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is missing (see README, section Slack)")
    kwargs = {"base_url": settings.slack_api_url} if settings.slack_api_url else {}
    client = WebClient(token=settings.slack_bot_token, logger=logging.getLogger("bot.slack.api"), **kwargs)
    return with_rate_limit_retry(client)


def with_rate_limit_retry(client: WebClient) -> WebClient:
    """Add slack_sdk's :class:`RateLimitErrorRetryHandler` to ``client`` unless it has one."""
    if not any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers):
        handlers = client.retry_handlers or default_retry_handlers()
        client.retry_handlers = [*handlers, RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)]
    return client


class _ClientGiven(logging.Filter):
    """Drop Bolt's warning that ``SLACK_BOT_TOKEN`` in the environment is unused: we pass
    the client built from that very token on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("As you gave `client` as well")


class _NoRejectedBodies(logging.Filter):
    """Bolt logs each request it refuses (bad signature, too old) at INFO with its whole body:
    a forged or replayed body, and a ``response_url`` that posts to a user for 30 minutes.
    Keep the fact, never the body. The logger reports nothing but such refusals."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args, record.exc_info, record.exc_text = \
            "refused a request: bad signature or timestamp (401)", None, None, None
        return True


def _quiet_rejections() -> None:
    """Install :class:`_NoRejectedBodies` on Bolt's request verification logger, once."""
    rejections = logging.getLogger(f"slack_bolt.{RequestVerification.__name__}")
    if not any(isinstance(f, _NoRejectedBodies) for f in rejections.filters):
        rejections.addFilter(_NoRejectedBodies())


def open_store(settings: Settings) -> Store | None:
    """The request store and question log, ``DATA_DIR/bot.sqlite3``; ``None`` (logged) when
    it cannot be opened: the bot then answers questions and apologises for request actions."""
    try:
        return Store.from_settings(settings)
    except StoreError as e:
        log.error("request tracking and the question log are off: %s", e)
        return None


@dataclass
class Runtime:
    """A built app: the Bolt ``app``, its ``listeners``, the core's ``conversation`` and
    background ``jobs``, and the ``pool`` of threads its listeners run on."""

    app: App
    listeners: Listeners
    conversation: Conversation
    jobs: Jobs
    pool: ListenerPool


def build_app(settings: Settings, **kwargs) -> App:
    """The Bolt app of :func:`build_runtime` (same arguments)."""
    return build_runtime(settings, **kwargs).app


def build_runtime(settings: Settings, *, client: WebClient | None = None, bot: Bot | None = None,
                  drafts: DraftStore | None = None, seen: SeenSet | None = None,
                  store: Store | None = None) -> Runtime:
    """The Slack app: listeners for mentions, DMs, ``/magister``, buttons, the edit modal and
    the App Home, behind middleware that drops bot/edited messages and repeated deliveries;
    and its :class:`~bot.jobs.Jobs`, already listening to the consent list's refreshes
    (their threads start with ``jobs.start()``, which the entry points call, not this).

    ``client`` defaults to :func:`make_client` (tests pass one aimed at a fake Web API; it
    gets the 429 retry handler too); ``bot`` defaults to :meth:`Bot.from_settings`;
    ``store`` is the request store (:func:`open_store`; ``None``: none). With a store, the
    answered deliveries and the drafts behind the buttons are kept in it
    (:class:`~bot.shared.SharedSeen`, :class:`~bot.shared.SharedDrafts`), so every worker on
    its database sees them; without one, in this process's memory. ``drafts`` and ``seen``
    override either.
    Requests are verified with ``settings.slack_signing_secret`` (HTTP mode; Socket Mode
    needs none). Bolt calls ``auth.test`` once here to learn the bot's own ids.
    Raises :class:`ConfigError` (no token) or :class:`~bot.errors.BotError` (knowledge base,
    consent list); ``slack_bolt.error.BoltError`` when Slack rejects the token.
    """
    client = with_rate_limit_retry(client) if client is not None else make_client(settings)
    bot = bot or Bot.from_settings(settings)
    if bot.consent.unavailable:
        log.warning("consent list unavailable (%s): questions are answered, lookups give no verdict until a "
                    "refresh succeeds", bot.consent.error)
    elif bot.consent.error:
        log.warning("consent list: %s; answering from %s", bot.consent.error, bot.consent.source)
    bolt_log = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(f, _ClientGiven) for f in bolt_log.filters):
        bolt_log.addFilter(_ClientGiven())
    _quiet_rejections()
    pool = ListenerPool(LISTENER_THREADS)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,  # "" fails every HTTP request closed (401)
        name="magister-bot",
        logger=bolt_log,
        listener_executor=pool,
    )
    if store is not None:
        drafts = drafts or SharedDrafts(store, DraftRecord)
        seen = seen or SharedSeen(store)
    conversation = Conversation(bot, store, drafts or DraftStore(), seen or SeenSet())
    backend = SlackBackend(conversation, client)
    listeners = Listeners(backend)
    listeners.register(app)
    return Runtime(app, listeners, conversation, Jobs(conversation, backend), pool)


__all__ = ["API_SCOPES", "COMMAND", "EVENTS", "SCOPES", "ListenerPool", "Runtime", "build_app", "build_runtime",
           "make_client", "open_store", "with_rate_limit_retry"]
