"""The wiring of the shared store, in one process: store faults in de-duplication and drafts
(over HTTP, the Slack app on a real SQLite store), the sweep's purges, the command line on
``DATABASE_URL``, and two bots on one PostgreSQL database handing the consent list to each
other through the store (:class:`~bot.jobs.Jobs` of two :class:`~bot.backends.test.TestBackend`
conversations: what two workers do, without their processes)."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from bot.backends.test import TestBackend
from bot.config import Settings
from bot.consent_source import FetchPolicy
from bot.core import Bot
from bot.store import Store, utc_now

from conftest import BOT_TOKEN, SIGNING_SECRET, run_cli, text_of
from consent_http import Answer, ListServer
from test_slack_http import only

ADMIN, NEWS = "U0ADMIN1", "C0NIEUWS1"
LIST = "naam;magister_host;plaats\nVossius Gymnasium;vossius;Amsterdam\nBarlaeus Gymnasium;barlaeus;Amsterdam\n"
CALS = "Cals College;cals;Nieuwegein\n"
FAST = FetchPolicy(connect_timeout=1.0, read_timeout=2.0, total_timeout=5.0, attempts=1)


# -- store faults, over HTTP ------------------------------------------------------------------------
def test_a_store_fault_in_de_duplication_is_logged_and_the_event_answered(slack, fake_slack, caplog):
    slack.store._conn.execute("PRAGMA query_only = ON")  # every write fails, as on a read-only disk
    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        slack.mention("wat is de deadline?")
        answer = only(fake_slack.wait("chat.postMessage"))
    assert "18 december 2018" in text_of(answer)
    assert "repeated deliveries not checked, answering" in caplog.text and "Traceback" not in caplog.text


def test_a_draft_that_cannot_be_read_is_made_again_from_the_school(slack, fake_slack, caplog):
    slack.command("verzoek Vossius Gymnasium Leiden")
    draft = only(fake_slack.wait("response_url"))
    slack.store._conn.execute("DROP TABLE drafts")  # a damaged database: no draft can be read or kept
    with caplog.at_level(logging.ERROR):
        slack.click(draft, "draft_mark_sent")
        marked = fake_slack.wait("response_url", n=2)[1]
    assert "Genoteerd als verstuurd" in text_of(marked) and "*Vossius Gymnasium Leiden*" in text_of(marked)
    assert [r.school_name for r in slack.store.list_requests()] == ["Vossius Gymnasium Leiden"]
    assert "not read, making it again" in caplog.text and "Traceback" not in caplog.text


def test_an_edit_the_store_cannot_keep_is_not_shown_as_saved(slack, fake_slack, caplog):
    slack.command("verzoek Vossius Gymnasium Leiden")
    draft = only(fake_slack.wait("response_url"))
    slack.click(draft, "draft_edit")
    view = only(fake_slack.wait("views.open")).body["view"]
    slack.store._conn.execute("PRAGMA query_only = ON")
    with caplog.at_level(logging.ERROR):
        slack.submit(view, {"to": "", "subject": "Toegang", "body": "Geachte heer,\n\nAnne"})
        note = fake_slack.wait("response_url", n=2)[1]
    assert "Niet opgeslagen: door een opslagprobleem" in text_of(note) and not note.body.get("replace_original")
    assert "edited draft" in caplog.text and "not kept" in caplog.text


def test_a_draft_the_store_cannot_keep_still_goes_out_and_its_buttons_work(slack, fake_slack):
    slack.store._conn.execute("PRAGMA query_only = ON")
    slack.command("verzoek Vossius Gymnasium Leiden")
    draft = only(fake_slack.wait("response_url"))
    assert "Vossius Gymnasium Leiden" in text_of(draft)
    slack.click(draft, "draft_edit")  # made again from the school's name
    assert "Vossius Gymnasium Leiden" in str(only(fake_slack.wait("views.open")).body["view"])


def test_the_sweep_forgets_answered_events_after_a_day_and_expired_drafts(slack, fake_slack):
    slack.mention("wat is de deadline?", event_id="Ev0SWEEP1")
    slack.command("verzoek Vossius Gymnasium Leiden")
    fake_slack.wait("chat.postMessage")
    draft = fake_slack.wait("response_url")[0]
    slack.settle()
    draft_id = json.loads(next(e["value"] for b in draft.body["blocks"] if b["type"] == "actions"
                               for e in b["elements"] if e["action_id"] == "draft_edit"))["id"]
    store = slack.store
    later = utc_now() + timedelta(days=2)
    assert store.get_draft(draft_id) is not None
    slack.jobs.sweep(now=later)
    assert store.claim("event:Ev0SWEEP1")  # forgotten: claimable again
    assert store.purge_drafts(now=later) == 0 and store.get_draft(draft_id) is None


# -- the command line on DATABASE_URL ------------------------------------------------------------------
def test_requests_and_the_report_read_the_database_url(pg_url, tmp_path):
    with Store(pg_url) as store:
        req, _ = store.open_request("Cals College", host="cals", requested_by="U0ANNE01")
        store.mark_sent(req.id)
        store.log_question("Wat is de deadline?", "answered", entry_id="deadline", score=0.9, channel_type="im",
                           user_id="U0ANNE01", asked_at=utc_now() - timedelta(hours=1))
    env = {"DATABASE_URL": pg_url, "DATA_DIR": str(tmp_path / "empty")}
    listed = run_cli("requests", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert [(r["school_name"], r["status"]) for r in json.loads(listed.stdout)] == [("Cals College", "sent")]
    report = run_cli("report", "questions", "--json", env=env)
    assert report.returncode == 0 and json.loads(report.stdout)["total"] == 1
    assert not (tmp_path / "empty").exists()  # no SQLite file made on the side


# -- two bots on one database --------------------------------------------------------------------------
@pytest.fixture()
def srv():
    with ListServer() as s:
        s.set("/list.csv", Answer(body=LIST.encode(), headers={"Content-Type": "text/csv"}))
        yield s


def worker(location, data_dir, srv) -> TestBackend:
    """One bot as a worker runs it: its own data directory, its own store on ``location``."""
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, data_dir=data_dir,
                        consent_list_url=srv.url("/list.csv"), admin_user_ids=(ADMIN,), announce_channel=NEWS)
    bot = Bot.from_settings(settings)
    bot.consent_source.policy = FAST
    return TestBackend.from_settings(settings, bot=bot, store=Store(location))


def sent(chat: TestBackend, where: str) -> list:
    return [o for o in chat.outbox if o.how == "send" and (o.where.channel or o.where.user) == where]


def test_a_list_one_worker_stored_is_taken_up_by_another_and_never_announced_twice(pg_url, tmp_path, srv):
    a, b, c = (worker(pg_url, tmp_path / name, srv) for name in "abc")
    req, _ = a.store.open_request("Cals College", host="cals", requested_by="U0ANNE01")
    a.store.mark_sent(req.id)
    srv.set("/list.csv", Answer(body=(LIST + CALS).encode(), headers={"Content-Type": "text/csv"}))

    assert a.jobs.refresh().status == "updated"  # the leader's refresh: stored, announced, granted
    assert len(sent(a, NEWS)) == 1 and len(sent(a, "U0ANNE01")) == 1
    assert a.store.latest_consent_list().body == LIST + CALS

    assert b.jobs.follow()  # another worker takes the stored list up: its lookups grant
    assert "staat op de lijst" in b.text(b.say("school Cals College Nieuwegein")[0])
    [status] = b.say("lijst status", user=ADMIN)
    assert "mislukt" not in b.text(status)
    # ... and refreshing there starts from it: nothing new to tell
    [report] = b.say("lijst vernieuwen", user=ADMIN)
    assert b.jobs.bot.consent_source.status()["result"] == "unchanged" and not sent(b, NEWS)

    # a worker that had not taken it up yet finds the change itself: the announcement was claimed
    assert c.jobs.bot.consent_source.refresh().status == "updated"
    c.jobs.flush()
    assert not sent(c, NEWS) and not sent(c, "U0ANNE01")


def test_a_failed_refresh_is_recorded_on_the_stored_list_and_every_worker_shows_it(pg_url, tmp_path, srv):
    a, b = (worker(pg_url, tmp_path / name, srv) for name in "ab")
    a.jobs.refresh()  # a fresh database: the list in use is stored
    assert a.store.latest_consent_list().error == ""
    srv.set("/list.csv", Answer(status=503, body=b"down"))
    assert a.jobs.refresh().status == "failed"
    assert "503" in a.store.latest_consent_list().error
    assert b.jobs.follow()
    assert "503" in b.jobs.bot.consent.error and len(b.jobs.bot.consent.schools) == 2


def test_on_sqlite_no_list_is_stored_and_the_one_process_leads(tmp_path, srv):
    chat = worker(tmp_path / "bot.sqlite3", tmp_path / "data", srv)
    srv.set("/list.csv", Answer(body=(LIST + CALS).encode(), headers={"Content-Type": "text/csv"}))
    assert chat.jobs.refresh().status == "updated" and len(sent(chat, NEWS)) == 1
    assert chat.store.latest_consent_list() is None and not chat.jobs.shared
    chat.jobs.start()
    try:
        assert chat.jobs.leads and chat.jobs.leader is not None and chat.jobs.leader.is_leader
    finally:
        chat.jobs.stop()
