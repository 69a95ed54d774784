"""Draft the request a school's applicatiebeheerder needs to grant Studyspace access.

``draft(kb, school, institute=…, sender=…) -> Draft`` fills the ``verzoek`` template of
``knowledge/drafts.yaml`` (:class:`string.Template`, substituted once, so a ``$`` or ``{}``
in a name or note is inserted literally and never expanded). A template line whose
placeholders are all empty is left out. The message carries no personal data of students:
only the school, the institute and the sender's own contact details.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from string import Template
from urllib.parse import quote

from .consentlist import School
from .knowledge import KnowledgeBase
from .text import clean
from .wording import MONTHS

MAX_FIELD_CHARS = 200
"""Longest name, e-mail address or phone number taken into a draft; longer is cut with '…'."""
MAX_NOTE_CHARS = 1500
"""Longest personal note taken into a draft; longer is cut with '…'."""
_PLACEHOLDER = re.compile(r"\$(?:\{(\w+)\}|(\w+))")

MONTHS_NL = MONTHS["nl"]


@dataclass(frozen=True)
class Draft:
    """A request ready to send: ``subject`` and ``body`` (plain text, Dutch, u-vorm),
    ``to`` (the recipient's e-mail address when known, else ``""``) and the ``school``."""

    subject: str
    body: str
    school: str
    to: str = ""

    def mailto(self) -> str:
        """A ``mailto:`` URL with subject and body (RFC 6068), for an "open in mail" button."""
        return f"mailto:{quote(self.to)}?subject={quote(self.subject)}&body={quote(self.body)}"

    def to_json(self) -> dict[str, str]:
        """``{"school", "to", "subject", "body", "mailto"}``."""
        return {"school": self.school, "to": self.to, "subject": self.subject, "body": self.body,
                "mailto": self.mailto()}


def _field(value: str | None, limit: int = MAX_FIELD_CHARS, *, multiline: bool = False) -> str:
    if not value:
        return ""
    if multiline:
        text = "\n".join(clean(line) for line in str(value).splitlines()).strip()
        text = re.sub(r"\n{3,}", "\n\n", text)
    else:
        text = clean(str(value))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def dutch_date(d: date) -> str:
    """``date(2026, 11, 29)`` -> ``"29 november 2026"``."""
    return f"{d.day} {MONTHS_NL[d.month - 1]} {d.year}"


def draft(kb: KnowledgeBase, school: School | str, *, institute: str, sender: str,
          sender_email: str = "", sender_phone: str = "", note: str = "", to: str = "",
          today: date | None = None, template: str = "verzoek") -> Draft:
    """Fill ``template`` for ``school`` (a :class:`School` from a lookup, or a name as typed).

    Every user-supplied value is cleaned (no control characters or Slack markup), cut to
    :data:`MAX_FIELD_CHARS` (the note to :data:`MAX_NOTE_CHARS`) and inserted literally.
    Raises ``KeyError`` when ``template`` is not in the knowledge base.
    """
    tmpl = kb.templates[template]
    if isinstance(school, str):
        school = School(name=school)
    values = {
        "school": _field(school.name) or "uw school",
        "host": _field(school.host),
        "city": _field(school.city),
        "brin": _field(school.vestigingscode or school.brin),
        "institute": _field(institute) or "ons instituut",
        "sender": _field(sender),
        "sender_email": _field(sender_email),
        "sender_phone": _field(sender_phone),
        "note": _field(note, MAX_NOTE_CHARS, multiline=True),
        "date": dutch_date(today or date.today()),
    }
    subject = Template(tmpl.subject).substitute(values)
    return Draft(subject=" ".join(subject.split()), body=_fill_body(tmpl.body, values),
                 school=values["school"], to=_field(to))


def _fill_body(body: str, values: dict[str, str]) -> str:
    lines = []
    for line in body.splitlines():
        names = [a or b for a, b in _PLACEHOLDER.findall(line)]
        if names and not any(values.get(n) for n in names):
            continue  # nothing to say on this line (no phone, no note, no city)
        lines.append(Template(line).substitute(values).rstrip())
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
