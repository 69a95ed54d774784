"""Requests, the consent list's refresh and the question log, through the Slack app over real
HTTP (the harness of ``test_slack_http.py``): a real SQLite store in ``tmp_path``, the consent
list from a real HTTP server on 127.0.0.1 (``consent_http.ListServer``), and no waiting for
days: reminders are swept with an explicit ``now``."""
from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta

import pytest
from slack_sdk.models.views import View

from bot.config import Settings
from bot.consent_source import FetchPolicy
from bot.consentlist import ConsentList, School
from bot.core import Bot
from bot.slack.app import open_store
from bot.store import Store, utc_now

from conftest import BOT_TOKEN, SIGNING_SECRET, blocks_of, find_button, serve_slack, text_of
from consent_http import Answer, ListServer
from test_slack_http import assert_fits_block_kit, only

ANNE, BERT, ADMIN = "U0ANNE01", "U0BERT01", "U0ADMIN1"
NEWS = "C0NIEUWS1"
LIST = ("naam;magister_host;plaats\nVossius Gymnasium;vossius;Amsterdam\nBarlaeus Gymnasium;barlaeus;Amsterdam\n"
        "Het Schoter;schoter;Haarlem\nTheresialyceum;theresia;Tilburg\nRSG Enkhuizen;rsgenkhuizen;Enkhuizen\n")
ADDED = ("Cals College;cals;Nieuwegein\nStedelijk Gymnasium Leiden;sgleiden;Leiden\n"
         "Lyceum <!channel> 3<4 & Zn;lyceumzn;Delft\n")
FAST = FetchPolicy(connect_timeout=1.0, read_timeout=2.0, total_timeout=5.0, attempts=1)


@pytest.fixture()
def srv():
    with ListServer() as s:
        s.set("/list.csv", Answer(body=LIST.encode(), headers={"Content-Type": "text/csv"}))
        yield s


def tracked_bot(srv, tmp_path, **settings) -> Bot:
    """A bot whose consent list comes from ``srv`` (admins, an announcement channel)."""
    s = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, data_dir=tmp_path / "data",
                 consent_list_url=srv.url("/list.csv"), admin_user_ids=(ADMIN,), announce_channel=NEWS,
                 institute_name="Huiswerkinstituut De Uil", help_contact="#magister-vragen")
    bot = Bot.from_settings(s.with_(**settings))
    bot.consent_source.policy = FAST
    return bot


@pytest.fixture()
def app(fake_slack, srv, tmp_path):
    """The app around :func:`tracked_bot`, with a real store in ``tmp_path``."""
    with Store(tmp_path / "data" / "bot.sqlite3") as store:
        harness, stop = serve_slack(fake_slack, tracked_bot(srv, tmp_path), store=store)
        yield harness
        stop()


def button_value(call, action_id: str) -> dict:
    return json.loads(find_button(blocks_of(call), action_id)["value"])


def new_reply(fake, before: int, method: str = "response_url"):
    """The first call to ``method`` after the first ``before`` ones."""
    return fake.wait(method, n=before + 1)[before]


# -- drafts become requests -----------------------------------------------------------------------------
def test_posting_a_draft_records_it_and_a_second_request_for_the_school_points_to_the_first(app, fake_slack):
    app.command("verzoek Vossius Gymnasium Leiden", user=ANNE)  # not on this list
    draft = only(fake_slack.wait("response_url"))
    labels = [e["text"]["text"] for b in blocks_of(draft) if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Bewerken", "Plaatsen in kanaal", "Openen in e-mail", "Markeer als verstuurd"]
    assert_fits_block_kit(draft)
    app.click(draft, "draft_post", user=ANNE)
    posted = only(fake_slack.wait("chat.postMessage"))
    ok = new_reply(fake_slack, 1)
    assert "Geplaatst in dit kanaal" in text_of(ok) and "Ik houd het verzoek bij" in text_of(ok)
    [req] = app.store.list_requests()
    assert (req.school_name, req.status, req.requested_by) == ("Vossius Gymnasium Leiden", "sent", ANNE)
    assert posted.body["channel"] == "C0TEAM01"
    assert req.channel == "C0TEAM01" and req.message_ts.startswith("1700000000.")

    # Bert drafts the same school: the draft says a request is open, by whom and where
    app.command("verzoek het vossius gymnasium leiden", user=BERT)
    second = new_reply(fake_slack, 2)
    assert "Er loopt al een verzoek voor *Vossius Gymnasium Leiden*: verstuurd op" in text_of(second)
    assert f"door <@{ANNE}> in <#C0TEAM01>" in text_of(second)
    # … and posting or marking it says so, links the first message, and posts/records nothing
    app.click(second, "draft_post", user=BERT)
    refused = new_reply(fake_slack, 3)
    text = text_of(refused)
    assert "Er loopt al een verzoek voor *Vossius Gymnasium Leiden*" in text and "Ik heb niets geplaatst" in text
    link = only(fake_slack.of("chat.getPermalink"))
    assert (link.body["channel"], link.body["message_ts"]) == ("C0TEAM01", req.message_ts)
    assert f"<https://uil.slack.com/archives/C0TEAM01/p{req.message_ts.replace('.', '')}|bekijk het bericht>" in text
    app.click(second, "draft_mark_sent", user=BERT)
    assert "Er loopt al een verzoek" in text_of(new_reply(fake_slack, 4))
    # Anne posting her draft twice is no second request either
    app.click(draft, "draft_post", user=ANNE)
    assert "Je verzoek voor *Vossius Gymnasium Leiden* staat al genoteerd" in text_of(new_reply(fake_slack, 5))
    assert len(fake_slack.of("chat.postMessage")) == 1
    assert len(app.store.list_requests()) == 1


def test_mark_as_sent_records_the_request_and_the_app_home_shows_the_users_own(app, fake_slack):
    app.dm("verzoek Stedelijk Gymnasium Leiden", user=ANNE)
    draft = only(fake_slack.wait("chat.postEphemeral"))  # a DM draft: no "Plaatsen in kanaal"
    app.click(draft, "draft_mark_sent", user=ANNE)
    ok = only(fake_slack.wait("response_url"))
    assert "Genoteerd als verstuurd" in text_of(ok) and "*Stedelijk Gymnasium Leiden*" in text_of(ok)
    [req] = app.store.open_requests()
    assert (req.status, req.requested_by, req.channel, req.message_ts) == ("sent", ANNE, "D0ANNE01", "")
    assert req.sent_at is not None

    for user in (ANNE, BERT):
        app.event({"type": "app_home_opened", "user": user, "tab": "home"})
    homes = {c.body["user_id"]: c for c in fake_slack.wait("views.publish", n=2)}
    View(**homes[ANNE].body["view"]).validate_json()
    assert "Jouw open verzoeken" in text_of(homes[ANNE])
    assert "• *Stedelijk Gymnasium Leiden*: verstuurd vandaag" in text_of(homes[ANNE])
    assert "Je hebt geen open verzoeken." in text_of(homes[BERT])


def test_open_requests_are_listed_oldest_first_with_their_age(app, fake_slack):
    now = utc_now()
    for name, user, days, sent in (("Montessori Lyceum Amsterdam", BERT, 3, True), ("Het Cals College", ANNE, 12, True),
                                   ("Granted School", ANNE, 30, True), ("Concept School", BERT, 1, False)):
        req, _ = app.store.open_request(name, requested_by=user, channel="C0TEAM01", now=now - timedelta(days=days))
        if sent:
            app.store.mark_sent(req.id, now=now - timedelta(days=days))
    app.store.close_granted(ConsentList((School("Granted School"),), "test"))  # closed: not listed
    app.command("verzoeken", user=BERT)
    app.command("requests", user=BERT)
    nl, en = sorted(fake_slack.wait("response_url", n=2), key=lambda c: c.name)
    text = text_of(nl)
    assert "*Open verzoeken* (3, oudste eerst)" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("• ")]
    assert lines == [f"• *Het Cals College*: verstuurd 12 dagen geleden door <@{ANNE}> in <#C0TEAM01>",
                     f"• *Montessori Lyceum Amsterdam*: verstuurd 3 dagen geleden door <@{BERT}> in <#C0TEAM01>",
                     f"• *Concept School*: opgesteld gisteren door <@{BERT}> in <#C0TEAM01>"]
    assert "*Open requests* (3, oldest first)" in text_of(en) and "sent 12 days ago by" in text_of(en)
    assert_fits_block_kit(nl)


# -- the consent list: admin commands, refresh, grants, announcements --------------------------------------
def test_refresh_grants_open_requests_tells_each_requester_and_announces_the_new_schools(app, fake_slack, srv):
    app.command("what is the deadline?", user=BERT)  # Bert asks in English: his DM will be English
    app.command("verzoek Het Cals College", user=ANNE)
    app.command("request Stedelijk Gymnasium Leiden", user=BERT)
    calls = sorted(fake_slack.wait("response_url", n=3), key=lambda c: c.name)
    app.click(calls[1], "draft_post", user=ANNE)
    app.click(calls[2], "draft_mark_sent", user=BERT)
    fake_slack.wait("response_url", n=5)
    assert [r.status for r in app.store.open_requests()] == ["sent", "sent"]

    # a colleague who is no admin is refused, politely, and nothing is fetched
    fetched = srv.count("/list.csv")
    app.command("lijst vernieuwen", user=BERT)
    app.command("list status", user=BERT)
    refusals = sorted(fake_slack.wait("response_url", n=7)[5:], key=lambda c: c.name)
    assert "alleen beheerders kunnen de toestemmingslijst vernieuwen" in text_of(refusals[0])
    assert "Vraag het aan #magister-vragen" in text_of(refusals[0])
    assert "only admins can refresh the consent list" in text_of(refusals[1])
    assert srv.count("/list.csv") == fetched

    # the admin refreshes: the list has three more schools
    srv.set("/list.csv", Answer(body=(LIST + ADDED).encode(), headers={"Content-Type": "text/csv"}))
    app.command("lijst vernieuwen", user=ADMIN)
    result = new_reply(fake_slack, 7)
    text = text_of(result)
    assert "✅ Lijst bijgewerkt: 8 scholen (3 nieuw, 0 verdwenen)." in text
    assert ("Nieuw: Cals College (Nieuwegein), Stedelijk Gymnasium Leiden (Leiden) en Lyceum 3&lt;4 &amp; Zn (Delft)"
            in text)
    assert srv.count("/list.csv") == fetched + 1

    # each requester gets a DM; the requests are granted
    posts = fake_slack.of("chat.postMessage")
    dms = {c.body["channel"]: c for c in posts if c.body["channel"] in (ANNE, BERT)}
    assert "🎉 *Het Cals College* heeft toestemming gegeven" in text_of(dms[ANNE])
    assert "🎉 *Stedelijk Gymnasium Leiden* has granted consent" in text_of(dms[BERT])
    assert not app.store.open_requests()
    assert sorted(r.status for r in app.store.list_requests()) == ["granted", "granted"]
    # the announcement: every new school, escaped
    [news] = [c for c in posts if c.body["channel"] == NEWS]
    assert_fits_block_kit(news)
    assert text_of(news).startswith("Nieuw op de lijst: Cals College (Nieuwegein), Stedelijk Gymnasium Leiden (Leiden) "
                                    "en Lyceum 3&lt;4 &amp; Zn (Delft)")
    assert "<!channel>" not in json.dumps(news.body)

    # the admin's status; a refresh with nothing new announces and grants nothing more
    app.command("lijst status", user=ADMIN)
    status = text_of(new_reply(fake_slack, 8))
    assert f"Bron: {srv.url('/list.csv')} (URL)" in status
    assert "Laatste controle:" in status and "(bijgewerkt)" in status
    app.command("list refresh", user=ADMIN)
    assert "✅ List unchanged: 8 schools" in text_of(new_reply(fake_slack, 9))
    assert len(fake_slack.of("chat.postMessage")) == len(posts)


def test_a_failed_refresh_and_a_stale_list_show_in_lookups_and_the_app_home(app, fake_slack, srv, tmp_path):
    srv.set("/list.csv", Answer(404, b"weg"))
    app.command("lijst vernieuwen", user=ADMIN)
    failed = text_of(only(fake_slack.wait("response_url")))
    assert "⚠️ Lijst niet opgehaald:" in failed and "HTTP 404" in failed
    assert "De huidige lijst blijft in gebruik (5 scholen" in failed
    app.command("school Vossius Gymnasium", user=BERT)
    lookup = text_of(new_reply(fake_slack, 1))
    assert "✅ *Vossius Gymnasium*" in lookup and "⚠️ bijwerken mislukt, dit is de laatst goede lijst" in lookup
    app.event({"type": "app_home_opened", "user": BERT, "tab": "home"})
    assert "⚠️ bijwerken mislukt" in text_of(only(fake_slack.wait("views.publish")))
    assert not fake_slack.of("chat.postMessage")  # no announcement, no DM

    # a list older than CONSENT_STALE_DAYS (the example list, a stale limit of a few seconds)
    bot = Bot.from_settings(Settings(data_dir=tmp_path / "stale", consent_stale_days=1e-5))
    harness, stop = serve_slack(fake_slack, bot)
    try:
        harness.command("school cals college")
        harness.event({"type": "app_home_opened", "user": BERT, "tab": "home"})
        assert "⚠️ mogelijk verouderd" in text_of(new_reply(fake_slack, 2))
        assert "⚠️ mogelijk verouderd" in text_of(fake_slack.wait("views.publish", n=2)[1])
    finally:
        stop()


def test_with_no_good_list_yet_the_bot_answers_questions_but_gives_no_verdict_until_a_refresh(fake_slack, srv,
                                                                                              tmp_path):
    """CONSENT_LIST_URL set, the source down, no copy: never the made-up example list."""
    srv.set("/list.csv", Answer(503, b"down"))
    bot = tracked_bot(srv, tmp_path)
    assert bot.consent.unavailable and bot.consent.schools == ()
    with Store(tmp_path / "data" / "bot.sqlite3") as store:
        harness, stop = serve_slack(fake_slack, bot, store=store)
        try:
            harness.command("wat is de deadline?", user=BERT)
            assert "18 december 2018" in text_of(only(fake_slack.wait("response_url")))
            for n, text in enumerate(("school Cals College", "heeft het Vossius Gymnasium al toestemming gegeven?"), 1):
                harness.command(text, user=BERT)
                reply = new_reply(fake_slack, n)
                shown = text_of(reply)
                assert "De toestemmingslijst is nu niet beschikbaar" in shown and "HTTP 503" in shown
                assert "✅" not in shown and "❌" not in shown and "VOORBEELDLIJST" not in shown
                assert_fits_block_kit(reply)
            harness.command("verzoek Cals College", user=ANNE)
            assert "kon niet nagaan of de school al op de lijst staat" in text_of(new_reply(fake_slack, 3))
            harness.event({"type": "app_home_opened", "user": BERT, "tab": "home"})
            assert "Niet beschikbaar: er is nog geen goede lijst" in text_of(only(fake_slack.wait("views.publish")))
            # "the school is still not on the list" cannot be told without a list: the reminder waits
            sent_at = utc_now() - timedelta(days=20)
            req, _ = store.open_request("Montessori Lyceum Amsterdam", requested_by=ANNE, now=sent_at)
            store.mark_sent(req.id, channel="C0TEAM01", message_ts="1700000000.000099", now=sent_at)
            assert harness.jobs.sweep(utc_now())["reminded"] == 0 and store.get_request(req.id).reminded_at is None

            # the source is back: an admin's refresh brings the list in, and lookups give verdicts again
            srv.set("/list.csv", Answer(body=LIST.encode(), headers={"Content-Type": "text/csv"}))
            harness.command("lijst vernieuwen", user=ADMIN)
            assert "✅ Lijst opgehaald: 5 scholen." in text_of(new_reply(fake_slack, 4))
            harness.command("school Vossius Gymnasium", user=BERT)
            assert "✅ *Vossius Gymnasium*" in text_of(new_reply(fake_slack, 5))
            assert not fake_slack.of("chat.postMessage")  # a first list is no news to announce
            assert harness.jobs.sweep(utc_now())["reminded"] == 1
        finally:
            stop()


def test_the_background_refresh_runs_on_its_own_and_never_holds_up_a_reply(fake_slack, srv, tmp_path):
    bot = tracked_bot(srv, tmp_path, consent_refresh_minutes=0.002)  # every 0.12 s
    harness, stop = serve_slack(fake_slack, bot, store=None)
    hold = threading.Event()
    try:
        harness.jobs.start()
        srv.set("/list.csv", Answer(body=(LIST + ADDED).encode(), wait=hold))  # the next fetch hangs
        assert srv.wait_count("/list.csv", 2) >= 2, "no background refresh"
        # answered while the refresh waits on the server (until the test lets it go): never held up
        harness.command("school Vossius Gymnasium")
        assert "✅ *Vossius Gymnasium*" in text_of(only(fake_slack.wait("response_url")))
        assert not hold.is_set() and not fake_slack.of("chat.postMessage")  # the refresh has not finished
        hold.set()
        news = fake_slack.wait("chat.postMessage", timeout=5)[0]
        assert news.body["channel"] == NEWS and "Nieuw op de lijst: Cals College" in text_of(news)
    finally:
        hold.set()
        stop()
    assert not harness.jobs._refresher  # stopped
    off = tracked_bot(srv, tmp_path / "off", consent_refresh_minutes=0)
    h2, stop2 = serve_slack(fake_slack, off)
    h2.jobs.start()
    assert h2.jobs._refresher is None  # CONSENT_REFRESH_MINUTES=0: no background refresh
    stop2()


# -- reminders ---------------------------------------------------------------------------------------------
def test_one_reminder_after_the_configured_days_with_the_draft_ready_to_send(app, fake_slack):
    sent_at = utc_now() - timedelta(days=20)
    req, _ = app.store.open_request("Montessori Lyceum Amsterdam", requested_by=ANNE, channel="C0TEAM01", now=sent_at)
    app.store.mark_sent(req.id, channel="C0TEAM01", message_ts="1700000000.000099", now=sent_at)
    old = app.store.log_question("oude vraag", "no_match", asked_at=sent_at - timedelta(days=200))
    assert app.jobs.sweep(now=sent_at + timedelta(days=13)) == {"reminded": 0, "purged": 1}  # 14 days: not yet
    assert not fake_slack.of("chat.postMessage")  # sweep() sends before it returns: nothing was sent
    assert old not in [q.id for q in app.store.questions()]

    assert app.jobs.sweep(now=sent_at + timedelta(days=15))["reminded"] == 1
    reminder = only(fake_slack.wait("chat.postMessage"))
    assert reminder.body["channel"] == ANNE
    assert_fits_block_kit(reminder)
    text = text_of(reminder)
    assert text.startswith("⏰ Je verzoek aan *Montessori Lyceum Amsterdam* is op ")
    assert "15 dagen geleden, en de school staat nog niet op de lijst" in text
    assert "Concept-verzoek aan de applicatiebeheerder van *Montessori Lyceum Amsterdam*" in text
    assert "Anne de Vries" in text  # signed again, ready to send
    actions = [e["action_id"] for b in blocks_of(reminder) if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["draft_edit", "draft_mailto"]
    assert app.store.get_request(req.id).reminded_at is not None
    # once: later sweeps send nothing more
    assert app.jobs.sweep(now=sent_at + timedelta(days=16))["reminded"] == 0
    assert app.jobs.sweep(now=sent_at + timedelta(days=60))["reminded"] == 0
    # the draft's buttons work: "Bewerken" opens the modal
    app.click(reminder, "draft_edit", user=ANNE)
    view = only(fake_slack.wait("views.open")).body["view"]
    assert {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]}["subject"].endswith(
        "(Montessori Lyceum Amsterdam)")
    assert len(fake_slack.of("chat.postMessage")) == 1


# -- the question log ---------------------------------------------------------------------------------------
def test_questions_are_logged_and_a_vote_lands_on_the_logged_question(app, fake_slack):
    _, ts = app.mention("wat is de deadline?", user=ANNE)
    answer = only(fake_slack.wait("chat.postMessage"))
    app.dm("what is the deadline?", user=BERT)
    app.command("wat moet de school doen", user=BERT)  # fits several entries: "bedoel je…?"
    app.command("school cals college", user=BERT)  # lookups, drafts and help are no questions
    app.command("verzoek Vossius Gymnasium", user=BERT)
    app.command("help", user=BERT)
    app.command("frobnicate", user=BERT)  # an unknown subcommand gets the help: no question either
    fake_slack.wait("chat.postMessage", n=2)
    fake_slack.wait("response_url", n=5)
    qs = {q.channel_type: q for q in app.store.questions()}  # the DM and the command run at once
    assert len(app.store.questions()) == 3
    assert {k: (q.user_id, q.text, q.status, q.entry_id) for k, q in qs.items()} == {
        "channel": (ANNE, "wat is de deadline?", "answered", "deadline"),
        "im": (BERT, "what is the deadline?", "answered", "deadline"),
        "slash": (BERT, "wat moet de school doen", "ambiguous", qs["slash"].entry_id),
    }
    assert qs["channel"].score > 0.5 and qs["slash"].entry_id  # the best suggestion
    qs = app.store.questions()
    assert button_value(answer, "feedback:up")["i"] == qs[0].id
    app.click(answer, "feedback:down", user=BERT)
    fake_slack.wait("chat.postEphemeral")
    assert app.store.questions()[0].feedback == -1
    app.click(answer, "feedback:up", user=ANNE)  # the latest vote counts
    fake_slack.wait("chat.postEphemeral", n=2)
    assert app.store.questions()[0].feedback == 1


def test_a_read_only_store_apologises_for_requests_and_still_answers_questions(app, fake_slack, caplog):
    app.store._conn.execute("PRAGMA query_only = ON")  # every write now fails as on a read-only disk
    with caplog.at_level(logging.ERROR):
        app.command("wat is de deadline?")
        answer = only(fake_slack.wait("response_url"))
        app.command("verzoek Vossius Gymnasium Leiden")
        draft = new_reply(fake_slack, 1)
        app.click(draft, "draft_mark_sent")
        marked = new_reply(fake_slack, 2)
        app.click(draft, "draft_post")
        posted = new_reply(fake_slack, 3)
        app.click(answer, "feedback:up")
        thanks = new_reply(fake_slack, 4)
    assert "18 december 2018" in text_of(answer) and "i" not in button_value(answer, "feedback:up")
    assert "Sorry, ik kan verzoeken nu niet bijhouden door een opslagprobleem" in text_of(marked)
    assert "Geplaatst in dit kanaal" in text_of(posted) and "kon het verzoek niet bijhouden" in text_of(posted)
    assert only(fake_slack.of("chat.postMessage")).body["channel"] == "C0TEAM01"  # the draft did go out
    assert "Bedankt voor je feedback" in text_of(thanks)
    assert "read-only" in caplog.text and "Traceback" not in caplog.text
    for call in (answer, draft, marked, posted, thanks):
        assert "Traceback" not in text_of(call) and "sqlite" not in text_of(call).lower()


def test_without_a_store_questions_are_answered_and_request_features_apologise(fake_slack, tmp_path, caplog):
    (tmp_path / "data").write_text("a file where the data directory should be")
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, data_dir=tmp_path / "data")
    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        assert open_store(settings) is None
    assert "request tracking and the question log are off: store" in caplog.text
    harness, stop = serve_slack(fake_slack, Bot.from_settings(settings), store=None)
    try:
        harness.command("wat is de deadline?")
        harness.command("verzoeken")
        harness.event({"type": "app_home_opened", "user": ANNE, "tab": "home"})
        answer, listing = sorted(fake_slack.wait("response_url", n=2), key=lambda c: c.name)
        assert "18 december 2018" in text_of(answer)
        assert "Sorry, ik kan verzoeken nu niet bijhouden" in text_of(listing)
        assert "Je verzoeken kan ik nu niet tonen" in text_of(only(fake_slack.wait("views.publish")))
    finally:
        stop()


def test_help_names_the_new_subcommands(app, fake_slack):
    app.command("help")
    text = text_of(only(fake_slack.wait("response_url")))
    for needle in ("/magister verzoeken", "/magister lijst vernieuwen", "/magister lijst status",
                   "als verstuurd markeren"):
        assert needle in text


def test_mark_as_sent_for_a_school_already_on_the_list_records_nothing_and_says_so(app, fake_slack):
    app.command("verzoek Vossius Gymnasium", user=ANNE)  # on this list
    draft = only(fake_slack.wait("response_url"))
    assert "ℹ️ *Vossius Gymnasium* staat al op de lijst" in text_of(draft)
    app.click(draft, "draft_mark_sent", user=ANNE)
    note = text_of(new_reply(fake_slack, 1))
    assert "*Vossius Gymnasium* staat al op de lijst" in note and "Ik heb niets genoteerd" in note
    assert app.store.list_requests() == []
    app.event({"type": "app_home_opened", "user": ANNE, "tab": "home"})
    assert "Je hebt geen open verzoeken." in text_of(only(fake_slack.wait("views.publish")))


def test_a_list_from_a_url_is_named_by_its_host_and_file_in_lookups(app, fake_slack, srv):
    app.command("school Vossius Gymnasium", user=BERT)
    text = text_of(only(fake_slack.wait("response_url")))
    assert f"Lijst: 127.0.0.1:{srv.url('/list.csv').split(':')[2]} · 5 scholen" in text and "http://" not in text
