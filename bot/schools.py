"""Look a school up: which real school does the query name, and is it on the consent list?

``SchoolMatcher(consent, directory=directory).lookup(query) -> Lookup``. A wrong ``granted``
is the costliest error the bot can make (staff would tell a family the connection works), so
the lookup is entity resolution, in three steps:

1. **Once, when the list loads**, every list entry is linked to the DUO location(s) it stands
   for (:mod:`bot.linking`: name, Magister host against the school's website, place, the
   other names on the host). A linked entry is known by its own name and by its schools' DUO
   names, and is where they are.
2. **Per query**, the query is matched (:mod:`bot.matching`, with the rules of
   :data:`bot.matching.RULES`) against the list's names and the directory's, and each
   *candidate* is a real school: a list entry (with its linked schools), or a directory
   school that no entry is linked to. A place in the query must be where the candidate is
   known to be: a link that confirms it makes a grant without caveat; a place that
   contradicts every link rules the candidate out; an entry whose place nobody knows may be
   granted with the caveat "de lijst noemt geen plaats bij deze school".
3. **The verdict** (:class:`Status`) follows from the best fitting candidates:
   one real school, on the list: ``granted``; one real school in the directory only, that no
   unlinked entry could be: ``not_granted``; two or more real schools: ``ambiguous``
   ("welke bedoel je?"), unless they all are on one Magister host and the query is the whole
   name of one of them; nothing that fits: ``not_found``.

A query of generic words or places only ("lyceum", "Delft") never gets a verdict, at most a
choice. A Magister host or URL finds its host's entries; a BRIN or vestigingscode finds its
directory school, granted only through an exact link (the list's own code, or an override).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Iterable

from rapidfuzz import fuzz, process

from .consentlist import ConsentList, School, host_in
from .linking import LinkKind, Links, Override, board_words, link
from .matching import GRANTABLE, Fit, Match, NameIndex, Place, correct_types
from .names import Name, Places, identity_key, is_everyday, lexicon, load_places

if TYPE_CHECKING:
    from .directory import Directory

MAX_CHOICES = 8
"""Most candidates offered in one "welke bedoel je?"; a vaguer query is "too general"."""


class Status(StrEnum):
    """The verdict of a lookup."""

    GRANTED = "granted"          # ``match`` is on the list
    NOT_GRANTED = "not_granted"  # ``match`` is a real school (the directory's) that is not on the list
    AMBIGUOUS = "ambiguous"      # ``candidates``, best first: which one?
    NOT_FOUND = "not_found"      # nothing fits; ``candidates`` may hold near misses


class Reason(StrEnum):
    """Why a lookup came out as it did, where the status alone does not say."""

    NONE = ""
    NO_NAME = "no_name"                      # nothing that names a school
    TOO_GENERAL = "too_general"              # generic words or a place only, fitting many schools
    HOST_NOT_LISTED = "host_not_listed"      # a Magister host that is not on the list
    NO_MATCH = "no_match"                    # no school fits
    PLACE_UNCONFIRMED = "place_unconfirmed"  # granted, but nothing confirms the query's place


@dataclass(frozen=True)
class Lookup:
    """The outcome of :meth:`SchoolMatcher.lookup`.

    ``status`` (:class:`Status`) and ``reason`` (:class:`Reason`); ``match`` the granted list
    entry or the directory's school that is not granted (with the place and codes its link
    gives); ``candidates`` the schools to choose from (list entries first), the others on the
    same host after a grant, or near misses; ``score`` in 0..1 the best candidate's
    similarity; ``list_info`` is :meth:`ConsentList.info` (with ``directory``:
    :meth:`Directory.info` when there is one); ``unlisted`` the positions of candidates that
    are directory schools, not list entries.
    """

    status: Status
    query: str
    match: School | None = None
    candidates: tuple[School, ...] = ()
    score: float = 0.0
    reason: Reason = Reason.NONE
    list_info: dict | None = None
    unlisted: frozenset[int] = frozenset()

    def is_listed(self, i: int) -> bool:
        """Whether candidate ``i`` is a list entry (else a directory school not on the list)."""
        return i not in self.unlisted

    def to_json(self) -> dict:
        """The JSON contract of ``python -m bot school --json`` (``../shared/eval/lookup_eval.py``);
        each candidate also says whether it is on the list (``listed``)."""
        return {"status": str(self.status), "query": self.query,
                "match": self.match.to_json() if self.match else None,
                "candidates": [{**c.to_json(), "listed": self.is_listed(i)} for i, c in enumerate(self.candidates)],
                "score": round(self.score, 3), "reason": str(self.reason), "list": self.list_info}


@dataclass
class _Candidate:
    """A real school the query may name: list entry ``entry`` (with its linked schools) or
    directory school ``group``; ``match`` is its best fitting name, ``via`` the kind of link
    when that name is a linked school's DUO name."""

    entry: int | None
    group: int | None
    match: Match
    via: LinkKind | None = None
    own: Match | None = None  # for a list entry: how the query fits its own name

    @property
    def listed(self) -> bool:
        return self.entry is not None

    def key(self) -> tuple:
        """Sort key: the fit, then (a list entry first) typos, similarity."""
        return (self.match.fit, self.match.place == Place.UNCONFIRMED, not self.listed, self.match.edits,
                -self.match.sim, self.entry if self.entry is not None else 10 ** 9, self.group or 0)


@dataclass
class _Built:
    links: Links
    index: NameIndex
    owners: dict[int, tuple[int, ...]]
    boards: dict[str, frozenset[str]]
    by_host: dict[str, list[int]] = field(default_factory=dict)


class SchoolMatcher:
    """The lookup over one :class:`ConsentList` and, when given, a :class:`~bot.directory.Directory`.

    The links and the index are built once, on first use or by :meth:`warm` (about half a
    second for the 560-school fixture list against all of DUO's locations), then read-only
    (thread-safe). ``places`` overrides the place names (default ``knowledge/plaatsen.txt``,
    the directory's places and the list's cities); ``overrides`` are the operator's links
    (:func:`bot.linking.read_overrides`).
    """

    def __init__(self, consent: ConsentList, places: Iterable[str] | None = None, *,
                 directory: "Directory | None" = None, overrides: Iterable[Override] = ()):
        self.consent = consent
        self.directory = directory if directory is not None and len(directory) else None
        self.overrides = tuple(overrides)
        self._place_names = None if places is None else frozenset(places)
        self._lock = threading.Lock()
        self._built: _Built | None = None
        self._places: Places | None = None

    # -- building ------------------------------------------------------------------------------------
    @property
    def places(self) -> Places:
        """The places the lookup knows (see the class docstring)."""
        if self._places is None:
            cities = {s.city for s in self.consent.schools if s.city}
            if self._place_names is not None:
                self._places = Places(self._place_names | cities)
            elif self.directory is not None:
                base = self.directory.places()
                missing = [c for c in cities if c and base.key(c) not in base]
                self._places = Places(load_places() | self.directory.place_names() | cities) if missing else base
            else:
                self._places = Places(load_places() | cities)
        return self._places

    def warm(self) -> "SchoolMatcher":
        """Build the directory's index, the links and the list's index now (else the first
        lookup does). Thread-safe; returns ``self``."""
        self._build()
        return self

    def _build(self) -> _Built:
        with self._lock:
            if self._built is None:
                self._built = self._make()
            return self._built

    def _make(self) -> _Built:
        places = self.places
        schools = self.consent.schools
        d = self.directory
        links = link(self.consent, d, self.overrides) if d else Links(tuple())
        groups = d.groups() if d else []
        known, maybe = [], []
        for i, s in enumerate(schools):
            lk = links.of(i)
            ks = {places.key(s.city)} if s.city else set()
            ms: set[str] = set()
            for g in lk.groups:
                (ms if lk.kind == LinkKind.WEAK else ks).update(groups[g].places)
            known.append(frozenset(x for x in ks if x))
            maybe.append(frozenset(ms - ks))
        # A weak link's places never refute a place in the query, and confirm it only for a
        # query that fits the entry's own name in full (bot.matching.NameIndex.fit).
        index = NameIndex(((s.name, i) for i, s in enumerate(schools)), places, None, known, maybe)
        boards = board_words(schools, lambda text, i: index.names[i])
        index.boards = [boards.get(s.host, frozenset()) for s in schools]
        owners: dict[int, tuple[int, ...]] = {}
        for g, entries in links.by_group.items():
            # A school is known by the entries that stand for it most narrowly (not a board's
            # entry linked to all its schools when one entry names this one).
            best = min(_rank(links.of(e)) for e in entries)
            owners[g] = tuple(e for e in entries if _rank(links.of(e)) == best)
        by_host: dict[str, list[int]] = {}
        for i, s in enumerate(schools):
            if s.host:
                by_host.setdefault(s.host, []).append(i)
        return _Built(links, index, owners, boards, by_host)

    @property
    def links(self) -> Links:
        """The list's links to the directory (:class:`bot.linking.Links`)."""
        return self._build().links

    @property
    def names(self) -> list[Name]:
        """The list's names analysed (one per entry, in list order): the index's rows."""
        return self._build().index.names

    @property
    def postings(self) -> dict[str, list[int]]:
        """The words of the list's names (canonical), each with the entries that have it."""
        return self._build().index.postings

    def linked_codes(self) -> frozenset[str]:
        """The vestigingscodes of the DUO locations that list entries stand for by an exact or
        strong link (for :meth:`bot.store.Store.close_granted`)."""
        if self.directory is None:
            return frozenset()
        b = self._build()
        groups = self.directory.groups()
        return frozenset(c for lk in b.links.links if lk.kind in (LinkKind.EXACT, LinkKind.STRONG)
                         for g in lk.groups for c in groups[g].codes)

    def info(self) -> dict:
        """:meth:`ConsentList.info`, with ``directory`` (:meth:`Directory.info`) when there is one."""
        info = self.consent.info()
        if self.directory is not None:
            info["directory"] = self.directory.info()
        return info

    # -- lookup ----------------------------------------------------------------------------------------
    def lookup(self, query: str) -> Lookup:
        """Look ``query`` up (any ``str``: a name, a Magister host or URL, a BRIN or
        vestigingscode; never raises for bad input)."""
        from .directory import code_in

        info = self.info()
        if self.consent.unavailable:  # no good list yet: no verdict at all, not even "not on the list"
            return Lookup(Status.NOT_FOUND, query, reason=Reason.NO_MATCH, list_info=info)
        b = self._build()
        host = host_in(query)
        if host:
            return self._host(query, host, b, info)
        code = code_in(query) if self.directory else ""
        if code:
            return self._code(query, code, b, info)
        q = b.index.analyse(query)
        q = correct_types(q, lambda w: w in b.index.postings or bool(
            self.directory and w in self.directory.index().postings), self.places)
        if not q.tokens:
            return Lookup(Status.NOT_FOUND, query, reason=Reason.NO_NAME, list_info=info)
        generic = lexicon().generic
        distinct = [t for t in q.tokens if t not in generic]
        if not distinct:
            return self._general(query, q, b, info)
        cands = self._candidates(q, b)
        found = self._decide(query, q, cands, b, info)
        if found.status not in (Status.GRANTED, Status.NOT_GRANTED) and all(t in self.places for t in distinct):
            return self._general(query, q, b, info)  # "lyceum delft": which one?
        return found

    def _candidates(self, q: Name, b: _Built) -> list[_Candidate]:
        """The real schools the query may name, each with its best fitting name."""
        best: dict[tuple[str, int], _Candidate] = {}

        def offer(c: _Candidate) -> None:
            k = ("e", c.entry) if c.entry is not None else ("g", c.group)
            old = best.get(k)
            if old is None or c.key() < old.key():
                best[k] = c

        own: dict[int, Match] = {}
        for m in b.index.search(q):
            offer(_Candidate(m.ref, None, m))
            if m.ref not in own or (m.fit, m.edits) < (own[m.ref].fit, own[m.ref].edits):
                own[m.ref] = m
        if self.directory is not None:
            idx = self.directory.index()
            dq = q if idx.places is b.index.places else idx.analyse(q.text)
            for m in idx.search(dq):
                owners = b.owners.get(m.ref)
                if owners:
                    for e in owners:
                        offer(_Candidate(e, m.ref, m, b.links.of(e).kind))
                else:
                    offer(_Candidate(None, m.ref, m))
        for c in best.values():
            if c.entry is not None:
                c.own = own.get(c.entry)
        return sorted(best.values(), key=_Candidate.key)

    def _identity(self, c: _Candidate, b: _Built, at: frozenset[str] = frozenset()) -> tuple:
        """What makes two candidates one real school: the same linked schools (those at the
        query's places ``at``, when the query names one: "Dongemond Raamsdonksveer" is the one
        in Raamsdonksveer of the Dongemond College's two); for entries without links, the same
        Magister host, places and school types in the name (nothing else tells them apart)."""
        if c.entry is None:
            return ("g", frozenset({self.directory.groups()[c.group].school_id}))
        lk = b.links.of(c.entry)
        if lk.linked:
            groups = self.directory.groups()
            there = [g for g in lk.groups if groups[g].places & at] if at else []
            return ("g", frozenset(groups[g].school_id for g in (there or lk.groups)))
        host = self.consent.schools[c.entry].host
        if not host:
            return ("e", c.entry)
        n = b.index.names[c.entry]  # one host, but "Bogerman Balk" is not "Bogerman Sneek", nor a college a mavo
        return ("h", host, n.places, n.generic & lexicon().types)

    def _decide(self, query: str, q: Name, cands: list[_Candidate], b: _Built, info: dict) -> Lookup:
        """The verdict from the candidates (see the module docstring, step 3): the best fitting
        tier, grouped by real school (:meth:`_identity`); then the checks that turn a grant on
        little evidence into a question (:meth:`_known_elsewhere`, :meth:`_one_word_of_many`, a
        weak link, a typo) and a directory school that may be listed into one (:meth:`_may_be_listed`)."""
        good = [c for c in cands if c.match.fit in GRANTABLE]
        if not good:
            offers = [c for c in cands if c.match.fit == Fit.OFFER]
            if offers:
                return self._choice(query, offers, b, info)
            near = [c for c in cands if c.listed and c.match.sim >= 0.5][:MAX_CHOICES]
            return Lookup(Status.NOT_FOUND, query, candidates=tuple(self._shown(c, b) for c in near),
                          score=cands[0].match.sim if cands else 0.0, reason=Reason.NO_MATCH, list_info=info)
        top = good[0].match.fit
        tier = [c for c in good if c.match.fit == top] if top in (Fit.SAME, Fit.QUERY_ADDS_PLACE) else good
        reals: dict[tuple, list[_Candidate]] = {}
        for c in tier:
            reals.setdefault(self._identity(c, b, q.places), []).append(c)
        rest = [c for c in cands if c.match.fit <= Fit.OFFER]
        if len(reals) > 1:
            chosen = self._the_one_named(q, tier, b)
            if chosen is None:
                return self._choice(query, rest, b, info)
        else:
            group = next(iter(reals.values()))
            chosen = min(group, key=lambda c: (not c.listed, c.via is not None, c.key()))
        if not chosen.listed:
            maybe = self._may_be_listed(chosen.group, b)
            if maybe:
                return self._choice(query, [chosen, *maybe], b, info)
            school = self.directory.groups()[chosen.group].school()
            return Lookup(Status.NOT_GRANTED, query, school, score=chosen.match.sim, list_info=info)
        # Through a weak link's school only, a grant would rest on a link that may be wrong,
        # unless the query fits the entry's own name as well ("het 4e gymnasium").
        weak_only = chosen.via == LinkKind.WEAK and not (chosen.own and chosen.own.fit in GRANTABLE)
        typo = top >= Fit.NAME_ADDS_BOARD and chosen.match.edits > 0
        if weak_only or typo or self._one_word_of_many(chosen, cands, b, q):
            return self._choice(query, rest, b, info)
        if chosen.match.place == Place.UNCONFIRMED and self._known_elsewhere(chosen, q, b):
            return self._choice(query, rest, b, info)
        entry = self.consent.schools[chosen.entry]
        others = [self.consent.schools[e] for e in b.by_host.get(entry.host, []) if e != chosen.entry] \
            if entry.host else []
        reason = Reason.PLACE_UNCONFIRMED if chosen.match.place == Place.UNCONFIRMED else Reason.NONE
        return Lookup(Status.GRANTED, query, self._with_place(chosen.entry, b),
                      tuple(others[:MAX_CHOICES]), chosen.match.sim, reason, info)

    def _known_elsewhere(self, chosen: _Candidate, q: Name, b: _Built) -> bool:
        """For a grant whose place nothing confirms: whether the directory has schools the entry's
        name fits (so it may be one of them, none at the query's place), which makes the place
        rather a contradiction than a gap ("Willem de Zwijger College Almere": the directory's
        Willem de Zwijger schools are in Bussum, Papendrecht, …). An entry the directory has no
        school for at all ("Drenthe College", an mbo) keeps its grant with the caveat."""
        if self.directory is None or chosen.entry is None:
            return False
        lk = b.links.of(chosen.entry)
        groups = self.directory.groups()
        fits = set(lk.candidates) | set(lk.groups)
        return bool(fits) and not any(groups[g].places & q.places for g in fits)

    def _one_word_of_many(self, chosen: _Candidate, cands: list[_Candidate], b: _Built, q: Name) -> bool:
        """Whether the grant rests on one everyday word, with no place or qualifier in the query,
        that other real schools have too ("vrije school": "De Vrije School" is one of many),
        and the query is not the listed name itself."""
        words = chosen.match.matched
        if len(words) != 1 or not is_everyday(words[0]) or q.places or q.generic & lexicon().qualifiers:
            return False
        if chosen.entry is not None and identity_key(self.consent.schools[chosen.entry].name) == identity_key(q.text):
            return False  # the list's own name, typed in full ("Nieuwe School")
        mine = self._identity(chosen, b, q.places)
        return any(c.match.fit == Fit.OFFER and words[0] in c.match.matched and self._identity(c, b, q.places) != mine
                   for c in cands)

    def _the_one_named(self, q: Name, tier: list[_Candidate], b: _Built) -> _Candidate | None:
        """Among several real schools that fit equally well, the list entry the query names in
        full, when every one of them is on the list under one Magister host ("cals college":
        Cals College and Cals College IJsselstein on cals.magister.net); else ``None``."""
        if not all(c.listed for c in tier):
            return None
        hosts = {self.consent.schools[c.entry].host for c in tier}
        if len(hosts) != 1 or "" in hosts:
            return None
        key = identity_key(q.text)
        named = [c for c in tier if identity_key(self.consent.schools[c.entry].name) == key]
        return named[0] if len({c.entry for c in named}) == 1 else None

    def _may_be_listed(self, group: int | None, b: _Built) -> list[_Candidate]:
        """List entries that may be directory school ``group`` under another name (so "not on
        the list" would be a guess): entries not linked to another school whose name its name
        and place fit, or that hold all its distinctive words ("SG Dalton" is not "Dalton
        Spinozalyceum")."""
        if group is None or self.directory is None:
            return []
        g = self.directory.groups()[group]
        generic = lexicon().generic
        out: dict[int, _Candidate] = {}
        # An unlinked entry named with generic words only ("Stedelijk Gymnasium"), all of them this school's.
        mine = set(b.index.analyse(f"{g.name} {g.location}").tokens)
        for i, n in enumerate(b.index.names):
            if n.tokens and not n.distinct and set(n.tokens) <= mine and not b.links.of(i).linked:
                out[i] = _Candidate(i, None, b.index.fit(n, {}, i))
        for text in {g.name, g.location} - {""}:
            q = b.index.analyse(f"{text} {g.city}")
            words = {t for t in q.tokens if t not in generic and t not in self.places}
            for m in b.index.search(q):
                lk = b.links.of(m.ref)
                if lk.linked and group not in lk.groups:
                    continue
                if m.fit in GRANTABLE or (m.fit == Fit.OFFER and words <= set(m.name.distinct)):
                    out.setdefault(m.ref, _Candidate(m.ref, None, m))
        return list(out.values())

    def _choice(self, query: str, cands: list[_Candidate], b: _Built, info: dict) -> Lookup:
        """``ambiguous`` with the candidates, list entries first, one per real school."""
        seen: set[tuple] = set()
        shown: list[School] = []
        unlisted: set[int] = set()
        for c in sorted(cands, key=lambda c: (c.match.fit not in GRANTABLE, not c.listed, c.key())):
            k = ("e", c.entry) if c.listed else ("g", self.directory.groups()[c.group].school_id)
            if k in seen:
                continue
            seen.add(k)
            if not c.listed:
                unlisted.add(len(shown))
            shown.append(self._shown(c, b))
        return Lookup(Status.AMBIGUOUS, query, candidates=tuple(shown[:MAX_CHOICES]),
                      score=max((c.match.sim for c in cands), default=0.0), list_info=info,
                      unlisted=frozenset(i for i in unlisted if i < MAX_CHOICES))

    def _shown(self, c: _Candidate, b: _Built) -> School:
        if c.listed:
            return self._with_place(c.entry, b)
        return self.directory.groups()[c.group].school()

    def _with_place(self, entry: int, b: _Built) -> School:
        """The list entry with the place and codes its exact or strong link gives, where the list has none."""
        s = self.consent.schools[entry]
        lk = b.links.of(entry)
        if s.city or lk.kind not in (LinkKind.EXACT, LinkKind.STRONG) or self.directory is None:
            return s  # a weak link may be wrong: no place made up from it
        groups = [self.directory.groups()[g] for g in lk.groups]
        cities = {g.city for g in groups}
        if len(cities) != 1:
            return s
        g = groups[0]
        one = len(groups) == 1
        return replace(s, city=g.city, brin=s.brin or (g.brin if len({x.brin for x in groups}) == 1 else ""),
                       vestigingscode=s.vestigingscode or (g.codes[0] if one and len(g.codes) == 1 else ""))

    def _host(self, query: str, host: str, b: _Built, info: dict) -> Lookup:
        """A Magister host: its entries, the one most like the host's name first."""
        entries = b.by_host.get(host, [])
        if not entries:
            return Lookup(Status.NOT_FOUND, query, reason=Reason.HOST_NOT_LISTED, list_info=info)
        sub = host.split(".")[0]
        ranked = sorted(entries, key=lambda e: (-fuzz.partial_ratio(sub, b.index.names[e].key.replace(" ", "")), e))
        return Lookup(Status.GRANTED, query, self._with_place(ranked[0], b),
                      tuple(self.consent.schools[e] for e in ranked[1:MAX_CHOICES + 1]), 1.0, Reason.NONE, info)

    def _code(self, query: str, code: str, b: _Built, info: dict) -> Lookup:
        """A BRIN or vestigingscode: its directory school; granted only through an exact link."""
        groups = self.directory.by_code(code)
        if not groups:
            return Lookup(Status.NOT_FOUND, query, reason=Reason.NO_MATCH, list_info=info)
        all_groups = self.directory.groups()
        entries = sorted({e for g in groups for e in b.links.entries_of(g)})
        exact = [e for e in entries if b.links.of(e).kind == LinkKind.EXACT]
        if exact and len({self.consent.schools[e].host or e for e in exact}) == 1:
            return Lookup(Status.GRANTED, query, self._with_place(exact[0], b), score=1.0, list_info=info)
        if entries:  # linked by name or website: a question, not a verdict
            return Lookup(Status.AMBIGUOUS, query, candidates=tuple(self._with_place(e, b) for e in entries[:MAX_CHOICES]),
                          score=1.0, list_info=info)
        school = all_groups[groups[0]].school()
        maybe = self._may_be_listed(groups[0], b)
        if maybe or len({all_groups[g].brin for g in groups}) != 1:
            shown = [all_groups[g].school() for g in groups] + [self._with_place(c.entry, b) for c in maybe]
            return Lookup(Status.AMBIGUOUS, query, candidates=tuple(shown[:MAX_CHOICES]), score=1.0, list_info=info)
        return Lookup(Status.NOT_GRANTED, query, school, score=1.0, list_info=info)

    def _general(self, query: str, q: Name, b: _Built, info: dict) -> Lookup:
        """A query of generic words and/or places only: never a verdict, at most a choice (list
        entries that hold every word of the query; else the directory's schools)."""
        want = set(q.tokens)
        hits = sorted(_having_all(b.index, want, places=False))
        best = process.extract(q.key, [b.index.names[i].key for i in hits], scorer=fuzz.token_sort_ratio,
                               limit=MAX_CHOICES + 1)
        ranked = [hits[j] for _, _, j in sorted(best, key=lambda r: (-r[1], hits[r[2]]))]
        shown = [self._with_place(i, b) for i in ranked]
        score = best[0][1] / 100 if best else 0.0
        many = len(hits)
        if not hits and self.directory is not None:
            idx = self.directory.index()
            found = sorted({idx.refs[i] for i in _having_all(idx, want, places=True)})
            shown = [self.directory.groups()[g].school() for g in found[:MAX_CHOICES + 1]]
            many = len(found)
        if not shown:
            return Lookup(Status.NOT_FOUND, query, reason=Reason.NO_MATCH, list_info=info)
        if many > MAX_CHOICES:
            return Lookup(Status.NOT_FOUND, query, candidates=tuple(shown[:MAX_CHOICES]), reason=Reason.TOO_GENERAL,
                          list_info=info)
        return Lookup(Status.AMBIGUOUS, query, candidates=tuple(shown), score=score, list_info=info)


def _having_all(index: NameIndex, words: set[str], *, places: bool) -> set[int]:
    """The names of ``index`` that hold every word of ``words`` (a place also where the school
    is known to be, with ``places``), found through the postings."""
    found: set[int] | None = None
    for w in sorted(words, key=lambda w: len(index.postings.get(w, ()))):
        ids = set(index.postings.get(w, ()))
        if places:
            ids.update(index.at_place.get(w, ()))
        found = ids if found is None else found & ids
        if not found:
            return set()
    return found or set()


def _rank(lk) -> tuple[int, int]:
    """How narrowly a link names its schools: fewer schools first, then the surer kind."""
    order = {LinkKind.EXACT: 0, LinkKind.STRONG: 1, LinkKind.WEAK: 2}
    return (len(lk.groups), order.get(lk.kind, 3))
