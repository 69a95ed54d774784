"""How well a query fits one school name: an index over names, and the rules, one function each.

``NameIndex(names, places).search(query) -> [Match]``: every indexed name that shares a
distinctive word with the query (or a compound of two), with its :class:`Fit`. A wrong
"granted" is the costliest error the bot can make, so a name fits only when the query and the
name agree on every word that tells schools apart (:mod:`bot.names` says which words those are):

* A distinctive word matches exactly, as a compound of two words ("ij burg" = "IJburg"), or
  with one typo (two in a word of eight letters or more) when the query word is not itself a
  word of the index: "montesori" finds "Montessori", "Celeanum" never finds "Felisenum".
* Then the rules below decide, in order (:data:`RULES`); the first that applies gives the fit.

A place in the query that the name does not hold is checked against the places where the
school is known to be (``known``: the list's city column, the directory's place, the places
of the DUO locations a list entry is linked to; ``maybe``: places that may confirm but never
refute, from weak links): a known place confirms it, a school known elsewhere is another
school, a school whose place nobody knows leaves it unconfirmed (a grant says so).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Callable, Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .names import Name, Places, analyse, is_everyday, lexicon


class Fit(IntEnum):
    """How a query fits a name, best first (a lower value is a better fit)."""

    SAME = 0
    """The same distinctive words; the name may add generic words ("cals college" / "Het Cals College")
    or the place where the school is ("Karel de Grote College" / "… Nijmegen")."""
    QUERY_ADDS_PLACE = 1
    """The same words, and a place in the query that nothing confirms (granted with a caveat)."""
    NAME_ADDS_BOARD = 3
    """The name adds its board's words ("Esprit Scholen Berlage Lyceum"), or agrees only through a typo."""
    QUERY_ADDS_WORD = 4
    """The query adds one word, two others agreeing ("OSG Willem Blaeu Alkmaar" / "OSG Willem Blaeu")."""
    OFFER = 5
    """A candidate to offer in "welke bedoel je?", never to grant."""
    NEAR_MISS = 9
    """Similar, but another school."""


PLACE_FILTER = 64
"""Past this many candidates, a query with a place looks only at names at that place (or of
no known place): the others are elsewhere, so another school."""
GRANTABLE = frozenset(f for f in Fit if f < Fit.OFFER)
"""The fits that may grant; :attr:`Fit.OFFER` and worse never do."""


class Place(IntEnum):
    """What the query's places say about a name's school."""

    NONE = 0          # the query names no place the name does not hold
    CONFIRMED = 1     # every such place is where the school is known to be
    UNCONFIRMED = 2   # nobody knows where the school is
    ELSEWHERE = 3     # the school is known to be elsewhere


@dataclass(frozen=True)
class Match:
    """One indexed name against a query.

    ``ref`` is the caller's id of the name (``index`` its position in the index); ``fit`` how
    the query fits it; ``place`` what the query's places say (:class:`Place`); ``edits``
    counts the typos corrected; ``sim`` (0..1) is rapidfuzz's ``token_sort_ratio`` of the two
    names' tokens; ``rule`` names the rule that decided (see :data:`RULES`); ``matched`` the
    name's distinctive words (no places) the query matched.
    """

    ref: int
    index: int
    name: Name
    fit: Fit
    place: Place
    edits: int
    sim: float
    rule: str
    matched: tuple[str, ...] = ()


@dataclass
class Pairing:
    """The query's and the name's distinctive words paired up, as the rules see them.

    ``q_places``: places only the query has and nothing confirms; ``confirmed``: places only
    the query has that are where the school is known to be; ``elsewhere``: whether the school
    is known to be somewhere else; ``s_places``: places only the name has; ``q_other`` /
    ``s_other``: the other words only one of them has; ``matched``: the name's distinctive
    words the query matched (places left out); ``exact``: query words that are the name's
    own, without a typo (a compound of two of them counts); ``q_types`` / ``s_types``: school types (the school's: its name's, or
    when the name has none, those it has besides); ``q_generic``: the query's
    generic words; ``board``: the words the name's board may add; ``s_extra``: the types and
    qualifiers the school has besides its name's; ``place_name``: the name is
    a place and generic words the query has ("RSG Enkhuizen"), or generic words alone at a
    place the query confirms ("Christelijk Lyceum" in Veenendaal).
    """

    query: Name
    name: Name
    q_places: list[str]
    confirmed: list[str]
    elsewhere: bool
    s_places: list[str]
    q_other: list[str]
    s_other: list[str]
    matched: list[str]
    exact: int
    edits: int
    q_generic: frozenset[str]
    q_types: frozenset[str]
    s_types: frozenset[str]
    board: frozenset[str]
    place_name: bool
    s_extra: frozenset[str] = frozenset()


# -- the rules ---------------------------------------------------------------------------------
# Each takes the pairing and returns a Fit, or None to leave the decision to the next rule.
def place_elsewhere(p: Pairing) -> Fit | None:
    """The query's place is not where the school is known to be ("Don Bosco College
    Maastricht" / the Don Bosco College in Volendam; "Stedelijk Gymnasium Leiden" / "Stedelijk
    Gymnasium Breda", whose name gives its place): another school."""
    return Fit.NEAR_MISS if p.elsewhere else None


def several_unconfirmed_places(p: Pairing) -> Fit | None:
    """Two places in the query that nothing confirms ("Cals College Utrecht Zeist"): no fit."""
    return Fit.NEAR_MISS if len(p.q_places) > 1 else None


def only_a_place_in_common(p: Pairing) -> Fit | None:
    """Nothing but a place agrees ("Christelijk Lyceum Delft" / "Grotius College Delft"),
    unless the name is a place and generic words ("RSG Enkhuizen" / "Regionale
    Scholengemeenschap Enkhuizen")."""
    return Fit.NEAR_MISS if not (p.matched or p.place_name) else None


def qualifier_not_in_name(p: Pairing) -> Fit | None:
    """A qualifier of the query ("christelijk", "RSG": regionaal) that the school lacks:
    "christelijk lyceum" is not any lyceum. A qualifier the school lacks is also satisfied by
    what it implies ("OSG" is openbaar, "protestants" christelijk), so DUO's denomination can
    confirm it."""
    lex = lexicon()
    has = p.name.generic | p.s_extra
    missing = [t for t in p.q_generic & lex.qualifiers
               if t not in has and not (t in lex.implies and set(lex.implies[t]) <= has)]
    return Fit.NEAR_MISS if missing else None


def other_type(p: Pairing) -> Fit | None:
    """Both name a school type and they differ: a lyceum is not a college ("Gerrit Rietveld
    Academie" / "Gerrit Rietveld College"). A school whose name has no type is known by the
    types it offers (DUO's list: "voor lyceum, havo, mavo"); such a school may be called a
    college or a school, which says no more than that it is one."""
    if not (p.q_types and p.s_types) or p.q_types & p.s_types:
        return None
    own = p.name.generic & lexicon().types
    if not own and p.q_types <= lexicon().name_only_types and "@PO" not in p.s_extra:
        return None  # (a primary school is never a college)
    return Fit.NEAR_MISS


def other_sector(p: Pairing) -> Fit | None:
    """The query names a school of another sector than the school's ("CSG Willem van Oranje" is
    no primary school, "basisschool De Regenboog" no secondary school)."""
    if not p.s_extra:
        return None
    sectors = {t[1:] for t in p.s_extra if t[0] == "@"}
    if not sectors or "SPECIAAL" in sectors:
        return None
    toks = set(p.query.tokens)
    named = {sector for sector, ws in lexicon().sector_words.items() if toks & ws}
    return Fit.NEAR_MISS if named and not named & sectors else None


def type_unconfirmed(p: Pairing) -> Fit | None:
    """The query names a type and the name none: a question ("Willem van Oranjeschool" may
    not be "CSG Willem van Oranje")."""
    return Fit.OFFER if p.q_types - p.s_types and not p.s_types else None


def both_add_words(p: Pairing) -> Fit | None:
    """Each has a distinctive word the other lacks ("Hendrik Pierson" / "Hendrik de Keyser"): another school."""
    return Fit.NEAR_MISS if p.q_other and p.s_other else None


def one_everyday_word(p: Pairing) -> Fit | None:
    """One everyday word in common ("De Meer" / "College de Meer") is a question, unless the
    query is the whole name (board words, loose generic words and the query's place aside:
    "College Sint Paul" / "Esloo Onderwijsgroep College St. Paul")."""
    if len(p.matched) != 1 or not is_everyday(p.matched[0]):
        return None
    skip = lexicon().minor | p.board | set(p.q_places) | set(p.confirmed)
    whole = {t for t in p.query.tokens if t not in skip} == {t for t in p.name.tokens if t not in skip}
    return None if whole else Fit.OFFER


def query_adds_a_word(p: Pairing) -> Fit | None:
    """The query adds words the name lacks: fine for one word with two others agreeing (and no
    unconfirmed place), else a question."""
    if not p.q_other:
        return None
    ok = len(p.q_other) == 1 and len(p.matched) >= 2 and not p.q_places
    return Fit.QUERY_ADDS_WORD if ok else Fit.OFFER


def thin_with_unconfirmed_place(p: Pairing) -> Fit | None:
    """A place nothing confirms, and the name adds words or only one word agrees ("Maerlant
    Lyceum Den Haag" is not shown to be "Van Maerlantlyceum"): a question."""
    return Fit.OFFER if p.q_places and (p.s_other or len(p.matched) < 2) else None


def name_adds_words(p: Pairing) -> Fit | None:
    """The name adds words: its board's ("Esprit Scholen Het 4e Gymnasium", when the query names
    no other type) fit, another school's ("Hendrik" / "Hendrik Pierson College") are a question."""
    if not p.s_other:
        return None
    board = set(p.s_other) <= p.board and (not p.q_types or bool(p.q_types & p.s_types)) and not p.s_places
    return Fit.NAME_ADDS_BOARD if board else Fit.OFFER


def typo_only(p: Pairing) -> Fit | None:
    """Nothing agrees without a typo (a confirmed place counts as agreeing): never a plain fit."""
    return Fit.NAME_ADDS_BOARD if not p.exact + len(p.confirmed) else None


def what_is_left(p: Pairing) -> Fit:
    """The same words (the name may add its own place), perhaps with a place of the query that
    nothing confirms."""
    return Fit.QUERY_ADDS_PLACE if p.q_places else Fit.SAME


RULES: tuple[Callable[[Pairing], Fit | None], ...] = (
    place_elsewhere, several_unconfirmed_places, only_a_place_in_common, qualifier_not_in_name,
    other_sector, other_type, type_unconfirmed, both_add_words, one_everyday_word, query_adds_a_word, thin_with_unconfirmed_place,
    name_adds_words, typo_only, what_is_left)
"""The rules in the order they are tried."""


def decide(p: Pairing) -> tuple[Fit, str]:
    """The first rule of :data:`RULES` that applies, and its name."""
    for rule in RULES:
        fit = rule(p)
        if fit is not None:
            return fit, rule.__name__
    raise AssertionError("what_is_left always decides")


def correct_types(query: Name, known: Callable[[str], bool], places: Places) -> Name:
    """``query`` with a misspelt school type corrected ("Colege", "Collage" -> "college"): a word
    of six letters or more that no index knows, one edit from a type of the lexicon."""
    lex = lexicon()
    types = [t for t in lex.types if len(t) >= 6]
    fixed = []
    changed = False
    for t in query.tokens:
        if len(t) >= 6 and t.isalpha() and t not in lex.generic and not known(t) and t not in places:
            hit = next((x for x in types if OSA.distance(t, x, score_cutoff=1) <= 1), None)
            if hit:
                fixed.append(hit)
                changed = True
                continue
        fixed.append(t)
    return analyse(" ".join(fixed), places) if changed else query


# -- the index ---------------------------------------------------------------------------------
class NameIndex:
    """An index over school names; built once, then read-only (thread-safe).

    ``names``: ``(text, ref)`` pairs (``ref`` is the caller's id: a list row, a directory
    school); several names may share a ref. ``places``: the place names the analysis knows.
    Per name (sequences as long as ``names``, default empty): ``boards``, the words its board
    may add (e.g. those the names on one Magister host share); ``known``, the canonical keys of
    the places where its school is known to be; ``maybe``, places that may confirm a query's
    place but never refute it, and only when the query fits the whole name (weak links); ``extra``, types and qualifiers the school is known to have
    besides its name's (the directory's education types, sector and denomination).
    """

    def __init__(self, names: Iterable[tuple[str, int]], places: Places,
                 boards: Sequence[frozenset[str]] | None = None, known: Sequence[frozenset[str]] | None = None,
                 maybe: Sequence[frozenset[str]] | None = None, extra: Sequence[frozenset[str]] | None = None):
        self.places = places
        pairs = list(names)
        empty = [frozenset()] * len(pairs)
        self.names: list[Name] = [analyse(text, places) for text, _ in pairs]
        self.refs: list[int] = [ref for _, ref in pairs]
        self.boards: list[frozenset[str]] = list(boards) if boards is not None else empty
        self.known: list[frozenset[str]] = [k | n.places for k, n in zip(known or empty, self.names)]
        self.maybe: list[frozenset[str]] = list(maybe) if maybe is not None else empty
        self.extra: list[frozenset[str]] = list(extra) if extra is not None else empty
        self.postings: dict[str, list[int]] = {}
        self.at_place: dict[str, list[int]] = {}
        for i, n in enumerate(self.names):
            for t in set(n.tokens):
                self.postings.setdefault(t, []).append(i)
            for pl in self.known[i] | self.maybe[i]:
                self.at_place.setdefault(pl, []).append(i)
        generic = lexicon().generic
        self.vocab = sorted(t for t in self.postings if t not in generic and t.isalpha() and t not in places)
        self._first: dict[str, list[str]] = {}
        for w in self.vocab:
            self._first.setdefault(w[0], []).append(w)

    def __len__(self) -> int:
        return len(self.names)

    def analyse(self, text: str) -> Name:
        """``text`` analysed with this index's places."""
        return analyse(text, self.places)

    def near(self, word: str, *, known_too: bool = False) -> dict[str, int]:
        """Words of the index ``word`` may stand for, with their edit distance: itself when
        indexed, else (for a word of five letters or more that is no place) words with the same
        first letter one edit away (two for eight letters or more). ``known_too`` looks for
        such words (one edit away) also when ``word`` is indexed itself (for links, which other
        evidence must back: "Anton Gaudi" / "Antoni Gaudi")."""
        own = {word: 0} if word in self.postings else {}
        if own and not known_too:
            return own
        if word in self.places or len(word) < 5 or not word.isalpha():
            return own
        limit = 1 if len(word) < 8 or own else 2
        pool = self._first.get(word[0], [])
        found = {cand: int(dist) for cand, dist, _ in
                 process.extract(word, pool, scorer=OSA.distance, score_cutoff=limit, limit=None)}
        return {**found, **own}

    def splits(self, word: str) -> list[tuple[str, str]]:
        """``word`` as two words of the index written together ("trompmeesters" -> ("tromp",
        "meesters")): each part of three letters or more, no generic word."""
        if word in self.postings or len(word) < 7:
            return []
        generic = lexicon().generic
        return [(word[:k], word[k:]) for k in range(3, len(word) - 2)
                if word[:k] in self.postings and word[k:] in self.postings
                and word[:k] not in generic and word[k:] not in generic]

    def _candidates(self, query: Name, qnear: dict[str, dict[str, int]]) -> tuple[set[int], set[int]]:
        """:meth:`candidates` in two parts: by the rarest word (and compounds, places), and by
        the second rarest."""
        lex = lexicon()
        distinct = [t for t in query.tokens if t not in lex.generic]
        words = [t for t in distinct if t not in self.places]
        ids: set[int] = set()
        more: set[int] = set()
        if words:
            size = {t: sum(len(self.postings.get(v, ())) for v in qnear.get(t, {})) or
                    sum(len(self.postings.get(a, ())) for a, _ in self.splits(t)) for t in words}
            for n, t in enumerate(sorted(words, key=size.__getitem__)[:2]):
                into = ids if n == 0 else more
                for v in qnear.get(t, {}):
                    into.update(self.postings.get(v, ()))
                if not qnear.get(t):
                    for a, _ in self.splits(t):  # "trompmeesters" = "Tromp Meesters"
                        into.update(self.postings.get(a, ()))
        else:
            marks = [t for t in query.tokens if t in lex.qualifiers or t in lex.types]
            if not marks:
                return set(), set()
            rarest = min(marks, key=lambda t: len(self.postings.get(t, ())))
            having = set(self.postings.get(rarest, ()))
            for t in distinct:
                ids.update(i for i in self.postings.get(t, ()) if i in having)
                ids.update(i for i in self.at_place.get(t, ()) if i in having)
        for a, b in zip(distinct, distinct[1:]):
            ids.update(self.postings.get(a + b, ()))  # "ij burg" = "IJburg"
        q_types = query.generic & lex.types
        if q_types and len(ids) + len(more) > PLACE_FILTER:
            # "montessori lyceum": of the many, a school of another type is another school (other_type)
            ids = {i for i in ids if self._type_may_fit(q_types, i)}
            more = {i for i in more if self._type_may_fit(q_types, i)}
        places = [t for t in distinct if t in self.places]
        if places and len(ids) + len(more) > PLACE_FILTER:
            # "montessori roermond": of the many, only those there, or of no known place, can fit
            there = {i for t in places for i in (*self.at_place.get(t, ()), *self.postings.get(t, ()))}
            ids = {i for i in ids if i in there or not (self.known[i] or self.maybe[i])}
            more = {i for i in more if i in there or not (self.known[i] or self.maybe[i])}
        return ids, more

    def _type_may_fit(self, q_types: frozenset[str], i: int) -> bool:
        """Whether name ``i``'s school types leave room for ``q_types`` (see :func:`other_type`)."""
        lex = lexicon()
        own = self.names[i].generic & lex.types
        s_types = own or (self.extra[i] & lex.types)
        return not s_types or bool(q_types & s_types) or (
            not own and q_types <= lex.name_only_types and "@PO" not in self.extra[i])

    def search(self, query: Name, qnear: dict[str, dict[str, int]] | None = None) -> list[Match]:
        """Every name that may fit ``query`` (:meth:`candidates`), with its fit. ``qnear`` may
        pass :meth:`near` for the query's words.

        The names with the rarest word come first; those with the second rarest are fitted too
        unless one of the first fits in full (:attr:`Fit.SAME` or :attr:`Fit.QUERY_ADDS_PLACE`):
        a name without the rarest word can then fit no better than one word short, which never
        decides ("kindcentrum westwijzer" needs no look at every kindcentrum)."""
        generic = lexicon().generic
        distinct = [t for t in query.tokens if t not in generic]
        if not distinct:
            return []
        qnear = qnear if qnear is not None else {t: self.near(t) for t in distinct}
        first, second = self._candidates(query, qnear)
        found = [self.fit(query, qnear, i) for i in sorted(first)]
        if second and not any(m.fit <= Fit.QUERY_ADDS_PLACE for m in found):
            found += [self.fit(query, qnear, i) for i in sorted(second - first)]
        return found

    def candidates(self, query: Name, qnear: dict[str, dict[str, int]]) -> set[int]:
        """The names that may fit ``query``: those holding one of its two rarest non-place words
        (or a compound of two of its words); for a query of places and generic words only, the
        names at or of its places that hold its rarest qualifier or type."""
        first, second = self._candidates(query, qnear)
        return first | second

    def fit(self, query: Name, qnear: dict[str, dict[str, int]], i: int) -> Match:
        """How ``query`` fits name ``i`` (see the module docstring)."""
        p = self.pair(query, qnear, i)
        fit, rule = decide(p)
        if fit != Fit.SAME and any(t not in self.known[i] for t in p.confirmed):
            p = self.pair(query, qnear, i, maybe=False)  # "maybe" places confirm only a whole fit
            fit, rule = decide(p)
        place = (Place.ELSEWHERE if p.elsewhere else Place.UNCONFIRMED if p.q_places
                 else Place.CONFIRMED if p.confirmed else Place.NONE)
        n = self.names[i]
        return Match(self.refs[i], i, n, fit, place, p.edits, fuzz.token_sort_ratio(query.key, n.key) / 100, rule,
                     tuple(p.matched))

    def pair(self, query: Name, qnear: dict[str, dict[str, int]], i: int, maybe: bool = True) -> Pairing:
        """Pair the distinctive words of ``query`` with those of name ``i`` (``maybe``: let the
        name's "maybe" places confirm the query's)."""
        n = self.names[i]
        lex = lexicon()
        generic = lex.generic
        places = self.places
        q_distinct = [t for t in query.tokens if t not in generic]
        s_left = list(n.distinct)
        q_left: list[str] = []
        edits = compounds = 0
        k = 0
        while k < len(q_distinct):
            t = q_distinct[k]
            near = qnear.get(t) or {}
            hit = next((x for x in s_left if x in near), None)
            if hit is None and t in s_left:
                hit = t
            if hit is not None:
                s_left.remove(hit)
                edits += near.get(hit, 0)
            elif k + 1 < len(q_distinct) and t + q_distinct[k + 1] in s_left:  # "ij burg"
                s_left.remove(t + q_distinct[k + 1])
                k += 1
                compounds += 1
            elif any(a + b == t for a, b in zip(s_left, s_left[1:])):  # "vanhouten", "trompmeesters"
                a, b = next((a, b) for a, b in zip(s_left, s_left[1:]) if a + b == t)
                s_left.remove(a)
                s_left.remove(b)
                compounds += 1
            else:
                q_left.append(t)
            k += 1
        extra = [t for t in dict.fromkeys(q_left) if t in places and t not in n.places]
        known, maybes = self.known[i], self.maybe[i] if maybe else frozenset()
        confirmed = [t for t in extra if t in known or t in maybes]
        unconfirmed = [t for t in extra if t not in confirmed]
        s_places = [t for t in s_left if t in places]
        q_generic = query.generic  # with the qualifiers its words imply ("rsg" -> "regionaal")
        marks = lex.marks
        place_name = bool(
            (n.distinct and not s_left and all(t in places for t in n.distinct)
             and (n.generic - lex.articles) <= q_generic)
            or (confirmed and not n.distinct and n.generic & marks and (n.generic & marks) <= q_generic))
        consumed = list(n.distinct)
        for t in s_left:
            consumed.remove(t)
        return Pairing(
            query=query, name=n, q_places=unconfirmed, confirmed=confirmed,
            elsewhere=bool(unconfirmed and known), s_places=s_places,
            q_other=[t for t in q_left if t not in places], s_other=[t for t in s_left if t not in places],
            matched=[t for t in consumed if t not in places],
            exact=compounds + sum(1 for t in q_distinct if t in n.distinct and (t not in places or t in n.places)),
            edits=edits, q_generic=q_generic, q_types=q_generic & lex.types,
            s_types=(n.generic & lex.types) or (self.extra[i] & lex.types), board=self.boards[i], place_name=place_name,
            s_extra=self.extra[i])
