"""Request drafts (bot/drafts.py): formal, complete, and unbreakable by what users type."""
from datetime import date
from urllib.parse import unquote

import pytest

from bot.consentlist import School
from bot.drafts import MAX_NOTE_CHARS, draft
from bot.knowledge import load_knowledge


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


def test_formal_request_with_the_facts_a_school_needs(kb):
    d = draft(kb, School("Vossius Gymnasium", "vossius.magister.net", "Amsterdam", "20AB", "20AB00"),
              institute="Huiswerkinstituut De Uil", sender="Anna de Vries", sender_email="anna@deuil.nl",
              sender_phone="020 123 4567", today=date(2026, 11, 29))
    body = d.body
    assert "Vossius Gymnasium" in d.subject and "Magister Public API" in d.subject
    assert body.startswith("Geachte applicatiebeheerder van Vossius Gymnasium,")
    assert "u " in body or "uw " in body  # u-vorm
    for fact in ("geaccrediteerde", "beheerscherm", "memo", "register", "Magister-Public-API/Register"):
        assert fact in body, fact
    for detail in ("Huiswerkinstituut De Uil", "Anna de Vries", "anna@deuil.nl", "020 123 4567",
                   "vossius.magister.net", "Amsterdam 20AB00"):
        assert detail in body, detail
    assert "$" not in body


def test_empty_optional_lines_are_left_out(kb):
    d = draft(kb, "Cals College", institute="De Uil", sender="Anna")
    assert "Magister-omgeving:" not in d.body and "Vestiging:" not in d.body
    assert "\n\n\n" not in d.body and not d.body.endswith("\n\n")


@pytest.mark.parametrize("hostile", [
    "${school} $institute {school} {0} %s $$ $", "<!channel> <@U123> *vet* `code`",
    "a\x00b\x1bc\u202e", "Zoë's “school”\u00a0x",
])
def test_user_text_is_inserted_literally(kb, hostile):
    d = draft(kb, hostile, institute=hostile, sender=hostile, note=hostile)
    assert d.body.count("Geachte applicatiebeheerder") == 1
    assert "\x00" not in d.body and "\x1b" not in d.body
    if "$institute" in hostile:
        assert "${school} $institute {school} {0} %s $$ $" in d.body  # not expanded


def test_long_note_is_cut_with_a_marker(kb):
    d = draft(kb, "Cals College", institute="De Uil", sender="Anna", note="x" * 10_000)
    assert "x" * (MAX_NOTE_CHARS - 1) in d.body and "x" * MAX_NOTE_CHARS not in d.body
    assert "…" in d.body


def test_mailto_carries_subject_and_body(kb):
    d = draft(kb, "Cals College & Co", institute="De Uil", sender="Anna", to="beheer@cals.nl")
    url = d.mailto()
    assert url.startswith("mailto:beheer%40cals.nl?subject=")
    assert unquote(url.split("body=")[1]) == d.body
    assert "&" not in url.split("?", 1)[1].replace("&body=", "")
