"""The Slack adapter: the only package that imports slack_bolt.

* :func:`bot.slack.app.build_app`: the one app factory (listeners, middleware, client).
* :func:`run`: ``python -m bot`` with tokens: Socket Mode, or HTTP with ``serve``.
* :func:`bot.slack.http.create_app`: the WSGI app gunicorn serves (``Procfile``).

Token rules (one-line :class:`~bot.errors.ConfigError` naming the variable otherwise):
Socket Mode needs ``SLACK_BOT_TOKEN`` and ``SLACK_APP_TOKEN``; HTTP mode needs
``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET``. Shapes are checked by
:meth:`bot.config.Settings.from_env`.
"""
from __future__ import annotations

import logging
import sys

from ..config import Settings
from ..errors import ConfigError

log = logging.getLogger("bot.slack")


def check_settings(settings: Settings, *, http: bool) -> None:
    """Raise :class:`ConfigError` naming the first variable the mode needs and lacks."""
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is missing: the bot token (xoxb-…) from the app's "
                          "'OAuth & Permissions' page (see README, section Slack)")
    if http and not settings.slack_signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is missing: HTTP mode (serve) verifies every request with it "
                          "('Basic Information' page)")
    if not http and not settings.slack_app_token:
        raise ConfigError("SLACK_APP_TOKEN is missing: Socket Mode needs an app-level token (xapp-…) with "
                          "connections:write; or run `python -m bot serve` for HTTP mode")


def setup_logging(settings: Settings) -> None:
    """Log to stderr at ``LOG_LEVEL`` (unless logging is set up already) and mask the
    Slack secrets in every record (:mod:`bot.slack.logs`)."""
    from .logs import install

    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=getattr(logging, settings.log_level, logging.INFO), stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install([settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret])


def explain(error: Exception) -> ConfigError | None:
    """A one-line :class:`ConfigError` for Slack refusing a token at start-up, else ``None``."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    cause = error.__context__ if isinstance(error, BoltError) else error
    if isinstance(cause, SlackApiError):
        url = getattr(cause.response, "api_url", "") or ""
        method = url.rstrip("/").rsplit("/", 1)[-1]
        variable = "SLACK_APP_TOKEN" if method == "apps.connections.open" else "SLACK_BOT_TOKEN"
        return ConfigError(f"Slack refused {variable} ({method}: {cause.response.get('error')})")
    if isinstance(error, BoltError):
        return ConfigError(f"Slack app could not start: {str(error).splitlines()[0][:200]}")
    return None


def run(settings: Settings, *, http: bool = False) -> int:
    """Run the Slack app until interrupted: Socket Mode, or HTTP on ``settings.port`` when
    ``http``, with the request store (``DATA_DIR/bot.sqlite3``; without it when it cannot be
    opened) and the background jobs (consent-list refresh every ``CONSENT_REFRESH_MINUTES``,
    reminders, question purge). Returns the exit status; raises :class:`ConfigError` for a
    missing, malformed or refused token."""
    check_settings(settings, http=http)
    setup_logging(settings)
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from .app import open_store

    try:
        if http:
            from .http import EVENTS_PATH, HEALTH_PATH, jobs_of, make_server, wsgi_app

            app = wsgi_app(settings, store=open_store(settings))
            server = make_server(app, port=settings.port)
            log.info("HTTP mode on port %d: Slack posts to %s, health at %s (production: gunicorn, see Procfile)",
                     server.server_port, EVENTS_PATH, HEALTH_PATH)
            jobs = jobs_of(app)
            jobs.start()
            try:
                server.serve_forever()
            finally:
                jobs.stop()
                server.server_close()
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            from .app import build_runtime

            runtime = build_runtime(settings, store=open_store(settings))
            runtime.jobs.start()
            try:
                SocketModeHandler(runtime.app, settings.slack_app_token).start()
            finally:
                runtime.jobs.stop()
    except (BoltError, SlackApiError) as e:
        explained = explain(e)
        if explained is None:
            raise
        raise explained from None
    return 0
