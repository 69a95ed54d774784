"""Several gunicorn workers on one PostgreSQL database behave as one bot, over real HTTP.

Each test runs the ``Procfile``'s ``web:`` command with ``--workers 2`` (real ``gunicorn``
processes serving ``bot.slack.http:create_app()`` on 127.0.0.1, ``DATABASE_URL`` a fresh
PostgreSQL database) next to the fake Slack Web API and a real HTTP server for the consent
list. Which worker answers is not left to chance: each :class:`Pinned` client keeps one
kept-alive connection, so all its requests go to the worker that accepted it, and that
worker's pid comes from ``/health``; a test takes two clients pinned to different workers.
Which worker fetched the list is read from ``/proc`` while its connection is open.

Nothing waits a fixed time: a test waits for the calls it expects (on the fake Slack, the
list server, ``/health`` or the store), and "nothing more happened" is read from what the
workers did (a repeated delivery is logged as skipped before its HTTP answer; an admin's
refresh has sent its news before its answer).
"""
from __future__ import annotations

import itertools
import os
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from bot.store import Store

from conftest import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackHarness, blocks_of, find_button, text_of
from consent_http import Answer, ListServer
from test_slack_cli import _procfile, env, free_port

ROOT = Path(__file__).resolve().parents[1]
ANNE, BERT, ADMIN = "U0ANNE01", "U0BERT01", "U0ADMIN1"
NEWS = "C0NIEUWS1"
LIST = ("naam;magister_host;plaats\nVossius Gymnasium;vossius;Amsterdam\nBarlaeus Gymnasium;barlaeus;Amsterdam\n"
        "Het Schoter;schoter;Haarlem\nTheresialyceum;theresia;Tilburg\nRSG Enkhuizen;rsgenkhuizen;Enkhuizen\n")
CALS = "Cals College;cals;Nieuwegein\n"
LEIDEN = "Stedelijk Gymnasium Leiden;sgleiden;Leiden\n"
WAIT = 30.0
"""Seconds any one expected event may take on a busy 2-core machine."""


# -- two workers -----------------------------------------------------------------------------------
class _Ids:
    """``itertools.count`` that remembers the ``last`` number it gave."""

    def __init__(self, start: int):
        self.last = start - 1

    def __next__(self) -> int:
        self.last += 1
        return self.last


class Pinned(SlackHarness):
    """A :class:`SlackHarness` on one kept-alive connection, so every request it sends goes
    to one worker, ``pid``. Raises ``AssertionError`` when the connection changed (the test
    would no longer know which worker answered)."""

    def __init__(self, base_url: str, fake: FakeSlack, n: int):
        super().__init__(base_url, fake, SIGNING_SECRET)
        self.http.close()
        self.http = httpx.Client(base_url=base_url, timeout=WAIT, trust_env=False,
                                 limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))
        self._ids = _Ids(1000 * n)  # response URLs and ids distinct from the other client's
        r = self.http.get("/health")
        self.addr = self._addr(r)
        self.pid = r.json().get("worker")

    @staticmethod
    def _addr(r: httpx.Response):
        return r.extensions["network_stream"].get_extra_info("client_addr")

    def _check(self, r: httpx.Response) -> httpx.Response:
        assert self._addr(r) == self.addr, "the pinned connection was replaced"
        return r

    def post(self, *args, **kw) -> httpx.Response:
        return self._check(super().post(*args, **kw))

    def command_name(self, text: str, **kw) -> str:
        """Send ``/magister text``; the name of its response URL."""
        assert self.command(text, **kw).status_code == 200
        return f"cmd-{self._ids.last}"

    def click_name(self, call, action_id: str, **kw) -> str:
        """Click a button; the name of the click's response URL."""
        assert self.click(call, action_id, **kw).status_code == 200
        return f"click-{self._ids.last}"

    def health(self) -> dict:
        return self._check(self.http.get("/health")).json()

    def close(self) -> None:
        self.http.close()


class Workers:
    """``gunicorn --workers 2`` as the ``Procfile``'s ``web:`` line runs it (on 127.0.0.1, a
    long keep-alive), with ``settings`` added to its environment; its log in ``log``."""

    def __init__(self, fake: FakeSlack, tmp_path: Path, **settings: str):
        self.fake = fake
        self.port = free_port()
        argv = shlex.split(_procfile()["web"].replace("${PORT:-3000}", str(self.port)))
        argv = [a.replace("0.0.0.0:", "127.0.0.1:") for a in argv]
        argv[argv.index("--workers") + 1] = "2"
        argv[1:1] = ["--keep-alive", "120"]
        self.argv = argv
        self.log = tmp_path / "gunicorn.log"
        e = env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.url,
                DATA_DIR=str(tmp_path / "data"), ADMIN_USER_IDS=ADMIN, ANNOUNCE_CHANNEL=NEWS,
                INSTITUTE_NAME="Huiswerkinstituut De Uil", LOG_LEVEL="INFO", **settings)
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(argv, cwd=ROOT, env=e, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.clients: list[Pinned] = []

    def pids(self) -> set[int]:
        """The master's live worker processes."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return {int(p) for p in path.read_text().split()} if path.exists() else set()

    def pinned(self) -> tuple[Pinned, Pinned]:
        """Two clients pinned to the two workers (new connections until both were accepted by
        different workers, each up and running its jobs)."""
        deadline = time.monotonic() + 60
        by_pid: dict[int, Pinned] = {}
        n = itertools.count(1)
        while len(by_pid) < 2:
            assert time.monotonic() < deadline, f"two workers did not come up:\n{self.log.read_text()[-3000:]}"
            assert self.proc.poll() is None, f"gunicorn exited:\n{self.log.read_text()[-3000:]}"
            try:
                c = Pinned(f"http://127.0.0.1:{self.port}", self.fake, next(n))
            except httpx.TransportError:
                time.sleep(0.1)  # not listening yet
                continue
            if c.pid and c.pid not in by_pid:
                by_pid[c.pid] = c
            else:
                c.close()
        self.clients += by_pid.values()
        a, b = by_pid.values()
        return a, b

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> str:
        for c in self.clients:
            c.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        return self.log_text()


@pytest.fixture()
def srv():
    with ListServer() as s:
        s.set("/list.csv", Answer(body=LIST.encode(), headers={"Content-Type": "text/csv"}))
        yield s


@pytest.fixture()
def start(fake_slack, srv, pg_url, tmp_path):
    """``start(**settings)``: two workers on ``pg_url`` with the list from ``srv``, stopped
    after the test (whose log must hold no traceback)."""
    started: list[Workers] = []

    def start(**settings: str) -> Workers:
        w = Workers(fake_slack, tmp_path, DATABASE_URL=pg_url, CONSENT_LIST_URL=srv.url("/list.csv"), **settings)
        started.append(w)
        return w

    yield start
    for w in started:
        log = w.stop()
        assert "Traceback" not in log, log[-3000:]


def at_once(*calls):
    """Run ``calls`` on threads released together; their results in order."""
    results: list = [None] * len(calls)
    gate = threading.Barrier(len(calls))

    def run(i: int) -> None:
        gate.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    return results


def replies(fake: FakeSlack, names: set[str]) -> list:
    """The response URL posts named ``names``, waiting until each has arrived."""
    deadline = time.monotonic() + WAIT
    while True:
        found = {c.name: c for c in fake.of("response_url") if c.name in names}
        if len(found) == len(names):
            return [found[n] for n in sorted(names)]
        assert time.monotonic() < deadline, f"missing replies {names - set(found)}"
        fake.wait("response_url", n=len(fake.of("response_url")) + 1, timeout=deadline - time.monotonic())


def wait_for(what: str, check, timeout: float = WAIT):
    """Poll ``check()`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


# -- the tests -----------------------------------------------------------------------------------
def test_a_retry_and_a_message_delivered_twice_are_answered_once_by_two_workers(start, fake_slack):
    w = start(CONSENT_REFRESH_MINUTES="0")
    a, b = w.pinned()
    # an event on one worker and its retry on the other, at once
    ts = "1699999999.000101"
    ev = {"type": "app_mention", "user": ANNE, "text": f"<@{FakeSlack.BOT_USER}> wat is de deadline?", "ts": ts,
          "channel": "C0TEAM01", "event_ts": ts}
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    r1, r2 = at_once(lambda: a.event(ev, event_id="Ev0RETRY1"), lambda: b.event(ev, event_id="Ev0RETRY1", headers=retry))
    assert (r1.status_code, r2.status_code) == (200, 200)
    # the one that lost the claim said so before its HTTP answer: it started no listener
    assert w.log_text().count("skipped a repeated delivery: event=Ev0RETRY1") == 1
    [answer] = fake_slack.wait("chat.postMessage", timeout=WAIT)
    assert answer.body["thread_ts"] == ts and "18 december 2018" in text_of(answer)

    # one message as two events (a mention in a DM is also message.im), one on each worker
    ts2 = "1699999999.000102"
    mention = {**ev, "ts": ts2, "event_ts": ts2, "channel": "D0ANNE01"}
    im = {"type": "message", "channel_type": "im", "user": ANNE, "text": "wat is de deadline?", "ts": ts2,
          "channel": "D0ANNE01", "event_ts": ts2}
    at_once(lambda: a.event(mention, event_id="Ev0MENTION"), lambda: b.event(im, event_id="Ev0DIRECT"))
    log = w.log_text()
    assert log.count("skipped a repeated delivery: event=Ev0MENTION") + \
        log.count("skipped a repeated delivery: event=Ev0DIRECT") == 1
    second = fake_slack.wait("chat.postMessage", n=2, timeout=WAIT)[1]
    assert second.body["channel"] == "D0ANNE01" and "18 december 2018" in text_of(second)


def test_a_draft_edited_on_one_worker_is_posted_edited_by_the_other(start, fake_slack):
    w = start(CONSENT_REFRESH_MINUTES="0")
    a, b = w.pinned()
    for editor, poster, school in ((a, b, "Vossius Gymnasium Leiden"), (b, a, "Cals College Nieuwegein")):
        [draft] = replies(fake_slack, {editor.command_name(f"verzoek {school}", user=ANNE)})
        opened = len(fake_slack.of("views.open"))
        edit = editor.click_name(draft, "draft_edit", user=ANNE)
        view = fake_slack.wait("views.open", n=opened + 1, timeout=WAIT)[opened].body["view"]
        body = f"Geachte heer Jansen,\n\nbewerkt op worker {editor.pid}, geplaatst door {poster.pid}.\n\nAnne"
        r = editor.submit(view, {"to": "beheer@school.example", "subject": f"Toegang {school}", "body": body})
        assert r.status_code == 200 and r.text == ""
        [edited] = replies(fake_slack, {edit})  # the edited draft, in place of the first
        assert edited.body["replace_original"] is True and "bewerkt op worker" in text_of(edited)
        posts = len(fake_slack.of("chat.postMessage"))
        [ok] = replies(fake_slack, {poster.click_name(draft, "draft_post", user=ANNE)})  # the first draft's button
        assert "Geplaatst in dit kanaal" in text_of(ok)
        posted = fake_slack.wait("chat.postMessage", n=posts + 1, timeout=WAIT)[posts]
        assert posted.body["channel"] == "C0TEAM01"
        assert f"bewerkt op worker {editor.pid}, geplaatst door {poster.pid}" in text_of(posted)
        mailto = find_button(blocks_of(posted), "draft_mailto")["url"]
        assert mailto.startswith("mailto:beheer%40school.example?subject=Toegang")
    assert a.pid != b.pid


def test_after_an_admin_refresh_on_a_follower_every_lookup_on_both_workers_grants(start, fake_slack, srv):
    w = start(CONSENT_REFRESH_MINUTES="0")
    a, b = w.pinned()
    follower, leader = (a, b) if not a.health()["leader"] else (b, a)
    assert leader.health()["leader"] and not follower.health()["leader"]
    before = {c.health()["schools"] for c in (a, b)}
    assert before == {5}
    srv.set("/list.csv", Answer(body=(LIST + CALS).encode(), headers={"Content-Type": "text/csv"}))
    n = len(fake_slack.of("response_url"))
    follower.command("lijst vernieuwen", user=ADMIN)  # typed on a worker that does not lead
    report = fake_slack.wait("response_url", n=n + 1, timeout=WAIT)[n]
    assert "Cals College" in text_of(report)
    # the other worker takes the stored list up within a few seconds
    wait_for("the leader to take up the new list", lambda: leader.health()["schools"] == 6, timeout=10)
    names = {(a, b)[i % 2].command_name("school Cals College Nieuwegein", user=BERT) for i in range(20)}
    for call in replies(fake_slack, names):
        text = text_of(call)
        assert "*Cals College*" in text and "staat op de lijst" in text, text


def test_a_list_change_is_announced_once_and_each_requester_told_once_whichever_workers_refresh(
        start, fake_slack, srv, pg_url):
    w = start(CONSENT_REFRESH_MINUTES="0")
    a, b = w.pinned()
    with Store(pg_url) as store:
        for school, host, user in (("Cals College", "cals", ANNE), ("Stedelijk Gymnasium Leiden", "sgleiden", BERT)):
            req, _ = store.open_request(school, host=host, requested_by=user, channel="C0TEAM01")
            store.mark_sent(req.id)
    srv.set("/list.csv", Answer(body=(LIST + CALS + LEIDEN).encode(), headers={"Content-Type": "text/csv"}))
    # both workers refresh at once, then one more time each: an admin's answer comes after the news went out
    names = at_once(lambda: a.command_name("lijst vernieuwen", user=ADMIN),
                    lambda: b.command_name("lijst vernieuwen", user=ADMIN))
    names += [a.command_name("lijst vernieuwen", user=ADMIN), b.command_name("lijst vernieuwen", user=ADMIN)]
    reports = [text_of(c) for c in replies(fake_slack, set(names))]
    assert any("Cals College" in r for r in reports)
    sent = fake_slack.of("chat.postMessage")
    news = [c for c in sent if c.body["channel"] == NEWS]
    assert len(news) == 1 and "Cals College" in text_of(news[0]) and "Stedelijk Gymnasium Leiden" in text_of(news[0])
    dms = sorted(c.body["channel"] for c in sent if c.body["channel"] in (ANNE, BERT))
    assert dms == [ANNE, BERT]
    assert "Cals College" in text_of(next(c for c in sent if c.body["channel"] == ANNE))
    with Store(pg_url) as store:
        assert [r.status for r in store.list_requests()] == ["granted", "granted"]


def _pid_of_peer(peer: tuple[str, int], server_port: int, candidates: set[int]) -> int | None:
    """Which of ``candidates`` holds the client end of a TCP connection from ``peer`` to
    ``server_port`` on this machine (read from ``/proc`` while it is open)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == peer[1] and int(f[2].rsplit(":", 1)[1], 16) == server_port:
                inode = f[9]
    for pid in candidates:
        try:
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in Path(f"/proc/{pid}/fd").iterdir()):
                return pid
        except OSError:
            continue
    return None


def test_followers_do_not_refresh_and_another_worker_takes_over_when_the_leader_is_killed(start, fake_slack, srv):
    fetched: list[int | None] = []
    arrived = threading.Condition()
    w = start(CONSENT_REFRESH_MINUTES="0.01")  # every 0.6 s

    def who(handler) -> None:
        pid = _pid_of_peer(handler.client_address, srv.httpd.server_address[1], w.pids() | {w.proc.pid})
        with arrived:
            fetched.append(pid)
            arrived.notify_all()

    srv.on_request = who
    a, b = w.pinned()
    leader = wait_for("one leader", lambda: [c for c in (a, b) if c.health()["leader"]])
    assert len(leader) == 1
    old = leader[0].pid

    def fetches_by(pids: set[int], n: int) -> bool:
        with arrived:
            return arrived.wait_for(lambda: sum(1 for p in fetched if p in pids) >= n, WAIT)

    assert fetches_by({old}, 3)
    with arrived:
        workers = [p for p in fetched if p != w.proc.pid]  # the master's one fetch at start-up aside
    assert set(workers) == {old}, f"fetched by {workers}, the leader is {old}"

    os.kill(old, signal.SIGKILL)
    killed = time.monotonic()
    with arrived:
        taken = arrived.wait_for(lambda: any(p not in (old, w.proc.pid, None) for p in fetched[len(workers):]), 60)
    assert taken, f"no other worker refreshed within a minute:\n{w.log_text()[-3000:]}"
    assert time.monotonic() - killed < 60
    assert "leads now" in w.log_text()


def test_two_workers_recording_the_same_school_at_once_make_one_request(start, fake_slack, pg_url):
    w = start(CONSENT_REFRESH_MINUTES="0")
    a, b = w.pinned()
    drafts = replies(fake_slack, {a.command_name("verzoek Vossius Gymnasium Leiden", user=ANNE)}) + \
        replies(fake_slack, {b.command_name("verzoek het vossius gymnasium leiden", user=BERT)})
    names = at_once(lambda: a.click_name(drafts[0], "draft_mark_sent", user=ANNE),
                    lambda: b.click_name(drafts[1], "draft_mark_sent", user=BERT))
    texts = sorted(text_of(c) for c in replies(fake_slack, set(names)))
    assert sum("Genoteerd als verstuurd" in t for t in texts) == 1
    # the other names the one that won (drafted or already sent by then)
    assert sum("Er loopt al een verzoek voor *" in t and "vossius gymnasium leiden*" in t.lower() for t in texts) == 1
    with Store(pg_url) as store:
        [req] = store.list_requests()
    assert req.status == "sent" and req.requested_by in (ANNE, BERT)
