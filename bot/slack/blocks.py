"""Block Kit messages, views and the Slack-only wording, built from the core's data.

Every builder returns plain dicts (``{"text": ..., "blocks": [...]}`` for a message, a view
dict for a modal or the App Home) that fit Slack's limits, declared below as constants:
long text is split over several sections, and what still does not fit is cut with a
visible marker, so Slack never rejects a reply (limits: api.slack.com/reference/block-kit,
also encoded in ``slack_sdk.models.blocks``).

Escaping (api.slack.com/reference/surfaces/formatting#escaping): every ``mrkdwn`` text is
escaped here, exactly ``&``, ``<`` and ``>``. User- and list-derived text is escaped whole,
so a typed ``<!channel>`` shows as text and pings nobody; knowledge-base text keeps only the
link tokens it writes (``<https://…|label>``, ``<mailto:…>``). ``plain_text`` objects
(button labels, titles, input values) are never parsed for mentions or links and carry
text as is.

Shared sentences come from :mod:`bot.render` (``T``, ``HELP``, ``lookup_text``, ...); the
Slack-only labels (buttons, modal, App Home) are in :data:`S`.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timezone, tzinfo
from typing import Any, Iterable

from ..consentlist import School
from ..core import Reply
from ..drafts import Draft, dutch_date
from ..faq import Answer
from ..knowledge import Entry, KnowledgeBase
from ..render import HELP, T, announce_text, list_line, lookup_text, school_label
from ..schools import Lookup
from ..store import Request

# -- Block Kit limits (characters unless said otherwise) -------------------------------------
SECTION_TEXT_MAX = 3000
"""Text of a section block."""
CONTEXT_TEXT_MAX = 3000
"""Text of one context element."""
MAX_BLOCKS = 50
"""Blocks in one message."""
MAX_VIEW_BLOCKS = 100
"""Blocks in a modal or the App Home."""
HEADER_TEXT_MAX = 150
"""Text of a header block."""
ACTIONS_ELEMENTS_MAX = 25
"""Elements in one actions block."""
BUTTON_TEXT_MAX = 75
"""Label of a button."""
BUTTON_VALUE_MAX = 2000
"""``value`` of a button."""
BUTTON_URL_MAX = 3000
"""``url`` of a button."""
MODAL_TITLE_MAX = 24
"""Title, submit and close labels of a modal."""
PRIVATE_METADATA_MAX = 3000
"""``private_metadata`` of a view."""
INPUT_MAX = 3000
"""``max_length`` of a plain-text input."""
MESSAGE_TEXT_MAX = 4000
"""Our cap for a message's top-level ``text`` (the notification fallback; Slack allows 40,000)."""
FALLBACK_TEXT_MAX = 300
"""Length of the notification text we send next to blocks."""

SUBJECT_MAX = 250
"""Longest subject accepted in the edit modal."""
EMAIL_MAX = 254
"""Longest e-mail address accepted in the edit modal (RFC 5321 path limit)."""

# Action and view ids, shared with the listeners.
A_SHOW_ENTRY = "show_entry"
A_FEEDBACK = "feedback"
A_PICK_SCHOOL = "pick_school"
A_DRAFT = "draft_request"
A_EDIT = "draft_edit"
A_POST = "draft_post"
A_MAILTO = "draft_mailto"
A_MARK = "draft_mark_sent"
V_EDIT = "draft_edit_modal"
B_TO, B_SUBJECT, B_BODY = "to", "subject", "body"

S = {
    "nl": {
        "up": "👍 Nuttig",
        "down": "👎 Niet nuttig",
        "thanks": "Bedankt voor je feedback!",
        "draft_button": "Verzoek opstellen",
        "edit": "Bewerken",
        "post": "Plaatsen in kanaal",
        "mail": "Openen in e-mail",
        "mail_short": "E-mail openen (zonder tekst)",
        "mail_long": "_De tekst is te lang voor een e-maillink: kopieer hem in je e-mail._",
        "to": "*Aan:* {to}",
        "no_to": "_Nog geen ontvanger: vul via *Bewerken* het e-mailadres van de applicatiebeheerder in._",
        "no_to_posted": "_Nog geen ontvanger: vul in je e-mail het adres van de applicatiebeheerder in._",
        "subject": "*Onderwerp:* {subject}",
        "modal_title": "Verzoek bewerken",
        "modal_submit": "Opslaan",
        "modal_close": "Annuleren",
        "label_to": "Aan (e-mailadres van de applicatiebeheerder)",
        "label_subject": "Onderwerp",
        "label_body": "Tekst",
        "hint_to": "Mag leeg blijven; dan vul je het adres in je e-mailprogramma in.",
        "bad_email": "Dat is geen geldig e-mailadres, bijvoorbeeld applicatiebeheer@school.nl.",
        "empty_subject": "Vul een onderwerp in.",
        "long_subject": "Het onderwerp mag hoogstens {n} tekens zijn.",
        "empty_body": "De tekst mag niet leeg zijn.",
        "posted_head": "📨 Verzoek aan de applicatiebeheerder van *{school}*, opgesteld door {name}. Wie verstuurt het?",
        "posted_ok": "✅ Geplaatst in dit kanaal.",
        "saved": "✅ Opgeslagen.",
        "not_in_channel": "Ik kan niet in dit kanaal posten. Nodig me eerst uit (`/invite @Magister-koppeling`), "
                          "of kopieer de tekst.",
        "error_slack": "Sorry, dat lukte niet door een storing bij Slack. Probeer het zo nog eens.",
        "error": "Sorry, er ging iets mis. Probeer het nog eens, of formuleer het anders.",
        "unknown": "Ik ken `{word}` niet als opdracht. Zo werkt het:",
        "shortened": "… _(ingekort: de tekst is te lang voor één bericht)_",
        "home_title": "Magister-koppeling bot",
        "home_list": "*Toestemmingslijst*",
        "slack_intro": "*Zo vraag je het mij in Slack*\n"
                       "• Noem mij in een kanaal: `@Magister-koppeling wat is de deadline?` Ik antwoord in de thread.\n"
                       "• Stuur mij een direct bericht.\n"
                       "• Of typ `/magister <vraag>`: dan ziet alleen jij het antwoord.\n"
                       "• `/magister school <naam>` zoekt een school op, `/magister verzoek <school>` stelt een verzoek op, "
                       "`/magister verzoeken` toont de open verzoeken, `/magister help` toont dit overzicht. "
                       "Engelse namen werken ook: `lookup`, `request`, `requests`, `help`.\n"
                       "• Beheerders: `/magister lijst vernieuwen` haalt de toestemmingslijst nu op, "
                       "`/magister lijst status` laat zien hoe ze ervoor staat.",
        "slack_outro": "Onder een antwoord staan 👍/👎: zo hoor ik of het hielp. Een verzoek kun je *bewerken*, "
                       "*in het kanaal plaatsen* zodat een collega het verstuurt, *in je e-mail openen* of "
                       "*als verstuurd markeren*. Ik houd verstuurde verzoeken bij: je krijgt een bericht zodra de school "
                       "op de lijst staat, en één herinnering als dat lang duurt.",
        "mark": "Markeer als verstuurd",
        "posted_tracked": "✅ Geplaatst in dit kanaal. Ik houd het verzoek bij en laat je weten wanneer *{school}* "
                          "toestemming geeft.",
        "marked_ok": "✅ Genoteerd als verstuurd. Ik laat je weten wanneer *{school}* toestemming geeft.",
        "posted_untracked": "✅ Geplaatst in dit kanaal. ⚠️ Sorry, ik kon het verzoek niet bijhouden door een "
                            "opslagprobleem.",
        "store_error": "Sorry, ik kan verzoeken nu niet bijhouden door een opslagprobleem. Vragen beantwoord ik "
                       "gewoon; probeer het later nog eens.",
        "already_open": "ℹ️ Er loopt al een verzoek voor *{school}*: {ref}. Ik heb niets geplaatst of genoteerd.",
        "already_mine": "ℹ️ Je verzoek voor *{school}* staat al genoteerd: {ref}.",
        "already_listed": "ℹ️ *{school}* staat al op de lijst: de school heeft Studyspace al toegang gegeven. "
                          "Ik heb niets genoteerd.",
        "draft_open": "ℹ️ Er loopt al een verzoek voor *{school}*: {ref}.",
        "ref_sent": "verstuurd op {date} door {user}",
        "ref_drafted": "opgesteld op {date} door {user}",
        "ref_in": " in {channel}",
        "ref_link": " (<{url}|bekijk het bericht>)",
        "someone": "een collega",
        "requests_head": "*Open verzoeken* ({n}, oudste eerst)",
        "requests_none": "Er zijn geen open verzoeken. Een verzoek komt op deze lijst zodra iemand het in een kanaal "
                         "plaatst of als verstuurd markeert.",
        "request_line": "• *{school}*: {state} {age}{by}{where}{reminded}",
        "by": " door {user}",
        "state_sent": "verstuurd",
        "state_drafted": "opgesteld",
        "reminded": " · ⏰ herinnerd",
        "age_today": "vandaag",
        "age_day": "gisteren",
        "age_days": "{d} dagen geleden",
        "granted_dm": "🎉 *{school}* heeft toestemming gegeven: de school staat nu op de lijst van scholen die "
                      "Studyspace toegang hebben gegeven. Je verzoek van {date} is afgesloten.",
        "reminder_dm": "⏰ Je verzoek aan *{school}* is op {date} verstuurd, {d} dagen geleden, en de school staat nog "
                       "niet op de lijst. Hieronder staat het verzoek, klaar om opnieuw te versturen. "
                       "Dit is de enige herinnering.",
        "admin_only": "Sorry, alleen beheerders kunnen de toestemmingslijst vernieuwen of de status ervan bekijken.",
        "admin_only_contact": "Sorry, alleen beheerders kunnen de toestemmingslijst vernieuwen of de status ervan "
                              "bekijken. Vraag het aan {contact}.",
        "home_requests": "*Jouw open verzoeken*",
        "home_no_requests": "Je hebt geen open verzoeken.",
        "home_requests_error": "_Je verzoeken kan ik nu niet tonen (opslagprobleem)._",
        "list_unavailable": "⚠️ De toestemmingslijst is nu niet beschikbaar, dus ik kan niet zeggen of *{query}* "
                            "Studyspace toegang heeft gegeven. Probeer het later nog eens.",
        "list_unavailable_why": "Reden: {error}. Een beheerder kan de lijst ophalen met `/magister lijst vernieuwen`.",
        "home_list_unavailable": "⚠️ Niet beschikbaar: er is nog geen goede lijst ({error}). Opzoekingen geven geen "
                                 "oordeel tot het ophalen lukt.",
        "draft_unverified": "⚠️ De toestemmingslijst is nu niet beschikbaar: ik kon niet nagaan of de school al op "
                            "de lijst staat.",
    },
    "en": {
        "up": "👍 Helpful",
        "down": "👎 Not helpful",
        "thanks": "Thanks for your feedback!",
        "draft_button": "Draft a request",
        "edit": "Edit",
        "post": "Post in channel",
        "mail": "Open in e-mail",
        "mail_short": "Open e-mail (without text)",
        "mail_long": "_The text is too long for an e-mail link: copy it into your e-mail._",
        "to": "*To:* {to}",
        "no_to": "_No recipient yet: add the applicatiebeheerder's e-mail address with *Edit*._",
        "no_to_posted": "_No recipient yet: add the applicatiebeheerder's address in your e-mail._",
        "subject": "*Subject:* {subject}",
        "modal_title": "Edit request",
        "modal_submit": "Save",
        "modal_close": "Cancel",
        "label_to": "To (the applicatiebeheerder's e-mail address)",
        "label_subject": "Subject",
        "label_body": "Text",
        "hint_to": "May stay empty; then fill in the address in your e-mail program.",
        "bad_email": "That is not a valid e-mail address, e.g. applicatiebeheer@school.nl.",
        "empty_subject": "Fill in a subject.",
        "long_subject": "The subject may be at most {n} characters.",
        "empty_body": "The text must not be empty.",
        "posted_head": "📨 Request to the applicatiebeheerder of *{school}*, drafted by {name}. Who sends it?",
        "posted_ok": "✅ Posted in this channel.",
        "saved": "✅ Saved.",
        "not_in_channel": "I can't post in this channel. Invite me first (`/invite @Magister-koppeling`), or copy the text.",
        "error_slack": "Sorry, that failed because of a problem at Slack. Please try again in a moment.",
        "error": "Sorry, something went wrong. Please try again, or phrase it differently.",
        "unknown": "I don't know `{word}` as a command. This is how it works:",
        "shortened": "… _(shortened: the text is too long for one message)_",
        "home_title": "Magister-koppeling bot",
        "home_list": "*Consent list*",
        "slack_intro": "*How to ask me in Slack*\n"
                       "• Mention me in a channel: `@Magister-koppeling what is the deadline?` I answer in the thread.\n"
                       "• Send me a direct message.\n"
                       "• Or type `/magister <question>`: only you see the answer.\n"
                       "• `/magister lookup <name>` looks a school up, `/magister request <school>` drafts a request, "
                       "`/magister requests` lists the open requests, `/magister help` shows this overview.\n"
                       "• Admins: `/magister list refresh` fetches the consent list now, `/magister list status` "
                       "shows how it stands.",
        "slack_outro": "Under an answer you find 👍/👎: that tells me whether it helped. A request can be *edited*, "
                       "*posted in the channel* so a colleague sends it, *opened in your e-mail* or *marked as sent*. "
                       "I keep track of sent requests: you hear from me when the school is on the list, and get one "
                       "reminder when that takes long.",
        "mark": "Mark as sent",
        "posted_tracked": "✅ Posted in this channel. I keep track of the request and let you know when *{school}* "
                          "grants consent.",
        "marked_ok": "✅ Marked as sent. I'll let you know when *{school}* grants consent.",
        "posted_untracked": "✅ Posted in this channel. ⚠️ Sorry, I could not keep track of the request because of a "
                            "storage problem.",
        "store_error": "Sorry, I can't keep track of requests right now because of a storage problem. I still answer "
                       "questions; please try again later.",
        "already_open": "ℹ️ There is already a request for *{school}*: {ref}. I posted and recorded nothing.",
        "already_mine": "ℹ️ Your request for *{school}* is already recorded: {ref}.",
        "already_listed": "ℹ️ *{school}* is already on the list: the school has granted Studyspace access. "
                          "I recorded nothing.",
        "draft_open": "ℹ️ There is already a request for *{school}*: {ref}.",
        "ref_sent": "sent on {date} by {user}",
        "ref_drafted": "drafted on {date} by {user}",
        "ref_in": " in {channel}",
        "ref_link": " (<{url}|see the message>)",
        "someone": "a colleague",
        "requests_head": "*Open requests* ({n}, oldest first)",
        "requests_none": "There are no open requests. A request is listed here once someone posts it in a channel or "
                         "marks it as sent.",
        "request_line": "• *{school}*: {state} {age}{by}{where}{reminded}",
        "by": " by {user}",
        "state_sent": "sent",
        "state_drafted": "drafted",
        "reminded": " · ⏰ reminded",
        "age_today": "today",
        "age_day": "yesterday",
        "age_days": "{d} days ago",
        "granted_dm": "🎉 *{school}* has granted consent: the school is now on the list of schools that granted "
                      "Studyspace access. Your request of {date} is closed.",
        "reminder_dm": "⏰ Your request to *{school}* was sent on {date}, {d} days ago, and the school is not on the "
                       "list yet. Below is the request, ready to send again. This is the only reminder.",
        "admin_only": "Sorry, only admins can refresh the consent list or see its status.",
        "admin_only_contact": "Sorry, only admins can refresh the consent list or see its status. Ask {contact}.",
        "home_requests": "*Your open requests*",
        "home_no_requests": "You have no open requests.",
        "home_requests_error": "_I can't show your requests right now (storage problem)._",
        "list_unavailable": "⚠️ The consent list is not available right now, so I can't tell whether *{query}* has "
                            "granted Studyspace access. Please try again later.",
        "list_unavailable_why": "Reason: {error}. An admin can fetch the list with `/magister list refresh`.",
        "home_list_unavailable": "⚠️ Not available: there is no good list yet ({error}). Lookups give no verdict "
                                 "until a fetch succeeds.",
        "draft_unverified": "⚠️ The consent list is not available right now: I could not check whether the school "
                            "is on it already.",
    },
}


# -- escaping --------------------------------------------------------------------------------
def escape(text: str) -> str:
    """Escape exactly ``&``, ``<`` and ``>`` for Slack ``mrkdwn`` (``&`` first)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# A link token our own code or the knowledge base writes: <https://x|label>, <mailto:a@b>.
_LINK = re.compile(r"<((?:https?://|mailto:)[^\s<>|]+)(?:\|([^<>]*))?>")


def escape_keep_links(text: str) -> str:
    """:func:`escape` ``text`` but keep its link tokens (their labels escaped).

    Only for trusted text (the knowledge base, settings): a user's text is escaped whole.
    ``"typ `/magister school <naam>`: <https://a.nl|A & B>"`` ->
    ``"typ `/magister school &lt;naam&gt;`: <https://a.nl|A &amp; B>"``.
    """
    out, pos = [], 0
    for m in _LINK.finditer(text):
        out.append(escape(text[pos:m.start()]))
        url, label = m.group(1), m.group(2)
        out.append(f"<{url}|{escape(label)}>" if label is not None else f"<{url}>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


_SLACK_REF = re.compile(r"^(?:<(?:#C[A-Z0-9]+|!subteam\^[A-Z0-9]+|@[UW][A-Z0-9]+)(?:\|[^<>]*)?>|[^<>])*$")


def contact_mrkdwn(contact: str) -> str:
    """``HELP_CONTACT`` as ``mrkdwn``: a channel (``<#C…>``), user group (``<!subteam^S…>``)
    or user (``<@U…>``) reference the operator wrote is kept; anything else is escaped."""
    if "<" in contact and _SLACK_REF.match(contact):
        return re.sub(r"&(?!amp;|lt;|gt;)", "&amp;", contact)
    return escape(contact)


# -- text fitting ----------------------------------------------------------------------------
def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with ``…`` when longer (for ``plain_text``)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_ATOMS = re.compile(r"<[^<>\n]*>|&(?:amp|lt|gt);")


def split_mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Split escaped ``mrkdwn`` into chunks of at most ``limit`` characters.

    Breaks at a blank line, else a line end, else a space, in the second half of a chunk;
    a text without any is cut hard. Never inside a link token or an entity (``&amp;``)
    shorter than ``limit``. Empty text gives ``[]``.
    """
    def inside(atoms: list[tuple[int, int]], i: int) -> int | None:
        """The start of the atom that position ``i`` falls inside, if any."""
        return next((a for a, b in atoms if a < i < b), None)

    chunks: list[str] = []
    text = text.strip()
    while len(text) > limit:
        atoms = [(m.start(), m.end()) for m in _ATOMS.finditer(text, 0, limit + 200)]
        cut = 0
        for sep in ("\n\n", "\n", " "):
            i = text.rfind(sep, limit // 2, limit)
            while i > 0 and inside(atoms, i) is not None:
                i = text.rfind(sep, limit // 2, i)
            if i > 0:
                cut = i
                break
        if not cut:
            cut = limit
            start = inside(atoms, cut)
            if start:
                cut = start
        chunks.append(text[:cut].rstrip())
        text = text[cut:].strip()
    if text:
        chunks.append(text)
    return chunks


def section(text: str) -> dict:
    """One section block; ``text`` is escaped ``mrkdwn`` of at most :data:`SECTION_TEXT_MAX`."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT_MAX]}}


def sections(text: str) -> list[dict]:
    """Escaped ``mrkdwn`` as as many section blocks as it needs."""
    return [section(chunk) for chunk in split_mrkdwn(text)]


def context(text: str) -> dict:
    """A context block with one ``mrkdwn`` element (escaped text)."""
    chunk = split_mrkdwn(text, CONTEXT_TEXT_MAX)
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": chunk[0] if chunk else " "}]}


def button(label: str, action_id: str, value: Any = None, *, url: str = "", style: str = "") -> dict:
    """A button; ``value`` (JSON-encoded unless ``str``) must fit :data:`BUTTON_VALUE_MAX`."""
    b: dict[str, Any] = {"type": "button", "action_id": action_id,
                         "text": {"type": "plain_text", "text": shorten(label, BUTTON_TEXT_MAX), "emoji": True}}
    if value is not None:
        v = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if len(v) > BUTTON_VALUE_MAX:
            raise ValueError(f"button value of {len(v)} characters (max {BUTTON_VALUE_MAX})")
        b["value"] = v
    if url:
        b["url"] = url
    if style:
        b["style"] = style
    return b


def actions(elements: list[dict], block_id: str = "") -> list[dict]:
    """Buttons as actions blocks of at most :data:`ACTIONS_ELEMENTS_MAX` (``[]`` for none)."""
    out = []
    for i in range(0, len(elements), ACTIONS_ELEMENTS_MAX):
        blk: dict[str, Any] = {"type": "actions", "elements": elements[i:i + ACTIONS_ELEMENTS_MAX]}
        if block_id:
            blk["block_id"] = f"{block_id}-{i}" if i else block_id
        out.append(blk)
    return out


def fit(blocks: list[dict], lang: str = "nl", limit: int = MAX_BLOCKS) -> list[dict]:
    """``blocks`` cut to ``limit`` with a visible "shortened" marker as the last block.

    The trailing action blocks (buttons) are kept: the text in between is what gets cut.
    """
    if len(blocks) <= limit:
        return blocks
    tail: list[dict] = []
    while blocks and blocks[-1]["type"] == "actions" and len(tail) < 3:
        tail.insert(0, blocks.pop())
    room = limit - len(tail) - 1
    return blocks[:room] + [context(S[_lang(lang)]["shortened"])] + tail


def message(blocks: list[dict], lang: str = "nl", text: str = "") -> dict:
    """``{"text", "blocks"}``: ``blocks`` fitted, ``text`` (escaped) the notification fallback,
    by default the first section's first line."""
    blocks = fit(blocks, lang)
    if not text:
        first = next((b["text"]["text"] for b in blocks if b["type"] == "section"), "")
        text = first.split("\n", 1)[0]
    if len(text) > FALLBACK_TEXT_MAX:
        cut = split_mrkdwn(text, FALLBACK_TEXT_MAX - 1)[0]
        text = cut + "…"
    return {"text": text[:MESSAGE_TEXT_MAX], "blocks": blocks}


def _lang(lang: str) -> str:
    return lang if lang in S else "nl"


def _value(**kw: Any) -> dict:
    """A button value: strings cut so the JSON fits :data:`BUTTON_VALUE_MAX` easily."""
    return {k: (v[:300] if isinstance(v, str) else v) for k, v in kw.items()}


# -- answers ---------------------------------------------------------------------------------
def entry_buttons(entries: Iterable[Entry], lang: str, question: str = "") -> list[dict]:
    """One "show this answer" button per entry (value: entry id, language, question)."""
    return [button(e.question[lang], f"{A_SHOW_ENTRY}:{i}", _value(e=e.id, l=lang, q=question))
            for i, e in enumerate(entries)]


def answer_blocks(a: Answer, kb: KnowledgeBase, help_contact: str = "", question: str = "",
                  question_id: int | None = None) -> list[dict]:
    """An FAQ answer: the entry's text, its sources and related questions, 👍/👎 (their values
    carry ``question_id``, the logged question, when there is one); or "bedoel je…?" with the
    suggestions as buttons; or "weet ik niet" with what the bot can answer (as buttons) and
    whom to ask."""
    lang = _lang(a.lang)
    t, s = T[lang], S[lang]
    if a.status == "answered" and a.entry:
        e = a.entry
        blocks = sections(escape_keep_links(e.answer_text(lang)))
        links = e.all_links()
        if links:
            items = " · ".join(f"<{ln.url}|{escape(ln.label[lang])}>" for ln in links)
            blocks.append(context(escape(t["links"]).format(items=items)))
        related = [kb.entry(r) for r in e.related if _has(kb, r)]
        if related:
            blocks.append(context(escape(t["related"].format(items="").strip())))
            blocks += actions(entry_buttons(related, lang, question), "related")
        vote = _value(e=e.id, l=lang, q=question, **({"i": question_id} if question_id else {}))
        blocks += actions([button(s["up"], f"{A_FEEDBACK}:up", vote),
                           button(s["down"], f"{A_FEEDBACK}:down", vote)],
                          "feedback")
        return blocks
    if a.status == "ambiguous":
        return sections(escape(t["ambiguous_q"])) + actions(entry_buttons(a.suggestions, lang, question), "suggestions")
    if a.reason in ("empty", "no_topic"):
        return sections(escape(t["no_topic"]))
    blocks = sections(escape(t["no_match"])) + actions(entry_buttons(kb.entries[:5], lang, question), "examples")
    if help_contact:
        blocks.append(context(escape(t["ask_colleague"]).format(contact=contact_mrkdwn(help_contact))))
    return blocks


def _has(kb: KnowledgeBase, entry_id: str) -> bool:
    try:
        kb.entry(entry_id)
    except KeyError:
        return False
    return True


# -- lookups ---------------------------------------------------------------------------------
def lookup_blocks(lk: Lookup, lang: str = "nl") -> list[dict]:
    """A lookup: the verdict (shared wording), buttons for the candidates or near misses,
    "Verzoek opstellen" when the school is not on the list, and the list's name and age.
    When the list is unavailable (no good copy of its source yet): no verdict, but that."""
    lang = _lang(lang)
    if lk.list_info and lk.list_info.get("unavailable"):
        return unavailable_blocks(lk.query, lk.list_info, lang)
    body = lookup_text(replace(lk, list_info=None), lang)  # the list line goes in a context block
    blocks = sections(escape(body))
    buttons: list[dict] = []
    if lk.status == "ambiguous" or (lk.status == "not_found" and lk.reason == "no_match"):
        buttons += school_buttons(lk.candidates, lang, lk.unlisted)
    if lk.status == "not_granted" and lk.match:
        buttons.append(button(S[lang]["draft_button"], A_DRAFT, _value(s=lk.match.name), style="primary"))
    elif lk.status == "not_found" and lk.reason in ("no_match", "host_not_listed") and lk.query.strip():
        buttons.append(button(S[lang]["draft_button"], A_DRAFT, _value(s=lk.query.strip()), style="primary"))
    blocks += actions(buttons, "lookup")
    line = list_line(lk.list_info, lang)
    if line:
        blocks.append(context(escape(line)))
    return blocks


def unavailable_blocks(query: str, info: dict, lang: str = "nl") -> list[dict]:
    """The reply to a lookup while the consent list is unavailable: no verdict, the reason,
    and how an admin gets the list."""
    s = S[_lang(lang)]
    blocks = sections(s["list_unavailable"].format(query=escape(query.strip() or "?")))
    blocks.append(context(escape(s["list_unavailable_why"].format(error=info.get("error") or "?"))))
    return blocks


def school_buttons(schools: Iterable[School], lang: str, unlisted: Iterable[int] = ()) -> list[dict]:
    """One button per school (value: its name and host, to find it on the list again; for a
    directory school that is not on the list, ``unlisted``, its name and place, to look it up)."""
    out = set(unlisted)
    return [button(school_label(c, i not in out, lang), f"{A_PICK_SCHOOL}:{i}",
                   _value(n=f"{c.name} {c.city}".strip() if i in out else c.name, h=c.host, l=lang))
            for i, c in enumerate(schools)]


# -- drafts ----------------------------------------------------------------------------------
def draft_blocks(d: Draft, *, draft_id: str, school_query: str, listed_as: str = "",
                 can_post: bool = True, can_mark: bool = True, notice: str = "") -> list[dict]:
    """A draft (ephemeral): who it is for, recipient, subject and text, and the buttons
    "Bewerken", "Plaatsen in kanaal" (when ``can_post``), "Openen in e-mail" and "Markeer
    als verstuurd" (when ``can_mark``). ``notice`` (escaped ``mrkdwn``, e.g. "there is an open
    request already") goes first."""
    t, s = T["nl"], S["nl"]
    blocks: list[dict] = sections(notice) if notice else []
    if listed_as:
        blocks += sections(escape(t["draft_listed"].format(name=listed_as)))
    blocks += sections(escape(t["draft_head"].format(school=d.school)))
    blocks += _draft_content(d)
    value = _value(id=draft_id, s=school_query)
    buttons = [button(s["edit"], A_EDIT, value, style="primary")]
    if can_post:
        buttons.append(button(s["post"], A_POST, value))
    mail, note = mail_button(d)
    buttons.append(mail)
    if can_mark:
        buttons.append(button(s["mark"], A_MARK, value))
    blocks += actions(buttons, "draft")
    if note:
        blocks.append(context(note))
    return blocks


def _draft_content(d: Draft, *, posted: bool = False) -> list[dict]:
    s = S["nl"]
    # a posted draft has no "Bewerken" button: its reader fills the address in their e-mail
    head = s["to"].format(to=escape(d.to)) if d.to else s["no_to_posted" if posted else "no_to"]
    return ([context(head)] + sections(s["subject"].format(subject=escape(d.subject)))
            + sections(escape(d.body)))


def mail_button(d: Draft, lang: str = "nl") -> tuple[dict, str]:
    """The "Openen in e-mail" button (a ``mailto:`` URL with subject and text) and a note
    (``""``); when the URL is too long for a button, one without the text and a note to copy it."""
    s = S[_lang(lang)]
    url = d.mailto()
    if len(url) <= BUTTON_URL_MAX:
        return button(s["mail"], A_MAILTO, url=url), ""
    short = Draft(subject=d.subject, body="", school=d.school, to=d.to).mailto()
    short = short.split("&body=")[0]
    if len(short) > BUTTON_URL_MAX:
        short = "mailto:" + short.split(":", 1)[1][: BUTTON_URL_MAX - 7].rsplit("%", 1)[0]
    return button(s["mail_short"], A_MAILTO, url=short), s["mail_long"]


def posted_draft_blocks(d: Draft, poster: str) -> list[dict]:
    """A draft as posted in a channel for a colleague to send (no edit buttons)."""
    s = S["nl"]
    blocks = sections(s["posted_head"].format(school=escape(d.school), name=escape(poster or "een collega")))
    blocks += _draft_content(d, posted=True)
    mail, note = mail_button(d)
    blocks += actions([mail], "posted")
    if note:
        blocks.append(context(note))
    return blocks


def edit_modal(d: Draft, metadata: dict) -> dict:
    """The "Verzoek bewerken" modal: recipient (optional), subject and text, prefilled."""
    s = S["nl"]
    meta = json.dumps(metadata, separators=(",", ":"))
    if len(meta) > PRIVATE_METADATA_MAX:
        raise ValueError("private_metadata too long")

    def field(block_id: str, label: str, value: str, *, multiline=False, optional=False, max_length=INPUT_MAX,
              hint: str = "") -> dict:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": block_id, "multiline": multiline,
                                   "max_length": max_length}
        if value:
            element["initial_value"] = value[:max_length]
        blk: dict[str, Any] = {"type": "input", "block_id": block_id, "optional": optional,
                               "label": {"type": "plain_text", "text": label}, "element": element}
        if hint:
            blk["hint"] = {"type": "plain_text", "text": hint}
        return blk

    return {
        "type": "modal",
        "callback_id": V_EDIT,
        "private_metadata": meta,
        "title": {"type": "plain_text", "text": shorten(s["modal_title"], MODAL_TITLE_MAX)},
        "submit": {"type": "plain_text", "text": shorten(s["modal_submit"], MODAL_TITLE_MAX)},
        "close": {"type": "plain_text", "text": shorten(s["modal_close"], MODAL_TITLE_MAX)},
        "blocks": [
            field(B_TO, s["label_to"], d.to, optional=True, max_length=EMAIL_MAX, hint=s["hint_to"]),
            field(B_SUBJECT, s["label_subject"], d.subject, max_length=SUBJECT_MAX),
            field(B_BODY, s["label_body"], d.body, multiline=True),
        ],
    }


_EMAIL = re.compile(r"^[^@\s<>,;:\"]+@[^@\s<>,;:\"]+\.[A-Za-z]{2,}$")


def validate_edit(values: dict[str, str], lang: str = "nl") -> tuple[dict[str, str], dict[str, str]]:
    """Check the modal's fields ``{to, subject, body}``: ``(cleaned, errors)``, ``errors``
    mapping a block id to a message (empty when all is well)."""
    s = S[_lang(lang)]
    to = (values.get(B_TO) or "").strip()
    subject = " ".join((values.get(B_SUBJECT) or "").split())
    body = (values.get(B_BODY) or "").replace("\r\n", "\n").strip()
    errors = {}
    if to and (len(to) > EMAIL_MAX or not _EMAIL.match(to)):
        errors[B_TO] = s["bad_email"]
    if not subject:
        errors[B_SUBJECT] = s["empty_subject"]
    elif len(subject) > SUBJECT_MAX:
        errors[B_SUBJECT] = s["long_subject"].format(n=SUBJECT_MAX)
    if not body:
        errors[B_BODY] = s["empty_body"]
    return {B_TO: to, B_SUBJECT: subject, B_BODY: body[:INPUT_MAX] + "\n"}, errors


# -- help, usage, App Home, notes --------------------------------------------------------------
def help_blocks(lang: str = "nl", unknown: str = "") -> list[dict]:
    """How to use the bot in Slack, with examples; ``unknown`` names a subcommand we do not know."""
    lang = _lang(lang)
    s = S[lang]
    blocks = sections(escape(s["unknown"].format(word=shorten(unknown, 40)))) if unknown else []
    blocks += sections(escape(s["slack_intro"])) + sections(escape(HELP[lang])) + [context(escape(s["slack_outro"]))]
    return blocks


def reply_blocks(reply: Reply, kb: KnowledgeBase, help_contact: str = "", question: str = "",
                 question_id: int | None = None) -> list[dict]:
    """Blocks for any :class:`~bot.core.Reply` except drafts (see :func:`draft_blocks`)."""
    lang = _lang(reply.lang)
    if reply.kind == "answer" and reply.answer:
        return answer_blocks(reply.answer, kb, help_contact, question, question_id)
    if reply.kind == "lookup" and reply.lookup:
        return lookup_blocks(reply.lookup, lang)
    if reply.kind == "usage":
        return sections(escape(T[lang]["usage_school" if reply.text == "school" else "usage_verzoek"]))
    return help_blocks(lang)


def note_message(key: str, lang: str = "nl", **fmt: str) -> dict:
    """A one-line message from :data:`S` (``thanks``, ``error``, ``not_in_channel``, …)."""
    text = S[_lang(lang)][key].format(**{k: escape(v) for k, v in fmt.items()}) if fmt else S[_lang(lang)][key]
    return message(sections(text), lang, text)


def home_view(info: dict | None, help_contact: str = "", lang: str = "nl",
              requests: list[Request] | None = None, now: datetime | None = None) -> dict:
    """The App Home: what the bot does, how to use it, the consent list's name, size and
    age (flagged when stale or after a failed refresh), and the user's own open ``requests``
    (``None``: they could not be read)."""
    lang = _lang(lang)
    s, t = S[lang], T[lang]
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": shorten(s["home_title"], HEADER_TEXT_MAX)}}]
    blocks += sections(escape(HELP[lang].split("\n", 1)[0]))
    blocks += sections(escape(s["slack_intro"]))
    blocks += sections(escape(HELP[lang].split("\n", 1)[1] if "\n" in HELP[lang] else ""))
    blocks.append({"type": "divider"})
    line = (s["home_list_unavailable"].format(error=info.get("error") or "?") if info and info.get("unavailable")
            else list_line(info, lang))
    blocks += sections(s["home_list"] + "\n" + escape(line))
    blocks.append({"type": "divider"})
    if requests is None:
        blocks += sections(s["home_requests"] + "\n" + s["home_requests_error"])
    elif not requests:
        blocks += sections(s["home_requests"] + "\n" + escape(s["home_no_requests"]))
    else:
        lines = [request_line(r, lang, now, by=False) for r in requests]
        blocks += sections(s["home_requests"] + "\n" + "\n".join(lines))
    blocks.append(context(escape(s["slack_outro"])))
    if help_contact:
        blocks.append(context(escape(t["ask_colleague"]).format(contact=contact_mrkdwn(help_contact))))
    return {"type": "home", "blocks": fit(blocks, lang, MAX_VIEW_BLOCKS)}


# -- requests, the consent list's news and admin replies ---------------------------------------
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_PERMALINK = re.compile(r"^https://[^\s<>|]+$")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def _dutch_time_zone() -> tzinfo:
    """Europe/Amsterdam, or UTC when this system has no time zone data."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Amsterdam")
    except Exception:  # no tz database on this system
        return timezone.utc


_NL_TZ = _dutch_time_zone()  # read once at import, not by the first listener that shows a date


def _local(dt: datetime) -> date:
    """The calendar date of ``dt`` in the Netherlands (UTC when the time zone data is missing)."""
    return dt.astimezone(_NL_TZ).date()


def date_text(dt: datetime, lang: str = "nl") -> str:
    """``"3 december 2026"`` / ``"3 December 2026"``."""
    d = _local(dt)
    return dutch_date(d) if _lang(lang) == "nl" else f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def user_ref(user: str, lang: str = "nl") -> str:
    """``<@U…>`` for a Slack user id, else a neutral word (never an unchecked token)."""
    return f"<@{user}>" if _USER_ID.match(user or "") else escape(S[_lang(lang)]["someone"])


def channel_ref(channel: str) -> str:
    """``<#C…>`` for a channel id; ``""`` for a DM or anything else."""
    return f"<#{channel}>" if _CHANNEL_ID.match(channel or "") else ""


def _age(r: Request, lang: str, now: datetime | None) -> str:
    s = S[_lang(lang)]
    d = int(r.age_days(now))
    return s["age_today"] if d == 0 else s["age_day"] if d == 1 else s["age_days"].format(d=d)


def request_ref(r: Request, lang: str = "nl", permalink: str = "") -> str:
    """Where an open request stands, as escaped ``mrkdwn``: "verstuurd op 3 december 2026
    door <@U…> in <#C…> (bekijk het bericht)"; the link only for a Slack permalink."""
    s = S[_lang(lang)]
    key = "ref_sent" if r.status == "sent" else "ref_drafted"
    text = s[key].format(date=escape(date_text(r.since, lang)), user=user_ref(r.requested_by, lang))
    where = channel_ref(r.channel)
    if where:
        text += s["ref_in"].format(channel=where)
    if permalink and _PERMALINK.match(permalink):
        text += s["ref_link"].format(url=permalink)
    return text


def request_line(r: Request, lang: str = "nl", now: datetime | None = None, *, by: bool = True) -> str:
    """One open request in a list: school, state, age, who (when ``by``), where, reminded."""
    s = S[_lang(lang)]
    where = channel_ref(r.channel)
    return s["request_line"].format(
        school=escape(r.school_name), state=s["state_sent" if r.status == "sent" else "state_drafted"],
        age=_age(r, lang, now), by=s["by"].format(user=user_ref(r.requested_by, lang)) if by else "",
        where=s["ref_in"].format(channel=where) if where else "", reminded=s["reminded"] if r.reminded_at else "")


def requests_blocks(requests: list[Request], lang: str = "nl", now: datetime | None = None) -> list[dict]:
    """``/magister verzoeken``: the open requests, oldest first, with their age (split over
    sections; past :data:`MAX_BLOCKS`, cut with the visible marker by :func:`message`)."""
    s = S[_lang(lang)]
    if not requests:
        return sections(escape(s["requests_none"]))
    lines = [s["requests_head"].format(n=len(requests))] + [request_line(r, lang, now) for r in requests]
    return sections("\n".join(lines))


def existing_request_text(key: str, r: Request, lang: str = "nl", permalink: str = "") -> str:
    """"There is already a request for X: sent on … by …" as escaped ``mrkdwn`` (``key``:
    ``already_open``, ``already_mine`` or ``draft_open``)."""
    s = S[_lang(lang)]
    return s[key].format(school=escape(r.school_name), ref=request_ref(r, lang, permalink))


def existing_request_blocks(key: str, r: Request, lang: str = "nl", permalink: str = "") -> list[dict]:
    """:func:`existing_request_text` as sections."""
    return sections(existing_request_text(key, r, lang, permalink))


def granted_blocks(r: Request, lang: str = "nl") -> list[dict]:
    """The DM to a requester: "Het Cals College heeft toestemming gegeven"."""
    s = S[_lang(lang)]
    return sections(s["granted_dm"].format(school=escape(r.school_name), date=date_text(r.since, lang)))


def reminder_blocks(r: Request, lang: str = "nl", now: datetime | None = None) -> list[dict]:
    """The head of the one reminder (the draft, ready to send again, follows it)."""
    s = S[_lang(lang)]
    return sections(s["reminder_dm"].format(school=escape(r.school_name), date=date_text(r.since, lang),
                                            d=int(r.age_days(now))))


def announce_messages(schools: Iterable[School], lang: str = "nl") -> list[dict]:
    """"Nieuw op de lijst: …" for ``ANNOUNCE_CHANNEL``: every name, escaped, split over
    sections and, past :data:`MAX_BLOCKS` sections, over several messages."""
    chunks = split_mrkdwn(escape(announce_text(tuple(schools), _lang(lang), limit=None)))
    return [message([section(c) for c in chunks[i:i + MAX_BLOCKS]], lang)
            for i in range(0, len(chunks), MAX_BLOCKS)]


def admin_only_blocks(lang: str = "nl", help_contact: str = "") -> list[dict]:
    """The polite refusal of an admin command."""
    s = S[_lang(lang)]
    if help_contact:
        return sections(escape(s["admin_only_contact"]).format(contact=contact_mrkdwn(help_contact)))
    return sections(escape(s["admin_only"]))


def text_blocks(text: str) -> list[dict]:
    """Plain text from :mod:`bot.render` (a refresh result, the list's status) as sections, escaped."""
    return sections(escape(text))
