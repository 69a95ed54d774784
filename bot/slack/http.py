"""HTTP mode: the Slack app as a WSGI application, with a health route.

``create_app()`` is what gunicorn serves (``Procfile``: ``web: gunicorn … 'bot.slack.http:create_app()'``);
``python -m bot serve`` and the tests serve the same WSGI app with :func:`make_server`, a
threaded server from the standard library.

Routes: ``POST /slack/events`` (events, ``/magister``, buttons, modal: everything Slack
sends; verified with the signing secret), ``GET /health`` (``{"status": "ok", "schools",
"list_age_days", "example_list"}``: the list this worker answers from; where the background
jobs run in this process, also ``"worker"``: its pid and ``"leader"``: whether it is the one
that runs them; no secrets, no Slack call), anything else 404.

``create_app()`` opens the request store and starts the background jobs (consent-list
refresh, reminders) in the process that serves: under ``--preload`` that is the forked
worker, not the master that built the app (:meth:`~bot.jobs.Jobs.start_when_serving`).
"""
from __future__ import annotations

import io
import json
import logging
import os
import re
import socketserver
import sys
from typing import Callable, Iterable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.simple_server import make_server as _wsgiref_server

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from ..config import Settings
from ..core import Bot
from ..errors import BotError
from ..jobs import Jobs
from ..store import Store
from .startup import check_settings, setup_logging, slack_errors
from .app import build_runtime, open_store

log = logging.getLogger("bot.slack.http")

EVENTS_PATH = "/slack/events"
"""Where Slack sends every request (``manifest.yaml``'s request URLs end in this)."""
HEALTH_PATH = "/health"
"""The health check (load balancers, ``Procfile`` platforms)."""

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]

_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def _timestamp_ok(environ: dict) -> bool:
    """Whether ``X-Slack-Request-Timestamp`` is absent (Bolt refuses that itself) or whole
    seconds. Bolt's check would raise on ``int("abc")`` and answer 500: it is a bad
    signature like any other."""
    ts = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    return ts is None or bool(_TIMESTAMP.fullmatch(ts))


def _utf8_body(environ: dict) -> bool:
    """Whether the request body is UTF-8, as everything Slack sends is. Bolt's adapter would
    raise on decoding it and answer 500. Reads the body (``CONTENT_LENGTH`` bytes) and puts it
    back as ``wsgi.input`` for Bolt."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _json(start_response: Callable, status: str, obj: dict) -> list[bytes]:
    body = json.dumps(obj).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def wsgi_app(settings: Settings, *, client: WebClient | None = None, bot: Bot | None = None,
             store: Store | None = None) -> WSGIApp:
    """The WSGI application for ``settings`` (see :func:`bot.slack.app.build_runtime` for
    ``client``/``bot``/``store``). Its ``jobs`` attribute holds the app's
    :class:`~bot.jobs.Jobs` (not started: the caller decides), its ``pool`` the
    :class:`~bot.slack.app.ListenerPool` its listeners run on."""
    bot = bot or Bot.from_settings(settings)
    runtime = build_runtime(settings, client=client, bot=bot, store=store)
    slack = SlackRequestHandler(runtime.app, path=EVENTS_PATH)
    jobs = runtime.jobs

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        jobs.ensure_started()  # gunicorn: in the serving process (a no-op unless start_when_serving)
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            info = bot.consent.info()
            health = {"status": "ok", "schools": info["schools"], "list_age_days": info["age_days"],
                      "example_list": info["example"]}
            if jobs.running:
                health.update(worker=os.getpid(), leader=jobs.leads)
            return _json(start_response, "200 OK", health)
        if path == EVENTS_PATH and not _timestamp_ok(environ):
            log.info("refused a request: malformed X-Slack-Request-Timestamp (401)")
            return _json(start_response, "401 Unauthorized", {"error": "invalid request"})
        if path == EVENTS_PATH and not _utf8_body(environ):
            log.info("refused a request: the body is not UTF-8 (400)")
            return _json(start_response, "400 Bad Request", {"error": "invalid request"})
        return slack(environ, start_response)

    application.jobs = jobs  # type: ignore[attr-defined]
    application.pool = runtime.pool  # type: ignore[attr-defined]
    return application


def jobs_of(app: WSGIApp) -> Jobs:
    """The :class:`~bot.jobs.Jobs` of an app from :func:`wsgi_app`."""
    return app.jobs  # type: ignore[attr-defined]


def create_app(settings: Settings | None = None) -> WSGIApp:
    """The WSGI app from the environment, for gunicorn. A missing or malformed setting, a
    token Slack refuses, or Slack not answering prints one line and exits 1 (run gunicorn with
    ``--preload`` so it stops)."""
    try:
        settings = settings or Settings.from_env()
        setup_logging(settings)
        check_settings(settings, http=True)
        with slack_errors(settings):
            app = wsgi_app(settings, store=open_store(settings))
        jobs_of(app).start_when_serving()
        return app
    except BotError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(1) from None


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # access log at debug level, not stderr
        log.debug("%s %s", self.address_string(), format % args)


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread a request."""

    daemon_threads = True


def make_server(app: WSGIApp, host: str = "0.0.0.0", port: int = 3000) -> ThreadingWSGIServer:
    """A threaded stdlib WSGI server for ``app`` (port 0: any free port; see ``server_port``)."""
    return _wsgiref_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=_Handler)  # type: ignore[return-value]
