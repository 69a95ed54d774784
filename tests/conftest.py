"""Shared test fixtures.

Generic (every test): :func:`_clean_environment` scrubs Slack tokens, the bot's own settings
and proxy variables, so a developer's shell never leaks into a test and no request leaves
127.0.0.1 through a proxy.

Slack (opt in by naming the fixture): ``fake_slack``, a fake Slack Web API on 127.0.0.1:0
that records every call; ``slack``, the real app (:func:`bot.slack.http.wsgi_app`) served
on 127.0.0.1:0 next to it, with helpers that post *signed* slash commands, events and
interaction payloads with httpx. No test waits a fixed time: ``fake_slack.wait`` blocks until
the calls it expects arrived, and ``slack.settle()`` until every listener the requests started
has finished, so "nothing (more) was sent" is known, not guessed.

Command line: :func:`run_cli` runs ``bot.cli.main`` in this process, with its own
environment, standard input and captured output, for tests where the process boundary is
not what is tested (those run ``python -m bot`` as a child process).
PostgreSQL: ``pg_url``, a fresh database on a real server on 127.0.0.1 (``TEST_DATABASE_URL``
from ``.ci/run``, else one started here by ``tests/pgserver.py``; skipped with the reason only
where none can be started); ``db_location``, a store's location once per engine (SQLite file,
PostgreSQL database), for tests that must hold on both.
Add fixtures for other areas in their own sections.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import itertools
import json
import logging
import os
import re
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest


def pytest_sessionstart(session):
    """Fit (or load) the bundled knowledge base's FAQ model once, before any test: on a fresh
    clone the first fit takes about a minute and logs a warning, which no test should see as
    its own output. xdist workers wait on the fit's lock and then load the cache."""
    from bot.faq import FaqModel
    from bot.knowledge import load_knowledge

    FaqModel.for_knowledge(load_knowledge())


# -- generic ------------------------------------------------------------------------------------
def _setting_names() -> set[str]:
    """The variables in :mod:`bot.config`'s table (so a new setting is scrubbed too)."""
    import bot.config

    return set(re.findall(r"^\| ([A-Z][A-Z0-9_]+) ", bot.config.__doc__ or "", re.M))


_SCRUBBED = _setting_names() | {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                                "http_proxy", "https_proxy", "all_proxy", "no_proxy"}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """No ``SLACK_*``, bot settings or proxy variables from the developer's environment."""
    for name in list(os.environ):
        if name.startswith("SLACK_") or name in _SCRUBBED:
            monkeypatch.delenv(name, raising=False)


# -- the command line, in this process -------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CliResult:
    """What a run of the command line left, like :class:`subprocess.CompletedProcess`."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> CliResult:
    """``python -m bot *args`` as :func:`bot.cli.main` in this process: from the repository's
    root, with ``env`` added to the (scrubbed) environment, ``stdin`` as standard input, and
    standard output, standard error and the log (as ``main`` sets it up) captured. Everything
    is put back afterwards. Several times faster than a child process; use a child process
    where the process boundary is what a test is about (exit on a signal, a closed pipe)."""
    from bot import cli

    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        mp.chdir(ROOT)
        mp.setattr(sys, "stdin", io.StringIO(stdin))
        mp.setattr(sys, "stdout", out)
        mp.setattr(sys, "stderr", err)
        root.handlers = []  # so that main's logging.basicConfig writes to this run's stderr, as in a process
        try:
            code = cli.main(list(args))
        except SystemExit as e:  # argparse: usage errors (2), --help (0)
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            root.handlers, root.level = saved_handlers, saved_level
    return CliResult(code, out.getvalue(), err.getvalue())


# -- Slack: a fake Web API ------------------------------------------------------------------------
@dataclass
class Call:
    """One request the fake Slack received: ``method`` (``chat.postMessage``, or
    ``response_url`` for a post to a response URL, whose ``name`` is the URL's last part),
    the parsed ``body``, the request ``headers`` and the time it ``arrived`` (monotonic)."""

    method: str
    body: dict
    headers: dict
    arrived: float
    name: str = ""
    status: int = 200


@dataclass
class _Scripted:
    status: int
    body: Any
    headers: dict = field(default_factory=dict)
    wait: threading.Event | None = None


class FakeSlack:
    """A fake Slack Web API on ``127.0.0.1``: ``/api/<method>`` answers like Slack (``ok``
    plus what the bot reads), ``/response/<name>`` stands for a ``response_url``. Every call
    is recorded; :meth:`script` queues a different answer (a 429, an error) for one call."""

    BOT_USER, BOT_ID = "UBOT0001", "BBOT0001"

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._cond = threading.Condition()
        self._scripts: dict[str, list[_Scripted]] = {}
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                self._handle()

            def do_POST(self):
                self._handle()

            def _handle(self):
                path, _, query = self.path.partition("?")
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = fake._parse(raw, self.headers.get("Content-Type", ""), query)
                if path.startswith("/response/"):
                    method, name = "response_url", path.rsplit("/", 1)[1]
                else:
                    method, name = path.rsplit("/", 1)[1], ""
                status, payload, headers = fake._answer(method, body)
                with fake._cond:
                    fake.calls.append(Call(method, body, dict(self.headers), time.monotonic(), name, status))
                    fake._cond.notify_all()
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(payload, str) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/api/"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def response_url(self, name: str) -> str:
        """A response URL that posts back to this fake (recorded as method ``response_url``)."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    @staticmethod
    def _parse(raw: bytes, content_type: str, query: str) -> dict:
        if "json" in content_type:
            return json.loads(raw or b"{}")
        text = raw.decode() if raw else query
        out = {k: v[0] for k, v in urllib.parse.parse_qs(text).items()}
        for k, v in out.items():  # slack_sdk form-encodes blocks/views as JSON strings
            if isinstance(v, str) and v[:1] in "[{":
                try:
                    out[k] = json.loads(v)
                except ValueError:
                    pass
        return out

    def script(self, method: str, *, status: int = 200, body: Any = None, headers: dict | None = None,
               wait: threading.Event | None = None) -> None:
        """Answer the next call to ``method`` with this (once ``wait`` is set, when given)
        instead of the default; ``body=None`` keeps the default body."""
        with self._cond:
            self._scripts.setdefault(method, []).append(_Scripted(status, body, headers or {}, wait))

    def rate_limit_once(self, method: str, retry_after: int = 1) -> None:
        """The next call to ``method`` gets ``429 Too Many Requests`` with ``Retry-After``."""
        self.script(method, status=429, body={"ok": False, "error": "ratelimited"},
                    headers={"Retry-After": str(retry_after)})

    def fail_once(self, method: str, error: str) -> None:
        """The next call to ``method`` gets ``{"ok": false, "error": error}``."""
        self.script(method, body={"ok": False, "error": error})

    def _answer(self, method: str, body: dict) -> tuple[int, Any, dict]:
        with self._cond:
            queued = self._scripts.get(method)
            scripted = queued.pop(0) if queued else None
        if scripted:
            if scripted.wait is not None:
                scripted.wait.wait(10)  # a test that forgets to release fails, it does not hang
            if scripted.body is not None:
                return scripted.status, scripted.body, scripted.headers
        status, payload, headers = self._default(method, body)
        return (scripted.status if scripted else status), payload, {**headers, **(scripted.headers if scripted else {})}

    def _default(self, method: str, body: dict) -> tuple[int, Any, dict]:
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "response_url":
            return 200, "ok", {}
        if method == "auth.test":
            return 200, {"ok": True, "team_id": "T0001", "team": "Uil", "user": "magister",
                         "user_id": self.BOT_USER, "bot_id": self.BOT_ID, "url": "https://uil.slack.com/"}, {}
        if method == "chat.postMessage":
            return 200, {"ok": True, "channel": body.get("channel"), "ts": ts,
                         "message": {"text": body.get("text"), "ts": ts, "bot_id": self.BOT_ID}}, {}
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": ts}, {}
        if method == "users.info":
            user = body.get("user", "")
            return 200, {"ok": True, "user": {"id": user, "name": "anne", "real_name": "Anne de Vries",
                                              "profile": {"real_name": "Anne de Vries", "display_name": "Anne"}}}, {}
        if method in ("views.open", "views.publish"):
            return 200, {"ok": True, "view": {"id": "V0001", **(body.get("view") or {})}}, {}
        if method == "chat.getPermalink":
            channel, ts = body.get("channel", ""), str(body.get("message_ts", ""))
            return 200, {"ok": True, "channel": channel,
                         "permalink": f"https://uil.slack.com/archives/{channel}/p{ts.replace('.', '')}"}, {}
        return 200, {"ok": True}, {}

    # -- reading what the bot did ------------------------------------------------------------
    def of(self, *methods: str) -> list[Call]:
        """The calls to ``methods`` so far (``auth.test`` left out unless asked for)."""
        with self._cond:
            return [c for c in self.calls if c.method in methods]

    def posts(self) -> list[Call]:
        """Every message the bot sent: ``chat.postMessage``, ``chat.postEphemeral``, ``response_url``."""
        return self.of("chat.postMessage", "chat.postEphemeral", "response_url")

    def wait(self, *methods: str, n: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``n`` calls to ``methods`` arrived; returns them all."""
        methods = methods or ("chat.postMessage", "chat.postEphemeral", "response_url")
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method in methods]
                if len(found) >= n:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {n} call(s) to {methods}, got {[c.method for c in self.calls]}")
                self._cond.wait(left)


@pytest.fixture()
def fake_slack():
    """A :class:`FakeSlack` on 127.0.0.1:0, shut down after the test."""
    fake = FakeSlack()
    yield fake
    fake.close()


# -- Slack: the real app over HTTP ----------------------------------------------------------------
SIGNING_SECRET = "8f742231b10e8888abcd9911122285a5"
BOT_TOKEN = "xoxb-1111-2222-testtokenvalue"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature ``v0=hex(hmac_sha256(secret, "v0:ts:body"))``
    (api.slack.com/authentication/verifying-requests-from-slack)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackHarness:
    """The app served over HTTP, and helpers that act like Slack sending it requests."""

    def __init__(self, base_url: str, fake: FakeSlack, secret: str):
        self.base_url = base_url
        self.fake = fake
        self.secret = secret
        self.http = httpx.Client(base_url=base_url, timeout=10, trust_env=False)
        self._ids = itertools.count(1)

    def post(self, body: bytes, content_type: str, *, headers: dict | None = None,
             timestamp: int | str | None = None, signature: str | None = None) -> httpx.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        h = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
             "X-Slack-Signature": signature if signature is not None else sign(self.secret, ts, body)}
        h.update(headers or {})
        return self.http.post("/slack/events", content=body, headers=h)

    def settle(self, timeout: float = 10.0) -> None:
        """Return once every listener the requests so far started has finished: whatever
        they were to send has reached the fake by then (a Web API call returns only after
        the fake recorded it). A request's listener is queued before its HTTP answer."""
        assert self.pool.wait_idle(timeout), "listeners still running"

    # -- slash commands ---------------------------------------------------------------------
    def command(self, text: str, *, user: str = "U0ANNE01", channel: str = "C0TEAM01", **kw) -> httpx.Response:
        """``/magister text`` from ``user`` in ``channel``; its response URL is ``cmd-N``."""
        n = next(self._ids)
        form = {"token": "legacy", "team_id": "T0001", "team_domain": "uil", "channel_id": channel,
                "channel_name": "team", "user_id": user, "user_name": "anne", "command": "/magister",
                "text": text, "api_app_id": "A0001", "response_url": self.fake.response_url(f"cmd-{n}"),
                "trigger_id": f"trigger-{n}"}
        return self.post(urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded", **kw)

    # -- events -------------------------------------------------------------------------------
    def event(self, event: dict, *, event_id: str | None = None, **kw) -> httpx.Response:
        """An Events API ``event_callback`` wrapping ``event``."""
        body = {"token": "legacy", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}", "event_time": int(time.time()),
                "authorizations": [{"team_id": "T0001", "user_id": FakeSlack.BOT_USER, "is_bot": True}],
                "event": event}
        return self.post(json.dumps(body).encode(), "application/json", **kw)

    def mention(self, text: str, *, user: str = "U0ANNE01", channel: str = "C0TEAM01", ts: str | None = None,
                thread_ts: str | None = None, **kw) -> tuple[httpx.Response, str]:
        """``@bot text`` in a channel (Slack's escaped form of ``text`` is up to the caller)."""
        ts = ts or f"1699999999.{next(self._ids):06d}"
        ev = {"type": "app_mention", "user": user, "text": f"<@{FakeSlack.BOT_USER}> {text}", "ts": ts,
              "channel": channel, "event_ts": ts}
        if thread_ts:
            ev["thread_ts"] = thread_ts
        return self.event(ev, **kw), ts

    def dm(self, text: str, *, user: str = "U0ANNE01", channel: str = "D0ANNE01", ts: str | None = None,
           **extra) -> tuple[httpx.Response, str]:
        """A direct message to the bot; ``extra`` adds or overrides event fields."""
        kw = {k: extra.pop(k) for k in ("event_id", "headers") if k in extra}
        ts = ts or f"1699999999.{next(self._ids):06d}"
        ev = {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts, "channel": channel,
              "event_ts": ts, **extra}
        return self.event(ev, **kw), ts

    # -- interactions ---------------------------------------------------------------------------
    def click(self, call: Call, action_id: str, *, user: str = "U0ANNE01", channel: str = "C0TEAM01") -> httpx.Response:
        """Click the button ``action_id`` in the message ``call`` recorded (as Slack would send
        it: ephemeral messages without their content, others with it)."""
        button = find_button(blocks_of(call), action_id)
        n = next(self._ids)
        ephemeral = call.method != "chat.postMessage"
        channel = call.body.get("channel", channel)
        ts = f"1700000001.{n:06d}"
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": "T0001"}, "user": {"id": user, "name": "anne"},
            "api_app_id": "A0001", "token": "legacy", "trigger_id": f"trigger-{n}",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
            "channel": {"id": channel, "name": "team"}, "response_url": self.fake.response_url(f"click-{n}"),
            "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b",
                         "text": button["text"], "value": button.get("value"), "action_ts": ts}],
        }
        if button.get("url"):
            payload["actions"][0]["url"] = button["url"]
        if not ephemeral:
            message = {"type": "message", "ts": ts, "bot_id": FakeSlack.BOT_ID, "text": call.body.get("text"),
                       "blocks": blocks_of(call)}
            if call.body.get("thread_ts"):
                message["thread_ts"] = call.body["thread_ts"]
            payload["message"] = message
        return self.interact(payload)

    def interact(self, payload: dict, **kw) -> httpx.Response:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kw)

    def submit(self, view: dict, values: dict[str, str | None], *, user: str = "U0ANNE01") -> httpx.Response:
        """Submit the modal ``view`` (as opened) with ``values`` by block id."""
        state = {bid: {bid: {"type": "plain_text_input", "value": v}} for bid, v in values.items()}
        payload = {"type": "view_submission", "team": {"id": "T0001"}, "user": {"id": user, "name": "anne"},
                   "api_app_id": "A0001", "token": "legacy", "trigger_id": "trigger-submit",
                   "view": {**view, "id": "V0001", "state": {"values": state}}}
        return self.interact(payload)


def blocks_of(call: Call) -> list[dict]:
    """The blocks of a recorded message (``[]`` when it has none)."""
    return call.body.get("blocks") or []


def find_button(blocks: list[dict], action_id: str) -> dict:
    """The button with ``action_id`` (or, for ``"x:"``, the first whose id starts with it)."""
    for b in blocks:
        for el in b.get("elements", []) if b.get("type") == "actions" else []:
            if el.get("action_id") == action_id or (action_id.endswith(":") and el["action_id"].startswith(action_id)):
                return el
    raise AssertionError(f"no button {action_id!r} in {[e.get('action_id') for b in blocks for e in b.get('elements', [])]}")


def text_of(call: Call) -> str:
    """All the mrkdwn/plain text a recorded message or view shows, blocks and fallback, joined."""
    parts = [call.body.get("text") or ""]

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if x.get("type") in ("mrkdwn", "plain_text") and isinstance(x.get("text"), str):
                parts.append(x["text"])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(blocks_of(call))
    walk(call.body.get("view"))
    return "\n".join(parts)


@pytest.fixture(scope="session")
def slack_bot(tmp_path_factory):
    """One core :class:`~bot.core.Bot` (bundled knowledge and example list, empty data
    directory) for Slack tests."""
    from bot.config import Settings
    from bot.core import Bot

    settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                        help_contact="#magister-vragen", institute_name="Huiswerkinstituut De Uil",
                        institute_email="info@deuil.example", data_dir=tmp_path_factory.mktemp("slack-data"))
    return Bot.from_settings(settings)


def serve_slack(fake: FakeSlack, bot, secret: str = SIGNING_SECRET, store=None):
    """Serve the real WSGI app for ``bot`` (with the request ``store``, or none) on
    127.0.0.1:0 with a client aimed at ``fake``; returns ``(harness, stop)``. The app's
    :class:`~bot.jobs.Jobs` are ``harness.jobs``: their threads are not started (call
    ``sweep(now)``, or refresh the consent source, directly)."""
    from slack_sdk import WebClient

    from bot.slack.http import jobs_of, make_server, wsgi_app

    settings = bot.settings.with_(slack_signing_secret=secret)
    client = WebClient(token=BOT_TOKEN, base_url=fake.url)
    app = wsgi_app(settings, client=client, bot=bot, store=store)
    server = make_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    harness = SlackHarness(f"http://127.0.0.1:{server.server_port}", fake, secret)
    harness.jobs = jobs_of(app)
    harness.pool = app.pool
    harness.store = store

    def stop() -> None:
        harness.http.close()
        server.shutdown()
        server.server_close()
        harness.jobs.close()  # the session's bot outlives this app: stop listening to its list

    return harness, stop


@pytest.fixture()
def slack(fake_slack, slack_bot, tmp_path):
    """The app on 127.0.0.1:0 (fresh state and a fresh request store in ``tmp_path`` each
    test) and a :class:`SlackHarness` to drive it (``slack.store`` is that store)."""
    from bot.store import Store

    with Store(tmp_path / "bot.sqlite3") as store:
        harness, stop = serve_slack(fake_slack, slack_bot, store=store)
        yield harness
        stop()


# -- PostgreSQL: a real server on 127.0.0.1 -----------------------------------------------------------
_PG_UNAVAILABLE: list[str] = []


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a PostgreSQL server's maintenance database: ``TEST_DATABASE_URL`` (``.ci/run``
    starts one), else a server this test process starts (:mod:`pgserver`) and stops at the end;
    ``None`` when none can be started (the reason is kept for :func:`pg_url`'s skip)."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        yield url
        return
    import pgserver

    try:
        server = pgserver.start()
    except pgserver.Unavailable as e:
        _PG_UNAVAILABLE.append(str(e))
        yield None
        return
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture()
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database for this test (created on :func:`pg_server`, dropped
    after, its connections ended), as a ``postgresql://`` URL. Skipped, with the reason, only
    when no PostgreSQL server can be started here."""
    if pg_server is None:
        pytest.skip(f"no PostgreSQL server: {_PG_UNAVAILABLE[0] if _PG_UNAVAILABLE else 'unknown reason'}")
    import secrets
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(pg_server, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(pg_server)
    yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    with psycopg.connect(pg_server, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_location(request, tmp_path):
    """Where a :class:`~bot.store.Store` opens, once per engine: a fresh SQLite file in
    ``tmp_path``, and a fresh PostgreSQL database (:func:`pg_url`)."""
    if request.param == "sqlite":
        return tmp_path / "data" / "bot.sqlite3"
    return request.getfixturevalue("pg_url")
