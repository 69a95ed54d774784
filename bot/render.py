"""Replies as text, from the sentences of :mod:`bot.wording`: the console, the command line,
the test backend, and Slack's shared parts (a lookup's verdict, a refresh's report).

The text uses Slack mrkdwn (``*bold*``); the console shows it as is. Nothing here escapes
for Slack: the Slack adapter escapes user- and list-derived strings itself.
"""
from __future__ import annotations

from datetime import date, datetime, timezone, tzinfo
from typing import Any

from .consentlist import ConsentList, School
from .replies import Reply, ReviewDigest, ReviewItem
from .faq import Answer
from .knowledge import KnowledgeBase
from .schools import MAX_CHOICES, Lookup
from .store import Request
from .wording import CHAT, HELP, LIST, MONTHS, REPLIES, REVIEW, ROWS



def age_text(days: float | None, lang: str) -> str:
    """``3.2`` -> ``"bijgewerkt 3 dagen geleden"`` (or English)."""
    t = REPLIES[lang]
    if days is None:
        return t["age_unknown"]
    d = int(days)
    return t["age_today"] if d == 0 else t["age_day"] if d == 1 else t["age_days"].format(d=d)


def list_line(info: dict | None, lang: str) -> str:
    """One line saying which list a lookup used, its size and age (and that it is an example,
    stale, or the last good copy after a failed refresh)."""
    if not info:
        return ""
    t = REPLIES[lang]
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
    extra = ", ".join(x for x in (s.city, s.host, "" if listed else REPLIES[lang]["unlisted"]) if x)
    return f"{s.name} ({extra})" if extra else s.name


def _in_place(s: School, lang: str) -> str:
    """``" in Leiden"``; ``""`` when the place is unknown or already in the name."""
    return REPLIES[lang]["in_place"].format(city=s.city) if s.city and s.city.lower() not in s.name.lower() else ""


def lookup_text(lk: Lookup, lang: str = "nl") -> str:
    """The lookup's verdict as text, ending with the list line."""
    t = REPLIES[lang]
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
    t = REPLIES[a.lang]
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
    """A draft as text: a note when the school is already listed (or the list could not be
    checked, or a request is open), subject and body."""
    d = reply.draft
    assert d is not None
    t = REPLIES["nl"]
    lines = []
    if reply.unverified:
        lines.append(CHAT["nl"]["draft_unverified"])
    if reply.existing:
        lines.append(existing_text("draft_open", reply.existing))
    if reply.listed_as:
        lines.append(t["draft_listed"].format(name=reply.listed_as))
    if d.to:
        lines.append(t["draft_to"].format(to=d.to))
    lines += [t["draft_head"].format(school=d.school), "", t["draft_subject"].format(subject=d.subject), "", d.body]
    return "\n".join(lines)


def _dutch_time_zone() -> tzinfo:
    """Europe/Amsterdam, or UTC when this system has no time zone data."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Amsterdam")
    except Exception:  # no tz database on this system
        return timezone.utc


_NL_TZ = _dutch_time_zone()  # read once at import, not by the first message that shows a date


def _local(dt: datetime) -> date:
    """The calendar date of ``dt`` in the Netherlands (UTC when the time zone data is missing)."""
    return dt.astimezone(_NL_TZ).date()


def date_text(dt: datetime, lang: str = "nl") -> str:
    """``"3 december 2026"`` / ``"3 December 2026"`` (the date in the Netherlands)."""
    d = _local(dt)
    return f"{d.day} {MONTHS[_lang(lang)][d.month - 1]} {d.year}"


def _lang(lang: str) -> str:
    return lang if lang in REPLIES else "nl"


def age_of(r: Request, lang: str, now: datetime | None) -> str:
    """How old a request is: "vandaag", "gisteren", "12 dagen geleden"."""
    s = CHAT[_lang(lang)]
    d = int(r.age_days(now))
    return s["age_today"] if d == 0 else s["age_day"] if d == 1 else s["age_days"].format(d=d)


def ref_text(r: Request, lang: str = "nl") -> str:
    """Where an open request stands: "verstuurd op 3 december 2026 door anne in #team"."""
    s = CHAT[_lang(lang)]
    text = s["ref_sent" if r.status == "sent" else "ref_drafted"].format(
        date=date_text(r.since, lang), user=r.requested_by or s["someone"])
    return text + (s["ref_in"].format(channel=r.channel) if r.channel else "")


def existing_text(key: str, r: Request, lang: str = "nl") -> str:
    """"Er loopt al een verzoek voor X: verstuurd op …" (``key``: ``already_open``,
    ``already_mine`` or ``draft_open``)."""
    return CHAT[_lang(lang)][key].format(school=r.school_name, ref=ref_text(r, lang))


def requests_text(requests, lang: str = "nl", now: datetime | None = None) -> str:
    """The open requests, oldest first, with their age; or that there are none."""
    s = CHAT[_lang(lang)]
    if not requests:
        return s["requests_none"]
    lines = [s["requests_head"].format(n=len(requests))]
    for r in requests:
        lines.append(s["request_line"].format(
            school=r.school_name, state=s["state_sent" if r.status == "sent" else "state_drafted"],
            age=age_of(r, lang, now), by=s["by"].format(user=r.requested_by or s["someone"]),
            where=s["ref_in"].format(channel=r.channel) if r.channel else "",
            reminded=s["reminded"] if r.reminded_at else ""))
    return "\n".join(lines)


def reply_text(reply: Reply, kb: KnowledgeBase, help_contact: str = "") -> str:
    """Any :class:`~bot.replies.Reply` as text (the actions it offers are not included)."""
    lang = _lang(reply.lang)
    s = CHAT[lang]
    kind = reply.kind
    if kind == "answer" and reply.answer:
        return answer_text(reply.answer, kb, help_contact)
    if kind == "lookup" and reply.lookup:
        info = reply.lookup.list_info or {}
        if info.get("unavailable"):
            return "\n".join([s["list_unavailable"].format(query=reply.lookup.query.strip() or "?"),
                              s["list_unavailable_why"].format(error=info.get("error") or "?")])
        return lookup_text(reply.lookup, lang)
    if kind == "draft" and reply.draft:
        return draft_text(reply)
    if kind == "reminder" and reply.draft and reply.request:
        r = reply.request
        head = s["reminder_dm"].format(school=r.school_name, date=date_text(r.since, lang), d=int(r.age_days(reply.now)))
        return head + "\n\n" + draft_text(reply)
    if kind == "posted_draft" and reply.draft:
        d = reply.draft
        return "\n".join([CHAT["nl"]["posted_head"].format(school=d.school, name=reply.poster or CHAT["nl"]["someone"]),
                          "", REPLIES["nl"]["draft_subject"].format(subject=d.subject), "", d.body])
    if kind == "usage":
        return REPLIES[lang]["usage_school" if reply.text == "school" else "usage_verzoek"]
    if kind == "note":
        return s[reply.key].format(**reply.fmt) if reply.fmt else s[reply.key]
    if kind == "existing" and reply.request:
        link = f" {reply.permalink}" if reply.permalink else ""
        return existing_text(reply.key, reply.request, lang) + link
    if kind == "requests":
        return requests_text(reply.requests, lang, reply.now)
    if kind == "admin_only":
        return s["admin_only_contact"].format(contact=help_contact) if help_contact else s["admin_only"]
    if kind == "text":
        return reply.text
    if kind == "granted" and reply.request:
        return s["granted_dm"].format(school=reply.request.school_name, date=date_text(reply.request.since, lang))
    if kind == "announce":
        return announce_text(reply.schools, lang, limit=None)
    if kind == "review" and reply.review:
        return review_text(reply.review, kb, lang)
    if kind == "review_note":
        return REVIEW[lang][reply.key].format(**reply.fmt)
    if kind == "help" and reply.unknown:
        return s["unknown"].format(word=reply.unknown[:40]) + "\n" + HELP[lang]
    return HELP[lang]


# -- the admins' review (bot/review.py) -----------------------------------------------------
REVIEW_EXAMPLES = 5
"""Questions shown per review item (the buttons act on all of them)."""
ANSWER_SHOWN = 300
"""Characters of a 👎 answer shown in the review."""


def _entry_question(kb: KnowledgeBase, entry_id: str | None, lang: str) -> str:
    e = next((e for e in kb.all_entries() if e.id == entry_id), None)
    return (e.question.get(lang) or e.question["nl"]) if e else (entry_id or "?")


def review_head(digest: ReviewDigest, lang: str) -> str:
    """The review's first line (or "niets na te kijken"), mrkdwn with no user text."""
    w = REVIEW[_lang(lang)]
    key = "head" if digest.items else "none"
    return w[key].format(since=date_text(digest.since, lang), until=date_text(digest.until, lang))


def review_item_lines(item: ReviewItem, kb: KnowledgeBase, lang: str, esc=lambda t: t) -> list[str]:
    """One review item as lines: what it is and how often, the entry it came closest to
    (a 👎: whose answer it got), up to :data:`REVIEW_EXAMPLES` questions, and a 👎's answer.
    ``esc`` escapes user and knowledge-base text (Slack); the default keeps it as is."""
    w = REVIEW[_lang(lang)]
    question = esc(_entry_question(kb, item.entry_id, lang))
    head = w[item.kind].format(n=item.count, question=question)
    if item.kind != "down" and item.entry_id:
        head += w["near"].format(question=question)
    lines = [head] + [f"• {esc(q)}" for q in item.questions[:REVIEW_EXAMPLES]]
    if len(item.questions) > REVIEW_EXAMPLES:
        lines.append(w["more_questions"].format(n=len(item.questions) - REVIEW_EXAMPLES))
    if item.answer:
        answer = " ".join(item.answer.split())
        cut = answer if len(answer) <= ANSWER_SHOWN else answer[:ANSWER_SHOWN - 1].rstrip() + "…"
        lines.append(w["answer_given"].format(answer=esc(cut)))
    return lines


def review_draft_lines(digest: ReviewDigest, lang: str, esc=lambda t: t) -> list[str]:
    """The drafts waiting to be published, one line each (none: ``[]``)."""
    w = REVIEW[_lang(lang)]
    if not digest.drafts:
        return []
    return [w["drafts_head"]] + [w["draft_line"].format(id=esc(i), question=esc(q)) + ("" if en else w["draft_no_en"])
                                 for i, q, en in digest.drafts]


def review_text(digest: ReviewDigest, kb: KnowledgeBase, lang: str = "nl") -> str:
    """The review as text (the console, the test backend), items numbered."""
    w = REVIEW[_lang(lang)]
    parts = [review_head(digest, lang)]
    for i, item in enumerate(digest.items, 1):
        first, *rest = review_item_lines(item, kb, lang)
        parts.append("\n".join([f"{i}. {first}"] + [f"   {x}" for x in rest]))
    if digest.more:
        parts.append(w["more_items"].format(n=digest.more))
    drafts = review_draft_lines(digest, lang)
    if drafts:
        parts.append("\n".join(drafts))
    return "\n\n".join(parts)


# -- the consent list's source and the school directory (admin commands, announcements) ---


def _names(schools, lang: str, limit: int | None = 20) -> str:
    """``"A (Nieuwegein), B en C"``; past ``limit`` names, "… en nog N"."""
    t = LIST[lang]
    labels = [f"{s.name} ({s.city})" if s.city else s.name for s in schools]
    if limit is not None and len(labels) > limit:
        return ", ".join(labels[:limit]) + " " + t["more"].format(n=len(labels) - limit)
    return t["and"].join([", ".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else "".join(labels)


def _lines(head: str, items, lang: str, limit: int | None) -> list[str]:
    items = list(items)
    shown = items if limit is None else items[:limit]
    out = [head] + [f"  {x}" for x in shown]
    if len(items) > len(shown):
        out.append("  " + LIST[lang]["more"].format(n=len(items) - len(shown)))
    return out


def announce_text(schools, lang: str = "nl", limit: int | None = 20) -> str:
    """``"Nieuw op de lijst: Cals College (Nieuwegein) en Vossius Gymnasium"`` (at most
    ``limit`` names, then "… en nog N"; ``None``: all)."""
    return LIST[lang]["announce"].format(names=_names(schools, lang, limit))


def refresh_text(result, lang: str = "nl", limit: int | None = 20) -> str:
    """A :class:`~bot.consent_source.RefreshResult` as text: what happened, what changed, the
    rows skipped (at most ``limit`` of each; ``None``: all)."""
    t = LIST[lang]
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
    t = LIST[lang]
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
    t = LIST[lang]
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
    t = LIST[lang]
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
    t = LIST[lang]
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
    t = LIST[lang]
    d = result.directory
    when = (d.info().get("as_of") or "")[:10]
    return t[f"update_{result.status}"].format(source=d.source, n=len(d), added=result.added, removed=result.removed,
                                              error=result.error, date=_date(when, lang) if when else "?")


# -- rows skipped or kept with a warning; a refresh and a status in full -----------------------
ROWS_SHOWN = 10
"""Rows listed by :func:`rows_text` before "… en N meer"."""


def rows_text(faults: tuple[str, ...] | list[str], warnings: tuple[str, ...] | list[str] = (), lang: str = "nl",
              limit: int | None = ROWS_SHOWN) -> str:
    """The rows skipped and the rows kept with a warning, each group under a count, at most
    ``limit`` of each (``None``: all), then "… en N meer"; ``""`` when there are none."""
    t = ROWS[lang]
    lines: list[str] = []
    for key, rows in (("skipped", list(faults)), ("warned", list(warnings))):
        if not rows:
            continue
        shown = rows if limit is None else rows[:limit]
        lines.append(t[key].format(n=len(rows)))
        lines += [f"  {r}" for r in shown]
        if len(rows) > len(shown):
            lines.append("  " + t["more"].format(n=len(rows) - len(shown)))
    return "\n".join(lines)


def rows_notice(consent: ConsentList, hint: str = "python -m bot consent status", lang: str = "nl",
                reasons: int = 3) -> str:
    """One line (for standard error) naming how many rows of ``consent`` were skipped and the
    first ``reasons`` of them (and the rows kept with a warning, when there are), ending with
    the command ``hint`` that lists them all; ``""`` when no row was skipped."""
    t = ROWS[lang]
    if not consent.faults:
        return ""

    def part(key: str, rows: tuple[str, ...]) -> str:
        more = f"; {t['more'].format(n=len(rows) - reasons)}" if len(rows) > reasons else ""
        return t[key].format(source=consent.source, n=len(rows), reasons="; ".join(rows[:reasons]), more=more)

    line = part("stderr", consent.faults)
    if consent.warnings:
        line += "; " + part("stderr_warned", consent.warnings)
    return line + t["stderr_hint"].format(hint=hint)


def status_report(status: dict[str, Any], lang: str = "nl", limit: int | None = ROWS_SHOWN) -> str:
    """:meth:`~bot.consent_source.ConsentSource.status` as text: :func:`status_text`, with the rows
    skipped and warned about listed (:func:`rows_text`), and an unavailable list called so."""
    shown = status_text({**status, "rows_skipped": 0, "cache": None}, lang).split("\n")
    info = status["list"]
    if info.get("unavailable"):  # status_text would call the empty stand-in the list in use
        prefix = LIST[lang]["s_in_use"].split("{")[0]
        shown = [ROWS[lang]["unavailable"].format(error=info.get("error") or "?") if x.startswith(prefix) else x
                 for x in shown]
    rows = rows_text(status.get("faults", ()), status.get("warnings", ()), lang, limit)
    if rows:
        shown.append(rows)
    if status.get("cache"):
        shown.append(LIST[lang]["s_cache"].format(path=status["cache"]))
    return "\n".join(shown)


def refresh_report(result, lang: str = "nl", limit: int | None = 20) -> str:
    """A :class:`~bot.consent_source.RefreshResult` as text: :func:`refresh_text` (with the rows
    skipped), the rows kept with a warning, and a failure with no good list called so."""
    if result.status in ("failed", "refused") and result.consent.unavailable:
        text = ROWS[lang]["failed_unavailable"].format(error=result.error)
    else:
        text = refresh_text(result, lang, limit)
    warned = rows_text((), result.warnings, lang, limit)
    return f"{text}\n{warned}" if warned else text
