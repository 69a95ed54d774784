"""The Slack adapter: the only package that imports slack_bolt.

* :func:`bot.slack.app.build_app`: the one app factory (listeners, middleware, client).
* :func:`run`: ``python -m bot`` with tokens: Socket Mode, or HTTP with ``serve``.
* :func:`bot.slack.http.create_app`: the WSGI app gunicorn serves (``Procfile``).

Start-up checks (:mod:`bot.slack.startup`), token rules (one-line
:class:`~bot.errors.ConfigError` naming the variable otherwise):
Socket Mode needs ``SLACK_BOT_TOKEN`` and ``SLACK_APP_TOKEN``; HTTP mode needs
``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET``. Shapes are checked by
:meth:`bot.config.Settings.from_env`. Slack refusing a token, or not answering at all, at
start-up is one line too (:func:`slack_errors`).
"""
from __future__ import annotations

import logging

from ..config import Settings
from ..errors import BotError
from .startup import SlackUnreachable, check_settings, explain, setup_logging, slack_errors

log = logging.getLogger("bot.slack")

__all__ = ["SlackUnreachable", "check_settings", "explain", "run", "setup_logging", "slack_errors"]


def run(settings: Settings, *, http: bool = False) -> int:
    """Run the Slack app until interrupted: Socket Mode, or HTTP on ``settings.port`` when
    ``http``, with the request store (``DATA_DIR/bot.sqlite3``; without it when it cannot be
    opened) and the background jobs (consent-list refresh every ``CONSENT_REFRESH_MINUTES``,
    reminders, question purge). Returns the exit status; raises :class:`ConfigError` for a
    missing, malformed or refused token and :class:`SlackUnreachable` when Slack does not answer."""
    check_settings(settings, http=http)
    setup_logging(settings)
    from .app import open_store

    if http:
        from .http import EVENTS_PATH, HEALTH_PATH, jobs_of, make_server, wsgi_app

        with slack_errors(settings):
            app = wsgi_app(settings, store=open_store(settings))
        try:
            server = make_server(app, port=settings.port)
        except OSError as e:
            raise BotError(f"cannot serve on PORT {settings.port}: {e.strerror or e}") from None
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

        with slack_errors(settings):
            runtime = build_runtime(settings, store=open_store(settings))
        runtime.jobs.start()
        try:
            with slack_errors(settings):
                SocketModeHandler(runtime.app, settings.slack_app_token).start()
        finally:
            runtime.jobs.stop()
    return 0
