"""Text normalisation shared by all matching (questions and school names).

Every matcher in the bot goes through :func:`normalize` (one string in, one string out)
and :func:`tokens` (the normalised string split into words), so Slack markup, Unicode
forms, quotes, no-break spaces, case, diacritics and punctuation are handled in one place.

``normalize`` is idempotent: ``normalize(normalize(s)) == normalize(s)`` for every ``str``.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ftfy

# Slack message formatting: https://api.slack.com/reference/surfaces/formatting
#   <@U123>, <@U123|name>, <#C123|general>, <!here>, <!subteam^S123|@team>,
#   <https://x.y|label>, <mailto:a@b.nl|a@b.nl>
_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
# Slack sends emoji as shortcodes (":sweat_smile:", ":+1:", ":skin-tone-2:"); a letter or a "+",
# so a time such as 12:30:45 is kept.
_EMOJI_CODE = re.compile(r":(?=[a-z0-9_+'-]*[a-z+])[a-z0-9_+'-]+:")
_WS = re.compile(r"\s+")
# Anything that is not a letter or a digit separates words.
_NON_WORD = re.compile(r"[^0-9a-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

MAX_INPUT_CHARS = 2000
"""Longest input that matching looks at; a longer text is cut (a question is never that long)."""
NORMALIZED_CACHE = 1024
"""Texts whose matching form :func:`normalize` remembers (at most about 6 MB)."""


def _slack_token(m: re.Match[str]) -> str:
    body = m.group(1)
    if not body:
        return " "
    if body[0] in "@#!":
        # Mentions, channels and broadcasts carry no words worth matching.
        return " "
    # A link: keep its label when it has one, else the URL itself.
    url, _, label = body.partition("|")
    return f" {label or url} "


def strip_slack_markup(text: str) -> str:
    """Unescape Slack's ``&amp; &lt; &gt;`` once and reduce ``<…>`` tokens to plain text.

    Emoji shortcodes (``:wave:``) become a space, as do
    ``<@U123>``, ``<#C1|x>`` and ``<!here>``; ``<https://a.nl|label>`` becomes
    ``label`` and ``<https://a.nl>`` the URL. Text without markup is returned unchanged but
    for the unescaping. Slack escapes only ``&``, ``<`` and ``>`` (api.slack.com, "Escaping text").
    """
    text = _SLACK_TOKEN.sub(_slack_token, _EMOJI_CODE.sub(" ", text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clean(text: str) -> str:
    """Readable clean-up for display and for parsing: no markup, no control characters.

    Repairs mojibake (``CarrÃ©`` -> ``Carré``, via ftfy), applies NFKC, turns curly quotes
    into straight ones (a backtick stays: a name is shown as written) and every run of white space (no-break spaces included) into one
    space. Case and diacritics are kept. Returns ``""`` for empty or whitespace input.
    """
    if not text:
        return ""
    if _PLAIN.fullmatch(text):  # nothing for ftfy, markup, quotes or control characters to do
        return _WS.sub(" ", text[: MAX_INPUT_CHARS * 2]).strip()
    return _clean(text)


# Printable ASCII without "&", "<", ">", "`" and ":" (emoji shortcodes): what only the white
# space rule changes.
_PLAIN = re.compile(r"[ -%'-9;=?-_a-~]*")


def _clean(text: str) -> str:
    """:func:`clean` the long way (the fast path must give the same, see tests/test_text.py)."""
    text = strip_slack_markup(text[: MAX_INPUT_CHARS * 2])
    text = ftfy.fix_text(text, normalization="NFKC")
    text = _CONTROL.sub(" ", text)
    text = text.translate(_QUOTES)
    return _WS.sub(" ", text).strip()


_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
})


def fold(text: str) -> str:
    """Lower case without diacritics: ``"Ülbe Ĳburg"`` -> ``"ulbe ijburg"``.

    Uses NFKD and drops combining marks; ``ß`` becomes ``ss`` (casefold), the Dutch ``ĳ``
    ligature ``ij`` (NFKD).
    """
    if text.isascii():
        return text.lower()  # the same as below, for plain ASCII
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


@lru_cache(maxsize=NORMALIZED_CACHE)
def normalize(text: str) -> str:
    """The matching form of ``text``: cleaned, folded, punctuation as single spaces.

    Only ``a-z``, ``0-9`` and single spaces remain, e.g.
    ``"<@U1> Wat is de  \u201cdeadline\u201d?"`` -> ``"wat is de deadline"``. Apostrophes
    inside words are dropped rather than split on (``"'t"`` -> ``"t"``, ``"o'neill"`` ->
    ``"oneill"``). Input longer than :data:`MAX_INPUT_CHARS` is cut first. The last
    :data:`NORMALIZED_CACHE` results are kept: one message is normalised several times over
    (routing, the FAQ model's word and character features, the lookup), and ftfy's repair
    is the costliest step of matching.
    """
    text = fold(clean(text))[:MAX_INPUT_CHARS]
    text = text.replace("'", "")
    return _NON_WORD.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """``normalize(text).split()``: the words of ``text`` in matching form."""
    return normalize(text).split()


# Words that name no topic and no school: Dutch and English function words, question words,
# greetings, thanks and chat. A message of these alone ("nee", "waarom?", "thanks!") has no
# topic for the FAQ model to weigh; they also pick the school words out of a question and
# group logged questions.
STOP_WORDS = frozenset("""
aan al alle alleen als altijd ander andere ben bij da dan dat de deze die dit doe doen doet
door dus een eens en er even ga gaan gaat had heb hebben heeft het hier hij hoe hun ik
in is ja je jij jou jouw juist kan kun kunnen maar me meer men met mij mijn moet moeten na naar
nog nou nu of om omdat on ons onze ook op over precies te toch toe tot u uit uw van veel voor
wat we wel welk welke wij wil willen word worden wordt ze zij zijn zo zou zouden zich
eigenlijk graag eh ehm iemand iets weet weten zeg zeggen vraag vraagje kunt zal zullen mag
mogen allemaal iedereen
a about all also am an and any are as at be been but by can could did do does done for from
get got had has have how i if into it its me my of on or our please should so some than
that the their them then there these they this to us was we were what which will with
would you your just really exactly everyone
hoi hallo hey hee hai hi hello yo goedemorgen goedemiddag goedenavond morgen middag dag doei
bedankt dank danku dankjewel dankje thanks thank thx ty tnx top super mooi cool ok oke okay
prima groet groeten cheers bye fijn yes nee sorry help
no nope niet geen waarom wanneer wie waar hoezo why when who where
""".split())

# School names are analysed in bot/names.py (words, places, the identity key).
