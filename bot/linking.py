"""Link each consent-list entry to the DUO location(s) it stands for, once, when the list loads.

``link(consent, directory, overrides) -> Links``. The list gives Magister's display names and
hosts, rarely a place or code; the directory gives DUO's legal names, places and websites.
Every signal there is counts (:class:`Evidence`):

* the list's own vestigingscode or BRIN, the entry's Magister host when the directory gives
  it (an imported file with a ``host`` column), or an operator's override
  (``DATA_DIR/link-overrides.csv``);
* the name: the entry's name fits the school's DUO name or its location's own name
  (:mod:`bot.matching`), fully or in part, or is its initials ("NSG" = "Nijmeegse
  Scholengemeenschap Groenewoud"); the words the names on one Magister host share (the
  board's, "Esloo Onderwijsgroep …") may be left out;
* the web: the Magister host's tenant agrees with the school's website ("bonhoeffer.magister.net"
  / "www.bonhoeffer.nl"), or a word of the name does ("Corbulo College" / "corbulocollege.nl");
* the place: a place in the entry's name or the list's city column is the school's (a
  different place rules the school out);
* the other names on the same host: the BRINs their links found, and the schools they took
  (a more specific "Cals College IJsselstein" takes the IJsselstein location from "Cals College").

Each link has a kind (:class:`LinkKind`): ``exact`` (a code or host both sides give, or an override),
``strong`` (the name and a second, independent signal, or a whole name only one school in
the directory has), ``weak`` (one signal: a partial name with one more, a name with a typo, or
the host's website alone). An entry that two schools fit equally well stays unlinked, with
those schools as ``candidates``: unclear is never guessed. ``python -m bot consent links``
shows the links and their evidence.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Iterable, Sequence

from .consentlist import ConsentList, School
from .directory import Directory, DuoSchool
from .errors import ConsentListError
from .matching import GRANTABLE, Fit
from .names import identity_key, is_everyday, labels_agree, lexicon, raw_words, web_label, words

OVERRIDES_FILE = "link-overrides.csv"


class LinkKind(StrEnum):
    """How sure a link is (see the module docstring)."""

    EXACT = "exact"
    STRONG = "strong"
    WEAK = "weak"


class Evidence(StrEnum):
    """One signal that a list entry is a directory school."""

    CODE = "code"                  # the list gives the location's vestigingscode or BRIN
    HOST = "host"                  # the directory gives the school the entry's Magister host
    OVERRIDE = "override"          # an operator said so
    NAME = "name"                  # the names fit (bot.matching: a grantable fit)
    NAME_PART = "name_part"        # the names fit in part (a fit to offer)
    INITIALS = "initials"          # the entry's name is the school's initials
    HOST_WEBSITE = "host_website"  # the Magister tenant agrees with the school's website
    NAME_WEBSITE = "name_website"  # a word of the entry's name is the school's website
    PLACE = "place"                # the entry's place is the school's
    SIBLINGS = "siblings"          # other names on the host are linked to the school's BRIN
    UNIQUE = "unique"              # the whole name, and no other school in the directory has it


_SCORE = {Evidence.NAME: 3, Evidence.NAME_PART: 1, Evidence.INITIALS: 2, Evidence.HOST_WEBSITE: 3,
          Evidence.NAME_WEBSITE: 2, Evidence.PLACE: 1, Evidence.SIBLINGS: 1, Evidence.UNIQUE: 1}
"""What each signal weighs when candidates are compared. A whole name counts one more, a
name with a typo or one that leaves a word of the entry's out one less; a website that many
schools share (a board's) counts one; a website named like the entry counts three when it is
the school's own, one when several schools share it."""
BOARD_SITE = 3
"""A website this many schools share or more is a board's: it says less about one school."""
STRONG, WEAK = 4, 3
"""Scores for a strong link (with two kinds of signal; or two more without) and a weak one."""
_FAMILY = {Evidence.NAME: "name", Evidence.NAME_PART: "name", Evidence.INITIALS: "name",
           Evidence.HOST_WEBSITE: "host", Evidence.NAME_WEBSITE: "name", Evidence.PLACE: "place",
           Evidence.SIBLINGS: "siblings", Evidence.UNIQUE: "unique"}


@dataclass(frozen=True)
class Link:
    """The link of list entry ``entry`` (an index into the list's schools): the directory
    schools it stands for (``groups``, indexes into :meth:`Directory.groups`), its ``kind``
    (``None``: unlinked), the ``evidence``, and for an unlinked entry the schools that fit
    equally well (``candidates``)."""

    entry: int
    groups: tuple[int, ...] = ()
    kind: LinkKind | None = None
    evidence: tuple[Evidence, ...] = ()
    candidates: tuple[int, ...] = ()

    @property
    def linked(self) -> bool:
        return bool(self.groups)


@dataclass(frozen=True)
class Links:
    """Every entry's :class:`Link` (in list order) and, per directory school, the entries linked to it."""

    links: tuple[Link, ...]
    by_group: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def of(self, entry: int) -> Link:
        return self.links[entry] if 0 <= entry < len(self.links) else Link(entry)

    def entries_of(self, group: int) -> tuple[int, ...]:
        return self.by_group.get(group, ())

    def counts(self) -> dict[str, int]:
        """How many entries have each kind of link (``"none"``: unlinked)."""
        out = {k.value: 0 for k in LinkKind} | {"none": 0}
        for lk in self.links:
            out[lk.kind.value if lk.kind else "none"] += 1
        return out


# -- overrides -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Override:
    """One row of the overrides file: the entry (``name``, and ``host`` when given) and the
    vestigingscodes it stands for (empty: never link it)."""

    name: str
    host: str
    codes: tuple[str, ...]
    row: int


def read_overrides(path: Path | str) -> list[Override]:
    """Read ``link-overrides.csv``: columns ``name`` (or ``naam``), ``host`` (optional) and
    ``vestigingscodes`` (codes or BRINs separated by spaces or ``|``; empty or ``-``: the entry
    is never linked). A missing file is no overrides. Raises :class:`ConsentListError` for a
    file without a name column."""
    from .consentlist import decode, normalize_host

    p = Path(path)
    try:
        text = decode(p.read_bytes())
    except FileNotFoundError:
        return []
    except OSError as e:
        raise ConsentListError(f"{p}: {e.strerror or e}") from None
    first = text.splitlines()[0] if text.strip() else ""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=max(",;\t", key=first.count))
    cols = {(h or "").strip().lower(): h for h in reader.fieldnames or ()}
    name_col = cols.get("name") or cols.get("naam")
    if not name_col:
        raise ConsentListError(f"{p}: no name column (expected name, host, vestigingscodes)")
    code_col = next((cols[c] for c in ("vestigingscodes", "vestigingscode", "codes", "code") if c in cols), None)
    out = []
    for i, r in enumerate(reader, 1):
        name = (r.get(name_col) or "").strip()
        if not name:
            continue
        raw = (r.get(code_col) or "") if code_col else ""
        codes = tuple(c.upper() for c in raw.replace("|", " ").split() if c.strip() != "-")
        host = (r.get(cols["host"]) or "").strip() if "host" in cols else ""
        out.append(Override(name, normalize_host(host) if host else "", codes, i))
    return out


# -- linking ---------------------------------------------------------------------------------------
@dataclass
class _Candidate:
    group: int
    evidence: set[Evidence]
    fit: Fit = Fit.NEAR_MISS

    board_site: bool = False
    edits: int = 0
    own_site: bool = False
    whole: bool = False  # the whole name fits (not only with the board's words left out)
    host_exact: bool = False  # the school's website label is the host's tenant itself
    name_words: set[str] = field(default_factory=set)  # the entry's words the names have in common
    site_labels: set[str] = field(default_factory=set)  # the website labels named like the entry

    @property
    def score(self) -> int:
        """The evidence weighed (:data:`_SCORE`)."""
        total = sum(_SCORE.get(e, 0) for e in self.evidence)
        if Evidence.NAME_WEBSITE in self.evidence:
            # the school's own website named like the entry is a signal of its own ("berlage.espritscholen.nl"),
            # unless it is the one word the names share already ("wissel"); one several schools share, half of one
            fresh = self.site_labels - self.name_words
            total += (1 if self.own_site else -1) if fresh else -2
        if Evidence.NAME in self.evidence:
            total += -1 if self.edits or self.fit == Fit.QUERY_ADDS_WORD else 1 if self.fit == Fit.SAME else 0
        if self.board_site and Evidence.HOST_WEBSITE in self.evidence:
            total -= 2
        return total

    @property
    def families(self) -> int:
        """How many kinds of signal back this candidate (the school's own website named like
        the entry, by more than the word the names share, is one of its own)."""
        fams = {_FAMILY[e] for e in self.evidence if e in _FAMILY}
        if Evidence.NAME_WEBSITE in self.evidence and self.own_site and self.site_labels - self.name_words:
            fams.add("web")
        return len(fams)


def board_prefixes(names: Sequence[School], analyse) -> list[tuple[str, ...]]:
    """Per entry, the board's words its name starts with: the longest run of first tokens it
    shares with every other name on its host that starts the same way ("Esloo Onderwijsgroep"
    of "Esloo Onderwijsgroep Corbulo College"; "MSA" of "MSA IVKO"); ``()`` when none."""
    toks = [analyse(s.name).tokens for s in names]
    by_start: dict[tuple[str, str], list[int]] = {}
    for i, s in enumerate(names):
        if s.host and toks[i]:
            by_start.setdefault((s.host, toks[i][0]), []).append(i)
    out: list[tuple[str, ...]] = [()] * len(names)
    for members in by_start.values():
        if len(members) < 2:
            continue
        prefix = list(toks[members[0]])
        for j in members[1:]:
            n = 0
            while n < len(prefix) and n < len(toks[j]) and prefix[n] == toks[j][n]:
                n += 1
            prefix = prefix[:n]
        for j in members:
            out[j] = tuple(prefix) if len(prefix) < len(toks[j]) else ()
    return out


def board_words(names: Sequence[School], analyse) -> dict[str, frozenset[str]]:
    """Per Magister host, the distinctive words (no places) that two or more of its names share:
    the board's ("esloo" on esloo.magister.net). ``analyse`` gives the :class:`~bot.names.Name`
    of a school's name (or of entry ``i``: it is called with the name and its position)."""
    counts: dict[str, dict[str, int]] = {}
    for i, s in enumerate(names):
        if not s.host:
            continue
        n = analyse(s.name, i)
        c = counts.setdefault(s.host, {})
        for t in set(n.distinct) - n.places:
            c[t] = c.get(t, 0) + 1
    return {h: frozenset(t for t, k in c.items() if k >= 2) for h, c in counts.items()}


def link(consent: ConsentList, directory: Directory, overrides: Iterable[Override] = ()) -> Links:
    """Link every entry of ``consent`` to ``directory`` (see the module docstring)."""
    groups = directory.groups()
    if not groups:
        return Links(tuple(Link(i) for i in range(len(consent.schools))))
    idx = directory.index()
    schools = consent.schools
    names = [idx.analyse(s.name) for s in schools]
    prefixes = board_prefixes(schools, idx.analyse)
    by_override = {}
    for o in overrides:
        by_override.setdefault(identity_key(o.name), []).append(o)
    found: list[list[_Candidate]] = []
    links: list[Link | None] = [None] * len(schools)
    for i, s in enumerate(schools):
        fixed = _fixed(i, s, directory, by_override.get(identity_key(s.name), []))
        if fixed is not None:
            links[i] = fixed
            found.append([])
            continue
        found.append(_candidates(s, names[i], idx, groups, directory, prefixes[i]))
    # First pass: each entry on its own.
    per_host: dict[str, int] = {}
    for s in schools:
        per_host[s.host] = per_host.get(s.host, 0) + 1
    alone = [web_label(s.host) if s.host and per_host[s.host] == 1 else "" for s in schools]
    for i, cands in enumerate(found):
        if links[i] is None:
            links[i] = _decide(i, cands, groups, alone[i])
    # Second pass, for the unlinked and the weakly linked: the other names on the same host (the
    # BRINs of their exact and strong links, the schools they took).
    by_host: dict[str, list[int]] = {}
    for i, s in enumerate(schools):
        if s.host:
            by_host.setdefault(s.host, []).append(i)
    for i, s in enumerate(schools):
        lk = links[i]
        if lk is None or (lk.linked and lk.kind != LinkKind.WEAK) or not found[i] or not s.host:
            continue
        siblings = [links[j] for j in by_host.get(s.host, [])
                    if j != i and links[j] and links[j].kind in (LinkKind.EXACT, LinkKind.STRONG)]
        brins = {groups[g].brin for sl in siblings for g in sl.groups}
        taken = {g for sl in siblings for g in sl.groups}
        cands = [c for c in found[i] if c.group not in taken] or found[i]
        for c in cands:
            if groups[c.group].brin in brins:
                c.evidence.add(Evidence.SIBLINGS)
        links[i] = _decide(i, cands, groups, alone[i])
    by_group: dict[int, list[int]] = {}
    for lk in links:
        for g in lk.groups:
            by_group.setdefault(g, []).append(lk.entry)
    return Links(tuple(links), {g: tuple(es) for g, es in by_group.items()})


def _fixed(i: int, s: School, directory: Directory, overrides: list[Override]) -> Link | None:
    """The link an override or the list's own code gives, or ``None``."""
    mine = [o for o in overrides if not o.host or o.host == s.host]
    if mine:
        o = mine[-1]
        gs = sorted({g for c in o.codes for g in directory.by_code(c)})
        return Link(i, tuple(gs), LinkKind.EXACT if gs else None, (Evidence.OVERRIDE,))
    code = s.vestigingscode or s.brin
    if code:
        gs = directory.by_code(code)
        if gs:
            return Link(i, tuple(gs), LinkKind.EXACT, (Evidence.CODE,))
    if s.host:
        gs = directory.by_host(s.host)
        if gs:
            return Link(i, tuple(gs), LinkKind.EXACT, (Evidence.HOST,))
    return None


def _candidates(s: School, name, idx, groups: list[DuoSchool], directory: Directory,
                prefix: tuple[str, ...]) -> list[_Candidate]:
    """The directory schools entry ``s`` may be, with the evidence for each."""
    lex = lexicon()
    cands: dict[int, _Candidate] = {}
    city = directory.places().key(s.city) if s.city else ""

    def add(g: int, ev: Evidence, fit: Fit = Fit.NEAR_MISS, edits: int = 0) -> _Candidate:
        c = cands.setdefault(g, _Candidate(g, set(), edits=99))
        c.evidence.add(ev)
        if (fit, edits) < (c.fit, c.edits):
            c.fit, c.edits = fit, edits
        return c

    board = frozenset(prefix)
    with_city = idx.analyse(f"{s.name} {s.city}") if city and city not in name.places else name
    queries = [with_city]
    rest = list(with_city.tokens[len(prefix):]) if prefix and with_city.tokens[:len(prefix)] == prefix else []
    if rest and any(t not in lex.generic and t not in with_city.places for t in rest):
        # "Esloo Onderwijsgroep Corbulo College" -> "Corbulo College"; the board's place stays
        # ("IVO Deurne Alfrinkcollege" is in Deurne)
        queries.append(idx.analyse(" ".join([t for t in prefix if t in with_city.places] + rest)))
    for n, q in enumerate(queries):
        qnear = {t: idx.near(t, known_too=True) for t in q.distinct}
        for m in idx.search(q, qnear):
            if m.fit == Fit.OFFER and set(m.matched) <= board:
                continue  # only the board's words in common ("OMO SG De Langstraat …"): no evidence of this school
            if m.fit <= Fit.OFFER:
                c = add(m.ref, Evidence.NAME if m.fit in GRANTABLE else Evidence.NAME_PART, m.fit, m.edits)
                c.whole |= n == 0 and m.fit == Fit.SAME and not m.edits
                c.name_words.update(m.matched)
    for t in name.distinct:  # "NSG" = "Nijmeegse Scholengemeenschap Groenewoud"
        if len(t) >= 3 and t.isalpha() and t not in name.places and not is_everyday(t) and t in _acronym_like(s.name):
            for g in directory.by_initials(t):
                add(g, Evidence.INITIALS)
    host = web_label(s.host) if s.host else ""
    for g in directory.by_label(host):
        c = add(g, Evidence.HOST_WEBSITE)
        c.board_site = any(directory.schools_at(x) >= BOARD_SITE for x in groups[g].labels if labels_agree(host, x))
        c.host_exact = host in groups[g].labels
    own = " ".join(rest) if rest else s.name  # without the board's words ("Esloo Onderwijsgroep …")
    for w in _name_labels(own) - {host}:  # the host's own word is counted once
        for g in directory.by_label(w, whole=True):
            c = add(g, Evidence.NAME_WEBSITE)
            c.own_site |= directory.schools_at(w) == 1
            c.site_labels.add(w)
    out = []
    for c in cands.values():
        g = groups[c.group]
        if city and city not in g.places:
            continue  # the list puts the school elsewhere
        if city or (name.places and name.places & g.places):
            c.evidence.add(Evidence.PLACE)
        if not c.evidence & {Evidence.NAME, Evidence.NAME_PART, Evidence.INITIALS}:
            # the web alone: only the host's own website, and never against the entry's place
            if Evidence.HOST_WEBSITE not in c.evidence or (name.places and not name.places & g.places):
                continue
        out.append(c)
    return out


def _acronym_like(name: str) -> set[str]:
    """The words of ``name`` written in capitals (or dotted) as acronyms are: "MSA IVKO" ->
    msa, ivko; "Nijmeegse Sg" -> none."""
    out = set()
    for piece in re.findall(r"[A-Za-z][A-Za-z.]*", name):
        bare = piece.replace(".", "")
        if len(bare) >= 3 and (bare.isupper() or piece.count(".") >= 2):
            out.add(bare.lower())
    return out


def _name_labels(name: str) -> set[str]:
    """Runs of one to four words of ``name`` written together, as a website would
    ("Corbulo College" -> "corbulo", "corbulocollege"); a word of four letters or more, words
    together of five, no generic word alone."""
    generic = lexicon().generic
    out: set[str] = set()
    for ws in (raw_words(name), words(name)):
        for i in range(len(ws)):
            for n in range(1, 5):
                part = ws[i:i + n]
                if len(part) < n:
                    break
                label = "".join(part)
                if len(label) >= (4 if n == 1 else 5) and not (n == 1 and part[0] in generic):
                    out.add(label)
    return out


def _one_school(top: list[_Candidate], groups: list[DuoSchool]) -> bool:
    """Whether equally good candidates are one school: rows DUO has twice (:attr:`DuoSchool.same`);
    one BRIN with one name (an institution in several places: "Agnieten College" in Zwolle,
    Wezep, …); or one BRIN in one place where the whole name fits each (two rows for one school)."""
    if len({groups[c.group].school_id for c in top}) == 1:
        return True
    if len({groups[c.group].brin for c in top}) != 1:
        return False
    if len({groups[c.group].name.casefold() for c in top}) == 1:
        return True
    return len({groups[c.group].city for c in top}) == 1 and all(Evidence.NAME in c.evidence for c in top)


def _same_institution(c: _Candidate) -> bool:
    """Whether a candidate of the chosen school's BRIN is another location of it: the whole
    name fits, or part of it and its website is the host's tenant itself ("rsgslingerbos")."""
    whole = Evidence.NAME in c.evidence and c.fit == Fit.SAME and not c.edits
    site = Evidence.NAME_PART in c.evidence and c.host_exact and not c.board_site
    return whole or site


def _decide(i: int, cands: list[_Candidate], groups: list[DuoSchool], own_host: str = "") -> Link:
    """The link the candidates of entry ``i`` allow (see the module docstring): the best scored
    school(s), when they are one school, and strong or weak by the score (:data:`STRONG`,
    :data:`WEAK`). ``own_host``: the host's label when the entry is the host's only name."""
    if not cands:
        return Link(i)
    for c in cands:  # the entry's whole name, and no other school in the directory has it
        if c.whole:
            rivals = [x for x in cands if x.fit == Fit.SAME and Evidence.NAME in x.evidence
                      and groups[x.group].school_id != groups[c.group].school_id]
            if not rivals:
                c.evidence.add(Evidence.UNIQUE)
    best = max(c.score for c in cands)
    top = [c for c in cands if c.score == best]
    if len(top) > 1 and not _one_school(top, groups):
        if all(Evidence.NAME in c.evidence and Evidence.HOST_WEBSITE in c.evidence and not c.board_site for c in top):
            # Several schools the name fits, all on the host's own website: one of these (a weak link).
            ev = set.intersection(*(c.evidence for c in top))
            return Link(i, tuple(sorted(c.group for c in top)), LinkKind.WEAK, tuple(e for e in Evidence if e in ev))
        return Link(i, candidates=tuple(sorted(c.group for c in top)))
    ev = set.intersection(*(c.evidence for c in top))
    families = min(c.families for c in top)
    if own_host and len(top) == 1 and ev == {Evidence.HOST_WEBSITE} | (ev & {Evidence.PLACE}) \
            and not top[0].board_site and groups[top[0].group].labels & {own_host}:
        families += 1  # the host's only name, and the school's own website: "OSG De Hogeberg" / dehogeberg.nl
        best += 1
    if best >= STRONG and (families >= 2 or best >= STRONG + 2):
        kind = LinkKind.STRONG
    elif best >= WEAK:
        kind = LinkKind.WEAK
    else:
        return Link(i, candidates=tuple(sorted(c.group for c in top)))
    order = [e for e in Evidence if e in ev]
    # The institution's other locations under the whole name ("RSG Slingerbos" in Harderwijk and Zeewolde).
    brins = {groups[c.group].brin for c in top}
    chosen = {c.group for c in top}
    if len(brins) == 1:
        chosen |= {c.group for c in cands if groups[c.group].brin in brins and _same_institution(c)}
    return Link(i, tuple(sorted(chosen)), kind, tuple(order))
