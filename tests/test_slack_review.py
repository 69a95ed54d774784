"""The admins' review through the Slack app over real HTTP (the harness of
``test_slack_http.py``): a miss in a channel, the weekly DM (the job run with a given ``now``),
"Toevoegen aan…" picked from its select menu, and the same question answered by the next
mention once the live knowledge base swapped in the refit; the App Home's review with its
modal for a new question, a refused edit and "Negeren"; a non-admin refused. A small
knowledge base in tmp_path and a real SQLite store; waits are on the fake's calls and the
swap, never a fixed sleep."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.config import Settings
from bot.core import Bot
from bot.slack.blocks import MAX_VIEW_BLOCKS
from bot.store import Store, utc_now
from conftest import BOT_TOKEN, SIGNING_SECRET, blocks_of, find_button, serve_slack, text_of
from kbfiles import changed_lines, small_kb, snapshot
from test_slack_http import assert_fits_block_kit, only

ADMIN, ANNE = "U0ADMIN1", "U0ANNE01"
WAIT = 180
MISS = "hoe lang hebben we nog voor de koppeling"


@pytest.fixture
def now():
    return utc_now() + timedelta(minutes=1)


@pytest.fixture
def app(fake_slack, tmp_path, monkeypatch, now):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                        knowledge_dir=small_kb(tmp_path / "kb"), data_dir=tmp_path / "data", admin_user_ids=(ADMIN,),
                        review_day=now.isoweekday(), review_hour=now.hour)
    bot = Bot.from_settings(settings, with_directory=False)
    with Store(tmp_path / "data" / "bot.sqlite3") as store:
        harness, stop = serve_slack(fake_slack, bot, store=store)
        harness.bot = bot
        yield harness
        stop()
        bot.live.wait_idle(WAIT)


def choose(app, call, action_id: str, entry_id: str, *, user: str = ADMIN, view: bool = False):
    """Pick the option for ``entry_id`` in the select menu ``action_id`` of the message (or,
    with ``view``, the App Home) that ``call`` recorded, as Slack posts it."""
    blocks = call.body["view"]["blocks"] if view else blocks_of(call)
    menu = find_button(blocks, action_id)
    assert menu["type"] == "static_select"
    [option] = [o for o in menu["options"] if json.loads(o["value"])["e"] == entry_id]
    return app.interact(_payload(app, call, {"type": "static_select", "action_id": action_id, "block_id": "b",
                                        "selected_option": option, "action_ts": "1700000002.000001"}, user, view))


def press(app, call, action_id: str, *, user: str = ADMIN, view: bool = False):
    """Click the button ``action_id`` in the App Home (``view``) or a message's blocks."""
    blocks = call.body["view"]["blocks"] if view else blocks_of(call)
    button = find_button(blocks, action_id)
    return app.interact(_payload(app, call, {"type": "button", "action_id": action_id, "block_id": "b",
                                        "text": button["text"], "value": button.get("value"),
                                        "action_ts": "1700000002.000001"}, user, view))


def _payload(app, call, action: dict, user: str, view: bool) -> dict:
    base = {"type": "block_actions", "team": {"id": "T0001"}, "user": {"id": user, "name": "x"}, "api_app_id": "A0001",
            "token": "legacy", "trigger_id": "trigger-review", "actions": [action]}
    if view:  # the App Home: no channel, no response_url
        return {**base, "container": {"type": "view", "view_id": "V0HOME"},
                "view": {"id": "V0HOME", "type": "home", "blocks": call.body["view"]["blocks"]}}
    channel = call.body["channel"]
    return {**base, "container": {"type": "message", "message_ts": "1700000001.000001", "channel_id": channel,
                                  "is_ephemeral": False},
            "channel": {"id": channel, "name": "dm"}, "response_url": app.fake.response_url("review"),
            "message": {"type": "message", "ts": "1700000001.000001", "text": call.body.get("text"),
                        "blocks": blocks_of(call)}}


def assert_fits_a_view(call) -> None:
    view = call.body["view"]
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    View(**view).validate_json()
    for b in view["blocks"]:
        Block.parse(b).validate_json()


def home(app, fake, user: str = ADMIN):
    n = len(fake.of("views.publish"))
    app.event({"type": "app_home_opened", "user": user, "channel": "D0HOME01", "tab": "home"})
    return fake.wait("views.publish", n=n + 1)[n]


def test_a_miss_the_weekly_dm_toevoegen_and_the_next_mention_is_answered(app, fake_slack, now):
    app.mention(MISS, user=ANNE)
    [miss] = fake_slack.wait("chat.postMessage")
    assert "Sinds 18 december 2018" not in text_of(miss)
    assert app.jobs.review(now) == 1
    dm = fake_slack.wait("chat.postMessage", n=2)[1]
    assert dm.body["channel"] == ADMIN and MISS in text_of(dm) and "Vragen om na te kijken" in text_of(dm)
    assert_fits_block_kit(dm)
    assert [e["text"]["text"] for e in find_button(blocks_of(dm), "review_add:0")["options"]] == [
        "Wat is de deadline?", "Wat is een geaccrediteerde partij?"]

    faq = app.bot.live.directory / "faq.yaml"
    before, start = faq.read_bytes(), app.bot.knowledge.generation
    assert choose(app, dm, "review_add:0", "deadline").status_code == 200
    [note] = fake_slack.wait("chat.postEphemeral")
    assert note.body["user"] == ADMIN and "1 formulering(en) toegevoegd aan _Wat is de deadline?_" in text_of(note)
    assert changed_lines(before, faq.read_bytes()) == [f'+        - "{MISS}"']
    assert app.bot.live.wait_for(start + 1, WAIT)

    app.mention(MISS, user=ANNE)
    answer = fake_slack.wait("chat.postMessage", n=3)[2]
    assert "Sinds 18 december 2018." in text_of(answer)


def test_the_app_home_reviews_makes_a_draft_refuses_a_broken_one_and_ignores(app, fake_slack):
    app.dm("wat kost de koppeling per leerling", user=ANNE)
    app.dm("waar staat de koffieautomaat", user=ANNE)
    app.dm("waar staat de koffieautomaat?", user=ANNE)
    fake_slack.wait("chat.postMessage", n=3)
    app.settle()
    shown = home(app, fake_slack)
    assert_fits_a_view(shown)
    text = text_of(shown)
    assert "Kennisbank nakijken" in text and text.index("koffieautomaat") < text.index("per leerling")  # biggest first
    files = snapshot(app.bot.live.directory)

    # "Nieuwe vraag" with another entry's question: the modal closes, the refusal comes by DM, no file changed
    press(app, shown, "review_new:1", view=True)
    opened = only(fake_slack.wait("views.open"))
    View(**opened.body["view"]).validate_json()
    initial = {b.get("block_id"): b.get("element", {}).get("initial_value") for b in opened.body["view"]["blocks"]}
    assert initial["q_nl"] == "wat kost de koppeling per leerling"
    r = app.submit(opened.body["view"], {"q_nl": "", "a_nl": "Niets.", "q_en": None, "a_en": None}, user=ADMIN)
    assert r.status_code == 200 and json.loads(r.text)["response_action"] == "errors"  # a required field
    app.submit(opened.body["view"], {"q_nl": "Wat is de deadline?", "a_nl": "Niets.", "q_en": None, "a_en": None},
               user=ADMIN)
    refused = fake_slack.wait("chat.postMessage", n=4)[3]
    assert refused.body["channel"] == ADMIN and "Niet opgeslagen" in text_of(refused)
    assert snapshot(app.bot.live.directory) == files

    app.submit(opened.body["view"], {"q_nl": "Wat kost de koppeling?", "a_nl": "Niets: ze is gratis.", "q_en": None,
                                     "a_en": None}, user=ADMIN)
    saved = fake_slack.wait("chat.postMessage", n=5)[4]
    assert "Concept `kost-koppeling` opgeslagen" in text_of(saved)
    assert b"draft: true" in (app.bot.live.directory / "faq.yaml").read_bytes()

    # "Negeren" from the App Home: the group does not come back
    app.settle()
    app.bot.live.wait_idle(WAIT)
    assert app.bot.kb.draft("kost-koppeling").alternates["nl"] == ["wat kost de koppeling per leerling"]
    again = home(app, fake_slack)
    assert "per leerling" not in text_of(again) and "`kost-koppeling`" in text_of(again)  # now a draft
    press(app, again, "review_ignore:0", view=True)
    ignored = fake_slack.wait("chat.postMessage", n=6)[5]
    assert "Genegeerd" in text_of(ignored)
    app.settle()
    last = home(app, fake_slack)
    assert "koffieautomaat" not in text_of(last) and "Niets na te kijken" in text_of(last)
    assert_fits_a_view(last)


def test_a_non_admin_gets_no_review_and_a_click_is_refused(app, fake_slack, now):
    app.mention(MISS, user=ANNE)
    fake_slack.wait("chat.postMessage")
    assert "Kennisbank nakijken" not in text_of(home(app, fake_slack, user=ANNE))
    app.jobs.review(now)
    dm = fake_slack.wait("chat.postMessage", n=2)[1]
    files = snapshot(app.bot.live.directory)
    press(app, dm, "review_ignore:0", user=ANNE)
    [refusal] = fake_slack.wait("chat.postEphemeral")
    assert refusal.body["user"] == ANNE and "alleen beheerders" in text_of(refusal)
    app.command("nakijken", user=ANNE)
    [said] = fake_slack.wait("response_url")
    assert "alleen beheerders" in text_of(said)
    assert snapshot(app.bot.live.directory) == files
    assert app.store.ignored_keys() == set()


def test_a_long_review_fits_a_message_and_the_app_home_and_says_what_was_left_out(app):
    from bot.conversation import Conversation
    from bot.replies import Reply, ReviewDigest, ReviewItem
    from bot.slack.blocks import MAX_BLOCKS, home_view, reply_messages

    long = "x" * 900
    items = tuple(ReviewItem(f"rv{i:014d}", "unanswered", tuple(f"vraag {i}.{j} <!channel> {long}" for j in range(8)),
                             30 - i, "deadline") for i in range(10))
    drafts = tuple((f"concept-{i}", f"Vraag {i}?", i % 2 == 0) for i in range(60))
    digest = ReviewDigest(utc_now() - timedelta(days=7), utc_now(), items, 7, drafts)
    reply = Conversation(app.bot).review.offer(Reply("review", review=digest))
    [m] = reply_messages(reply, app.bot.kb)
    assert len(m["blocks"]) <= MAX_BLOCKS and "en nog" in json.dumps(m["blocks"], ensure_ascii=False)
    for b in m["blocks"]:
        Block.parse(b).validate_json()
    assert "<!channel>" not in json.dumps(m["blocks"])  # a question is escaped
    view = home_view(app.bot.consent.info(), requests=[], review=reply, kb=app.bot.kb)
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    View(**view).validate_json()
    for b in view["blocks"]:
        Block.parse(b).validate_json()
