"""The normaliser shared by all matching (bot/text.py)."""
import pytest
from hypothesis import given, settings, strategies as st

from bot.text import _clean, clean, normalize, strip_slack_markup, tokens


def test_slack_markup_is_reduced_to_words():
    assert normalize("<@U123ABC> wat is de <!here> deadline?") == "wat is de deadline"
    assert normalize("zie <https://example.nl/a|de lijst> en <#C1|algemeen>") == "zie de lijst en"
    assert normalize("<https://example.nl>") == "https example nl"
    assert normalize("Hubertus &amp; Berkhoff") == "hubertus berkhoff"


def test_unescapes_once():
    # "&amp;lt;" is a literal "&lt;" typed by the user: one unescape leaves "&lt;".
    assert strip_slack_markup("a &amp;lt; b") == "a &lt; b"
    assert strip_slack_markup("a &lt;@U1&gt; b") == "a <@U1> b"


def test_quotes_spaces_case_and_diacritics():
    assert clean("\u201cCarr\u00e9\u201d\u00a0\u00a0college\u2019s") == "\"Carré\" college's"
    assert normalize("CARRÉ  Ülbe\u00a0Ĳburg") == "carre ulbe ijburg"
    assert normalize("Sint\u2011Laurens") == "sint laurens"  # non-breaking hyphen


def test_mojibake_is_repaired():
    assert normalize("CarrÃ© College") == "carre college"


def test_control_characters_and_emoji():
    assert normalize("dead\x00line\x1b 🎉 ?") in ("deadline", "dead line")
    assert normalize("wat is de\x07 deadline\u200b?") == "wat is de deadline"
    assert tokens("   \n\t ") == []
    assert normalize("") == ""


def test_long_input_is_cut_not_refused():
    assert len(normalize("deadline " * 5000)) <= 2000


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=60))
def test_the_fast_path_of_clean_gives_what_the_long_way_gives(s):
    assert clean(s) == _clean(s)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_normalize_handles_any_string_and_is_idempotent(s):
    once = normalize(s)
    assert normalize(once) == once
    assert set(once) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ")
    assert "  " not in once and once == once.strip()


@pytest.mark.parametrize("raw,want", [
    ("wat is de deadline?? :sweat_smile: :sweat_smile:", "wat is de deadline"),
    ("hoi! :wave: :+1::skin-tone-2: wat is de deadline", "hoi wat is de deadline"),
    ("om 12:30:45 uur", "om 12 30 45 uur"),  # a time is no emoji
])
def test_slack_emoji_shortcodes_are_no_words(raw, want):
    assert normalize(raw) == want
