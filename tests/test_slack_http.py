"""The Slack app over real HTTP: the app served on 127.0.0.1:0 (WSGI), a fake Slack Web API
on 127.0.0.1:0 recording every call, and httpx posting signed slash commands, events and
interaction payloads. Every assertion is on what the bot sends to Slack."""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.config import Settings
from bot.core import Bot
from bot.knowledge import DEFAULT_DIR
from bot.slack.app import LISTENER_THREADS
from bot.slack.blocks import BUTTON_URL_MAX, MAX_BLOCKS, MODAL_TITLE_MAX, SECTION_TEXT_MAX

from conftest import BOT_TOKEN, SIGNING_SECRET, FakeSlack, blocks_of, find_button, serve_slack, sign, text_of


def assert_fits_block_kit(call) -> None:
    """Slack would accept this message: slack_sdk's own validators, plus the message limits."""
    blocks = blocks_of(call)
    assert 0 < len(blocks) <= MAX_BLOCKS
    for b in blocks:
        Block.parse(b).validate_json()  # raises SlackObjectFormationError on any limit
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= SECTION_TEXT_MAX
    assert call.body.get("text"), "a message needs its notification text"


def only(calls):
    assert len(calls) == 1, [c.method for c in calls]
    return calls[0]


# -- asking ---------------------------------------------------------------------------------------
def test_mention_is_answered_in_its_thread_with_text_sources_and_feedback_buttons(slack, fake_slack):
    r, ts = slack.mention("welke gegevens worden uitgewisseld?")
    assert r.status_code == 200
    msg = only(fake_slack.wait("chat.postMessage"))
    assert msg.body["channel"] == "C0TEAM01" and msg.body["thread_ts"] == ts
    text = text_of(msg)
    assert "expliciet vastgelegd welke gegevens" in text
    # the knowledge base's link token stays a link; the source line lists it too
    assert "<https://support.schoolmaster.nl/Plusdiensten/Magister-Public-API/Register|" in text
    assert "Bronnen:" in text
    assert find_button(blocks_of(msg), "feedback:up")["text"]["text"] == "👍 Nuttig"
    assert find_button(blocks_of(msg), "feedback:down")
    assert_fits_block_kit(msg)
    assert not fake_slack.of("chat.postEphemeral", "response_url")


def test_mention_inside_a_thread_is_answered_in_that_thread(slack, fake_slack):
    slack.mention("wat is de deadline?", thread_ts="1699999000.000100")
    msg = only(fake_slack.wait("chat.postMessage"))
    assert msg.body["thread_ts"] == "1699999000.000100"
    assert "18 december 2018" in text_of(msg)


def test_direct_message_is_answered_in_the_dm_not_in_a_thread(slack, fake_slack):
    slack.dm("what is the deadline?")
    msg = only(fake_slack.wait("chat.postMessage"))
    assert msg.body["channel"] == "D0ANNE01" and not msg.body.get("thread_ts")
    assert "18 December 2018" in text_of(msg)  # asked in English, answered in English
    assert find_button(blocks_of(msg), "feedback:up")["text"]["text"] == "👍 Helpful"


def test_slash_command_question_is_answered_ephemerally(slack, fake_slack):
    r = slack.command("Is Studyspace geaccrediteerd?")
    assert r.status_code == 200 and r.text == ""  # ack() first; the answer follows
    reply = only(fake_slack.wait("response_url"))
    assert reply.name == "cmd-1" and reply.body["response_type"] == "ephemeral"
    assert "geaccrediteerd" in text_of(reply)
    assert_fits_block_kit(reply)
    slack.settle()
    assert not fake_slack.of("chat.postMessage")  # nothing in the channel


def test_ambiguous_question_offers_the_suggestions_and_a_click_shows_that_answer(slack, fake_slack, slack_bot):
    first = slack_bot.ask("wat moet de school doen").suggestions[0]  # fits two entries about equally
    slack.command("wat moet de school doen")
    reply = only(fake_slack.wait("response_url"))
    assert "Bedoel je een van deze vragen?" in text_of(reply)
    button = find_button(blocks_of(reply), "show_entry:0")
    assert button["text"]["text"] == first.question["nl"]
    slack.click(reply, "show_entry:0")
    answer = fake_slack.wait("response_url", n=2)[1]
    assert answer.name.startswith("click-") and answer.body["response_type"] == "ephemeral"
    assert first.answer["nl"][:40] in text_of(answer)
    assert find_button(blocks_of(answer), "feedback:up")


def test_a_suggestion_clicked_in_a_thread_is_answered_in_that_thread(slack, fake_slack, slack_bot):
    second = slack_bot.ask("wat moet de school doen").suggestions[1]
    _, ts = slack.mention("wat moet de school doen")
    question = only(fake_slack.wait("chat.postMessage"))
    slack.click(question, "show_entry:1")
    answer = fake_slack.wait("chat.postMessage", n=2)[1]
    assert answer.body["thread_ts"] == ts and answer.body["channel"] == "C0TEAM01"
    assert second.answer["nl"][:40] in text_of(answer)


def test_no_match_says_so_lists_what_the_bot_answers_and_names_a_colleague(slack, fake_slack):
    slack.command("hoe laat is het")
    reply = only(fake_slack.wait("response_url"))
    text = text_of(reply)
    assert "Dat weet ik niet" in text
    assert "Vraag het aan #magister-vragen" in text
    examples = [e for b in blocks_of(reply) if b["type"] == "actions" for e in b["elements"]]
    assert [e["text"]["text"] for e in examples][:2] == ["Wat is de Magister koppeling?",
                                                        "Waarom heeft Magister haar beleid gewijzigd, en sinds wanneer?"]
    assert not any(e["action_id"].startswith("feedback") for e in examples)


def test_help_and_an_unknown_subcommand_explain_everything_in_dutch(slack, fake_slack):
    slack.command("help")
    slack.command("frobnicate")
    help_, unknown = sorted(fake_slack.wait("response_url", n=2), key=lambda c: c.name)
    for call in (help_, unknown):
        text = text_of(call)
        for needle in ("@Magister-koppeling", "direct bericht", "/magister &lt;vraag&gt;", "/magister school &lt;naam&gt;",
                       "/magister verzoek &lt;school&gt;", "school Cals College", "Heeft het Cals College al toestemming"):
            assert needle in text, needle
        assert "<naam>" not in text  # placeholders are escaped, so they show
        assert_fits_block_kit(call)
    assert "Ik ken `frobnicate` niet als opdracht" in text_of(unknown)
    assert "Ik ken" not in text_of(help_)


def test_empty_slash_command_shows_the_help(slack, fake_slack):
    slack.command("   ")
    assert "/magister school &lt;naam&gt;" in text_of(only(fake_slack.wait("response_url")))


# -- school lookups ---------------------------------------------------------------------------------
def test_school_lookup_granted_shows_school_host_source_and_age(slack, fake_slack):
    slack.command("school cals college")
    text = text_of(only(fake_slack.wait("response_url")))
    assert "*Cals College*" in text and "staat op de lijst" in text
    assert "cals.magister.net" in text
    assert "voorbeeldlijst (knowledge/consent-voorbeeld.yaml) · 15 scholen · bijgewerkt" in text


def test_english_subcommand_names_are_aliases(slack, fake_slack):
    slack.command("lookup Cals College")
    slack.command("request Vossius Gymnasium")
    lookup, draft = sorted(fake_slack.wait("response_url", n=2), key=lambda c: c.name)
    assert "*Cals College*" in text_of(lookup) and "staat op de lijst" in text_of(lookup)
    assert "Onderwerp:* Verzoek: Studyspace toegang verlenen tot de Magister Public API (Vossius Gymnasium)" in text_of(draft)


def test_a_consent_question_in_words_is_answered_with_a_lookup(slack, fake_slack):
    _, ts = slack.mention("heeft het Cals College al toestemming gegeven?")
    msg = only(fake_slack.wait("chat.postMessage"))
    assert msg.body["thread_ts"] == ts
    assert "*Cals College*" in text_of(msg) and "staat op de lijst" in text_of(msg)
    slack.dm("staat Theresialyceum al op de lijst?")
    dm = fake_slack.wait("chat.postMessage", n=2)[1]
    assert "*Theresialyceum*" in text_of(dm) and "theresia.magister.net" in text_of(dm)


def test_ambiguous_school_offers_candidates_and_a_click_shows_the_one_chosen(slack, fake_slack):
    slack.command("school Bogerman")
    reply = only(fake_slack.wait("response_url"))
    assert "Welke school bedoel je?" in text_of(reply)
    labels = [b["text"]["text"] for blk in blocks_of(reply) if blk["type"] == "actions" for b in blk["elements"]]
    # issue 9: the listed schools first, then the DUO directory's Bogerman schools, marked as not listed
    assert labels[:2] == ["Bogerman Sneek (Sneek, bogerman.magister.net)", "Bogerman Koudum (Koudum, bogerman.magister.net)"]
    assert labels[2:] and all(x.endswith("niet op de lijst)") for x in labels[2:])
    slack.click(reply, "pick_school:1")
    chosen = fake_slack.wait("response_url", n=2)[1]
    assert "✅ *Bogerman Koudum*" in text_of(chosen) and "staat op de lijst" in text_of(chosen)
    assert "Op dezelfde Magister-omgeving staan ook: Bogerman Sneek" in text_of(chosen)


def test_school_not_found_says_so_and_offers_a_draft_that_the_button_makes(slack, fake_slack):
    slack.command("school Vossius Gymnasium")
    reply = only(fake_slack.wait("response_url"))
    assert "❌ *Vossius Gymnasium*" in text_of(reply) and "staat niet op de lijst" in text_of(reply)
    assert find_button(blocks_of(reply), "draft_request")["text"]["text"] == "Verzoek opstellen"
    slack.click(reply, "draft_request")
    draft = fake_slack.wait("response_url", n=2)[1]
    assert draft.body["response_type"] == "ephemeral" and draft.body["replace_original"] is False
    text = text_of(draft)
    assert "Concept-verzoek aan de applicatiebeheerder van *Vossius Gymnasium*" in text
    assert "Anne de Vries" in text and "Huiswerkinstituut De Uil" in text and "info@deuil.example" in text
    assert only(fake_slack.of("users.info")).body["user"] == "U0ANNE01"


# -- drafts -------------------------------------------------------------------------------------------
def test_draft_edit_in_a_validated_modal_then_post_in_the_channel(slack, fake_slack):
    slack.command("verzoek Vossius Gymnasium")
    draft = only(fake_slack.wait("response_url"))
    assert_fits_block_kit(draft)
    mail = find_button(blocks_of(draft), "draft_mailto")
    assert mail["url"].startswith("mailto:?subject=Verzoek%3A%20Studyspace") and len(mail["url"]) <= BUTTON_URL_MAX
    assert "body=Geachte%20applicatiebeheerder" in mail["url"]
    assert find_button(blocks_of(draft), "draft_post")["text"]["text"] == "Plaatsen in kanaal"

    # "Bewerken" opens the modal right away (a trigger id expires in 3 s), prefilled
    slack.click(draft, "draft_edit")
    opened = only(fake_slack.wait("views.open"))
    view = opened.body["view"]
    assert opened.body["trigger_id"].startswith("trigger-")
    View(**view).validate_json()
    assert len(view["title"]["text"]) <= MODAL_TITLE_MAX and view["title"]["text"] == "Verzoek bewerken"
    initial = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]}
    assert initial["subject"].endswith("(Vossius Gymnasium)") and "Anne de Vries" in initial["body"]
    assert initial["to"] is None

    # a bad address and an empty subject come back as field errors; nothing is posted
    r = slack.submit(view, {"to": "beheer at vossius", "subject": "   ", "body": "Geachte heer,"})
    assert r.status_code == 200
    assert r.json()["response_action"] == "errors"
    assert set(r.json()["errors"]) == {"to", "subject"} and "geldig e-mailadres" in r.json()["errors"]["to"]
    slack.settle()
    assert len(fake_slack.of("response_url")) == 1

    # a good submission replaces the ephemeral draft with the edited one
    r = slack.submit(view, {"to": "beheer@vossius.example", "subject": "Toegang Studyspace <!channel>",
                            "body": "Geachte heer Jansen,\n\nGraag toegang voor Studyspace & co.\n\nAnne"})
    assert r.status_code == 200 and r.text == ""
    edited = fake_slack.wait("response_url", n=2)[1]
    assert edited.name.startswith("click-")  # the response URL of the "Bewerken" click
    assert edited.body["replace_original"] is True
    text = text_of(edited)
    assert "*Aan:* beheer@vossius.example" in text
    assert "*Onderwerp:* Toegang Studyspace &lt;!channel&gt;" in text and "<!channel>" not in text
    assert "Studyspace &amp; co." in text

    # "Plaatsen in kanaal" posts the edited draft for a colleague, in the channel
    slack.click(edited, "draft_post")
    posted = only(fake_slack.wait("chat.postMessage"))
    assert posted.body["channel"] == "C0TEAM01"
    ptext = text_of(posted)
    assert "opgesteld door Anne de Vries" in ptext and "Geachte heer Jansen" in ptext
    assert not any(e["action_id"] in ("draft_edit", "draft_post") for b in blocks_of(posted)
                   if b["type"] == "actions" for e in b["elements"])
    mailto = find_button(blocks_of(posted), "draft_mailto")["url"]
    assert mailto.startswith("mailto:beheer%40vossius.example?subject=Toegang%20Studyspace")
    ok = fake_slack.wait("response_url", n=3)[2]
    assert "Geplaatst in dit kanaal" in text_of(ok)


def test_posting_a_draft_where_the_bot_cannot_post_says_how_to_fix_it(slack, fake_slack, caplog):
    slack.command("verzoek Vossius Gymnasium", channel="G0PRIVATE")
    draft = only(fake_slack.wait("response_url"))
    fake_slack.fail_once("chat.postMessage", "not_in_channel")
    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        slack.click(draft, "draft_post", channel="G0PRIVATE")
        note = fake_slack.wait("response_url", n=2)[1]
    assert "/invite @Magister-koppeling" in text_of(note)
    assert "method=chat.postMessage error=not_in_channel" in caplog.text


def test_draft_in_a_dm_is_shown_to_the_asker_without_a_post_button(slack, fake_slack):
    slack.dm("verzoek Vossius Gymnasium")
    draft = only(fake_slack.wait("chat.postEphemeral"))
    assert draft.body["channel"] == "D0ANNE01" and draft.body["user"] == "U0ANNE01"
    actions = [e["action_id"] for b in blocks_of(draft) if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["draft_edit", "draft_mailto", "draft_mark_sent"]  # sent by e-mail: it can be marked
    assert not fake_slack.of("chat.postMessage")


def test_a_draft_for_a_listed_school_says_it_is_already_on_the_list(slack, fake_slack):
    slack.mention("verzoek Cals College")
    draft = only(fake_slack.wait("chat.postEphemeral"))  # a draft is personal, even from a mention
    assert "ℹ️ *Cals College* staat al op de lijst" in text_of(draft)
    assert draft.body["thread_ts"]


def test_the_email_link_button_is_acknowledged_and_does_nothing_else(slack, fake_slack):
    slack.command("verzoek Vossius Gymnasium")
    draft = only(fake_slack.wait("response_url"))
    r = slack.click(draft, "draft_mailto")
    assert r.status_code == 200
    slack.settle()
    assert len(fake_slack.posts()) == 1


# -- feedback and App Home -----------------------------------------------------------------------------
def test_feedback_is_recorded_and_thanked_only_to_the_clicker(slack, fake_slack, caplog):
    _, ts = slack.mention("wat is de deadline?")
    answer = only(fake_slack.wait("chat.postMessage"))
    with caplog.at_level(logging.INFO, logger="bot.feedback"):
        slack.click(answer, "feedback:down", user="U0BERT01")
        thanks = only(fake_slack.wait("chat.postEphemeral"))
    assert thanks.body["user"] == "U0BERT01" and thanks.body["thread_ts"] == ts
    assert "Bedankt voor je feedback" in text_of(thanks)
    assert "feedback entry=deadline helpful=False lang=nl user=U0BERT01" in caplog.text
    assert "wat is de deadline?" in caplog.text
    assert len(fake_slack.of("chat.postMessage")) == 1


def test_app_home_shows_what_the_bot_does_and_the_lists_source_size_and_age(slack, fake_slack):
    slack.event({"type": "app_home_opened", "user": "U0ANNE01", "channel": "D0ANNE01", "tab": "messages"})
    slack.event({"type": "app_home_opened", "user": "U0ANNE01", "channel": "D0ANNE01", "tab": "home"})
    published = only(fake_slack.wait("views.publish"))
    slack.settle()
    assert len(fake_slack.of("views.publish")) == 1  # the messages tab publishes nothing
    assert published.body["user_id"] == "U0ANNE01"
    view = published.body["view"]
    View(**view).validate_json()
    text = text_of(published)
    assert "Magister-koppeling bot" in text and "/magister school &lt;naam&gt;" in text
    assert "Toestemmingslijst" in text and "voorbeeldlijst (knowledge/consent-voorbeeld.yaml) · 15 scholen" in text
    assert "bijgewerkt" in text and "VOORBEELDLIJST" in text
    assert "Vraag het aan #magister-vragen" in text


# -- reliability and security ---------------------------------------------------------------------------
def test_bad_or_stale_signature_gets_401_and_no_action(slack, fake_slack):
    before = len(fake_slack.calls)
    assert slack.command("wat is de deadline?", signature="v0=" + "0" * 64).status_code == 401
    stale = int(time.time()) - 10 * 60
    assert slack.command("wat is de deadline?", timestamp=stale).status_code == 401  # signed, but replayed late
    assert slack.mention("wat is de deadline?", signature="")[0].status_code == 401
    # signed with another secret
    body = urllib.parse.urlencode({"command": "/magister", "text": "help", "user_id": "U0ANNE01",
                                   "response_url": fake_slack.response_url("forged")}).encode()
    ts = str(int(time.time()))
    r = slack.post(body, "application/x-www-form-urlencoded",
                   signature=sign("0123456789abcdef0123456789abcdef", ts, body), timestamp=int(ts))
    assert r.status_code == 401
    # a body changed after signing
    good = sign(SIGNING_SECRET, ts, body)
    r = slack.post(body.replace(b"help", b"hulp"), "application/x-www-form-urlencoded", signature=good,
                   timestamp=int(ts))
    assert r.status_code == 401
    slack.settle()
    assert fake_slack.calls[before:] == []
    # the same body, correctly signed, is accepted: the checks above are not vacuous
    assert slack.post(body, "application/x-www-form-urlencoded", signature=good, timestamp=int(ts)).status_code == 200
    assert only(fake_slack.wait("response_url")).name == "forged"


def test_slack_retries_and_repeated_deliveries_get_one_reply(slack, fake_slack):
    r1, ts = slack.mention("wat is de deadline?", event_id="Ev0RETRY1")
    only(fake_slack.wait("chat.postMessage"))
    for n in (1, 2, 3):  # Slack's retries of the same event
        r = slack.mention("wat is de deadline?", ts=ts, event_id="Ev0RETRY1",
                          headers={"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"})[0]
        assert r.status_code == 200
    # the same message as another event (a mention in a DM also arrives as message.im)
    slack.event({"type": "message", "channel_type": "im", "user": "U0ANNE01", "text": "wat is de deadline?",
                 "ts": ts, "channel": "C0TEAM01"}, event_id="Ev0OTHER1")
    slack.settle()
    assert len(fake_slack.posts()) == 1


def test_bot_messages_edits_deletions_and_other_subtypes_get_no_reply(slack, fake_slack):
    noise = [
        {"bot_id": FakeSlack.BOT_ID, "user": FakeSlack.BOT_USER},  # our own message
        {"bot_id": "B0OTHER1", "subtype": "bot_message", "username": "otherbot"},  # another bot
        {"bot_id": "B0OTHER2", "user": "U0OTHERB"},  # another bot with a user id
        {"subtype": "message_changed", "message": {"user": "U0ANNE01", "text": "wat is de deadline?"},
         "previous_message": {"user": "U0ANNE01", "text": "wat is de dealine"}},
        {"subtype": "message_deleted", "previous_message": {"user": "U0ANNE01", "text": "x"}},
        {"subtype": "channel_join", "user": "U0ANNE01"},
        {"subtype": "file_share", "bot_id": "B0OTHER3", "user": "U0OTHERC"},  # a file from a bot
    ]
    for extra in noise:
        assert slack.dm("wat is de deadline?", **extra)[0].status_code == 200
    assert slack.mention("wat is de deadline?")[0].status_code == 200  # a real one: answered
    r = slack.event({"type": "app_mention", "bot_id": "B0OTHER1", "user": "U0OTHERB",
                     "text": f"<@{FakeSlack.BOT_USER}> wat is de deadline?", "ts": "1699999999.999999",
                     "channel": "C0TEAM01"})
    assert r.status_code == 200
    fake_slack.wait("chat.postMessage")
    slack.settle()
    assert len(fake_slack.posts()) == 1 and fake_slack.posts()[0].body["channel"] == "C0TEAM01"


def test_markup_typed_by_a_user_never_pings_anyone(slack, fake_slack):
    # Slack sends typed "<!channel>" as "&lt;!channel&gt;"; "@channel" arrives as the token <!channel>
    # (issue 9: a name the DUO directory does not know, so that the reply shows it as typed)
    slack.command("school &lt;!channel&gt; &lt;@U0BOSS01&gt; Xqzwvk &amp; Zn")
    slack.mention("<!channel> school &lt;!here&gt; Xqzwvk")
    slack.command("verzoek &lt;!everyone&gt; Montessori &amp; Co")
    calls = fake_slack.wait(n=3)
    texts = "\n".join(text_of(c) for c in calls)
    for token in ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS01>"):
        assert token not in texts
    assert "&lt;!channel&gt; &lt;@U0BOSS01&gt; Xqzwvk &amp; Zn" in texts  # shown as typed, once unescaped
    assert "&lt;!here&gt; Xqzwvk" in texts
    assert "Montessori &amp; Co" in texts and "&amp;amp;" not in texts


def test_over_long_input_is_answered_within_block_kit_limits(slack, fake_slack):
    slack.command("school " + "Vossius" * 1500)  # 10,500 characters, no space to break at
    reply = only(fake_slack.wait("response_url"))
    assert_fits_block_kit(reply)
    assert sum(b["type"] == "section" for b in blocks_of(reply)) >= 2  # split, not rejected
    slack.dm("🙂\x00\x07 " * 2000 + " wat is de deadline?")
    dm = only(fake_slack.wait("chat.postMessage"))
    assert_fits_block_kit(dm)


def _long_kb(tmp_path: Path) -> Path:
    """A knowledge base of the bundled drafts and two entries with over-long answers (small,
    so that its model fits in a second)."""
    kdir = tmp_path / "knowledge"
    kdir.mkdir()
    (kdir / "drafts.yaml").write_bytes((DEFAULT_DIR / "drafts.yaml").read_bytes())
    para = "Dit is een lange alinea over de zeeslang in Magister, met `/magister school <naam>` erin. " * 12
    link = "<https://example.org/zeeslang|de zeeslangbron met een lange naam>"
    long_nl = "\\n\\n".join([para] * 4 + [para[:-300] + link + " " + para] + [para] * 4)  # ~9,000 characters
    huge_nl = "walvis " * 30_000  # ~210,000 characters: more than 50 sections
    extra = ""
    for eid, word, answer in (("zeeslang", "zeeslang", long_nl), ("walvis", "walvis", huge_nl)):
        extra += f"""
  - id: "{eid}"
    question:
      nl: "Wat weet je over de {word}?"
      en: "What do you know about the {word}?"
    alternates:
      nl: ["vertel over de {word}", "{word} uitleg"]
      en: ["tell me about the {word}"]
    answer:
      nl: "{answer.strip()}"
      en: "{word}"
    links:
      - label: {{nl: "Bron", en: "Source"}}
        url: "https://example.org/{word}"
"""
    (kdir / "faq.yaml").write_text("entries:" + extra, encoding="utf-8")
    return kdir


def test_over_long_answers_are_split_or_shortened_visibly_never_rejected(fake_slack, tmp_path):
    bot = Bot.from_settings(Settings(knowledge_dir=_long_kb(tmp_path)))
    harness, stop = serve_slack(fake_slack, bot)
    try:
        harness.command("wat weet je over de zeeslang?")
        harness.command("wat weet je over de walvis?")
        long_, huge = sorted(fake_slack.wait("response_url", n=2), key=lambda c: c.name)
    finally:
        stop()
    for call in (long_, huge):
        assert_fits_block_kit(call)
    sections = [b["text"]["text"] for b in blocks_of(long_) if b["type"] == "section"]
    assert len(sections) >= 3
    joined = "\n".join(sections)
    assert "<https://example.org/zeeslang|de zeeslangbron met een lange naam>" in joined  # never cut apart
    assert "`/magister school &lt;naam&gt;`" in joined and "<naam>" not in joined
    assert "ingekort" not in text_of(long_)
    assert len(blocks_of(huge)) == MAX_BLOCKS
    assert "ingekort: de tekst is te lang voor één bericht" in text_of(huge)
    assert find_button(blocks_of(huge), "feedback:up")  # the buttons survive the cut


def test_a_429_is_retried_after_retry_after_and_the_reply_arrives_once(slack, fake_slack):
    fake_slack.rate_limit_once("chat.postMessage", retry_after=1)
    slack.mention("wat is de deadline?")
    first, second = fake_slack.wait("chat.postMessage", n=2, timeout=8)
    assert first.status == 429 and second.status == 200
    assert second.arrived - first.arrived >= 1.0  # waited Retry-After
    assert first.body == second.body
    slack.settle()
    assert len(fake_slack.of("chat.postMessage")) == 2


def test_a_slack_api_error_is_logged_with_method_and_code_and_the_user_gets_an_apology(slack, fake_slack, caplog):
    fake_slack.fail_once("chat.postMessage", "channel_not_found")
    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        _, ts = slack.mention("wat is de deadline?")
        apology = only(fake_slack.wait("chat.postEphemeral"))
    assert "method=chat.postMessage error=channel_not_found" in caplog.text
    assert apology.body["user"] == "U0ANNE01" and apology.body["thread_ts"] == ts
    assert "Sorry, dat lukte niet door een storing bij Slack" in text_of(apology)


def test_a_bad_button_value_gets_an_apology_never_a_traceback(slack, fake_slack, caplog):
    slack.command("koppeling")
    reply = only(fake_slack.wait("response_url"))
    payload_button = find_button(blocks_of(reply), "show_entry:0")
    payload_button["value"] = json.dumps({"e": "no-such-entry", "l": "nl"})
    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        slack.click(reply, "show_entry:0")
        apology = fake_slack.wait("response_url", n=2)[1]
    text = text_of(apology)
    assert "Sorry, er ging iets mis" in text and "Traceback" not in text and "KeyError" not in text
    assert "failed while handling show_entry" in caplog.text


def test_ack_comes_first_even_when_slack_is_slow(slack, fake_slack):
    release = threading.Event()
    fake_slack.script("users.info", wait=release)  # the sender's name comes only when the test says so
    try:
        r = slack.command("verzoek Vossius Gymnasium")
        # answered while the listener still waits on Slack: ack() came before the work
        assert r.status_code == 200 and r.text == ""
        assert fake_slack.of("response_url") == []
    finally:
        release.set()
    draft = only(fake_slack.wait("response_url"))
    assert "Anne de Vries" in text_of(draft)


def test_ack_comes_first_even_when_every_listener_thread_is_busy(slack, fake_slack):
    slack.command("koppeling")
    reply = only(fake_slack.wait("response_url"))
    release = threading.Event()
    for _ in range(LISTENER_THREADS):  # a burst's earlier work holds every listener thread
        slack.pool.submit(release.wait, 10)
    try:
        # Slack gets its answer at once, not Bolt's 404 after 3 s of waiting for a free thread
        r = slack.command("wat is de deadline?")
        assert r.status_code == 200 and r.text == ""
        assert slack.click(reply, "show_entry:0").status_code == 200
        assert len(fake_slack.of("response_url")) == 1  # the work itself waits its turn
    finally:
        release.set()
    answers = fake_slack.wait("response_url", n=3)
    assert any("18 december 2018" in text_of(c) for c in answers[1:])


def test_tokens_and_signing_secret_never_reach_logs_or_replies(slack, fake_slack, caplog):
    with caplog.at_level(logging.DEBUG):
        slack.command("verzoek Vossius Gymnasium")
        slack.mention("wat is de deadline?")
        slack.command("x", signature="v0=bad")
        fake_slack.wait(n=2)
        fake_slack.fail_once("chat.postMessage", "invalid_auth")
        slack.mention("is studyspace geaccrediteerd?")
        fake_slack.wait("chat.postEphemeral")
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    posted = "\n".join(json.dumps(c.body) for c in fake_slack.calls)
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in logged and secret not in posted
    # the token does travel where it belongs: the Authorization header of Web API calls
    assert fake_slack.of("chat.postMessage")[0].headers["Authorization"] == f"Bearer {BOT_TOKEN}"


def test_health_route_answers_without_slack_and_other_paths_are_404(slack, fake_slack):
    r = slack.http.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok", "schools": 15, "list_age_days": r.json()["list_age_days"],
                                                  "example_list": True}
    assert slack.http.get("/").status_code == 404
    assert slack.http.get("/slack/events").status_code == 404
    assert not fake_slack.posts()


@pytest.mark.parametrize("text", ["", "   ", "\x00", "🙂" * 50, "<>&" * 100, "x" * 10_000])
def test_any_dm_gets_an_answer_that_fits(slack, fake_slack, text):
    slack.dm(text)
    msg = only(fake_slack.wait("chat.postMessage"))
    assert_fits_block_kit(msg)


def test_an_edit_saved_after_the_response_url_expired_still_reaches_the_user(slack, fake_slack):
    slack.command("verzoek Vossius Gymnasium")
    draft = only(fake_slack.wait("response_url"))
    slack.click(draft, "draft_edit")
    view = only(fake_slack.wait("views.open")).body["view"]
    fake_slack.script("response_url", status=404, body="expired_url")
    slack.submit(view, {"to": "", "subject": "Nieuw onderwerp", "body": "Nieuwe tekst"})
    shown = only(fake_slack.wait("chat.postEphemeral"))
    assert shown.body["channel"] == "C0TEAM01" and shown.body["user"] == "U0ANNE01"
    assert "*Onderwerp:* Nieuw onderwerp" in text_of(shown) and "Nieuwe tekst" in text_of(shown)


# -- rough edges found in a real workspace (issue 10) ---------------------------------------------------
FILES = [{"id": "F0SHOT01", "name": "foutmelding.png", "mimetype": "image/png", "filetype": "png"}]


def test_a_dm_or_mention_with_a_file_attached_is_answered_like_any_message(slack, fake_slack):
    slack.dm("wat is de deadline?", subtype="file_share", files=FILES)
    dm = only(fake_slack.wait("chat.postMessage"))
    assert dm.body["channel"] == "D0ANNE01" and "18 december 2018" in text_of(dm)
    ts = "1699999999.777777"
    slack.event({"type": "app_mention", "subtype": "file_share", "user": "U0ANNE01", "files": FILES, "ts": ts,
                 "text": f"<@{FakeSlack.BOT_USER}> is studyspace geaccrediteerd?", "channel": "C0TEAM01", "event_ts": ts})
    mention = fake_slack.wait("chat.postMessage", n=2)[1]
    assert mention.body["thread_ts"] == ts and "geaccrediteerd" in text_of(mention)
    # a file shared by a bot is still a bot's message: no reply
    slack.dm("wat is de deadline?", subtype="file_share", files=FILES, bot_id="B0OTHER3", user="U0OTHERC")
    slack.settle()
    assert len(fake_slack.posts()) == 2


def test_a_posted_draft_never_points_to_a_button_it_does_not_have(slack, fake_slack):
    slack.command("verzoek Vossius Gymnasium")
    draft = only(fake_slack.wait("response_url"))
    assert "*Bewerken*" in text_of(draft)  # no recipient yet: the ephemeral draft has the button
    slack.click(draft, "draft_post")
    posted = only(fake_slack.wait("chat.postMessage"))
    labels = [e["text"]["text"] for b in blocks_of(posted) if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Openen in e-mail"]
    assert "Nog geen ontvanger" in text_of(posted) and "Bewerken" not in text_of(posted)


def test_lookups_and_the_app_home_name_the_list_never_a_server_path(fake_slack, tmp_path):
    listfile = tmp_path / "srv" / "magister" / "consent-list.csv"
    listfile.parent.mkdir(parents=True)
    listfile.write_text("naam;host\nCals College;cals\n", encoding="utf-8")
    for n, (name, shown) in enumerate((("", "consent-list.csv"), ("Studyspace-export", "Studyspace-export"))):
        bot = Bot.from_settings(Settings(consent_list_path=listfile, consent_list_name=name, data_dir=tmp_path / "d"))
        harness, stop = serve_slack(fake_slack, bot)
        try:
            harness.command("school cals college")
            harness.event({"type": "app_home_opened", "user": "U0ANNE01", "channel": "D0ANNE01", "tab": "home"})
            lookup = fake_slack.wait("response_url", n=n + 1)[n]
            home = fake_slack.wait("views.publish", n=n + 1)[n]
        finally:
            stop()
        assert "✅ *Cals College*" in text_of(lookup)
        for call in (lookup, home):
            assert f"Lijst: {shown} · 1 scholen · bijgewerkt" in text_of(call)
            assert str(listfile.parent) not in text_of(call) and "/srv/" not in text_of(call)


def test_a_non_numeric_timestamp_is_a_bad_signature_401_never_a_500(slack, fake_slack, caplog):
    with caplog.at_level(logging.DEBUG):
        for ts in ("abc", "", "1.7e9", "12 34", "0x10", "9" * 5000):
            # signed over that very timestamp: only the timestamp is wrong
            r = slack.command("wat is de deadline?", timestamp=ts)
            assert r.status_code == 401, ts
    assert "unhandled" not in caplog.text and "ValueError" not in caplog.text
    slack.settle()
    assert fake_slack.posts() == []


def test_a_rejected_request_body_is_never_logged(slack, fake_slack, caplog):
    with caplog.at_level(logging.DEBUG):
        assert slack.command("school Geheim College", signature="v0=" + "0" * 64).status_code == 401
        assert slack.command("school Geheim College", timestamp=int(time.time()) - 3600).status_code == 401
        assert slack.mention("school Geheim College", signature="")[0].status_code == 401
    logged = [r.getMessage() for r in caplog.records]
    assert logged, "the test must see the log"
    for message in logged:
        assert "Geheim" not in message and "response_url" not in message and "/response/" not in message, message
    assert any("401" in m for m in logged)  # the refusal itself is still logged, without the body


def test_a_signed_body_that_is_not_utf8_gets_400_never_a_500(slack, fake_slack, caplog):
    # Bolt's WSGI adapter decodes the body as UTF-8 and would answer 500 with a traceback.
    with caplog.at_level(logging.DEBUG):
        for body in (b"command=/magister&text=caf\xe9", b"\xff\xfe{\x00}\x00", b"text=\xc3"):
            r = slack.post(body, "application/x-www-form-urlencoded")  # correctly signed
            assert r.status_code == 400, body
    assert "Traceback" not in caplog.text and "UnicodeDecodeError" not in caplog.text
    slack.settle()
    assert fake_slack.posts() == []
    assert slack.command("wat is de deadline?").status_code == 200  # the app still serves
