"""Replies as text: the wording every front end shares (console, CLI, Slack's fallback text).

All user-facing sentences live here, Dutch first, English where the user wrote English.
The text uses Slack mrkdwn (``*bold*``); the console shows it as is. Nothing here escapes
for Slack: the Slack adapter escapes user- and list-derived strings itself.
"""
from __future__ import annotations

from .consentlist import School
from .core import Reply
from .faq import Answer
from .knowledge import KnowledgeBase
from .schools import Lookup

T = {
    "nl": {
        "granted": "✅ *{name}* staat op de lijst: de school heeft Studyspace toegang gegeven tot de Magister Public API{host}.",
        "host": " (Magister: {host})",
        "same_host": "Op dezelfde Magister-omgeving staan ook: {names}.",
        "ambiguous": "Welke school bedoel je?",
        "not_found": "❌ *{query}* staat niet op de lijst van scholen die Studyspace toegang hebben gegeven. "
                     "Staat de school er onder een andere naam op? Zoek dan op de naam zoals Magister die toont, of op de Magister-host (`school.magister.net`).",
        "not_granted": "❌ *{name}*{place} staat niet op de lijst van scholen die Studyspace toegang hebben gegeven.",
        "near": "Lijkt op: {names}.",
        "offer_draft": "Een verzoek aan de applicatiebeheerder van de school opstellen? Typ `verzoek {query}`.",
        "too_general": "*{query}* is te algemeen: dat past bij meer dan {n} scholen. Geef de naam van de school, eventueel met de plaats.",
        "no_name": "Daar kan ik geen schoolnaam in vinden. Typ bijvoorbeeld `school Cals College` of `school cals.magister.net`.",
        "host_not_listed": "❌ De Magister-omgeving *{query}* staat niet op de lijst van scholen die Studyspace toegang hebben gegeven.",
        "list": "_Lijst: {source} · {n} scholen · {age}{example}_",
        "example": " · ⚠️ VOORBEELDLIJST, geen echte gegevens: stel CONSENT_LIST_PATH in",
        "age_unknown": "leeftijd onbekend",
        "age_today": "bijgewerkt vandaag",
        "age_days": "bijgewerkt {d} dagen geleden",
        "age_day": "bijgewerkt gisteren",
        "ambiguous_q": "Bedoel je een van deze vragen?",
        "no_match": "Dat weet ik niet. Ik beantwoord vragen over de Magister koppeling van Studyspace, bijvoorbeeld:",
        "no_topic": "Waarmee kan ik helpen? Stel een vraag over de Magister koppeling, of typ `help`.",
        "ask_colleague": "Kom je er niet uit? Vraag het aan {contact}.",
        "related": "Zie ook: {items}",
        "links": "Bronnen: {items}",
        "draft_listed": "ℹ️ *{name}* staat al op de lijst: een verzoek is waarschijnlijk niet nodig.",
        "draft_head": "Concept-verzoek aan de applicatiebeheerder van *{school}*:",
        "usage_school": "Welke school? Typ `school <naam>`, bijvoorbeeld `school Cals College`.",
        "usage_verzoek": "Voor welke school? Typ `verzoek <naam>`, bijvoorbeeld `verzoek Vossius Gymnasium`.",
    },
    "en": {
        "granted": "✅ *{name}* is on the list: the school has granted Studyspace access to the Magister Public API{host}.",
        "host": " (Magister: {host})",
        "same_host": "The same Magister environment also serves: {names}.",
        "ambiguous": "Which school do you mean?",
        "not_found": "❌ *{query}* is not on the list of schools that granted Studyspace access. "
                     "Is it listed under another name? Search for the name as Magister shows it, or for its Magister host (`school.magister.net`).",
        "not_granted": "❌ *{name}*{place} is not on the list of schools that granted Studyspace access.",
        "near": "Similar: {names}.",
        "offer_draft": "Draft a request to the school's applicatiebeheerder? Type `request {query}`.",
        "too_general": "*{query}* is too general: it fits more than {n} schools. Give the school's name, and its town if you like.",
        "no_name": "I can't find a school name in that. Type e.g. `school Cals College` or `school cals.magister.net`.",
        "host_not_listed": "❌ The Magister environment *{query}* is not on the list of schools that granted Studyspace access.",
        "list": "_List: {source} · {n} schools · {age}{example}_",
        "example": " · ⚠️ EXAMPLE LIST, not real data: set CONSENT_LIST_PATH",
        "age_unknown": "age unknown",
        "age_today": "updated today",
        "age_days": "updated {d} days ago",
        "age_day": "updated yesterday",
        "ambiguous_q": "Do you mean one of these questions?",
        "no_match": "I don't know that. I answer questions about Studyspace's Magister connection, for example:",
        "no_topic": "How can I help? Ask a question about the Magister connection, or type `help`.",
        "ask_colleague": "Still stuck? Ask {contact}.",
        "related": "See also: {items}",
        "links": "Sources: {items}",
        "draft_listed": "ℹ️ *{name}* is already on the list: a request is probably not needed.",
        "draft_head": "Draft request to the applicatiebeheerder of *{school}*:",
        "usage_school": "Which school? Type `school <name>`, e.g. `school Cals College`.",
        "usage_verzoek": "For which school? Type `request <name>`, e.g. `request Vossius Gymnasium`.",
    },
}

HELP = {
    "nl": """Ik beantwoord vragen over de Magister koppeling van Studyspace.
• Stel een vraag, bijvoorbeeld: _Wat is de deadline?_ of _Is Studyspace geaccrediteerd?_
• `school <naam>`: heeft een school Studyspace toegang gegeven? Bijvoorbeeld `school Cals College` of `school cals.magister.net`.
• Of vraag het gewoon: _Heeft het Cals College al toestemming gegeven?_
• `verzoek <school>`: een concept-verzoek aan de applicatiebeheerder van de school.
• `help`: dit overzicht.""",
    "en": """I answer questions about Studyspace's Magister connection.
• Ask a question, e.g. _What is the deadline?_ or _Is Studyspace accredited?_
• `school <name>` (or `lookup <name>`): has a school granted Studyspace access? E.g. `school Cals College`.
• Or just ask: _Has Cals College granted consent?_
• `request <school>`: a draft request to the school's applicatiebeheerder.
• `help`: this overview.""",
}


def age_text(days: float | None, lang: str) -> str:
    """``3.2`` -> ``"bijgewerkt 3 dagen geleden"`` (or English)."""
    t = T[lang]
    if days is None:
        return t["age_unknown"]
    d = int(days)
    return t["age_today"] if d == 0 else t["age_day"] if d == 1 else t["age_days"].format(d=d)


def list_line(info: dict | None, lang: str) -> str:
    """One line saying which list a lookup used, its size and age (and that it is an example)."""
    if not info:
        return ""
    t = T[lang]
    return t["list"].format(source=info["source"], n=info["schools"], age=age_text(info["age_days"], lang),
                            example=t["example"] if info.get("example") else "")


def school_label(s: School) -> str:
    """``"Cals College (Nieuwegein, cals.magister.net)"``: name with what tells it apart."""
    extra = ", ".join(x for x in (s.city, s.host) if x)
    return f"{s.name} ({extra})" if extra else s.name


def lookup_text(lk: Lookup, lang: str = "nl") -> str:
    """The lookup's verdict as text, ending with the list line."""
    t = T[lang]
    lines: list[str] = []
    q = lk.query.strip()
    if lk.status == "granted" and lk.match:
        lines.append(t["granted"].format(name=lk.match.name, host=t["host"].format(host=lk.match.host) if lk.match.host else ""))
        same = [c.name for c in lk.candidates if c.host and c.host == lk.match.host]
        if same:
            lines.append(t["same_host"].format(names=", ".join(same[:5])))
    elif lk.status == "ambiguous":
        lines.append(t["ambiguous"])
        lines.extend(f"{i}. {school_label(c)}" for i, c in enumerate(lk.candidates, 1))
    elif lk.status == "not_granted" and lk.match:
        place = f" ({', '.join(x for x in (lk.match.city, lk.match.vestigingscode or lk.match.brin) if x)})"
        lines.append(t["not_granted"].format(name=lk.match.name, place=place if place != " ()" else ""))
        lines.append(t["offer_draft"].format(query=lk.match.name))
    elif lk.reason == "too_general":
        from .schools import MAX_CHOICES

        lines.append(t["too_general"].format(query=q, n=MAX_CHOICES))
    elif lk.reason == "no_name":
        lines.append(t["no_name"])
    elif lk.reason == "host_not_listed":
        lines.append(t["host_not_listed"].format(query=q))
        lines.append(t["offer_draft"].format(query=q))
    else:
        lines.append(t["not_found"].format(query=q))
        if lk.candidates:
            lines.append(t["near"].format(names=", ".join(school_label(c) for c in lk.candidates[:5])))
        lines.append(t["offer_draft"].format(query=q))
    lines.append(list_line(lk.list_info, lang))
    return "\n".join(x for x in lines if x)


def answer_text(a: Answer, kb: KnowledgeBase, help_contact: str = "") -> str:
    """An FAQ answer as text: the entry with its links and related questions, the
    suggestions of an ambiguous question, or an honest "weet ik niet" with a route onward."""
    t = T[a.lang]
    if a.status == "answered" and a.entry:
        e = a.entry
        lines = [e.answer_text(a.lang)]
        links = e.all_links()
        if links:
            lines.append(t["links"].format(items=" · ".join(f"<{ln.url}|{ln.label[a.lang]}>" for ln in links)))
        if e.related:
            lines.append(t["related"].format(items=" · ".join(f"_{kb.entry(r).question[a.lang]}_" for r in e.related)))
        return "\n".join(lines)
    if a.status == "ambiguous":
        return "\n".join([t["ambiguous_q"]] + [f"{i}. {e.question[a.lang]}" for i, e in enumerate(a.suggestions, 1)])
    if a.reason in ("empty", "no_topic"):
        return t["no_topic"]
    lines = [t["no_match"]] + [f"• {e.question[a.lang]}" for e in kb.entries[:5]]
    if help_contact:
        lines.append(t["ask_colleague"].format(contact=help_contact))
    return "\n".join(lines)


def draft_text(reply: Reply) -> str:
    """A draft as text: a note when the school is already listed, subject and body."""
    d = reply.draft
    assert d is not None
    t = T["nl"]
    lines = []
    lk = reply.lookup
    if lk and lk.status == "granted" and lk.match:
        lines.append(t["draft_listed"].format(name=lk.match.name))
    lines += [t["draft_head"].format(school=d.school), "", f"Onderwerp: {d.subject}", "", d.body]
    return "\n".join(lines)


def reply_text(reply: Reply, kb: KnowledgeBase, help_contact: str = "") -> str:
    """Any :class:`Reply` as text."""
    lang = reply.lang if reply.lang in T else "nl"
    if reply.kind == "answer" and reply.answer:
        return answer_text(reply.answer, kb, help_contact)
    if reply.kind == "lookup" and reply.lookup:
        return lookup_text(reply.lookup, lang)
    if reply.kind == "draft" and reply.draft:
        return draft_text(reply)
    if reply.kind == "usage":
        return T[lang]["usage_school" if reply.text == "school" else "usage_verzoek"]
    return HELP[lang]
