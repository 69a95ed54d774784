"""Edit the knowledge base's YAML files in place: tidily, validated, atomically, one at a time.

``KnowledgeEditor(directory, changelog)`` adds alternate phrasings or keywords to an entry,
out-of-scope questions, a new entry as a draft, publishes a draft and replaces a question or
an answer; :meth:`KnowledgeEditor.apply` does many of these in one write (the CSV import).

Every write goes the same way:

1. An exclusive ``fcntl.flock`` on ``DIR/.kb-edit.lock``: editors in other threads and
   processes (workers sharing the disk) wait, so no edit is built on a file another one is
   replacing and no phrasing is lost.
2. The files are read and the knowledge base validated as it is (:func:`load_knowledge`);
   a knowledge base already broken on disk is not edited.
3. The edit is checked against it (:class:`_Plan`): an unknown entry id or language, an
   empty text, a control character, a phrasing with no words, one that another entry (or
   the out-of-scope list) already has. A phrasing the entry already has, after
   :func:`bot.text.normalize`, is skipped and reported.
4. The YAML is changed by a ruamel.yaml round trip, so comments, key order, quoting, blank
   lines and long lines survive: a new phrasing is one added line. New texts are written
   double-quoted (single-quoted where the list is), so ``no`` stays text.
5. The new texts are validated as a whole (:func:`load_knowledge` with ``texts=``) and must
   read back as exactly the old knowledge base plus the edit; otherwise the edit is
   refused with :class:`EditRefused` naming file and line, and nothing is written.
6. Each changed file is replaced atomically: a temporary file in the same folder (same
   permissions), ``fsync``, ``os.replace``, ``fsync`` of the folder. Two files (the import)
   are both written out first and then renamed one after the other.
7. The :class:`~bot.kbhistory.Change` records go to the change log.

User-facing reasons are Dutch, then English: ``"onbekende entry-id 'x' / unknown entry id 'x'"``.
"""
from __future__ import annotations

import codecs
import copy
import fcntl
import io
import logging
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

from .fileio import atomic_write_files
from .errors import BotError, KnowledgeError
from .kbhistory import Change, ChangeLog
from .knowledge import CONTROL, LANGS, KnowledgeBase, load_knowledge
from .text import STOP_WORDS, normalize, tokens

log = logging.getLogger(__name__)

FAQ, OUT_OF_SCOPE = "faq.yaml", "out-of-scope.yaml"
LOCK_NAME = ".kb-edit.lock"
KINDS = ("question", "answer", "alternate", "keyword", "out_of_scope")
"""What a text is: an entry's ``question`` or ``answer`` (one per language), one of its
``alternate`` phrasings or ``keyword``s (lists), or an ``out_of_scope`` question."""
_LISTS = {"alternate": "alternates", "keyword": "keywords"}
_ACTIONS = {"alternate": "add_alternates", "keyword": "add_keywords", "out_of_scope": "add_out_of_scope",
            "question": "set_question", "answer": "set_answer"}
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SURROGATE = re.compile("[\ud800-\udfff]")
ID_WORDS, ID_CHARS = 5, 48
"""A generated entry id: at most this many words of the question, this many characters."""


class EditRefused(KnowledgeError):
    """An edit was refused and nothing was written. ``faults`` lists why, each one line
    (Dutch, then English; a validation fault names ``file:line: entry 'id'``)."""

    def __init__(self, faults: list[str]):
        self.faults = list(faults)
        more = f" (+{len(faults) - 1} meer / more)" if len(faults) > 1 else ""
        BotError.__init__(self, f"niet opgeslagen / not saved: {faults[0]}{more}")


@dataclass(frozen=True)
class Row:
    """One text of the knowledge base: ``entry_id`` (``""`` for ``out_of_scope``),
    ``language`` (``"nl"``/``"en"``), ``kind`` (one of :data:`KINDS`) and ``text``."""

    entry_id: str
    language: str
    kind: str
    text: str


def rows(kb: KnowledgeBase) -> list[Row]:
    """Every text of ``kb`` as :class:`Row`: per entry (drafts included, file order) its
    questions, answers, alternates and keywords, Dutch before English; then the
    out-of-scope questions."""
    out: list[Row] = []
    for e in kb.all_entries():
        for kind, values in (("question", e.question), ("answer", e.answer)):
            out.extend(Row(e.id, lg, kind, values[lg]) for lg in LANGS if lg in values)
        for kind, lists in (("alternate", e.alternates), ("keyword", e.keywords)):
            out.extend(Row(e.id, lg, kind, t) for lg in LANGS for t in lists.get(lg, []))
    out.extend(Row("", lg, "out_of_scope", t) for lg in LANGS for t in kb.out_of_scope.get(lg, []))
    return out


@dataclass(frozen=True)
class Skipped:
    """A text an edit left out, and why (Dutch / English)."""

    text: str
    reason: str


@dataclass(frozen=True)
class EditResult:
    """What an edit did: the ``changes`` made (empty: nothing to do, nothing written), the
    texts ``skipped``, the ``entry_id`` it was about (a new draft's generated id), and the
    files ``written`` (none for a dry run)."""

    changes: tuple[Change, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    entry_id: str | None = None
    written: tuple[Path, ...] = ()

    @property
    def added(self) -> list[str]:
        """The texts added or set, in order."""
        return [t for c in self.changes if c.action not in ("add_draft", "publish") for t in c.texts]


def tidy(text: str) -> str:
    """``text`` as the knowledge base keeps it: Windows and old Mac line breaks as ``\\n``,
    no white space at either end."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def text_fault(kind: str, text: str) -> str | None:
    """Why ``text`` (already :func:`tidy`) cannot be a ``kind`` text, or ``None``: empty, a
    control character (only line breaks and tabs may be there), a lone surrogate (no file
    can hold one), or, for a phrasing, no words to match on."""
    if not text:
        return "lege tekst / empty text"
    m = CONTROL.search(text)
    if m:
        return (f"bevat een stuurteken (U+{ord(m.group()):04X}); alleen regeleinden en tabs mogen / "
                f"holds a control character (U+{ord(m.group()):04X}); only line breaks and tabs may")
    m = _SURROGATE.search(text)
    if m:
        return f"ongeldig teken (U+{ord(m.group()):04X}) / invalid character (U+{ord(m.group()):04X})"
    if kind != "answer" and not normalize(text):
        return "bevat geen woorden / has no words"
    return None


# -- the plan: an edit checked against the knowledge base as it is -------------------------------
@dataclass
class _Op:
    op: str  # "add" (to a list), "set" (question/answer), "draft", "publish"
    row: Row
    previous: str | None = None
    draft: dict | None = None  # "draft": {"question": {...}, "answer": {...}}


class _Plan:
    """The edits of one write, each checked against ``kb`` and the edits before it."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.entries = {e.id: e for e in kb.all_entries()}
        self.taken = set(self.entries)  # ids, a planned draft's included
        self.owner: dict[str, str] = {}  # a phrasing (normalised) -> its entry id; "" = out of scope
        self.lists: dict[tuple[str, str, str], set[str]] = {}
        self.single: dict[tuple[str, str, str], str] = {}
        for e in self.entries.values():
            for lg, t in e.phrasings():
                self.owner.setdefault(normalize(t), e.id)
            for lg in LANGS:
                self.lists[(e.id, lg, "alternate")] = {normalize(t) for t in e.alternates.get(lg, [])}
                if lg in e.question:
                    self.lists[(e.id, lg, "alternate")].add(normalize(e.question[lg]))
                self.lists[(e.id, lg, "keyword")] = {normalize(t) for t in e.keywords.get(lg, [])}
                for kind, values in (("question", e.question), ("answer", e.answer)):
                    if lg in values:
                        self.single[(e.id, lg, kind)] = values[lg]
        for lg in LANGS:
            self.lists[("", lg, "out_of_scope")] = {normalize(t) for t in kb.out_of_scope.get(lg, [])}
            for t in kb.out_of_scope.get(lg, []):
                self.owner.setdefault(normalize(t), "")
        self.ops: list[_Op] = []

    def check(self, entry_id: str, language: str, kind: str) -> str | None:
        """Why no text of ``kind`` can go to ``entry_id`` in ``language``, or ``None``."""
        if kind not in KINDS:
            return f"onbekende soort '{kind}' (kies uit {', '.join(KINDS)}) / unknown kind"
        if language not in LANGS:
            return f"onbekende taal '{language}' (nl of en) / unknown language"
        if kind == "out_of_scope":
            return None if not entry_id else "laat entry_id leeg bij out_of_scope / leave entry_id empty for out_of_scope"
        if entry_id not in self.entries:
            return f"onbekende entry-id '{entry_id}' / unknown entry id" if entry_id else "entry_id ontbreekt / entry_id missing"
        return None

    def text(self, entry_id: str, language: str, kind: str, text: str) -> tuple[str, str | None]:
        """Plan one text: ``("add"|"set", None)``, ``("same", None)`` when the knowledge
        base has it already (a phrasing: after normalisation), or ``("fault", reason)``."""
        reason = self.check(entry_id, language, kind)
        if reason:
            return "fault", reason
        text = tidy(text)
        reason = text_fault("answer", text)  # empty, or a control character
        if reason:
            return "fault", reason
        key = (entry_id, language, kind)
        n = normalize(text)
        # What the knowledge base has already is "same" before any rule a new text must
        # meet, so that an export imports unchanged whatever it holds.
        if kind in ("question", "answer"):
            old = self.single.get(key)
            if old == text:
                return "same", None
        elif n in self.lists[key]:
            return "same", None
        reason = text_fault(kind, text)
        if reason:
            return "fault", reason
        owner = self.owner.get(n)
        mine = "" if kind == "out_of_scope" else entry_id
        if kind in ("question", "alternate", "out_of_scope") and owner is not None and owner != mine:
            return "fault", _taken(owner)
        if kind in ("question", "answer"):
            self.single[key] = text
            self.ops.append(_Op("set", Row(*key, text), old))
            if kind == "question":
                self.owner.setdefault(n, entry_id)
            return "set", None
        self.lists[key].add(n)
        if kind != "keyword":
            self.owner[n] = mine
        self.ops.append(_Op("add", Row(*key, text)))
        return "add", None

    def draft(self, question: dict[str, str], answer: dict[str, str], entry_id: str | None) -> str:
        """Plan a new draft entry; returns its id (generated from the Dutch question unless
        given). Raises :class:`EditRefused` for an empty or bad text, a taken phrasing or id."""
        faults = []
        for kind, values in (("question", question), ("answer", answer)):
            for lg in LANGS:
                if lg == "nl" or values.get(lg):
                    reason = text_fault(kind, tidy(values.get(lg) or ""))
                    if reason:
                        faults.append(f"{kind} ({lg}): {reason}")
        for lg, q in question.items():
            owner = self.owner.get(normalize(q)) if q else None
            if owner is not None:
                faults.append(f"question ({lg}): {_taken(owner)}")
        if entry_id is not None and (not _ID.match(entry_id) or entry_id in self.taken):
            faults.append(f"id '{entry_id}' is ongeldig of al in gebruik (kleine letters, cijfers en '-') / "
                          "is invalid or taken (lower-case letters, digits and '-')")
        if faults:
            raise EditRefused(faults)
        eid = entry_id or new_id(question["nl"], self.taken)
        q = {lg: tidy(question[lg]) for lg in LANGS if question.get(lg)}
        a = {lg: tidy(answer[lg]) for lg in LANGS if answer.get(lg)}
        self.taken.add(eid)
        for lg, t in q.items():
            self.owner.setdefault(normalize(t), eid)
        self.ops.append(_Op("draft", Row(eid, "nl", "question", q["nl"]), draft={"question": q, "answer": a}))
        return eid

    def publish(self, entry_id: str) -> None:
        """Plan publishing the draft ``entry_id``; raises :class:`EditRefused` when it is
        no draft or lacks its English question or answer."""
        e = self.entries.get(entry_id)
        if e is None:
            raise EditRefused([f"onbekende entry-id '{entry_id}' / unknown entry id"])
        if not e.draft:
            raise EditRefused([f"'{entry_id}' is geen concept (al gepubliceerd) / is not a draft (published already)"])
        missing = [f"{kind} ({lg})" for kind in ("question", "answer") for lg in LANGS
                   if (entry_id, lg, kind) not in self.single]
        if missing:
            raise EditRefused([f"'{entry_id}' mist nog {', '.join(missing)}: vul dat eerst in / "
                               f"lacks {', '.join(missing)}: add it first"])
        self.ops.append(_Op("publish", Row(entry_id, "", "", "")))

    def expected(self) -> tuple[Counter, set[str], set[str]]:
        """What the knowledge base must read back as after the plan: its rows (a multiset),
        its draft ids and its published ids."""
        want = Counter(rows(self.kb))
        drafts = {e.id for e in self.kb.drafts}
        published = {e.id for e in self.kb.entries}
        for op in self.ops:
            if op.op == "add":
                want[op.row] += 1
            elif op.op == "set":
                if op.previous is not None:
                    want[Row(op.row.entry_id, op.row.language, op.row.kind, op.previous)] -= 1
                want[op.row] += 1
            elif op.op == "draft":
                for kind in ("question", "answer"):
                    for lg, t in op.draft[kind].items():
                        want[Row(op.row.entry_id, lg, kind, t)] += 1
                drafts.add(op.row.entry_id)
            elif op.op == "publish":
                drafts.discard(op.row.entry_id)
                published.add(op.row.entry_id)
        return +want, drafts, published


def _taken(owner: str) -> str:
    if owner == "":
        return "staat bij de vragen buiten het onderwerp (out-of-scope.yaml) / is an out-of-scope question"
    return f"staat al bij entry '{owner}' / is a phrasing of entry '{owner}' already"


def new_id(question: str, taken: set[str]) -> str:
    """An entry id from ``question``: its first :data:`ID_WORDS` words that are not stop
    words (all words if every one is), in matching form, joined by ``-``, at most
    :data:`ID_CHARS` characters, with ``-2``, ``-3``… when taken:
    ``"Hoe vraag ik toegang aan voor een nieuwe school?"`` -> ``"toegang-nieuwe-school"``."""
    words = tokens(question)
    words = [w for w in words if w not in STOP_WORDS] or words
    base = "-".join(words[:ID_WORDS])[:ID_CHARS].strip("-") or "vraag"
    eid, n = base, 2
    while eid in taken:
        eid, n = f"{base}-{n}", n + 1
    return eid


# -- the YAML files, round-tripped -----------------------------------------------------------------
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 0), (4, 4, 2), (2, 4, 0))
"""ruamel's (mapping, sequence, offset) indents tried, first match wins: the one that writes
the file back unchanged is the file's own."""


class _Doc:
    """One YAML file as ruamel's round-trip document, with the file's indent, line breaks
    and byte order mark, so that :meth:`dump` writes back what was read plus the edit."""

    def __init__(self, path: Path, raw: bytes | None, initial: str):
        self.path = path
        self.bom = raw is not None and raw.startswith(codecs.BOM_UTF8)
        try:
            text = initial if raw is None else raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise EditRefused([f"{path}: geen UTF-8 / not UTF-8 ({e.reason})"]) from None
        self.crlf = "\r\n" in text
        text = text.replace("\r\n", "\n")
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 1 << 16  # never fold a long line
        try:
            self.data = self.yaml.load(text)
        except YAMLError as e:
            raise EditRefused([f"{path}: YAML: {e}"]) from None
        for indent in _INDENTS:
            self.yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
            if self._dump() == text:
                break
        else:
            self.yaml.indent(mapping=2, sequence=4, offset=2)
            log.warning("%s: ruamel.yaml cannot write this file back unchanged; an edit reformats it", path)

    def _dump(self) -> str:
        buf = io.StringIO()
        self.yaml.dump(self.data, buf)
        return buf.getvalue()

    def dump(self) -> str:
        """The document as text (the file's line breaks; no byte order mark)."""
        text = self._dump()
        return text.replace("\n", "\r\n") if self.crlf else text

    def encode(self, text: str) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8")


def _styled(text: str, like: object = None):
    """``text`` as a scalar quoted like ``like`` where that is single-quoted or a literal
    block (and ``text`` fits it), else double-quoted: never plain, so that ``no``, ``0123``
    or ``12:30`` stay text for any YAML reader."""
    if isinstance(like, SingleQuotedScalarString) and "\n" not in text:
        return SingleQuotedScalarString(text)
    if isinstance(like, LiteralScalarString):
        return LiteralScalarString(text)
    return DoubleQuotedScalarString(text)


def _append(seq: CommentedSeq, text: str) -> None:
    """Append ``text`` to ``seq`` before the comment lines that followed its last item
    (ruamel keeps them with that item; they belong to what comes after)."""
    last = len(seq) - 1
    seq.append(_styled(text, seq[last] if seq else None))
    after = seq.ca.items.get(last)
    if not after or after[0] is None:
        return
    token = after[0]
    eol, _, rest = token.value.partition("\n")  # the old last item's own end-of-line comment, the lines after
    if not rest:
        return
    moved = copy.deepcopy(token)
    moved.value = "\n" + rest
    if eol.strip():
        token.value = eol + "\n"
    else:
        after[0] = None
    seq.ca.items[last + 1] = [moved, None, None, None]


def _child(parent: CommentedMap, key: str, after: tuple[str, ...], make):
    """``parent[key]``, created by ``make()`` right after the last of the keys ``after``
    present (else first) when missing."""
    if key not in parent:
        keys = list(parent)
        pos = max((keys.index(k) + 1 for k in after if k in parent), default=0)
        parent.insert(pos, key, make())
    return parent[key]


def _entry(doc: _Doc, entry_id: str) -> CommentedMap:
    for e in doc.data["entries"]:
        if str(e.get("id")) == entry_id:
            return e
    raise EditRefused([f"onbekende entry-id '{entry_id}' / unknown entry id"])  # the plan checked it


def _apply(op: _Op, docs: dict[str, _Doc]) -> None:
    """Carry out one planned edit on the round-trip documents."""
    row = op.row
    if op.op == "add" and row.kind == "out_of_scope":
        lists = docs[OUT_OF_SCOPE].data["out_of_scope"]
        _append(_child(lists, row.language, LANGS[:LANGS.index(row.language)], CommentedSeq), row.text)
        return
    entries = docs[FAQ].data["entries"]
    if op.op == "draft":
        new = CommentedMap()
        new["id"] = DoubleQuotedScalarString(row.entry_id)
        new["draft"] = True
        for kind in ("question", "answer"):
            new[kind] = CommentedMap((lg, DoubleQuotedScalarString(t)) for lg, t in op.draft[kind].items())
        entries.append(new)
        _blank_line_before(entries, len(entries) - 1)
        return
    entry = _entry(docs[FAQ], row.entry_id)
    if op.op == "publish":
        del entry["draft"]
    elif op.op == "set":
        values = entry[row.kind]
        old = values.get(row.language)
        _child(values, row.language, LANGS[:LANGS.index(row.language)], str)
        values[row.language] = _styled(row.text, old)
    else:
        name = _LISTS[row.kind]
        lists = _child(entry, name, ("question", "alternates") if name == "keywords" else ("question",), CommentedMap)
        _append(_child(lists, row.language, LANGS[:LANGS.index(row.language)], CommentedSeq), row.text)


def _blank_line_before(seq: CommentedSeq, index: int) -> None:
    """Give item ``index`` of ``seq`` the blank line that separates the earlier items, if
    they are separated so (ruamel keeps it as the item's comment-before)."""
    for i in range(1, index):
        before = seq.ca.items.get(i)
        if before and before[1] and all(not t.value.strip() for t in before[1]):
            seq.ca.items[index] = [None, copy.deepcopy(before[1]), None, None]
            return


_INITIAL = {OUT_OF_SCOPE: "out_of_scope:\n  nl: []\n  en: []\n"}


# -- writing -----------------------------------------------------------------------------------
def write_files(directory: Path, files: dict[str, bytes]) -> tuple[Path, ...]:
    """Replace each ``directory/name`` with its bytes (:func:`bot.fileio.atomic_write_files`:
    atomic per file, permissions kept); returns the paths. Raises :class:`OSError`."""
    return atomic_write_files({directory / name: data for name, data in files.items()})


@contextmanager
def edit_lock(directory: Path) -> Iterator[None]:
    """Hold the exclusive ``flock`` on ``directory/.kb-edit.lock`` (blocks until free).
    Raises :class:`EditRefused` when the lock file cannot be made (a read-only folder)."""
    try:
        f = open(directory / LOCK_NAME, "a")
    except OSError as e:
        raise EditRefused([f"{directory}: kan niet schrijven / cannot write ({e.strerror or e})"]) from None
    with f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class _Session:
    """One locked edit: the files as read, the knowledge base they make, the plan, and the
    round-trip documents (parsed when first needed)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.raw: dict[str, bytes | None] = {}
        for name in (FAQ, "drafts.yaml", OUT_OF_SCOPE):
            try:
                self.raw[name] = (directory / name).read_bytes()
            except FileNotFoundError:
                self.raw[name] = None
            except OSError as e:
                raise EditRefused([f"{directory / name}: kan niet lezen / cannot read ({e.strerror or e})"]) from None
        try:
            texts = {n: b.decode("utf-8-sig") for n, b in self.raw.items() if b is not None}
        except UnicodeDecodeError as e:
            raise EditRefused([f"{directory}: een bestand is geen UTF-8 / a file is not UTF-8 ({e.reason})"]) from None
        self.texts = texts
        try:
            self.kb = load_knowledge(directory, texts=texts)
        except KnowledgeError as e:
            raise EditRefused([f"de kennisbank is al kapot, herstel die eerst / the knowledge base is broken "
                               f"already, repair it first: {f}" for f in e.faults]) from None
        self.plan = _Plan(self.kb)

    def commit(self, who: str, changelog: ChangeLog | None, *, skipped=(), entry_id=None,
               dry_run: bool = False) -> EditResult:
        """Carry out the plan: edit, validate, check, write, record (see the module's
        docstring). Raises :class:`EditRefused`; returns the :class:`EditResult`."""
        ops = self.plan.ops
        if not ops:
            return EditResult((), tuple(skipped), entry_id)
        docs: dict[str, _Doc] = {}
        for op in ops:
            name = OUT_OF_SCOPE if op.row.kind == "out_of_scope" else FAQ
            if name not in docs:
                docs[name] = _Doc(self.directory / name, self.raw[name], _INITIAL.get(name, ""))
            _apply(op, docs)
        new_texts = {name: doc.dump() for name, doc in docs.items()}
        try:
            kb = load_knowledge(self.directory, texts={**self.texts, **new_texts})
        except KnowledgeError as e:
            raise EditRefused(e.faults) from None
        want, drafts, published = self.plan.expected()
        if (Counter(rows(kb)) != want or {e.id for e in kb.drafts} != drafts
                or {e.id for e in kb.entries} != published):
            log.error("knowledge edit does not read back as planned: %s", [op.row for op in ops][:5])
            raise EditRefused(["de bewerking leest niet terug zoals bedoeld (interne fout) / "
                               "the edit does not read back as intended (internal error)"])
        written: tuple[Path, ...] = ()
        if not dry_run:
            try:
                written = write_files(self.directory, {n: docs[n].encode(t) for n, t in new_texts.items()})
            except OSError as e:
                raise EditRefused([f"{self.directory}: kan niet schrijven / cannot write ({e.strerror or e})"]) from None
        changes = _changes(ops, who)
        if not dry_run and changelog is not None:
            for change in changes:
                try:
                    changelog.record(change)
                except Exception as e:  # the edit is on disk: say so, do not pretend it failed
                    log.error("warning: the knowledge base was changed (%s %s), but the change is not in the "
                              "history: %s", change.action, change.entry_id or "out-of-scope", e)
        return EditResult(changes, tuple(skipped), entry_id, written)


def _changes(ops: list[_Op], who: str) -> tuple[Change, ...]:
    """One :class:`Change` per run of additions to the same list, per set, per draft
    (one per language) and per publish."""
    when = datetime.now(timezone.utc)
    out: list[Change] = []
    for op in ops:
        r = op.row
        if op.op == "add":
            action = _ACTIONS[r.kind]
            entry_id = r.entry_id or None
            last = out[-1] if out else None
            if last and (last.action, last.entry_id, last.language) == (action, entry_id, r.language):
                out[-1] = Change(who, when, action, entry_id, r.language, last.texts + (r.text,))
            else:
                out.append(Change(who, when, action, entry_id, r.language, (r.text,)))
        elif op.op == "set":
            out.append(Change(who, when, _ACTIONS[r.kind], r.entry_id, r.language, (r.text,),
                              () if op.previous is None else (op.previous,)))
        elif op.op == "draft":
            for lg in LANGS:
                texts = tuple(op.draft[k][lg] for k in ("question", "answer") if lg in op.draft[k])
                if texts:
                    out.append(Change(who, when, "add_draft", r.entry_id, lg, texts))
        else:
            out.append(Change(who, when, "publish", r.entry_id, None))
    return tuple(out)


class KnowledgeEditor:
    """Edits the knowledge base in ``directory`` (``Settings.knowledge_dir``), recording
    every change in ``changelog`` (none: not recorded). Safe to share between threads;
    processes sharing the folder take turns on its lock. Every method takes ``who`` (a
    Slack user id, ``cli:<login>``), raises :class:`EditRefused` (a :class:`BotError`)
    with the reason and leaves the files byte for byte as they were when it refuses, and
    returns an :class:`EditResult`. After a write, :meth:`bot.kblive.LiveKnowledge.check`
    makes a running bot answer from it."""

    def __init__(self, directory: Path | str, changelog: ChangeLog | None = None):
        self.directory = Path(directory)
        self.changelog = changelog

    @contextmanager
    def _session(self) -> Iterator[_Session]:
        if not self.directory.is_dir():
            raise EditRefused([f"{self.directory}: geen map / no such directory"])
        with edit_lock(self.directory):
            yield _Session(self.directory)

    def add_phrasings(self, entry_id: str, language: str, texts: Iterable[str], *, who: str,
                      kind: str = "alternate") -> EditResult:
        """Add ``texts`` as alternate phrasings (``kind="alternate"``) or keywords
        (``"keyword"``) of entry ``entry_id`` (published or draft) in ``language``, each at
        the end of its list: one new line each. A text the entry has already (after
        normalisation), that another entry or the out-of-scope list has, or that is empty,
        has no words or holds a control character is skipped and reported in
        :attr:`EditResult.skipped`. Raises :class:`EditRefused` for an unknown entry,
        language or kind, or a knowledge base that would not validate."""
        if kind not in _LISTS:
            raise EditRefused([f"onbekende soort '{kind}' (alternate of keyword) / unknown kind"])
        return self._add(entry_id, language, kind, texts, who)

    def add_out_of_scope(self, language: str, texts: Iterable[str], *, who: str) -> EditResult:
        """Add ``texts`` to ``out-of-scope.yaml`` (created when missing) in ``language``;
        skipped and raised as :meth:`add_phrasings`."""
        return self._add("", language, "out_of_scope", texts, who)

    def _add(self, entry_id: str, language: str, kind: str, texts: Iterable[str], who: str) -> EditResult:
        texts = list(texts)
        with self._session() as s:
            reason = s.plan.check(entry_id, language, kind)
            if reason:
                raise EditRefused([reason])
            skipped = []
            for t in texts:
                verdict, reason = s.plan.text(entry_id, language, kind, t)
                if verdict != "add":
                    skipped.append(Skipped(t, reason or "staat er al / already there"))
            return s.commit(who, self.changelog, skipped=skipped, entry_id=entry_id or None)

    def set_text(self, entry_id: str, language: str, kind: str, text: str, *, who: str) -> EditResult:
        """Set the ``question`` or ``answer`` (``kind``) of ``entry_id`` in ``language``
        (the English of a draft, say). No change when it is the same already. Raises
        :class:`EditRefused` for a bad entry, language, kind or text, or a question another
        entry has."""
        if kind not in ("question", "answer"):
            raise EditRefused([f"onbekende soort '{kind}' (question of answer) / unknown kind"])
        with self._session() as s:
            verdict, reason = s.plan.text(entry_id, language, kind, text)
            if verdict == "fault":
                raise EditRefused([reason])
            return s.commit(who, self.changelog, entry_id=entry_id)

    def add_draft(self, question: str, answer: str, *, who: str, question_en: str = "", answer_en: str = "",
                  entry_id: str | None = None) -> EditResult:
        """Add a draft entry (``draft: true``) at the end of ``faq.yaml``: the Dutch
        ``question`` and ``answer``, English optional, its id generated from the question
        (:func:`new_id`) unless ``entry_id`` is given. It is validated and listed but not
        answered until :meth:`publish`. :attr:`EditResult.entry_id` is the id. Raises
        :class:`EditRefused` for an empty or bad text, a question another entry has, or a
        bad or taken ``entry_id``."""
        with self._session() as s:
            eid = s.plan.draft({"nl": question, "en": question_en}, {"nl": answer, "en": answer_en}, entry_id)
            return s.commit(who, self.changelog, entry_id=eid)

    def publish(self, entry_id: str, *, who: str) -> EditResult:
        """Publish the draft ``entry_id`` (its ``draft`` line removed): from then on it is
        answered. Raises :class:`EditRefused` when it is no draft or lacks English."""
        with self._session() as s:
            s.plan.publish(entry_id)
            return s.commit(who, self.changelog, entry_id=entry_id)

    def apply(self, edits: Iterable[Row], *, who: str,
              dry_run: bool = False) -> tuple[EditResult, list[tuple[str, str | None]]]:
        """Plan every row of ``edits`` (a list kind: add the text unless there; a question
        or answer: set it unless the same) and write them all in one write per file, or
        nothing. Returns the result and, for each edit in order, its verdict: ``("add", None)``,
        ``("set", None)``, ``("same", None)`` or ``("fault", reason)``. With any fault
        nothing is written and the result is empty; with ``dry_run`` everything is checked
        and built and nothing written. Raises :class:`EditRefused` when the whole would not
        validate (or the knowledge base on disk is broken)."""
        with self._session() as s:
            verdicts = [s.plan.text(r.entry_id, r.language, r.kind, r.text) for r in edits]
            if any(v == "fault" for v, _ in verdicts):
                return EditResult(), verdicts
            return s.commit(who, self.changelog, dry_run=dry_run), verdicts
