"""Every flow of the conversation, played in-process on the test backend
(:mod:`bot.backends.test`): no HTTP, no Slack. The Slack tests (``test_slack_*.py``) keep what
is Slack's: signing, acks, retries, Block Kit limits, the Web API calls."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.backends.test import TestBackend
from bot.config import Settings
from bot.store import utc_now

ANNE, BERT, ADMIN = "U0ANNE01", "U0BERT01", "U0ADMIN1"
LIST = "naam;magister_host;plaats\nVossius Gymnasium;vossius;Amsterdam\nCals College;cals;Nieuwegein\n"


@pytest.fixture()
def chat(tmp_path):
    listfile = tmp_path / "lijst.csv"
    listfile.write_text(LIST, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", consent_list_path=listfile, admin_user_ids=(ADMIN,),
                        announce_channel="C0NIEUWS1", institute_name="Huiswerkinstituut De Uil",
                        help_contact="#magister-vragen")
    backend = TestBackend.from_settings(settings, names={ANNE: "Anne de Vries"})
    backend.listfile = listfile
    yield backend
    backend.jobs.close()
    backend.store.close()


def only(outs):
    assert len(outs) == 1, outs
    return outs[0]


def ids(out) -> list[str]:
    return [a.id for a in out.reply.actions]


# -- questions -----------------------------------------------------------------------------------
def test_a_question_is_answered_where_asked_logged_and_its_vote_lands_on_the_log(chat):
    answer = only(chat.say("wat is de deadline?", user=ANNE))
    assert answer.how == "reply" and answer.reply.kind == "answer"
    assert "18 december 2018" in chat.text(answer)
    [q] = chat.store.questions()
    assert (q.user_id, q.text, q.status, q.channel_type) == (ANNE, "wat is de deadline?", "answered", "channel")
    assert ids(answer)[-2:] == ["feedback:up", "feedback:down"]
    thanks = only(chat.click(answer, "feedback:down", user=BERT))
    assert thanks.how == "private" and "Bedankt" in chat.text(thanks)
    assert chat.store.questions()[0].feedback == -1


def test_an_unclear_question_offers_choices_and_a_choice_shows_that_answer(chat):
    unclear = only(chat.say("wat moet de school doen", kind="dm", channel="D0ANNE01"))
    assert unclear.reply.answer.status == "ambiguous"
    assert all(a.group == "suggestions" for a in unclear.reply.actions)
    picked = only(chat.click(unclear, "show_entry:0"))
    assert picked.how == "reply" and picked.reply.answer.status == "answered"
    assert picked.reply.answer.entry == unclear.reply.answer.suggestions[0]


def test_help_and_an_unknown_slash_word(chat):
    assert "`verzoek <school>`" in chat.text(only(chat.say("help")))
    unknown = only(chat.say("frobnicate", kind="slash"))
    assert unknown.reply.kind == "help" and unknown.reply.unknown == "frobnicate"
    assert only(chat.say("frobnicate")).reply.kind == "answer"  # a word in a chat is a question
    assert only(chat.say("", kind="slash")).reply.kind == "help"
    assert len(chat.store.questions()) == 1  # only the question in the chat is logged


# -- lookups --------------------------------------------------------------------------------------
def test_a_lookup_offers_a_draft_for_a_school_that_is_not_listed(chat):
    granted = only(chat.say("heeft het Cals College al toestemming gegeven?"))
    assert granted.reply.lookup.status == "granted" and not granted.reply.actions
    missing = only(chat.say("school Vossius Gymnasium Leiden"))
    assert missing.reply.lookup.status in ("not_found", "not_granted")
    assert "draft_request" in ids(missing)
    assert only(chat.say("school")).reply.kind == "usage"


# -- drafts and requests -------------------------------------------------------------------------------
def test_draft_edit_post_and_a_second_request_for_the_school(chat):
    draft = only(chat.say("verzoek Stedelijk Gymnasium Leiden", user=ANNE))
    assert draft.how == "private" and draft.reply.kind == "draft"
    assert ids(draft) == ["draft_edit", "draft_post", "draft_mailto", "draft_mark_sent"]
    assert "Anne de Vries" in draft.reply.draft.body
    editor = only(chat.click(draft, "draft_edit", user=ANNE))
    assert editor.how == "editor"
    bad = only(chat.save(editor, to="geen adres"))
    assert bad.how == "private" and "Niet opgeslagen" in chat.text(bad)
    edited = only(chat.save(editor, to="beheer@sgl.example", subject="Toegang Studyspace"))
    assert edited.how == "update" and edited.reply.draft.to == "beheer@sgl.example"
    posted, note = chat.click(edited, "draft_post", user=ANNE)
    assert posted.how == "send" and posted.where.channel == "C0TEAM01" and posted.reply.kind == "posted_draft"
    assert "Ik houd het verzoek bij" in chat.text(note)
    [req] = chat.store.open_requests()
    assert (req.school_name, req.status, req.requested_by, req.channel) == (
        "Stedelijk Gymnasium Leiden", "sent", ANNE, "C0TEAM01")

    second = only(chat.say("verzoek stedelijk gymnasium leiden", user=BERT))
    assert "Er loopt al een verzoek" in chat.text(second)
    refused = only(chat.click(second, "draft_mark_sent", user=BERT))
    assert refused.reply.kind == "existing" and refused.reply.permalink == f"test://C0TEAM01/{req.message_ts}"
    assert len(chat.store.list_requests()) == 1


def test_mark_as_sent_and_the_list_of_open_requests(chat):
    draft = only(chat.say("verzoek Montessori Lyceum Amsterdam", user=BERT, kind="dm", channel="D0BERT01"))
    assert "draft_post" not in ids(draft)  # a DM: nobody to hand it to
    assert "Genoteerd als verstuurd" in chat.text(only(chat.click(draft, "draft_mark_sent", user=BERT)))
    listing = only(chat.say("verzoeken"))
    assert listing.how == "private" and "Open verzoeken* (1" in chat.text(listing)
    assert "Montessori Lyceum Amsterdam" in chat.text(listing)
    listed = only(chat.say("verzoek Cals College"))
    assert "staat al op de lijst" in chat.text(listed)
    note = only(chat.click(listed, "draft_mark_sent"))
    assert "Ik heb niets genoteerd" in chat.text(note) and len(chat.store.list_requests()) == 1
    assert "draft_post" in ids(listed)  # offered (the list may change), but for a listed school it posts nothing
    note = only(chat.click(listed, "draft_post"))
    assert note.how == "private" and "Ik heb niets genoteerd" in chat.text(note)
    assert len(chat.store.list_requests()) == 1


def test_a_channel_the_bot_may_not_post_in_gets_a_note_and_nothing_is_recorded(chat):
    chat.refuse_posts_in = ("G0PRIVATE",)
    draft = only(chat.say("verzoek Vossius Gymnasium Leiden", channel="G0PRIVATE"))
    note = only(chat.click(draft, "draft_post", channel="G0PRIVATE"))
    assert "/invite" in chat.text(note) and chat.store.list_requests() == []


# -- the consent list: admins, grants, announcements, reminders --------------------------------------------
def test_an_admins_refresh_grants_requests_tells_the_requester_and_announces(chat):
    draft = only(chat.say("verzoek Het Schoter", user=ANNE))
    chat.click(draft, "draft_mark_sent", user=ANNE)
    refused = only(chat.say("lijst vernieuwen", user=BERT))
    assert refused.reply.kind == "admin_only" and "#magister-vragen" in chat.text(refused)
    chat.listfile.write_text(LIST + "Het Schoter;schoter;Haarlem\n", encoding="utf-8")
    outs = chat.say("lijst vernieuwen", user=ADMIN)
    dm, news, answer = outs  # the news goes out first, then the admin's answer
    assert dm.how == "send" and dm.where.user == ANNE and "heeft toestemming gegeven" in chat.text(dm)
    assert news.where.channel == "C0NIEUWS1" and "Nieuw op de lijst: Het Schoter (Haarlem)" in chat.text(news)
    assert answer.how == "private" and "Lijst bijgewerkt: 3 scholen" in chat.text(answer)
    assert chat.store.open_requests() == [] and chat.store.list_requests()[0].status == "granted"
    status = only(chat.say("list status", user=ADMIN))
    assert "Source:" in chat.text(status)


def test_one_reminder_with_the_draft_ready_to_send_again(chat):
    sent_at = utc_now() - timedelta(days=20)
    req, _ = chat.store.open_request("Montessori Lyceum Amsterdam", requested_by=ANNE, now=sent_at)
    chat.store.mark_sent(req.id, now=sent_at)
    assert chat.jobs.sweep(sent_at + timedelta(days=15))["reminded"] == 1
    reminder = chat.outbox[-1]
    assert reminder.how == "send" and reminder.where.user == ANNE and reminder.reply.kind == "reminder"
    assert ids(reminder) == ["draft_edit", "draft_mailto"]
    assert "Dit is de enige herinnering" in chat.text(reminder) and "Anne de Vries" in chat.text(reminder)
    assert chat.jobs.sweep(sent_at + timedelta(days=16))["reminded"] == 0
    assert chat.click(reminder, "draft_edit", user=ANNE)[0].how == "editor"


def test_without_a_store_questions_are_answered_and_requests_apologise(tmp_path):
    chat = TestBackend.from_settings(Settings(data_dir=tmp_path), store=None)
    assert "18 december 2018" in chat.text(only(chat.say("wat is de deadline?")))
    assert "opslagprobleem" in chat.text(only(chat.say("verzoeken")))
    draft = only(chat.say("verzoek Vossius Gymnasium Leiden"))
    assert "opslagprobleem" in chat.text(only(chat.click(draft, "draft_mark_sent")))
    chat.jobs.close()


def test_a_picked_unlisted_vestiging_keeps_its_code_and_a_listed_namesake_never_grants_it(tmp_path):
    # "Bonhoeffer College" in Castricum is listed; the one in Enschede (DUO 17VN00) is not.
    listfile = tmp_path / "lijst.csv"
    listfile.write_text("naam;magister_host;plaats\nBonhoeffer College;bonhoeffer;Castricum\n", encoding="utf-8")
    chat = TestBackend.from_settings(Settings(data_dir=tmp_path / "data", consent_list_path=listfile))
    try:
        lookup = only(chat.say("school bonhoeffer"))
        enschede = [a.id for a in lookup.reply.actions if "Enschede" in a.label]
        assert enschede, [a.label for a in lookup.reply.actions]
        picked = only(chat.click(lookup, enschede[0]))
        assert picked.reply.lookup.status == "not_granted"
        draft = only(chat.click(picked, "draft_request"))
        assert "17VN00" in draft.reply.draft.body
        chat.click(draft, "draft_mark_sent")
        [req] = chat.store.list_requests()
        assert req.code == "17VN00"
        assert chat.store.close_granted(chat.conversation.bot.consent) == []
        assert chat.store.list_requests()[0].status == "sent"
    finally:
        chat.jobs.close()
        chat.store.close()
