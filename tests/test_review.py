"""The admins' review on the test backend (bot/review.py): a logged miss, the weekly DM,
"Toevoegen aan…" and the next message answered from the refitted model, a new question as a
draft and its publication, "Negeren", refusals. Real files: a small knowledge base in
tmp_path (a refit takes a second or two) and a real SQLite store; every wait is on the live
knowledge base's swap, never a fixed sleep."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.backends.test import TestBackend
from bot.config import Settings
from bot.core import Bot
from bot.replies import Message
from bot.review import PERIOD_DAYS, Review, weekly_slot
from bot.store import utc_now
from kbfiles import changed_lines, small_kb, snapshot

ADMIN, ANNE = "U0ADMIN1", "U0ANNE01"
WAIT = 180  # seconds: a refit on a busy machine; the tests do not normally come near it
MISS = "hoe lang hebben we nog voor de koppeling"


@pytest.fixture
def now():
    """A moment a minute ahead, and the weekly review set to fall due then."""
    return utc_now() + timedelta(minutes=1)


@pytest.fixture
def chat(tmp_path, monkeypatch, now):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    settings = Settings(knowledge_dir=small_kb(tmp_path / "kb"), data_dir=tmp_path / "data",
                        admin_user_ids=(ADMIN,), review_day=now.isoweekday(), review_hour=now.hour)
    chat = TestBackend.from_settings(settings, bot=Bot.from_settings(settings, with_directory=False))
    yield chat
    chat.jobs.close()
    chat.store.close()
    if chat.conversation.bot.live:
        chat.conversation.bot.live.wait_idle(WAIT)


def kb_dir(chat):
    return chat.conversation.bot.live.directory


def generation(chat) -> int:
    return chat.conversation.bot.knowledge.generation


def review(chat, user=ADMIN):
    [out] = chat.say("nakijken", user=user, kind="dm", channel="D0ADMIN1")
    return out


def test_a_miss_reaches_the_admins_dm_and_toevoegen_makes_the_next_message_answered(chat, now):
    [miss] = chat.say(MISS, user=ANNE)
    assert miss.reply.answer.status != "answered"
    assert chat.jobs.review(now) == 1
    [dm] = [o for o in chat.outbox if o.how == "send"]
    assert dm.where.user == ADMIN and dm.reply.kind == "review"
    [item] = dm.reply.review.items
    assert item.questions == (MISS,) and item.count == 1
    assert "hoe lang hebben we nog voor de koppeling" in chat.text(dm)
    assert chat.jobs.review(now) == 0  # once a week, also when asked again
    assert Review(chat.conversation).weekly(now) is None  # and by another worker (the claim in the store)

    before = (kb_dir(chat) / "faq.yaml").read_bytes()
    start = generation(chat)
    [note] = chat.click(dm, "review_add:0", user=ADMIN, option="deadline")
    assert "1 formulering(en) toegevoegd aan _Wat is de deadline?_" in chat.text(note)
    after = (kb_dir(chat) / "faq.yaml").read_bytes()
    assert changed_lines(before, after) == [f'+        - "{MISS}"']
    assert chat.conversation.bot.live.wait_for(start + 1, WAIT)

    [answer] = chat.say(MISS, user=ANNE)
    assert answer.reply.answer.status == "answered" and answer.reply.answer.entry.id == "deadline"
    [done] = chat.store.knowledge_changes()
    assert (done.who, done.action, done.entry_id, done.language, done.texts) == (
        ADMIN, "add_alternates", "deadline", "nl", (MISS,))
    assert "Niets na te kijken" in chat.text(review(chat))  # dealt with: not shown again


def test_negeren_keeps_the_group_out_of_the_next_review(chat):
    chat.say("wat eten we vanavond", user=ANNE)
    chat.say("wat eten we vanavond?", user=ANNE)
    first = review(chat)
    [item] = first.reply.review.items
    assert item.count == 2
    files = snapshot(kb_dir(chat))
    [note] = chat.click(first, "review_ignore:0", user=ADMIN)
    assert "Genegeerd" in chat.text(note)
    chat.say("wat eten we vanavond eigenlijk", user=ANNE)  # a new wording of the same group
    assert review(chat).reply.review.items == ()
    assert snapshot(kb_dir(chat)) == files


def test_a_refused_edit_says_why_and_leaves_the_files_as_they_were(chat):
    chat.say(MISS, user=ANNE)
    out = review(chat)
    files = snapshot(kb_dir(chat))
    rid = out.reply.review.items[0].id
    [note] = chat._play(Message(user=ADMIN, kind="click", action="review_add:0", value={"r": rid, "e": "nope"}))
    assert "Niet opgeslagen" in chat.text(note) and "onbekende entry-id 'nope'" in chat.text(note)
    [form] = chat.click(out, "review_new:0", user=ADMIN)
    [note] = chat.fill(form, user=ADMIN, q_nl="Wat is de deadline?", a_nl="Morgen.")  # another entry's question
    assert "Niet opgeslagen" in chat.text(note) and "deadline" in chat.text(note)
    assert snapshot(kb_dir(chat)) == files and chat.store.knowledge_changes() == []
    assert len(review(chat).reply.review.items) == 1  # still to do


def test_anyone_but_an_admin_is_refused_politely(chat):
    chat.say(MISS, user=ANNE)
    assert review(chat, user=ANNE).reply.key == "admin_only"
    out = review(chat)
    files = snapshot(kb_dir(chat))
    for action, kw in (("review_add:0", {"option": "deadline"}), ("review_new:0", {}), ("review_ignore:0", {})):
        [refusal] = chat.click(out, action, user=ANNE, **kw)
        assert refusal.reply.key == "admin_only" and "alleen beheerders" in chat.text(refusal)
    assert snapshot(kb_dir(chat)) == files and len(review(chat).reply.review.items) == 1


def test_nieuwe_vraag_is_a_draft_until_published_with_its_english(chat):
    question = "Wat kost de koppeling voor een instituut?"
    chat.say(question, user=ANNE)
    out = review(chat)
    [form] = chat.click(out, "review_new:0", user=ADMIN)
    assert form.how == "form" and form.reply.question_nl == question
    bot = chat.conversation.bot
    start = generation(chat)
    [note] = chat.fill(form, user=ADMIN, a_nl="Niets: de koppeling is gratis.")
    assert "Concept `kost-koppeling-instituut` opgeslagen" in chat.text(note)
    assert bot.live.wait_for(start + 1, WAIT)
    assert [e.id for e in bot.kb.drafts] == ["kost-koppeling-instituut"]
    [answer] = chat.say(question, user=ANNE)
    assert answer.reply.answer.status != "answered"  # a draft is never answered

    after = review(chat)
    assert after.reply.review.items == () and after.reply.review.drafts == (
        ("kost-koppeling-instituut", question, False),)
    [ask] = chat.click(after, "review_publish:0", user=ADMIN)  # no English yet: the form asks for it
    assert ask.how == "form" and ask.reply.entry_id == "kost-koppeling-instituut"
    [note] = chat.fill(ask, user=ADMIN)
    assert "Engels" in chat.text(note)
    start = generation(chat)
    [note] = chat.fill(ask, user=ADMIN, q_en="What does the connection cost an institute?", a_en="Nothing: it is free.")
    assert "`kost-koppeling-instituut` is gepubliceerd" in chat.text(note)
    assert bot.live.wait_for(start + 1, WAIT)
    assert bot.kb.drafts == () and bot.kb.entry("kost-koppeling-instituut").answer["en"] == "Nothing: it is free."
    assert [c.action for c in chat.store.knowledge_changes()][:2] == ["publish", "set_answer"]


def test_a_thumbs_down_shows_the_question_and_the_answer_given(chat):
    bot = chat.conversation.bot
    chat.store.log_question("wanneer krijgen we de rekening", "answered", entry_id="deadline", channel_type="im",
                            user_id=ANNE)
    qid = chat.store.questions()[-1].id
    assert chat.store.set_feedback(qid, -1)
    out = review(chat)
    [item] = out.reply.review.items
    assert (item.kind, item.questions, item.entry_id) == ("down", ("wanneer krijgen we de rekening",), "deadline")
    text = chat.text(out)
    assert "👎 op het antwoord op _Wat is de deadline?_" in text and "Gegeven antwoord: Sinds 18 december 2018." in text
    assert bot.kb.entry("deadline")  # nothing changed by looking


def test_the_weekly_review_is_due_once_in_its_hours_and_never_with_day_0(chat, now):
    day, hour = now.isoweekday(), now.hour
    assert weekly_slot(now, day, hour) == now.replace(minute=0, second=0, microsecond=0)
    assert weekly_slot(now + timedelta(hours=13), day, hour) is None
    assert weekly_slot(now + timedelta(days=7), day, hour) == now.replace(minute=0, second=0, microsecond=0) + \
        timedelta(days=7)
    assert weekly_slot(now, 0, hour) is None
    monday = datetime(2026, 11, 30, 8, 30, tzinfo=timezone.utc)  # a Monday
    assert weekly_slot(monday + timedelta(days=3), 4, 8) == monday + timedelta(days=3, minutes=-30)
    assert chat.jobs.review(now) == 0  # nothing asked: nothing to send (and this week's is done)
    chat.store.log_question(MISS, "no_match", channel_type="im", user_id=ANNE, asked_at=now + timedelta(days=3))
    assert chat.jobs.review(now) == 0
    assert chat.jobs.review(now + timedelta(days=PERIOD_DAYS)) == 1  # next week's, with this question in it


def test_the_console_can_review_too(tmp_path, monkeypatch):
    import io

    from bot.backends.console import ConsoleBackend
    from bot.conversation import Conversation
    from bot.store import Store

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    settings = Settings(knowledge_dir=small_kb(tmp_path / "kb"), data_dir=tmp_path / "data")
    bot = Bot.from_settings(settings, with_directory=False)
    with Store(tmp_path / "data" / "bot.sqlite3") as store:
        store.log_question(MISS, "no_match", channel_type="console", user_id="anne")
        before = (tmp_path / "kb" / "faq.yaml").read_bytes()
        out = io.StringIO()
        ConsoleBackend(Conversation(bot, store), io.StringIO("nakijken\n1\n1\n"), out, user="anne").run()
        text = out.getvalue()
        assert MISS in text and "Aan welke vraag toevoegen?" in text and "toegevoegd aan _Wat is de deadline?_" in text
        assert changed_lines(before, (tmp_path / "kb" / "faq.yaml").read_bytes()) == [f'+        - "{MISS}"']
    bot.live.wait_idle(WAIT)
