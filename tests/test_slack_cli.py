"""Entry points: ``python -m bot`` (console without tokens, Socket Mode, ``serve``), the token
rules, and the ``Procfile``'s ``web`` (gunicorn) and ``worker`` lines, run for real against
the fake Slack Web API."""
from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest

from bot import cli

from conftest import SIGNING_SECRET, sign

ROOT = Path(__file__).resolve().parent.parent
BOT_TOKEN = "xoxb-5555-6666-clitokenvalue"
APP_TOKEN = "xapp-1-A0001-7777-apptokenvalue"


def env(**extra: str) -> dict[str, str]:
    """A minimal environment for a child process: no Slack, proxy or bot variables but ``extra``."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")}
    keep["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{keep.get('PATH', '')}"
    return {**keep, "PYTHONUNBUFFERED": "1", "DATA_DIR": tempfile.mkdtemp(prefix="slack-cli-"), **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 15) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1, trust_env=False)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not come up")


def signed_command(port: int, fake, text: str = "school Cals College") -> httpx.Response:
    body = urllib.parse.urlencode({"command": "/magister", "text": text, "user_id": "U0ANNE01",
                                   "channel_id": "C0TEAM01", "team_id": "T0001",
                                   "response_url": fake.response_url("served")}).encode()
    ts = str(int(time.time()))
    return httpx.post(f"http://127.0.0.1:{port}/slack/events", content=body, trust_env=False, timeout=5,
                      headers={"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
                               "X-Slack-Signature": sign(SIGNING_SECRET, ts, body)})


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err or ""


# -- the console --------------------------------------------------------------------------------
def test_console_still_starts_without_tokens():
    r = subprocess.run([sys.executable, "-m", "bot"], input="help\nschool cals college\nquit\n", text=True,
                       capture_output=True, cwd=ROOT, env=env(), timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Magister-koppeling bot (console)" in r.stdout
    assert "Ik beantwoord vragen over de Magister koppeling" in r.stdout
    assert "Cals College" in r.stdout and "Tot ziens!" in r.stdout
    assert "slack" not in r.stderr.lower()


# -- token rules --------------------------------------------------------------------------------------
@pytest.mark.parametrize("variables, argv, names", [
    ({"SLACK_BOT_TOKEN": BOT_TOKEN}, [], "SLACK_APP_TOKEN"),
    ({"SLACK_APP_TOKEN": APP_TOKEN}, [], "SLACK_BOT_TOKEN"),
    ({}, ["serve"], "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN}, ["serve"], "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}, ["serve"], "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": APP_TOKEN}, [], "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, [], "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "not hex!"}, ["serve"], "SLACK_SIGNING_SECRET"),
])
def test_a_missing_or_malformed_token_is_one_line_naming_the_variable(monkeypatch, capsys, tmp_path, variables, argv,
                                                                     names):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    for k, v in variables.items():
        monkeypatch.setenv(k, v)
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and names in err
    for secret in variables.values():
        assert secret not in err  # the message names the variable, never its value


# -- Socket Mode ----------------------------------------------------------------------------------------
def _socket_mode_env(monkeypatch, fake_slack, tmp_path) -> None:
    for name, value in (("DATA_DIR", str(tmp_path)), ("SLACK_BOT_TOKEN", BOT_TOKEN),
                        ("SLACK_APP_TOKEN", APP_TOKEN), ("SLACK_API_URL", fake_slack.url)):
        monkeypatch.setenv(name, value)


def test_socket_mode_connects_with_the_app_token_and_a_refusal_is_one_line(monkeypatch, capsys, fake_slack, tmp_path):
    fake_slack.script("apps.connections.open", body={"ok": False, "error": "invalid_auth"})
    _socket_mode_env(monkeypatch, fake_slack, tmp_path)
    assert cli.main([]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == "error: Slack refused SLACK_APP_TOKEN (apps.connections.open: invalid_auth)"
    auth = fake_slack.of("auth.test")[0]
    assert auth.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    opened = fake_slack.of("apps.connections.open")[0]
    assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"


def test_a_refused_bot_token_is_one_line(monkeypatch, capsys, fake_slack, tmp_path):
    fake_slack.script("auth.test", body={"ok": False, "error": "token_revoked"})
    _socket_mode_env(monkeypatch, fake_slack, tmp_path)
    assert cli.main([]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == \
        "error: Slack refused SLACK_BOT_TOKEN (auth.test: token_revoked)"


# -- HTTP mode ------------------------------------------------------------------------------------------
def _http_env(fake, port: int) -> dict[str, str]:
    return env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.url,
               PORT=str(port), HELP_CONTACT="#magister-vragen")


def test_serve_runs_http_mode_on_port(fake_slack):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=_http_env(fake_slack, port),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        health = wait_healthy(port, proc)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert signed_command(port, fake_slack).status_code == 200
        reply = fake_slack.wait("response_url")[0]
        assert reply.name == "served" and "Cals College" in str(reply.body)
    finally:
        err = stop(proc)
    assert BOT_TOKEN not in err and SIGNING_SECRET not in err


def test_serve_on_a_port_in_use_is_one_line(fake_slack):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=_http_env(fake_slack, port),
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and f"cannot serve on PORT {port}" in r.stderr
    assert "Traceback" not in r.stderr


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_procfile_web_serves_the_app_with_gunicorn_threads_and_a_health_route(fake_slack):
    web = _procfile()["web"].strip()
    argv = shlex.split(web)
    assert argv[0] == "gunicorn" and "gthread" in argv and "bot.slack.http:create_app()" in argv
    port = free_port()
    proc = subprocess.Popen(["bash", "-c", f"exec {web}"], cwd=ROOT, env=_http_env(fake_slack, port),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_healthy(port, proc).json()["schools"] == 15
        assert signed_command(port, fake_slack, "verzoek Vossius Gymnasium").status_code == 200
        draft = fake_slack.wait("response_url")[0]
        assert "Vossius Gymnasium" in str(draft.body)
        assert httpx.post(f"http://127.0.0.1:{port}/slack/events", content=b"x=1", trust_env=False,
                          headers={"X-Slack-Signature": "v0=bad", "X-Slack-Request-Timestamp": "1"}).status_code == 401
    finally:
        err = stop(proc)
    assert BOT_TOKEN not in err and SIGNING_SECRET not in err


def test_procfile_web_refreshes_the_list_and_records_requests_in_the_serving_worker(fake_slack, tmp_path):
    """gunicorn --preload builds the app in the master and forks the worker: the background
    refresh must run in the worker (its list is the one /health and lookups use), and the
    worker must have a store of its own."""
    from consent_http import Answer, ListServer

    web = _procfile()["web"].strip()
    port = free_port()
    head = "naam;magister_host\nVossius Gymnasium;vossius\nBarlaeus Gymnasium;barlaeus\n"
    with ListServer() as srv:
        srv.set("/list.csv", Answer(body=head.encode()))
        e = {**_http_env(fake_slack, port), "CONSENT_LIST_URL": srv.url("/list.csv"),
             "CONSENT_REFRESH_MINUTES": "0.005", "ANNOUNCE_CHANNEL": "C0NIEUWS1", "DATA_DIR": str(tmp_path)}
        proc = subprocess.Popen(["bash", "-c", f"exec {web}"], cwd=ROOT, env=e,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # not one request to the app yet: the worker refreshes on its own
            assert srv.wait_count("/list.csv", 3, timeout=15) >= 3, \
                "the worker does not refresh in the background" + (proc.stderr.read() if proc.poll() is not None else "")
            srv.set("/list.csv", Answer(body=(head + "Cals College;cals\n").encode()))
            news = fake_slack.wait("chat.postMessage", timeout=10)[0]
            assert news.body["channel"] == "C0NIEUWS1" and "Cals College" in str(news.body)
            assert httpx.get(f"http://127.0.0.1:{port}/health", trust_env=False).json()["schools"] == 3
            assert signed_command(port, fake_slack, "verzoeken").status_code == 200
            assert "Er zijn geen open verzoeken" in str(fake_slack.wait("response_url")[0].body)
        finally:
            err = stop(proc)
    assert (tmp_path / "bot.sqlite3").exists()
    assert "Traceback" not in err and "request tracking and the question log are off" not in err


def test_procfile_web_without_signing_secret_stops_with_one_line(fake_slack):
    web = _procfile()["web"].strip()
    e = _http_env(fake_slack, free_port())
    del e["SLACK_SIGNING_SECRET"]
    r = subprocess.run(["bash", "-c", f"exec {web}"], cwd=ROOT, env=e, capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines()[-1].startswith("error: SLACK_SIGNING_SECRET is missing")
    assert "Traceback" not in r.stderr


def test_procfile_worker_runs_socket_mode(fake_slack):
    fake_slack.script("apps.connections.open", body={"ok": False, "error": "invalid_auth"})
    worker = _procfile()["worker"].strip()
    r = subprocess.run(["bash", "-c", f"exec {worker}"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env=env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake_slack.url))
    assert r.returncode == 1
    assert "Slack refused SLACK_APP_TOKEN" in r.stderr
    assert fake_slack.of("apps.connections.open")[0].headers["Authorization"] == f"Bearer {APP_TOKEN}"
    assert APP_TOKEN not in r.stderr and BOT_TOKEN not in r.stderr


# -- Slack unreachable at start-up --------------------------------------------------------------------
@pytest.mark.parametrize("how", ["socket", "serve", "procfile-web"])
def test_slack_unreachable_at_start_up_is_one_line_and_exit_1(how):
    dead = free_port()  # nothing listens there
    api = f"http://127.0.0.1:{dead}/api/"
    e = env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=api, PORT=str(free_port()))
    if how == "socket":
        argv = [sys.executable, "-m", "bot"]
        e["SLACK_APP_TOKEN"] = APP_TOKEN
    else:
        e["SLACK_SIGNING_SECRET"] = SIGNING_SECRET
        argv = [sys.executable, "-m", "bot", "serve"] if how == "serve" else ["bash", "-c", f"exec {_procfile()['web']}"]
    r = subprocess.run(argv, cwd=ROOT, env=e, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 if how != "procfile-web" else r.returncode != 0
    assert "Traceback" not in r.stderr and "urlopen error" not in r.stderr.splitlines()[-1]
    assert r.stderr.strip().splitlines()[-1] == (f"error: cannot reach Slack at {api} (Connection refused); "
                                                 "check the network, a proxy, or SLACK_API_URL")
    assert BOT_TOKEN not in r.stderr
