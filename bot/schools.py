"""Look a school up on the consent list: has it granted Studyspace access?

``SchoolMatcher(consent_list).lookup(query) -> Lookup``. A wrong ``granted`` is the costliest
error the bot can make (staff would tell a family the connection works), so the matcher
grants only when the query and a listed name agree on every word that tells schools apart:

* Words are canonical (:func:`bot.text.name_tokens`: "St." = "Sint", "RSG" = "Regionale
  Scholengemeenschap", "Theresialyceum" = "Theresia lyceum") and split into *generic* words
  (school types, qualifiers such as "christelijk" or "stedelijk", articles), *places*
  (``knowledge/plaatsen.txt`` and the cities the list itself names) and *distinctive* words.
* A distinctive word matches exactly, as a compound of two words, or with one typo (two in
  a long word) when the query word is not itself a word of the list: "montesori" finds
  "Montessori", "Celeanum" never finds "Felisenum".
* Two different places ("Leiden" against "Breda") rule a name out. A place only in the query
  or only in the name is allowed (a city added or left out), but a place alone never grants.
* A qualifier in the query ("christelijk", "RSG") must be in the name; a school type in the
  query ("lyceum", "school", "academie") must be the name's type, and a type the name does not
  confirm makes the name a question ("Willem van Oranjeschool" / "CSG Willem van Oranje").
* The list's own city column confirms or refutes a place in the query; one everyday word in
  common ("De Meer" / "College de Meer", by wordfreq's frequency: :func:`is_common`) is a
  question, not a verdict.

Then: names that contain every distinctive word and add nothing but generic words grant when
they share one Magister host (consent is given per Magister instance); otherwise a single
name that adds only a place or a board name grants; several such names make the query
``ambiguous``; the rest are offered as near misses under ``not_found``.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .consentlist import ConsentList, School, host_in
from .text import name_tokens

PLACES_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "plaatsen.txt"
COMMON_WORD_ZIPF = 4.5
"""A name word this common in everyday Dutch or English (wordfreq's Zipf scale, log10 of the
frequency per billion words: "meer" 6.3, "plein" 4.6, "bonhoeffer" 2.3) alone is a question,
never a verdict."""

_COMMON_LOCK = threading.Lock()
_common: frozenset[str] | None = None
_DIGIT_RUN = re.compile(r"[0-9]{2,}")


def common_words() -> frozenset[str]:
    """The everyday words of Dutch and English: every word of wordfreq's ``best`` lists for
    ``nl`` and ``en`` with a Zipf value of at least :data:`COMMON_WORD_ZIPF` (about 5,200).

    Made once per process, under a lock (wordfreq loads its lists lazily and without one:
    threads that meet an unloaded list each load it again). The lists (about 65 MB for the
    two languages) are released once the set is made: the bot never needs a rarer word's
    frequency. Takes about 0.3 s the first time; :class:`SchoolMatcher` calls it on
    construction, so no lookup ever waits for it."""
    global _common
    with _COMMON_LOCK:
        if _common is None:
            import wordfreq

            # The lists are frequency buckets of one centibel: bucket i holds the words of
            # Zipf 9 - i/100, so the common words are the first buckets.
            last = round((9 - COMMON_WORD_ZIPF) * 100)
            words = {w for lang in ("nl", "en") for bucket in wordfreq.get_frequency_list(lang)[:last + 1]
                     for w in bucket}
            getattr(wordfreq.get_frequency_list, "cache_clear", lambda: None)()  # an lru_cache: let go
            _common = frozenset(words)
        return _common


def is_common(word: str, common: frozenset[str] | None = None) -> bool:
    """Whether ``word`` (matching form: ``a-z``, ``0-9``) is an everyday word, one of
    ``common`` (default :func:`common_words`). A run of two or more digits is read as
    wordfreq stores it, as zeros: a number counts as common when numbers of its length are
    ("18" as "00"; wordfreq would then scale by the digits), which can only make a verdict a
    question."""
    smashed = _DIGIT_RUN.sub(lambda m: "0" * len(m.group()), word)
    return smashed in (common if common is not None else common_words())


MAX_CHOICES = 8
"""Most candidates offered in one "welke bedoel je?"; a vaguer query is "too general"."""

ARTICLES = frozenset("het de den der des van en voor op aan in te s a the of and magister net nl www https http".split())
QUALIFIERS = frozenset("""christelijk katholiek rk pc openbaar stedelijk gemeentelijk csg rsg osg ksg isg
interconfessioneel protestants reformatorisch gereformeerd islamitisch algemeen bijzonder oecumenisch
regionale regionaal""".split())
STRICT_TYPES = frozenset("""college lyceum gymnasium atheneum mavo havo vmbo praktijkonderwijs basisschool school
academie hogeschool universiteit roc""".split())
LOOSE_GENERIC = frozenset("""scholen scholengroep sg vo so vso onderwijsgroep onderwijs campus locatie
vestiging sint mgr dr prof vwo tl kader cs cvo pcvo ors vbo lwoo""".split())
GENERIC = ARTICLES | QUALIFIERS | STRICT_TYPES | LOOSE_GENERIC
_ROMAN = frozenset("i ii iii iv v vi vii viii ix x".split())


def load_places(path: Path | str = PLACES_PATH) -> frozenset[str]:
    """Place names from a text file (one a line, ``#`` comments), in matching form
    (multi-word places joined: "bergen op zoom" -> "bergenopzoom"). Empty when the file is
    missing: the matcher then knows only the places its lists name."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(place_key(x) for x in lines if x.strip() and not x.startswith("#"))


def place_key(name: str) -> str:
    """A place name in matching form: "Bergen op Zoom" -> "bergenopzoom"."""
    return "".join(name_tokens(name))


@dataclass(frozen=True)
class Lookup:
    """The outcome of :meth:`SchoolMatcher.lookup`.

    ``status``: ``"granted"`` (``match`` is on the list), ``"ambiguous"`` (``candidates``,
    best first: which one?), ``"not_found"`` (nothing on the list is close enough;
    ``candidates`` may hold near misses) or ``"not_granted"`` (the school is known from the
    school directory, ``match``, but not on the list). ``reason`` explains a not_found:
    ``"no_name"`` (nothing that names a school), ``"too_general"``, ``"host_not_listed"``,
    ``"no_match"``; a granted lookup may carry ``"place_unconfirmed"`` (the query names a
    place that the list does not give for the school); ``""`` otherwise. ``score`` in 0..1 is the best candidate's similarity;
    ``list_info`` is :meth:`ConsentList.info`.
    """

    status: str
    query: str
    match: School | None = None
    candidates: tuple[School, ...] = ()
    score: float = 0.0
    reason: str = ""
    list_info: dict | None = None

    def to_json(self) -> dict:
        """The JSON contract of ``python -m bot school --json`` (``../shared/eval/lookup_eval.py``)."""
        return {"status": self.status, "query": self.query,
                "match": self.match.to_json() if self.match else None,
                "candidates": [c.to_json() for c in self.candidates],
                "score": round(self.score, 3), "reason": self.reason, "list": self.list_info}


@dataclass(frozen=True)
class _Name:
    school: School
    index: int
    tokens: tuple[str, ...]
    distinct: tuple[str, ...]
    generic: frozenset[str]
    places: frozenset[str]
    key: str
    city: str  # the list's city column, in place-key form ("" when not given)


@dataclass
class _Verdict:
    name: _Name
    # 0 same words; 1 the query adds a place; 2 the name adds a place; 3 the name adds a
    # board's word ("Esprit Scholen …") or agrees only through a typo; 4 the query adds a
    # word; 5 a candidate to offer but never to grant; 9 a near miss.
    kind: int
    edits: int
    sim: float


class SchoolMatcher:
    """An index over one :class:`ConsentList`; built once, then read-only (thread-safe).

    ``places`` overrides the place names (default :func:`load_places` plus the list's cities).
    """

    def __init__(self, consent: ConsentList, places: Iterable[str] | None = None):
        self.consent = consent
        self.common = common_words()  # loaded here, never during a lookup
        base = load_places() if places is None else frozenset(place_key(p) for p in places)
        self.places = frozenset(base | {place_key(s.city) for s in consent.schools if s.city})
        self.names = [self._name(s, i) for i, s in enumerate(consent.schools)]
        self.postings: dict[str, set[int]] = {}
        for n in self.names:
            for t in set(n.tokens):
                self.postings.setdefault(t, set()).add(n.index)
        self.vocab = sorted(t for t in self.postings if t not in GENERIC)
        self.by_host: dict[str, list[_Name]] = {}
        for n in self.names:
            if n.school.host:
                self.by_host.setdefault(n.school.host, []).append(n)
        # A board's words: distinctive words that two or more names on one host share.
        self.board_words: dict[str, set[str]] = {}
        for host, names in self.by_host.items():
            counts: dict[str, int] = {}
            for n in names:
                for t in set(n.distinct):
                    counts[t] = counts.get(t, 0) + 1
            self.board_words[host] = {t for t, c in counts.items() if c >= 2}

    def _tokens(self, text: str) -> list[str]:
        """Canonical name words with multi-word places joined into one word, and a place
        after "van" taken as a surname ("Ulbe van Houten" -> "ulbe vanhouten")."""
        words = name_tokens(text)
        words = [w for i, w in enumerate(words) if w not in ARTICLES or w in ("den", "s")
                 or (w == "van" and i + 1 < len(words) and words[i + 1] in self.places)]
        words = [f"van{w}" if i and words[i - 1] == "van" else w for i, w in enumerate(words)]
        words = [w for w in words if w != "van"]
        out: list[str] = []
        i = 0
        while i < len(words):
            for span in (4, 3, 2):
                joined = "".join(words[i:i + span])
                if i + span <= len(words) and joined in self.places:
                    out.append(joined)
                    i += span
                    break
            else:
                if words[i] not in ("den", "s"):
                    out.append(words[i])
                i += 1
        return out

    def _name(self, s: School, i: int) -> _Name:
        toks = self._tokens(s.name)
        return _Name(s, i, tuple(toks), tuple(t for t in toks if t not in GENERIC),
                     frozenset(t for t in toks if t in GENERIC), frozenset(t for t in toks if t in self.places),
                     " ".join(toks), place_key(s.city) if s.city else "")

    # -- token matching ---------------------------------------------------------------
    def _near(self, word: str) -> dict[str, int]:
        """Vocabulary words ``word`` may stand for, with their edit distance."""
        out = {word: 0} if word in self.postings else {}
        if word in self.postings or word in self.places or len(word) < 5 or not word.isalpha():
            return out
        limit = 1 if len(word) < 8 else 2
        for cand, dist, _ in process.extract(word, self.vocab, scorer=OSA.distance,
                                             score_cutoff=limit, limit=None):
            if cand[0] == word[0] and cand not in self.places and cand.isalpha():
                out[cand] = int(dist)
        return out

    def _compare(self, q: list[str], qnear: dict[str, dict[str, int]], n: _Name) -> _Verdict:
        q_distinct = [t for t in q if t not in GENERIC]
        s_left = list(n.distinct)
        q_left: list[str] = []
        edits = 0
        qi = 0
        while qi < len(q_distinct):
            t = q_distinct[qi]
            hit = next((s for s in s_left if s in qnear.get(t, {})), None)
            if hit is not None:
                s_left.remove(hit)
                edits += qnear[t][hit]
            elif qi + 1 < len(q_distinct) and t + q_distinct[qi + 1] in s_left:  # "ij burg"
                s_left.remove(t + q_distinct[qi + 1])
                qi += 1
            elif any(a + b == t for a, b in zip(s_left, s_left[1:])):  # "vanhouten"
                a, b = next((a, b) for a, b in zip(s_left, s_left[1:]) if a + b == t)
                s_left.remove(a)
                s_left.remove(b)
            else:
                q_left.append(t)
            qi += 1
        sim = fuzz.token_sort_ratio(" ".join(q), n.key) / 100
        q_places = [t for t in dict.fromkeys(q_left) if t in self.places and t not in n.places]
        s_places = [t for t in s_left if t in self.places]
        q_other = [t for t in q_left if t not in self.places]
        s_other = [t for t in s_left if t not in self.places]
        matched = [t for t in n.distinct if t not in s_left and t not in self.places]
        qgen = set(q) & GENERIC
        # Agreement beyond one corrected typo: an exact distinctive word or a shared place.
        exact = sum(1 for t in q_distinct if t in n.distinct and (t not in self.places or t in n.places))
        near_miss = _Verdict(n, 9, edits, sim)
        if n.city and n.city in q_places:  # the list's own city column confirms the place
            q_places.remove(n.city)
            exact += 1
        if q_places and (n.places or n.city):
            return near_miss  # the query's place is not the one the name or the list gives
        # A name of generic words and a place ("RSG Enkhuizen") is matched by the same words.
        place_name = (bool(n.distinct) and not s_left and all(t in self.places for t in n.distinct)
                      and (n.generic - ARTICLES) <= qgen)
        if (q_places and s_places) or len(q_places) > 1 or not (matched or place_name):
            return near_miss  # two different places, or only a place in common
        if (qgen & QUALIFIERS) - n.generic:
            return near_miss  # "christelijk lyceum" is not any lyceum
        q_types, s_types = qgen & STRICT_TYPES, n.generic & STRICT_TYPES
        if q_types - s_types and not s_types:
            return _Verdict(n, 5, edits, sim)  # "Willem van Oranjeschool" may not be "CSG Willem van Oranje"
        if q_types and s_types and not q_types & s_types:
            return near_miss  # a lyceum is not a college
        if q_other and s_other:
            return near_miss
        weak = _Verdict(n, 5, edits, sim)
        if len(matched) == 1 and set(q) != set(n.tokens) and is_common(matched[0], self.common):
            return weak  # one everyday word ("Meer", "Plein") does not name one school
        if q_other:
            # The query adds one word the name lacks: fine only with two distinctive words agreeing.
            return _Verdict(n, 4, edits, sim) if len(q_other) == 1 and len(matched) >= 2 and not q_places else weak
        if q_places and (s_other or len(matched) < 2):
            return weak  # "Maerlant Lyceum Den Haag" is not shown to be "Van Maerlantlyceum"
        if s_other:
            # Words the name adds must be its board's ("Esprit Scholen Het 4e Gymnasium"), not
            # another school's ("Hendrik" is not "Hendrik Pierson College").
            board = set(s_other) <= self.board_words.get(n.school.host, set())
            return _Verdict(n, 3, edits, sim) if board and q_types & s_types and not s_places else weak
        if not exact:
            return _Verdict(n, 3, edits, sim)
        return _Verdict(n, 2 if s_places else 1 if q_places else 0, edits, sim)

    # -- lookup -----------------------------------------------------------------------
    def lookup(self, query: str) -> Lookup:
        """Look ``query`` up (any ``str``: a name, a Magister host or URL; never raises)."""
        info = self.consent.info()
        host = host_in(query)
        if host:
            names = self.by_host.get(host, [])
            if not names:
                return Lookup("not_found", query, reason="host_not_listed", list_info=info)
            sub = host.split(".")[0]
            ranked = sorted(names, key=lambda n: -fuzz.partial_ratio(sub, n.key.replace(" ", "")))
            return Lookup("granted", query, ranked[0].school, tuple(n.school for n in ranked[1:MAX_CHOICES + 1]),
                          1.0, "", info)
        q = self._tokens(query)
        if not q:
            return Lookup("not_found", query, reason="no_name", list_info=info)
        distinct = [t for t in q if t not in GENERIC]
        if not distinct:
            return self._general(query, q, info)
        qnear = {t: self._near(t) for t in distinct}
        ids: set[int] = set()
        # A name that can be granted or offered matches all of the query's non-place words
        # but one, so it holds one of the two rarest: those bring the candidates.
        words = [t for t in distinct if t not in self.places] or distinct
        size = {t: sum(len(self.postings.get(v, ())) for v in qnear[t]) for t in words}
        for t in sorted(words, key=size.__getitem__)[:2]:
            for v in qnear[t]:
                ids |= self.postings.get(v, set())
        for a, b in zip(distinct, distinct[1:]):
            ids |= self.postings.get(a + b, set())  # "ij burg" = "IJburg"
        verdicts = [self._compare(q, qnear, self.names[i]) for i in ids]
        verdicts.sort(key=lambda v: (v.kind, v.edits, -v.sim, v.name.index))
        found = self._decide(query, verdicts, info)
        if found.status != "granted" and all(t in self.places for t in distinct):
            return self._general(query, q, info)  # "lyceum delft": which one?
        return found

    def _general(self, query: str, q: list[str], info: dict) -> Lookup:
        """A query of generic words and/or a place only: never a verdict, at most a choice."""
        want = set(q)
        hits = [n for n in self.names if want <= set(n.tokens)]
        hits.sort(key=lambda n: (-fuzz.token_sort_ratio(" ".join(q), n.key), n.index))
        if not hits:
            return Lookup("not_found", query, reason="no_match", list_info=info)
        if len(hits) > MAX_CHOICES:
            return Lookup("not_found", query, candidates=tuple(n.school for n in hits[:MAX_CHOICES]),
                          reason="too_general", list_info=info)
        return Lookup("ambiguous", query, candidates=tuple(n.school for n in hits),
                      score=fuzz.token_sort_ratio(" ".join(q), hits[0].key) / 100, list_info=info)

    def _decide(self, query: str, verdicts: list[_Verdict], info: dict) -> Lookup:
        good = [v for v in verdicts if v.kind < 9]
        near = [v.name.school for v in verdicts if v.kind == 9 and v.sim >= 0.5][:MAX_CHOICES]
        if not good:
            return Lookup("not_found", query, candidates=tuple(near),
                          score=verdicts[0].sim if verdicts else 0.0, reason="no_match", list_info=info)
        # Names that say no more than the query: the closest tier of them decides.
        full = [v for v in good if v.kind == 0] or [v for v in good if v.kind == 1]
        if full and len({v.name.school.host or v.name.key for v in full}) == 1:
            chosen, rest = full[0], [v for v in good if v is not full[0]]
        elif not full and len(good) == 1 and good[0].kind < 5 and (good[0].edits == 0 or good[0].kind < 3):
            chosen, rest = good[0], []
        else:
            return Lookup("ambiguous", query, candidates=tuple(v.name.school for v in good[:MAX_CHOICES]),
                          score=good[0].sim, list_info=info)
        # The query names a place the list does not give for this school: say so in the reply.
        caveat = "place_unconfirmed" if chosen.kind == 1 else ""
        return Lookup("granted", query, chosen.name.school, tuple(v.name.school for v in rest[:MAX_CHOICES]),
                      chosen.sim, caveat, info)
