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
from .schools import MAX_CHOICES, Lookup

T = {
    "nl": {
        "granted": "✅ *{name}*{place} staat op de lijst: de school heeft Studyspace toegang gegeven tot de Magister Public API{host}.",
        "host": " (Magister: {host})",
        "same_host": "Op dezelfde Magister-omgeving staan ook: {names}.",
        "place_unconfirmed": "Let op: de lijst noemt geen plaats bij deze school, dus of het de school in de plaats uit je vraag is, kan ik niet controleren.",
        "ambiguous": "Welke school bedoel je?",
        "not_found": "❌ *{query}* staat niet op de lijst van scholen die Studyspace toegang hebben gegeven. "
                     "Staat de school er onder een andere naam op? Zoek dan op de naam zoals Magister die toont, of op de Magister-host (`school.magister.net`).",
        "not_granted": "❌ *{name}*{place} staat niet op de lijst van scholen die Studyspace toegang hebben gegeven.",
        "not_granted_note": "De school staat wel in de scholenlijst van DUO: het is geen tikfout, ze heeft (nog) geen toegang gegeven.",
        "in_place": " in {city}",
        "unlisted": "niet op de lijst",
        "stale": " · ⚠️ mogelijk verouderd",
        "list_error": " · ⚠️ bijwerken mislukt, dit is de laatst goede lijst",
        "near": "Lijkt op: {names}.",
        "offer_draft": "Een verzoek aan de applicatiebeheerder van de school opstellen? Typ `verzoek {query}`.",
        "too_general": "*{query}* is te algemeen: dat past bij meer dan {n} scholen. Geef de naam van de school, eventueel met de plaats.",
        "no_name": "Daar kan ik geen schoolnaam in vinden. Typ bijvoorbeeld `school Cals College` of `school cals.magister.net`.",
        "host_not_listed": "❌ De Magister-omgeving *{query}* staat niet op de lijst van scholen die Studyspace toegang hebben gegeven.",
        "list": "_Lijst: {source} · {n} scholen · {age}{example}{directory}_",
        "directory": " · DUO-scholenlijst van {date}",
        "example": " · ⚠️ VOORBEELDLIJST, geen echte gegevens: stel CONSENT_LIST_URL of CONSENT_LIST_PATH in",
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
        "granted": "✅ *{name}*{place} is on the list: the school has granted Studyspace access to the Magister Public API{host}.",
        "host": " (Magister: {host})",
        "same_host": "The same Magister environment also serves: {names}.",
        "place_unconfirmed": "Note: the list gives no place for this school, so I can't check that it is the one in the place you named.",
        "ambiguous": "Which school do you mean?",
        "not_found": "❌ *{query}* is not on the list of schools that granted Studyspace access. "
                     "Is it listed under another name? Search for the name as Magister shows it, or for its Magister host (`school.magister.net`).",
        "not_granted": "❌ *{name}*{place} is not on the list of schools that granted Studyspace access.",
        "not_granted_note": "The school is in DUO's school directory: it is no typo, it has not granted access (yet).",
        "in_place": " in {city}",
        "unlisted": "not on the list",
        "stale": " · ⚠️ possibly out of date",
        "list_error": " · ⚠️ refresh failed, this is the last good list",
        "near": "Similar: {names}.",
        "offer_draft": "Draft a request to the school's applicatiebeheerder? Type `request {query}`.",
        "too_general": "*{query}* is too general: it fits more than {n} schools. Give the school's name, and its town if you like.",
        "no_name": "I can't find a school name in that. Type e.g. `school Cals College` or `school cals.magister.net`.",
        "host_not_listed": "❌ The Magister environment *{query}* is not on the list of schools that granted Studyspace access.",
        "list": "_List: {source} · {n} schools · {age}{example}{directory}_",
        "directory": " · DUO school list of {date}",
        "example": " · ⚠️ EXAMPLE LIST, not real data: set CONSENT_LIST_URL or CONSENT_LIST_PATH",
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
    """One line saying which list a lookup used, its size and age (and that it is an example,
    stale, or the last good copy after a failed refresh)."""
    if not info:
        return ""
    t = T[lang]
    warnings = (t["example"] if info.get("example") else "") + (t["stale"] if info.get("stale") else "") \
        + (t["list_error"] if info.get("error") else "")
    name = info.get("name") or info["source"]  # what the list is called, never a directory of the server
    d = info.get("directory") or {}
    when = (d.get("as_of") or "")[:10]
    directory = t["directory"].format(date=_date(when, lang)) if when else ""
    return t["list"].format(source=name, n=info["schools"], age=age_text(info["age_days"], lang), example=warnings,
                            directory=directory)


def _date(iso: str, lang: str) -> str:
    """``"2024-11-22"`` -> ``"22-11-2024"`` (Dutch) or as is (English)."""
    y, _, rest = iso.partition("-")
    m, _, d = rest.partition("-")
    return f"{d}-{m}-{y}" if lang == "nl" and d else iso


def school_label(s: School, listed: bool = True, lang: str = "nl") -> str:
    """``"Cals College (Nieuwegein, cals.magister.net)"``: name with what tells it apart; a
    directory school that is not on the list says so (``listed=False``)."""
    extra = ", ".join(x for x in (s.city, s.host, "" if listed else T[lang]["unlisted"]) if x)
    return f"{s.name} ({extra})" if extra else s.name


def _in_place(s: School, lang: str) -> str:
    """``" in Leiden"``; ``""`` when the place is unknown or already in the name."""
    return T[lang]["in_place"].format(city=s.city) if s.city and s.city.lower() not in s.name.lower() else ""


def lookup_text(lk: Lookup, lang: str = "nl") -> str:
    """The lookup's verdict as text, ending with the list line."""
    t = T[lang]
    lines: list[str] = []
    q = lk.query.strip()
    if lk.status == "granted" and lk.match:
        lines.append(t["granted"].format(name=lk.match.name, place=_in_place(lk.match, lang),
                                         host=t["host"].format(host=lk.match.host) if lk.match.host else ""))
        same = [c.name for c in lk.candidates if c.host and c.host == lk.match.host]
        if same:
            lines.append(t["same_host"].format(names=", ".join(same[:5])))
        if lk.reason == "place_unconfirmed" and not lk.match.city:
            lines.append(t["place_unconfirmed"])
    elif lk.status == "ambiguous":
        lines.append(t["ambiguous"])
        lines.extend(f"{i}. {school_label(c, lk.is_listed(i - 1), lang)}" for i, c in enumerate(lk.candidates, 1))
    elif lk.status == "not_granted" and lk.match:
        m = lk.match
        place = _in_place(m, lang) + (f" (BRIN {m.brin})" if m.brin else "")
        lines.append(t["not_granted"].format(name=m.name, place=place))
        lines.append(t["not_granted_note"])
        named = m.name if not m.city or m.city.lower() in m.name.lower() else f"{m.name} {m.city}"
        lines.append(t["offer_draft"].format(query=named))
    elif lk.reason == "too_general":
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


# -- the consent list's source and the school directory (admin commands, announcements) ---
LIST_T = {
    "nl": {
        "updated": "✅ Lijst bijgewerkt: {n} scholen ({added} nieuw, {removed} verdwenen).",
        "first": "✅ Lijst opgehaald: {n} scholen.",
        "unchanged": "✅ Lijst ongewijzigd: {n} scholen, {age}.",
        "refused": "⚠️ Nieuwe lijst geweigerd: {error}\nDe huidige lijst blijft in gebruik ({n} scholen, {age}).",
        "failed": "⚠️ Lijst niet opgehaald: {error}\nDe huidige lijst blijft in gebruik ({n} scholen, {age}).",
        "no_source": "Geen bron ingesteld: de bot gebruikt de voorbeeldlijst. Stel CONSENT_LIST_URL of CONSENT_LIST_PATH in.",
        "warning": "⚠️ {error}",
        "added": "Nieuw: {names}",
        "removed": "Verdwenen: {names}",
        "renamed": "Hernoemd: {names}",
        "skipped": "{n} rijen overgeslagen:",
        "more": "… en nog {n}",
        "announce": "Nieuw op de lijst: {names}",
        "and": " en ",
        "s_source": "Bron: {source} ({kind})",
        "kinds": {"url": "URL", "path": "bestand", "sample": "voorbeeldlijst"},
        "s_in_use": "In gebruik: {line}",
        "s_fetched": "Opgehaald of bevestigd: {at}",
        "s_checked": "Laatste controle: {at} ({result})",
        "s_checked_never": "Laatste controle: nog niet",
        "s_error": "Laatste fout: {error} ({at})",
        "s_no_error": "Laatste fout: geen",
        "s_skipped": "Rijen overgeslagen in deze lijst: {n}",
        "s_cache": "Laatst goede kopie: {path}",
        "results": {"updated": "bijgewerkt", "unchanged": "ongewijzigd", "refused": "geweigerd", "failed": "mislukt",
                    "no_source": "geen bron"},
        "diff_head": "{old} ({n_old} scholen) → {new} ({n_new} scholen): {added} nieuw, {removed} verdwenen, "
                     "{changed} gewijzigd, {renamed} hernoemd, {kept} gebleven.",
        "import": "{n} vestigingen gelezen uit {file}: {added} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd. "
                  "De scholenlijst ({total} vestigingen) staat in {path}.",
        "links_head": "Koppelingen van {list} ({n} scholen) met de scholenlijst {directory} ({locations} vestigingen): "
                      "{exact} exact, {strong} sterk, {weak} zwak, {none} niet gekoppeld.",
        "links_none_directory": "Er is geen scholenlijst (DIRECTORY_PATH is leeg): niets te koppelen.",
        "kinds_link": {"exact": "exact", "strong": "sterk", "weak": "zwak", "none": "geen"},
        "unclear": "onduidelijk, past bij: {names}",
        "not_found_link": "geen school in de scholenlijst gevonden",
        "links_fix": "Een koppeling verbeteren: zet een regel in {path} (kolommen name, host, vestigingscodes; "
                     "lege vestigingscodes: nooit koppelen).",
        "evidence": {"code": "vestigingscode van de lijst", "host": "Magister-host in de scholenlijst",
                     "override": "handmatig", "name": "naam", "name_part": "naam deels",
                     "initials": "afkorting", "host_website": "host = website", "name_website": "naam = website",
                     "place": "plaats", "siblings": "zelfde bestuur als andere namen op de host",
                     "unique": "enige school met deze naam"},
        "update_updated": "✅ Scholenlijst bijgewerkt uit {source}: {n} vestigingen ({added} nieuw, {removed} verdwenen).",
        "update_unchanged": "✅ Scholenlijst ongewijzigd: {n} vestigingen, van {date}.",
        "update_refused": "⚠️ Nieuwe scholenlijst geweigerd: {error}\nDe huidige blijft in gebruik ({n} vestigingen, van {date}).",
        "update_failed": "⚠️ Scholenlijst niet opgehaald: {error}\nDe huidige blijft in gebruik ({n} vestigingen, van {date}).",
    },
    "en": {
        "updated": "✅ List updated: {n} schools ({added} new, {removed} gone).",
        "first": "✅ List fetched: {n} schools.",
        "unchanged": "✅ List unchanged: {n} schools, {age}.",
        "refused": "⚠️ New list refused: {error}\nThe current list stays in use ({n} schools, {age}).",
        "failed": "⚠️ List not fetched: {error}\nThe current list stays in use ({n} schools, {age}).",
        "no_source": "No source set: the bot uses the example list. Set CONSENT_LIST_URL or CONSENT_LIST_PATH.",
        "warning": "⚠️ {error}",
        "added": "New: {names}",
        "removed": "Gone: {names}",
        "renamed": "Renamed: {names}",
        "skipped": "{n} rows skipped:",
        "more": "… and {n} more",
        "announce": "New on the list: {names}",
        "and": " and ",
        "s_source": "Source: {source} ({kind})",
        "kinds": {"url": "URL", "path": "file", "sample": "example list"},
        "s_in_use": "In use: {line}",
        "s_fetched": "Fetched or confirmed: {at}",
        "s_checked": "Last check: {at} ({result})",
        "s_checked_never": "Last check: not yet",
        "s_error": "Last error: {error} ({at})",
        "s_no_error": "Last error: none",
        "s_skipped": "Rows skipped in this list: {n}",
        "s_cache": "Last good copy: {path}",
        "results": {"updated": "updated", "unchanged": "unchanged", "refused": "refused", "failed": "failed",
                    "no_source": "no source"},
        "diff_head": "{old} ({n_old} schools) → {new} ({n_new} schools): {added} new, {removed} gone, "
                     "{changed} changed, {renamed} renamed, {kept} kept.",
        "import": "{n} locations read from {file}: {added} new, {updated} updated, {unchanged} unchanged. "
                  "The school directory ({total} locations) is in {path}.",
        "links_head": "Links of {list} ({n} schools) to the school directory {directory} ({locations} locations): "
                      "{exact} exact, {strong} strong, {weak} weak, {none} not linked.",
        "links_none_directory": "There is no school directory (DIRECTORY_PATH is empty): nothing to link.",
        "kinds_link": {"exact": "exact", "strong": "strong", "weak": "weak", "none": "none"},
        "unclear": "unclear, fits: {names}",
        "not_found_link": "no school found in the directory",
        "links_fix": "To correct a link: add a row to {path} (columns name, host, vestigingscodes; empty "
                     "vestigingscodes: never link).",
        "evidence": {"code": "the list's vestigingscode", "host": "Magister host in the directory",
                     "override": "by hand", "name": "name", "name_part": "part of the name",
                     "initials": "initials", "host_website": "host = website", "name_website": "name = website",
                     "place": "place", "siblings": "same board as other names on the host",
                     "unique": "the only school of this name"},
        "update_updated": "✅ School directory updated from {source}: {n} locations ({added} new, {removed} gone).",
        "update_unchanged": "✅ School directory unchanged: {n} locations, of {date}.",
        "update_refused": "⚠️ New school directory refused: {error}\nThe current one stays in use ({n} locations, of {date}).",
        "update_failed": "⚠️ School directory not fetched: {error}\nThe current one stays in use ({n} locations, of {date}).",
    },
}


def _names(schools, lang: str, limit: int | None = 20) -> str:
    """``"A (Nieuwegein), B en C"``; past ``limit`` names, "… en nog N"."""
    t = LIST_T[lang]
    labels = [f"{s.name} ({s.city})" if s.city else s.name for s in schools]
    if limit is not None and len(labels) > limit:
        return ", ".join(labels[:limit]) + " " + t["more"].format(n=len(labels) - limit)
    return t["and"].join([", ".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else "".join(labels)


def _lines(head: str, items, lang: str, limit: int | None) -> list[str]:
    items = list(items)
    shown = items if limit is None else items[:limit]
    out = [head] + [f"  {x}" for x in shown]
    if len(items) > len(shown):
        out.append("  " + LIST_T[lang]["more"].format(n=len(items) - len(shown)))
    return out


def announce_text(schools, lang: str = "nl", limit: int | None = 20) -> str:
    """``"Nieuw op de lijst: Cals College (Nieuwegein) en Vossius Gymnasium"`` (at most
    ``limit`` names, then "… en nog N"; ``None``: all)."""
    return LIST_T[lang]["announce"].format(names=_names(schools, lang, limit))


def refresh_text(result, lang: str = "nl", limit: int | None = 20) -> str:
    """A :class:`~bot.consent_source.RefreshResult` as text: what happened, what changed, the
    rows skipped (at most ``limit`` of each; ``None``: all)."""
    t = LIST_T[lang]
    c = result.consent
    age = age_text(c.age_days(), lang)
    if result.status == "updated":
        key = "updated" if result.same_source else "first"
        lines = [t[key].format(n=len(c.schools), added=len(result.added), removed=len(result.removed))]
        if result.same_source and result.added:
            lines.append(t["added"].format(names=_names(result.added, lang, limit)))
        if result.same_source and result.removed:
            lines.append(t["removed"].format(names=_names(result.removed, lang, limit)))
        if result.same_source and result.renamed:
            lines.append(t["renamed"].format(names=", ".join(f"{a.name} → {b.name}" for a, b in result.renamed)))
        if result.error:
            lines.append(t["warning"].format(error=result.error))
    elif result.status in ("refused", "failed"):
        lines = [t[result.status].format(error=result.error, n=len(c.schools), age=age)]
    elif result.status == "unchanged":
        lines = [t["unchanged"].format(n=len(c.schools), age=age)]
    else:
        lines = [t["no_source"]]
    if result.faults:
        lines += _lines(t["skipped"].format(n=len(result.faults)), result.faults, lang, limit)
    return "\n".join(lines)


def status_text(status: dict, lang: str = "nl") -> str:
    """:meth:`~bot.consent_source.ConsentSource.status` as text."""
    t = LIST_T[lang]
    info = status["list"]
    lines = [t["s_source"].format(source=status["source"], kind=t["kinds"].get(status["kind"], status["kind"])),
             t["s_in_use"].format(line=list_line(info, lang).strip("_"))]
    if info.get("as_of"):
        lines.append(t["s_fetched"].format(at=info["as_of"]))
    if status.get("checked_at"):
        lines.append(t["s_checked"].format(at=status["checked_at"],
                                           result=t["results"].get(status.get("result"), status.get("result"))))
    else:
        lines.append(t["s_checked_never"])
    if status.get("last_error"):
        lines.append(t["s_error"].format(error=status["last_error"], at=status.get("last_error_at") or "?"))
    elif info.get("error"):
        lines.append(t["s_error"].format(error=info["error"], at="?"))
    else:
        lines.append(t["s_no_error"])
    if status.get("rows_skipped"):
        lines.append(t["s_skipped"].format(n=status["rows_skipped"]))
    if status.get("cache"):
        lines.append(t["s_cache"].format(path=status["cache"]))
    return "\n".join(lines)


def diff_text(old, new, changes, lang: str = "nl") -> str:
    """Two lists compared (:func:`bot.consentlist.diff`): counts, then every school added and removed."""
    t = LIST_T[lang]
    lines = [t["diff_head"].format(old=old.source, n_old=len(old.schools), new=new.source, n_new=len(new.schools),
                                   added=len(changes.added), removed=len(changes.removed),
                                   renamed=len(changes.renamed), changed=len(changes.changed), kept=changes.kept)]
    lines += [f"+ {school_label(s)}" for s in changes.added]
    lines += [f"- {school_label(s)}" for s in changes.removed]
    lines += [f"~ {school_label(a)} → {school_label(b)}" for a, b in changes.changed]
    lines += [f"= {school_label(a)} → {school_label(b)}" for a, b in changes.renamed]
    for cl in (old, new):
        if cl.faults:
            lines += _lines(f"{cl.source}: " + t["skipped"].format(n=len(cl.faults)), cl.faults, lang, None)
    return "\n".join(lines)


def import_text(read, merged, path, lang: str = "nl") -> str:
    """A ``schools import``: what was read and merged (a :class:`~bot.directory.ImportResult`
    and :class:`~bot.directory.MergeResult`), then every row skipped."""
    t = LIST_T[lang]
    lines = [t["import"].format(n=len(read.schools), file=read.source, added=merged.added, updated=merged.updated,
                                unchanged=merged.unchanged, total=len(merged.directory), path=path)]
    if read.faults:
        lines += _lines(t["skipped"].format(n=len(read.faults)), read.faults, lang, None)
    return "\n".join(lines)


def _duo_label(g) -> str:
    """A directory school for ``consent links``: ``"Cals College (Nieuwegein, 00VY00)"``."""
    codes = ", ".join(g.codes[:3]) + (" …" if len(g.codes) > 3 else "")
    return f"{g.shown} ({', '.join(x for x in (g.city, codes) if x)})"


def links_text(consent, directory, links, path, *, unlinked_only: bool = False, lang: str = "nl") -> str:
    """``consent links``: a count of the links by kind, then one line per entry (only the
    unlinked with ``unlinked_only``): kind, the list's name and host, the directory school(s)
    it stands for, the evidence; an unlinked entry the schools it fits equally, or that none
    was found. Ends with how to correct a link (``path``: the overrides file)."""
    t = LIST_T[lang]
    if directory is None or not len(directory):
        return t["links_none_directory"]
    groups = directory.groups()
    counts = links.counts()
    when = ((directory.info().get("as_of") or "")[:10])
    lines = [t["links_head"].format(list=consent.name or consent.source, n=len(consent.schools),
                                    directory=_date(when, lang) if when else directory.source,
                                    locations=len(directory), **counts)]
    marks = {"exact": "✓", "strong": "✓", "weak": "~", "none": "?"}
    for lk in links.links:
        if unlinked_only and lk.linked:
            continue
        s = consent.schools[lk.entry]
        kind = lk.kind.value if lk.kind else "none"
        head = f"{marks[kind]} {t['kinds_link'][kind]:6} {school_label(s)}"
        if lk.linked:
            evidence = ", ".join(t["evidence"].get(e.value, e.value) for e in lk.evidence)
            shown = "; ".join(_duo_label(groups[g]) for g in lk.groups[:4]) + (
                f" {t['more'].format(n=len(lk.groups) - 4)}" if len(lk.groups) > 4 else "")
            lines.append(f"{head} → {shown} · {evidence}")
        elif lk.candidates:
            names = "; ".join(_duo_label(groups[g]) for g in lk.candidates[:4]) + (
                f" {t['more'].format(n=len(lk.candidates) - 4)}" if len(lk.candidates) > 4 else "")
            lines.append(f"{head} · {t['unclear'].format(names=names)}")
        else:
            lines.append(f"{head} · {t['not_found_link']}")
    lines.append(t["links_fix"].format(path=path))
    return "\n".join(lines)


def update_text(result, lang: str = "nl") -> str:
    """``schools update``: a :class:`~bot.directory.UpdateResult` as one or two lines."""
    t = LIST_T[lang]
    d = result.directory
    when = (d.info().get("as_of") or "")[:10]
    return t[f"update_{result.status}"].format(source=d.source, n=len(d), added=result.added, removed=result.removed,
                                              error=result.error, date=_date(when, lang) if when else "?")
