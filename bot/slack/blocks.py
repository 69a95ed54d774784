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

Every sentence comes from :mod:`bot.wording` (``REPLIES``, ``HELP``, ``CHAT``); a reply's
buttons are the :class:`~bot.replies.Action` objects the conversation offers, drawn here
(:func:`reply_messages` renders any :class:`~bot.replies.Reply`).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any, Iterable

from ..consentlist import School
from ..conversation import A_MAILTO, EMAIL_MAX, SUBJECT_MAX, validate_edit as _validate
from ..drafts import Draft
from ..knowledge import KnowledgeBase
from ..render import (age_of, announce_text, date_text, list_line, lookup_text, review_draft_lines, review_head,
                      review_item_lines)
from ..replies import Action, KnowledgeForm, Reply
from ..store import Request
from ..wording import CHAT as S, HELP, REPLIES as T, REVIEW as R

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
SELECT_OPTIONS_MAX = 100
"""Options in a select menu."""
OPTION_TEXT_MAX = 75
"""Text of a select menu's option."""
OPTION_VALUE_MAX = 150
"""``value`` of a select menu's option."""
PLACEHOLDER_MAX = 150
"""Placeholder of a select menu."""
MESSAGE_TEXT_MAX = 4000
"""Our cap for a message's top-level ``text`` (the notification fallback; Slack allows 40,000)."""
FALLBACK_TEXT_MAX = 300
"""Length of the notification text we send next to blocks."""

# The edit modal's view and block ids (the action ids are the conversation's).
V_EDIT = "draft_edit_modal"
B_TO, B_SUBJECT, B_BODY = "to", "subject", "body"
# The knowledge form's view and block ids (the fields of bot.replies.KnowledgeForm).
V_KNOWLEDGE = "knowledge_form_modal"
KNOWLEDGE_FIELDS = ("q_nl", "a_nl", "q_en", "a_en")



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


def select(a: Action) -> dict:
    """An action with options as a select menu (``a.label`` its placeholder): the first
    :data:`SELECT_OPTIONS_MAX` options, each sending back its value as JSON. Raises
    ``ValueError`` for an option value longer than :data:`OPTION_VALUE_MAX`."""
    options = []
    for o in a.options[:SELECT_OPTIONS_MAX]:
        v = json.dumps(dict(o.value), ensure_ascii=False, separators=(",", ":"))
        if len(v) > OPTION_VALUE_MAX:
            raise ValueError(f"option value of {len(v)} characters (max {OPTION_VALUE_MAX})")
        options.append({"text": {"type": "plain_text", "text": shorten(o.label, OPTION_TEXT_MAX), "emoji": True},
                        "value": v})
    return {"type": "static_select", "action_id": a.id, "options": options,
            "placeholder": {"type": "plain_text", "text": shorten(a.label, PLACEHOLDER_MAX), "emoji": True}}


def buttons(acts: Iterable[Action], draft: Draft | None = None) -> list[dict]:
    """The conversation's actions as buttons (an action with options as a select menu); a
    ``draft_mailto`` link fits :data:`BUTTON_URL_MAX` (:func:`mail_button`) when ``draft`` is given."""
    out = []
    for a in acts:
        if a.options:
            out.append(select(a))
        elif a.id == A_MAILTO and draft is not None:
            out.append(mail_button(draft)[0])
        else:
            out.append(button(a.label, a.id, dict(a.value) if a.value else None, url=a.url, style=a.style))
    return out


# -- answers ---------------------------------------------------------------------------------
def answer_blocks(reply: Reply, kb: KnowledgeBase, help_contact: str = "") -> list[dict]:
    """An FAQ answer: the entry's text, its sources and related questions, 👍/👎; or "bedoel
    je…?" with the suggestions as buttons; or "weet ik niet" with what the bot can answer (as
    buttons) and whom to ask."""
    a = reply.answer
    assert a is not None
    lang = _lang(a.lang)
    t = T[lang]
    if a.status == "answered" and a.entry:
        e = a.entry
        blocks = sections(escape_keep_links(e.answer_text(lang)))
        links = e.all_links()
        if links:
            items = " · ".join(f"<{ln.url}|{escape(ln.label[lang])}>" for ln in links)
            blocks.append(context(escape(t["links"]).format(items=items)))
        related = reply.actions_in("related")
        if related:
            blocks.append(context(escape(t["related"].format(items="").strip())))
            blocks += actions(buttons(related), "related")
        blocks += actions(buttons(reply.actions_in("feedback")), "feedback")
        return blocks
    if a.status == "ambiguous":
        return sections(escape(t["ambiguous_q"])) + actions(buttons(reply.actions_in("suggestions")), "suggestions")
    if a.reason in ("empty", "no_topic"):
        return sections(escape(t["no_topic"]))
    blocks = sections(escape(t["no_match"])) + actions(buttons(reply.actions_in("examples")), "examples")
    if help_contact:
        blocks.append(context(escape(t["ask_colleague"]).format(contact=contact_mrkdwn(help_contact))))
    return blocks


# -- lookups ---------------------------------------------------------------------------------
def lookup_blocks(reply: Reply) -> list[dict]:
    """A lookup: the verdict (shared wording), buttons for the candidates or near misses and
    "Verzoek opstellen", and the list's name and age. When the list is unavailable (no good
    copy of its source yet): no verdict, but that."""
    lk = reply.lookup
    assert lk is not None
    lang = _lang(reply.lang)
    if lk.list_info and lk.list_info.get("unavailable"):
        return unavailable_blocks(lk.query, lk.list_info, lang)
    body = lookup_text(replace(lk, list_info=None), lang)  # the list line goes in a context block
    blocks = sections(escape(body))
    blocks += actions(buttons(reply.actions_in("lookup")), "lookup")
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


# -- drafts ----------------------------------------------------------------------------------
def draft_blocks(reply: Reply) -> list[dict]:
    """A draft (ephemeral): a notice first (a request for the school is open already, the list
    could not be checked), who it is for, recipient, subject and text, and its buttons
    ("Bewerken", "Plaatsen in kanaal", "Openen in e-mail", "Markeer als verstuurd", as offered)."""
    d = reply.draft
    assert d is not None
    t = T["nl"]
    notice = existing_request_text("draft_open", reply.existing) if reply.existing else ""
    if reply.unverified:
        notice = "\n".join(x for x in (S["nl"]["draft_unverified"], notice) if x)
    blocks: list[dict] = sections(notice) if notice else []
    if reply.listed_as:
        blocks += sections(escape(t["draft_listed"].format(name=reply.listed_as)))
    blocks += sections(escape(t["draft_head"].format(school=d.school)))
    blocks += _draft_content(d)
    blocks += actions(buttons(reply.actions_in("draft"), d), "draft")
    note = mail_button(d)[1]
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


def posted_draft_blocks(reply: Reply) -> list[dict]:
    """A draft as posted in a channel for a colleague to send (no edit buttons)."""
    d = reply.draft
    assert d is not None
    s = S["nl"]
    blocks = sections(s["posted_head"].format(school=escape(d.school), name=escape(reply.poster or s["someone"])))
    blocks += _draft_content(d, posted=True)
    blocks += actions(buttons(reply.actions_in("posted"), d), "posted")
    note = mail_button(d)[1]
    if note:
        blocks.append(context(note))
    return blocks


def input_block(block_id: str, label: str, value: str, *, multiline: bool = False, optional: bool = False,
                max_length: int = INPUT_MAX, hint: str = "") -> dict:
    """A modal's ``plain_text_input`` block, its ``action_id`` the ``block_id``, prefilled with
    ``value`` (cut to ``max_length`` characters), with an optional ``hint``."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": block_id, "multiline": multiline,
                               "max_length": max_length}
    if value:
        element["initial_value"] = value[:max_length]
    blk: dict[str, Any] = {"type": "input", "block_id": block_id, "optional": optional,
                           "label": {"type": "plain_text", "text": label}, "element": element}
    if hint:
        blk["hint"] = {"type": "plain_text", "text": hint}
    return blk


def edit_modal(d: Draft, metadata: dict) -> dict:
    """The "Verzoek bewerken" modal: recipient (optional), subject and text, prefilled."""
    s = S["nl"]
    meta = json.dumps(metadata, separators=(",", ":"))
    if len(meta) > PRIVATE_METADATA_MAX:
        raise ValueError("private_metadata too long")

    return {
        "type": "modal",
        "callback_id": V_EDIT,
        "private_metadata": meta,
        "title": {"type": "plain_text", "text": shorten(s["modal_title"], MODAL_TITLE_MAX)},
        "submit": {"type": "plain_text", "text": shorten(s["modal_submit"], MODAL_TITLE_MAX)},
        "close": {"type": "plain_text", "text": shorten(s["modal_close"], MODAL_TITLE_MAX)},
        "blocks": [
            input_block(B_TO, s["label_to"], d.to, optional=True, max_length=EMAIL_MAX, hint=s["hint_to"]),
            input_block(B_SUBJECT, s["label_subject"], d.subject, max_length=SUBJECT_MAX),
            input_block(B_BODY, s["label_body"], d.body, multiline=True),
        ],
    }


def validate_edit(values: dict[str, str], lang: str = "nl") -> tuple[dict[str, str], dict[str, str]]:
    """Check the modal's fields ``{to, subject, body}`` (block ids :data:`B_TO`,
    :data:`B_SUBJECT`, :data:`B_BODY`): :func:`bot.conversation.validate_edit`, whose
    ``errors`` map a block id to a message (empty when all is well)."""
    return _validate(values, lang)


# -- help, usage, App Home, notes --------------------------------------------------------------
def help_blocks(lang: str = "nl", unknown: str = "") -> list[dict]:
    """How to use the bot in Slack, with examples; ``unknown`` names a subcommand we do not know."""
    lang = _lang(lang)
    s = S[lang]
    blocks = sections(escape(s["unknown"].format(word=shorten(unknown, 40)))) if unknown else []
    blocks += sections(escape(s["slack_intro"])) + sections(escape(HELP[lang])) + [context(escape(s["slack_outro"]))]
    return blocks


def reply_messages(reply: Reply, kb: KnowledgeBase, help_contact: str = "") -> list[dict]:
    """Any :class:`~bot.replies.Reply` as Slack messages (``{"text", "blocks"}``): one, or
    several for an announcement too long for one."""
    lang = _lang(reply.lang)
    kind = reply.kind
    if kind == "announce":
        return announce_messages(reply.schools, lang)
    if kind == "answer" and reply.answer:
        return [message(answer_blocks(reply, kb, help_contact), lang)]
    if kind == "lookup" and reply.lookup:
        return [message(lookup_blocks(reply), lang)]
    if kind == "draft" and reply.draft:
        return [message(draft_blocks(reply))]
    if kind == "reminder" and reply.draft and reply.request:
        return [message(reminder_blocks(reply.request, lang, reply.now) + draft_blocks(reply), lang)]
    if kind == "posted_draft" and reply.draft:
        return [message(posted_draft_blocks(reply))]
    if kind == "usage":
        return [message(sections(escape(T[lang]["usage_school" if reply.text == "school" else "usage_verzoek"])))]
    if kind == "note":
        return [note_message(reply.key, lang, **reply.fmt)]
    if kind == "existing" and reply.request:
        return [message(existing_request_blocks(reply.key, reply.request, lang, reply.permalink))]
    if kind == "requests":
        return [message(requests_blocks(list(reply.requests), lang, reply.now), lang)]
    if kind == "admin_only":
        return [message(admin_only_blocks(lang, help_contact), lang)]
    if kind == "text":
        return [message(text_blocks(reply.text), lang)]
    if kind == "granted" and reply.request:
        return [message(granted_blocks(reply.request, lang), lang)]
    if kind == "review" and reply.review:
        return [message(review_blocks(reply, kb, MAX_BLOCKS), lang, escape(R[lang]["home_head"]))]
    if kind == "review_note":
        text = R[lang][reply.key].format(**{k: escape(str(v)) for k, v in reply.fmt.items()})
        return [message(sections(text), lang, text)]
    return [message(help_blocks(lang, unknown=reply.unknown), lang)]


def note_message(key: str, lang: str = "nl", **fmt: str) -> dict:
    """A one-line message from :data:`S` (``thanks``, ``error``, ``not_in_channel``, …)."""
    text = S[_lang(lang)][key].format(**{k: escape(v) for k, v in fmt.items()}) if fmt else S[_lang(lang)][key]
    return message(sections(text), lang, text)


def home_view(info: dict | None, help_contact: str = "", lang: str = "nl",
              requests: list[Request] | None = None, now: datetime | None = None,
              review: Reply | None = None, kb: KnowledgeBase | None = None) -> dict:
    """The App Home: what the bot does, how to use it, the consent list's name, size and
    age (flagged when stale or after a failed refresh), the user's own open ``requests``
    (``None``: they could not be read), and for an admin the ``review`` (a ``review`` or
    ``review_note`` reply, its entries from ``kb``) in the blocks left of :data:`MAX_VIEW_BLOCKS`."""
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
    tail = [context(escape(s["slack_outro"]))]
    if help_contact:
        tail.append(context(escape(t["ask_colleague"]).format(contact=contact_mrkdwn(help_contact))))
    if review is not None and kb is not None:
        room = MAX_VIEW_BLOCKS - len(blocks) - len(tail) - 2
        blocks += [{"type": "divider"},
                   {"type": "header", "text": {"type": "plain_text", "text": shorten(R[lang]["home_head"],
                                                                                     HEADER_TEXT_MAX)}}]
        if review.kind == "review" and review.review:
            blocks += review_blocks(review, kb, room)
        else:
            blocks += reply_messages(review, kb)[0]["blocks"][:room]
    return {"type": "home", "blocks": fit(blocks + tail, lang, MAX_VIEW_BLOCKS)}


# -- the admins' review ----------------------------------------------------------------------
def review_blocks(reply: Reply, kb: KnowledgeBase, limit: int = MAX_BLOCKS) -> list[dict]:
    """The review (:class:`~bot.replies.ReviewDigest`) in at most ``limit`` blocks: the
    head, each item (what it is, its example questions, a 👎's answer) with its row of
    actions ("Toevoegen aan…" as a select menu of entries, "Nieuwe vraag", "Negeren"), then
    the drafts, each with "Publiceren". Items and drafts that do not fit are counted in a
    closing note."""
    digest = reply.review
    assert digest is not None
    lang = _lang(reply.lang)
    w = R[lang]
    head = sections(review_head(digest, lang))
    drafts = review_draft_lines(digest, lang, escape)
    publish = reply.actions_in("drafts")
    draft_blocks = ([section(drafts[0])] + [dict(section(line), accessory=buttons([a])[0])
                                            for line, a in zip(drafts[1:], publish)]) if drafts else []
    budget = limit - 1  # the closing note
    reserve = min(len(draft_blocks), 3)  # a few drafts always show
    blocks, left = list(head), len(digest.items) + digest.more
    for i, item in enumerate(digest.items):
        item_blocks = [section("\n".join(review_item_lines(item, kb, lang, escape))[:SECTION_TEXT_MAX])]
        item_blocks += actions(buttons(reply.actions_in(f"review:{i}")), f"review-{i}")
        if len(blocks) + len(item_blocks) > budget - reserve:
            break
        blocks += item_blocks
        left -= 1
    shown = draft_blocks[:max(budget - len(blocks), 0)]
    blocks += shown
    if left:
        blocks.append(context(escape(w["more_items"].format(n=left))))
    elif len(shown) < len(draft_blocks):
        blocks.append(context(S[lang]["shortened"]))
    return blocks[:limit]


def knowledge_modal(form: KnowledgeForm, metadata: dict, lang: str = "nl") -> dict:
    """The "Nieuwe vraag" / "Concept publiceren" modal: question and answer in Dutch
    (required) and English (optional for a new draft, required to publish one), prefilled."""
    w = R[_lang(lang)]
    meta = json.dumps(metadata, separators=(",", ":"))
    if len(meta) > PRIVATE_METADATA_MAX:
        raise ValueError("private_metadata too long")
    publishing = bool(form.entry_id)

    intro = w["form_intro_publish"].format(id=escape(form.entry_id)) if publishing else w["form_intro"]
    return {
        "type": "modal",
        "callback_id": V_KNOWLEDGE,
        "private_metadata": meta,
        "title": {"type": "plain_text", "text": shorten(w["form_title_publish" if publishing else "form_title"],
                                                       MODAL_TITLE_MAX)},
        "submit": {"type": "plain_text", "text": shorten(w["form_submit_publish" if publishing else "form_submit"],
                                                        MODAL_TITLE_MAX)},
        "close": {"type": "plain_text", "text": shorten(w["form_close"], MODAL_TITLE_MAX)},
        "blocks": [
            context(intro),
            input_block("q_nl", w["label_q_nl"], form.question_nl),
            input_block("a_nl", w["label_a_nl"], form.answer_nl, multiline=True),
            input_block("q_en", w["label_q_en"], form.question_en, optional=not publishing,
                        hint="" if publishing else w["hint_en"]),
            input_block("a_en", w["label_a_en"], form.answer_en, multiline=True, optional=not publishing,
                        hint="" if publishing else w["hint_en"]),
        ],
    }


# -- requests, the consent list's news and admin replies ---------------------------------------
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_PERMALINK = re.compile(r"^https://[^\s<>|]+$")
def user_ref(user: str, lang: str = "nl") -> str:
    """``<@U…>`` for a Slack user id, else a neutral word (never an unchecked token)."""
    return f"<@{user}>" if _USER_ID.match(user or "") else escape(S[_lang(lang)]["someone"])


def channel_ref(channel: str) -> str:
    """``<#C…>`` for a channel id; ``""`` for a DM or anything else."""
    return f"<#{channel}>" if _CHANNEL_ID.match(channel or "") else ""


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
        age=age_of(r, lang, now), by=s["by"].format(user=user_ref(r.requested_by, lang)) if by else "",
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
