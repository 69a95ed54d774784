"""The Slack adapter's pure parts: escaping, splitting to Block Kit limits, the draft modal's
validation, the e-mail link, the per-process state and the log filter."""
from __future__ import annotations

import io
import logging
import re

from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.drafts import Draft
from bot.slack import blocks as B
from bot.slack.logs import SecretFilter, install
from bot.state import DraftRecord, DraftStore, SeenSet

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# -- escaping -----------------------------------------------------------------------------------
@given(TEXT)
def test_escape_leaves_no_markup_and_round_trips(text):
    out = B.escape(text)
    assert "<" not in out and ">" not in out
    assert unescape(out) == text


def test_escape_keep_links_keeps_only_link_tokens():
    kb = "Typ `/magister school <naam>` of lees <https://a.example/x?y=1&z=2|A & B> en <mailto:a@b.nl>; <!channel>"
    out = B.escape_keep_links(kb)
    assert "`/magister school &lt;naam&gt;`" in out
    assert "<https://a.example/x?y=1&z=2|A &amp; B>" in out and "<mailto:a@b.nl>" in out
    assert "&lt;!channel&gt;" in out and "<!channel>" not in out


@given(TEXT)
def test_escape_keep_links_never_lets_a_mention_through(text):
    out = B.escape_keep_links(text)
    for token in ("<!", "<@", "<#"):
        assert token not in out


def test_help_contact_keeps_a_channel_or_group_reference_and_escapes_the_rest():
    assert B.contact_mrkdwn("<#C0123ABC|magister>") == "<#C0123ABC|magister>"
    assert B.contact_mrkdwn("<!subteam^S0123ABC> & team") == "<!subteam^S0123ABC> &amp; team"
    assert B.contact_mrkdwn("#magister-vragen") == "#magister-vragen"
    assert B.contact_mrkdwn("<!channel>") == "&lt;!channel&gt;"
    assert B.contact_mrkdwn("Anne <anne@x.nl>") == "Anne &lt;anne@x.nl&gt;"


# -- splitting and fitting -----------------------------------------------------------------------
@given(st.lists(st.sampled_from(["woord", "&amp;", "&lt;x&gt;", "<https://a.example/p|een link met spaties>",
                                 "\n", "\n\n", " ", "x" * 700]), max_size=60),
       st.integers(min_value=50, max_value=3000))  # longer than any atom
def test_split_keeps_every_chunk_within_the_limit_and_atoms_whole(parts, limit):
    text = " ".join(parts)
    chunks = B.split_mrkdwn(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    joined = "".join(chunks)
    assert joined.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    for c in chunks:  # no entity or link token is cut in two
        assert c.count("<") == c.count(">")
        assert "&" not in re.sub(r"&(?:amp|lt|gt);", "", c)


def test_split_prefers_paragraphs_then_lines_then_spaces():
    text = "a" * 50 + "\n\n" + "b" * 50 + "\n" + "c" * 30 + " " + "d" * 30
    assert B.split_mrkdwn(text, 60) == ["a" * 50, "b" * 50, "c" * 30, "d" * 30]
    assert B.split_mrkdwn("x" * 130, 60) == ["x" * 60, "x" * 60, "x" * 10]
    assert B.split_mrkdwn("  ") == []


def test_split_never_cuts_an_entity_even_without_spaces():
    text = "&amp;" * 1000
    chunks = B.split_mrkdwn(text, 3000)
    assert all(c.endswith("&amp;") for c in chunks) and "".join(chunks) == text


def test_fit_cuts_to_the_limit_with_a_visible_marker_and_keeps_the_buttons():
    blocks = [B.section(f"deel {i}") for i in range(80)] + B.actions([B.button("👍", "feedback:up", "x")])
    out = B.fit(blocks)
    assert len(out) == B.MAX_BLOCKS
    assert out[-1]["type"] == "actions" and "ingekort" in out[-2]["elements"][0]["text"]
    assert B.fit(blocks[:10]) == blocks[:10]


def test_message_fallback_text_is_short_and_escaped():
    msg = B.message(B.sections(B.escape("<!channel> " + "lang " * 2000)))
    assert len(msg["text"]) <= B.FALLBACK_TEXT_MAX and msg["text"].startswith("&lt;!channel&gt;")
    for b in msg["blocks"]:
        Block.parse(b).validate_json()


def test_button_labels_are_shortened_and_values_checked():
    b = B.button("x" * 200, "a", {"q": "y"})
    assert len(b["text"]["text"]) == B.BUTTON_TEXT_MAX and b["text"]["text"].endswith("…")
    Block.parse({"type": "actions", "elements": [b]}).validate_json()
    try:
        B.button("x", "a", "v" * (B.BUTTON_VALUE_MAX + 1))
    except ValueError:
        pass
    else:
        raise AssertionError("an over-long value must not reach Slack")


# -- drafts: e-mail link and modal ---------------------------------------------------------------
def test_mail_button_falls_back_to_subject_only_when_the_text_is_too_long():
    d = Draft(subject="Verzoek (Vossius)", body="Geachte beheerder,\n" + "tekst " * 1000, school="Vossius",
              to="beheer@vossius.example")
    button, note = B.mail_button(d)
    assert len(button["url"]) <= B.BUTTON_URL_MAX
    assert button["url"] == "mailto:beheer%40vossius.example?subject=Verzoek%20%28Vossius%29"
    assert "kopieer" in note and button["text"]["text"] == "E-mail openen (zonder tekst)"
    short = Draft(subject="S", body="kort", school="X")
    assert B.mail_button(short) == ({**B.button("Openen in e-mail", B.A_MAILTO, url=short.mailto())}, "")


def test_edit_modal_fits_and_validation_names_each_bad_field():
    view = B.edit_modal(Draft(subject="S" * 400, body="B" * 5000, school="X"), {"id": "abc"})
    assert len(view["title"]["text"]) <= B.MODAL_TITLE_MAX
    initial = {b["block_id"]: b["element"].get("initial_value", "") for b in view["blocks"]}
    assert len(initial["subject"]) <= B.SUBJECT_MAX and len(initial["body"]) <= B.INPUT_MAX
    ok, errors = B.validate_edit({"to": " beheer@school.nl ", "subject": " Verzoek\n toegang ", "body": "Tekst\r\n"})
    assert errors == {} and ok == {"to": "beheer@school.nl", "subject": "Verzoek toegang", "body": "Tekst\n"}
    _, errors = B.validate_edit({"to": "beheer@school", "subject": "", "body": "  "})
    assert set(errors) == {"to", "subject", "body"}
    _, errors = B.validate_edit({"to": "<!channel>@x.nl", "subject": "x" * 300, "body": "b"})
    assert set(errors) == {"to", "subject"}
    assert B.validate_edit({"to": None, "subject": "s", "body": "b"})[1] == {}


# -- state ------------------------------------------------------------------------------------------
class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_seen_set_remembers_keys_until_they_expire():
    clock = Clock()
    seen = SeenSet(ttl=60, clock=clock)
    assert seen.first_time("event:1", "msg:C1:1.0")
    assert not seen.first_time("event:1")  # a retry
    assert not seen.first_time("event:2", "msg:C1:1.0")  # the same message as another event
    assert seen.first_time("event:3", "")
    clock.now = 61
    assert seen.first_time("event:1")


def test_seen_set_is_bounded():
    seen = SeenSet(ttl=60, max_items=3, clock=Clock())
    for i in range(5):
        seen.first_time(f"e{i}")
    assert seen.first_time("e0") and not seen.first_time("e4")


def test_draft_store_keeps_drafts_for_their_ttl():
    clock = Clock()
    store = DraftStore(ttl=100, clock=clock)
    rec = DraftRecord(Draft("s", "b", "X"), "X", "U1", "C1")
    draft_id = store.add(rec)
    assert store.get(draft_id) == rec and store.get("other") is None
    clock.now = 101
    assert store.get(draft_id) is None


# -- logs ---------------------------------------------------------------------------------------------
def test_secret_filter_masks_configured_secrets_and_token_shapes():
    stream = io.StringIO()
    logger = logging.getLogger("test.slack.secrets")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        install(["abcdef0123456789abcdef", ""], logger)
        logger.warning("secret %s and token %s", "abcdef0123456789abcdef", "xoxb-1-2-abcdefgh")
        try:
            raise RuntimeError("xapp-1-A1-secretvalue")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "abcdef0123456789abcdef" not in out and "xoxb-1-2" not in out and "xapp-1-A1" not in out
    assert out.count("***") >= 3
    assert SecretFilter(["short"]).secrets == []  # too short to be a secret; never mask common words


# -- requests, announcements ----------------------------------------------------------------------
def _request(name: str, user: str = "U0ANNE01", channel: str = "C0TEAM01", **kw):
    from datetime import datetime, timezone

    from bot.store import Request

    at = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
    fields = dict(id=1, school_name=name, host="", code="", requested_by=user, channel=channel, message_ts="",
                  status="sent", created_at=at, sent_at=at, granted_at=None, reminded_at=None, note="")
    fields.update(kw)
    return Request(**fields)


def test_request_text_escapes_names_and_only_links_real_ids():
    evil = _request("<!channel> & Co", user="<!here>", channel="<!everyone>")
    blocks = B.requests_blocks([evil], "nl")
    text = blocks[-1]["text"]["text"]
    assert "&lt;!channel&gt; &amp; Co" in text and "<!" not in text
    assert "door een collega" in text and "<#" not in text  # no user or channel token from bad ids
    ok = B.request_ref(_request("Cals College"), "nl", permalink="https://uil.slack.com/archives/C1/p1")
    assert ok == "verstuurd op 2 november 2026 door <@U0ANNE01> in <#C0TEAM01> " \
                 "(<https://uil.slack.com/archives/C1/p1|bekijk het bericht>)"
    assert "|" not in B.request_ref(_request("X"), "nl", permalink="https://x.example/a|<!channel>").split("(")[0]
    assert "<!channel>" not in B.request_ref(_request("X"), "nl", permalink="https://x.example/a|<!channel>")


def test_many_requests_and_many_new_schools_fit_block_kit():
    from bot.consentlist import School

    many = [_request(f"School nummer {i} met een lange naam & co", id=i) for i in range(3000)]
    msg = B.message(B.requests_blocks(many, "nl"))
    assert len(msg["blocks"]) <= B.MAX_BLOCKS and "ingekort" in msg["blocks"][-1]["elements"][0]["text"]
    for b in msg["blocks"]:
        Block.parse(b).validate_json()
    home = B.home_view(None, requests=many)
    assert len(home["blocks"]) <= B.MAX_VIEW_BLOCKS

    schools = [School(f"Nieuwe <school> {i} & Zn", city="Delft") for i in range(6000)]
    messages = B.announce_messages(schools)
    assert len(messages) >= 2
    text = ""
    for m in messages:
        assert 0 < len(m["blocks"]) <= B.MAX_BLOCKS and m["text"]
        for b in m["blocks"]:
            Block.parse(b).validate_json()
            assert len(b["text"]["text"]) <= B.SECTION_TEXT_MAX
        text += " ".join(b["text"]["text"] for b in m["blocks"]) + " "
    assert text.startswith("Nieuw op de lijst: Nieuwe &lt;school&gt; 0 &amp; Zn (Delft)")
    assert "Nieuwe &lt;school&gt; 5999 &amp; Zn (Delft)" in text and "<school>" not in text
