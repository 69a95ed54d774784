"""Load and validate the knowledge base (``knowledge/faq.yaml`` and ``knowledge/drafts.yaml``).

Everything is checked before anything is used: a knowledge base with one fault raises
:class:`~bot.errors.KnowledgeError` listing every fault as ``file:line: entry 'id': …`` and
is never half-loaded.

An entry with ``draft: true`` is a draft: loaded and validated like the others (Dutch
question and answer required, English optional), kept apart in
:attr:`KnowledgeBase.drafts`, and never answered nor fitted on until it is published (the
``draft`` line removed, see :mod:`bot.kbedit`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any, Mapping

from .errors import KnowledgeError
from .yamlload import LineDict, YamlFault, load, type_name

LANGS = ("nl", "en")
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "knowledge"
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters no knowledge text may hold (a line break and a tab may)."""
FILES = ("faq.yaml", "drafts.yaml", "out-of-scope.yaml")
"""The files :func:`load_knowledge` reads from the knowledge directory (the last one optional)."""


@dataclass(frozen=True)
class Link:
    """A source link: ``label`` per language (``{"nl": …, "en": …}``) and an ``https`` URL."""

    label: dict[str, str]
    url: str


@dataclass(frozen=True)
class Entry:
    """One FAQ entry. Text fields map a language (``"nl"``, ``"en"``) to Slack mrkdwn.

    ``alternates`` and ``keywords`` map a language to a list of phrasings; ``related`` holds
    entry ids; ``operator_url`` is a link the operator configures (``""`` when not yet set,
    in which case ``operator_note`` says whom to ask). ``source`` is ``"file:line"``.
    A ``draft`` may lack English: its ``question`` and ``answer`` hold ``"nl"`` at least.
    """

    id: str
    question: dict[str, str]
    alternates: dict[str, list[str]]
    keywords: dict[str, list[str]]
    answer: dict[str, str]
    links: tuple[Link, ...] = ()
    related: tuple[str, ...] = ()
    operator_url: str | None = None
    operator_note: dict[str, str] = field(default_factory=dict)
    source: str = ""
    draft: bool = False

    def answer_text(self, lang: str) -> str:
        """The answer in ``lang`` (``"nl"``/``"en"``; anything else gives Dutch), with the
        operator's note appended while ``operator_url`` is unset."""
        lang = lang if lang in LANGS else "nl"
        text = self.answer[lang]
        if self.operator_url == "" and self.operator_note:
            text = f"{text} {self.operator_note[lang]}"
        return text

    def all_links(self) -> tuple[Link, ...]:
        """``links`` plus the operator's link once it is configured."""
        if self.operator_url:
            label = {"nl": "Meer informatie en verwerkersovereenkomst",
                     "en": "More information and processing agreement"}
            return self.links + (Link(label, self.operator_url),)
        return self.links

    def phrasings(self) -> list[tuple[str, str]]:
        """Every phrasing to match against, as ``(lang, text)``: question, then alternates."""
        out = [(lang, self.question[lang]) for lang in LANGS if lang in self.question]
        for lang in LANGS:
            out.extend((lang, a) for a in self.alternates.get(lang, []))
        return out


@dataclass(frozen=True)
class DraftTemplate:
    """A request template: ``subject`` and ``body`` with ``$name`` placeholders
    (:class:`string.Template`), the placeholders it may use listed in ``PLACEHOLDERS``."""

    id: str
    subject: str
    body: str
    source: str = ""

    PLACEHOLDERS = frozenset({"school", "host", "institute", "sender", "sender_email",
                              "sender_phone", "note", "date", "city", "brin"})


@dataclass(frozen=True)
class KnowledgeBase:
    """The validated knowledge base: ``entries`` (the published ones, which the bot answers
    from) in file order, ``templates`` by id, ``out_of_scope``: per language, questions the
    bot must not answer (the FAQ model's out-of-scope class; empty when
    ``out-of-scope.yaml`` is absent), and ``drafts``: entries not yet published, in file
    order, never answered."""

    entries: tuple[Entry, ...]
    templates: dict[str, DraftTemplate]
    directory: Path
    out_of_scope: dict[str, list[str]] = field(default_factory=dict)
    drafts: tuple[Entry, ...] = ()

    def entry(self, entry_id: str) -> Entry:
        """The published entry with ``entry_id``; raises ``KeyError`` when there is none
        (a draft included: see :meth:`draft`)."""
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)

    def draft(self, entry_id: str) -> Entry:
        """The draft entry with ``entry_id``; raises ``KeyError`` when there is none."""
        for e in self.drafts:
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)

    def all_entries(self) -> list[Entry]:
        """Published entries and drafts, in file order."""
        return sorted(self.entries + self.drafts, key=lambda e: _line_of(e.source))


def _line_of(source: str) -> int:
    return int(source.rpartition(":")[2] or 0)


class _Checker:
    """Collects faults with file and line; helpers return a cleaned value or ``None``."""

    def __init__(self, path: Path):
        self.path = path
        self.faults: list[str] = []

    def fault(self, line: int, where: str, msg: str) -> None:
        self.faults.append(f"{self.path}:{line}: {where}{msg}")

    def text(self, m: LineDict, key: str, where: str, *, optional: bool = False) -> str | None:
        if key not in m:
            if not optional:
                self.fault(m.line, where, f"missing '{key}'")
            return None
        v = m[key]
        if not isinstance(v, str):
            self.fault(m.lines[key], where, f"'{key}' must be text, got {type_name(v)} ({v!r}): put it in quotes")
            return None
        if not v.strip() and not optional:
            self.fault(m.lines[key], where, f"'{key}' is empty")
            return None
        if CONTROL.search(v):
            self.fault(m.lines[key], where, f"'{key}' holds a control character ({_control(v)})")
            return None
        return v.strip()

    def mapping(self, m: LineDict, key: str, where: str, *, optional: bool = False) -> LineDict | None:
        if key not in m:
            if not optional:
                self.fault(m.line, where, f"missing '{key}'")
            return None
        v = m[key]
        if not isinstance(v, LineDict):
            self.fault(m.lines[key], where, f"'{key}' must be a mapping, got {type_name(v)}")
            return None
        return v

    def per_lang_text(self, m: LineDict, key: str, where: str, *, optional: bool = False,
                      required: tuple[str, ...] = LANGS) -> dict[str, str] | None:
        """``{lang: text}`` of ``m[key]``; the ``required`` languages must be there, the other
        ones of :data:`LANGS` may. ``None`` after a fault."""
        sub = self.mapping(m, key, where, optional=optional)
        if sub is None:
            return None
        out = {}
        bad = False
        for lang in LANGS:
            if lang not in required and lang not in sub:
                continue
            t = self.text(sub, lang, f"{where}{key}.")
            if t is not None:
                out[lang] = t
            else:
                bad = True
        self._unknown(sub, set(LANGS), f"{where}{key}.")
        return None if bad else out

    def per_lang_list(self, m: LineDict, key: str, where: str, *, optional: bool = False) -> dict[str, list[str]]:
        sub = self.mapping(m, key, where, optional=optional)
        if sub is None:
            return {lang: [] for lang in LANGS}
        out: dict[str, list[str]] = {}
        for lang in LANGS:
            items = sub.get(lang, [])
            if not isinstance(items, list):
                self.fault(sub.lines.get(lang, sub.line), where, f"'{key}.{lang}' must be a list, got {type_name(items)}")
                items = []
            good = []
            for i, v in enumerate(items):
                if isinstance(v, str) and CONTROL.search(v):
                    self.fault(sub.lines.get(lang, sub.line), where,
                               f"'{key}.{lang}[{i}]' holds a control character ({_control(v)})")
                elif isinstance(v, str) and v.strip():
                    good.append(v.strip())
                else:
                    self.fault(sub.lines.get(lang, sub.line), where,
                               f"'{key}.{lang}[{i}]' must be non-empty text, got {type_name(v)} ({v!r}): put it in quotes")
            out[lang] = good
        self._unknown(sub, set(LANGS), f"{where}{key}.")
        return out

    def _unknown(self, m: LineDict, allowed: set[str], where: str) -> None:
        for k in m:
            if k not in allowed:
                self.fault(m.lines[k], where, f"unknown field '{k}' (allowed: {', '.join(sorted(allowed))})")


def _control(text: str) -> str:
    return f"U+{ord(CONTROL.search(text).group()):04X}"


_ENTRY_FIELDS = {"id", "question", "alternates", "keywords", "answer", "links", "related",
                 "operator_url", "operator_note", "draft"}


_UNREADABLE = object()


def _parse(path: Path, faults: list[str], text: str | None = None):
    """The YAML document at ``path`` (or ``text``, named ``path``; ``None`` for an empty
    file), or :data:`_UNREADABLE` with the fault (file:line) added to ``faults``."""
    try:
        return load(path, text)
    except YamlFault as e:
        faults.append(str(e))
        return _UNREADABLE


def _load_entries(path: Path, faults: list[str], text: str | None = None) -> list[Entry]:
    c = _Checker(path)
    data = _parse(path, faults, text)
    if data is _UNREADABLE:
        return []
    if not isinstance(data, LineDict) or not isinstance(data.get("entries"), list):
        faults.append(f"{path}:1: expected a mapping with a list 'entries'")
        return []
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    drafts: set[str] = set()
    related_refs: list[tuple[int, str, str, bool]] = []
    for i, raw in enumerate(data["entries"]):
        if not isinstance(raw, LineDict):
            c.fault(data.lines["entries"], "", f"entries[{i}] must be a mapping, got {type_name(raw)}")
            continue
        eid = c.text(raw, "id", f"entries[{i}]: ")
        where = f"entry '{eid}': " if eid else f"entries[{i}]: "
        if eid is not None:
            if not _ID.match(eid):
                c.fault(raw.lines["id"], where, "id must be lower-case words joined by '-'")
            if eid in seen:
                c.fault(raw.lines["id"], where, f"duplicate id (first on line {seen[eid]})")
            seen.setdefault(eid, raw.lines["id"])
        c._unknown(raw, _ENTRY_FIELDS, where)
        draft = raw.get("draft", False)
        if not isinstance(draft, bool):
            c.fault(raw.lines["draft"], where, f"'draft' must be true or false, got {type_name(draft)} ({draft!r})")
            draft = True  # checked as a draft: the laxer rules, so that one fault is named once
        if draft and eid:
            drafts.add(eid)
        langs = ("nl",) if draft else LANGS
        question = c.per_lang_text(raw, "question", where, required=langs)
        answer = c.per_lang_text(raw, "answer", where, required=langs)
        alternates = c.per_lang_list(raw, "alternates", where, optional=True)
        keywords = c.per_lang_list(raw, "keywords", where, optional=True)
        links = []
        for j, ln in enumerate(raw.get("links") or []):
            if not isinstance(ln, LineDict):
                c.fault(raw.lines["links"], where, f"links[{j}] must be a mapping with label and url")
                continue
            label = c.per_lang_text(ln, "label", f"{where}links[{j}].")
            url = c.text(ln, "url", f"{where}links[{j}].")
            if url is not None and not url.startswith(("https://", "http://")):
                c.fault(ln.lines["url"], where, f"links[{j}].url must start with https://")
            if label and url:
                links.append(Link(label, url))
        related = raw.get("related") or []
        if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
            c.fault(raw.lines.get("related", raw.line), where, "'related' must be a list of entry ids")
            related = []
        related_refs.extend((raw.lines.get("related", raw.line), eid or "?", r, draft) for r in related)
        operator_url = c.text(raw, "operator_url", where, optional=True)
        operator_note = c.per_lang_text(raw, "operator_note", where, optional=True) or {}
        if operator_url == "" and not operator_note and "operator_url" in raw:
            c.fault(raw.lines["operator_url"], where, "an empty operator_url needs an operator_note saying whom to ask")
        if eid and question and answer:
            entries.append(Entry(eid, question, alternates, keywords, answer, tuple(links), tuple(related),
                                 operator_url, operator_note, f"{path}:{raw.line}", draft))
    for line, eid, r, from_draft in related_refs:
        if r not in seen:
            c.fault(line, f"entry '{eid}': ", f"unknown related id '{r}'")
        elif r == eid:
            c.fault(line, f"entry '{eid}': ", "an entry cannot be related to itself")
        elif r in drafts and not from_draft:
            c.fault(line, f"entry '{eid}': ", f"related id '{r}' is a draft: publish it first")
    if not data["entries"]:
        c.fault(data.lines["entries"], "", "no entries")
    faults.extend(c.faults)
    return entries


def _load_templates(path: Path, faults: list[str], text: str | None = None) -> dict[str, DraftTemplate]:
    c = _Checker(path)
    data = _parse(path, faults, text)
    if data is _UNREADABLE:
        return {}
    if not isinstance(data, LineDict) or not isinstance(data.get("templates"), list):
        faults.append(f"{path}:1: expected a mapping with a list 'templates'")
        return {}
    out: dict[str, DraftTemplate] = {}
    for i, raw in enumerate(data["templates"]):
        if not isinstance(raw, LineDict):
            c.fault(data.lines["templates"], "", f"templates[{i}] must be a mapping")
            continue
        tid = c.text(raw, "id", f"templates[{i}]: ")
        where = f"template '{tid}': "
        c._unknown(raw, {"id", "subject", "body"}, where)
        subject = c.text(raw, "subject", where)
        body = c.text(raw, "body", where)
        if tid in out:
            c.fault(raw.lines["id"], where, "duplicate id")
        for key, t in (("subject", subject), ("body", body)):
            if t is None:
                continue
            tmpl = Template(t)
            if not tmpl.is_valid():
                c.fault(raw.lines[key], where, f"'{key}' has a stray '$' (write '$$' for a dollar sign)")
                continue
            unknown = set(tmpl.get_identifiers()) - DraftTemplate.PLACEHOLDERS
            if unknown:
                c.fault(raw.lines[key], where, f"'{key}' uses unknown placeholder(s) {', '.join(sorted(unknown))}")
        if tid and subject and body:
            out[tid] = DraftTemplate(tid, subject, body, f"{path}:{raw.line}")
    faults.extend(c.faults)
    return out


def _load_out_of_scope(path: Path, faults: list[str], text: str | None = None) -> dict[str, list[str]]:
    if text is None and not path.exists():
        return {}
    c = _Checker(path)
    data = _parse(path, faults, text)
    if data is _UNREADABLE:
        return {}
    if not isinstance(data, LineDict) or "out_of_scope" not in data:
        faults.append(f"{path}:1: expected a mapping with 'out_of_scope': {{nl: [...], en: [...]}}")
        return {}
    c._unknown(data, {"out_of_scope"}, "")
    out = c.per_lang_list(data, "out_of_scope", "")
    faults.extend(c.faults)
    return out


def load_knowledge(directory: Path | str | None = None, *, texts: Mapping[str, str] | None = None) -> KnowledgeBase:
    """Load ``faq.yaml``, ``drafts.yaml`` and (optional) ``out-of-scope.yaml`` from
    ``directory`` (default: the project's ``knowledge/``) and validate them.

    ``texts`` maps a file name of :data:`FILES` to the content to validate in its place (an
    edit before it is written; faults still name the file in ``directory``).

    Raises :class:`KnowledgeError` listing every fault (YAML syntax, duplicate keys, a
    non-string where text is expected, a control character, a missing language, an unknown
    related id or a published entry related to a draft, a duplicate id, a bad template
    placeholder); never returns a partial knowledge base.
    """
    d = Path(directory) if directory else DEFAULT_DIR
    texts = texts or {}
    faults: list[str] = []
    if not d.is_dir():
        raise KnowledgeError([f"{d}: no such directory"])
    entries = _load_entries(d / "faq.yaml", faults, texts.get("faq.yaml"))
    templates = _load_templates(d / "drafts.yaml", faults, texts.get("drafts.yaml"))
    out_of_scope = _load_out_of_scope(d / "out-of-scope.yaml", faults, texts.get("out-of-scope.yaml"))
    if not faults and "verzoek" not in templates:
        faults.append(f"{d / 'drafts.yaml'}:1: no template with id 'verzoek'")
    if faults:
        raise KnowledgeError(faults)
    return KnowledgeBase(tuple(e for e in entries if not e.draft), templates, d, out_of_scope,
                         tuple(e for e in entries if e.draft))


def as_dict(entry: Entry, lang: str) -> dict[str, Any]:
    """A JSON-ready view of ``entry`` in ``lang``: id, question, answer, links, related."""
    return {
        "id": entry.id,
        "question": entry.question[lang],
        "answer": entry.answer_text(lang),
        "links": [{"label": ln.label[lang], "url": ln.url} for ln in entry.all_links()],
        "related": list(entry.related),
    }
