"""What a school name says: its words, which of them are generic, which are places, and the
identity key that makes two names the same school.

This is the one module that analyses school names. The consent list's ``diff``, the store's
duplicate-request rule and ``close_granted``, the school directory and the lookup all use it,
so "the same school" means one thing everywhere:

* :func:`words` gives a name's canonical words: ``"St. Ignatiusgymnasium"`` and ``"sint
  ignatius gymnasium"`` both give ``["sint", "ignatius", "gymnasium"]``. Acronyms are one word
  in any spelling (``"O.S.G."``, ``"o s g"`` and ``"OSG"`` give ``"osg"``), abbreviations and
  phrases have one form (``"Regionale Scholengemeenschap"`` = ``"RSG"``), a school type ending a
  compound is split off (``"Theresialyceum"`` = ``"Theresia lyceum"``).
* :func:`identity_key` is those words without articles: ``"Het Cals College"`` and ``"cals
  college"`` are one school, ``"Cals College Nieuwegein"`` is another name.
* :func:`analyse` splits a name into *generic* words (articles, qualifiers, school types,
  board and level words), *places* (a :class:`Places`) and *distinctive* words.
* :func:`short_name`, :func:`split_duo_name`, :func:`initials` and :func:`web_label` read DUO's
  names and web addresses for the directory and the links.

The word lists are data: ``knowledge/schoolnamen.yaml`` (:class:`Lexicon`), and the place names
``knowledge/plaatsen.txt`` plus whatever places the directory and the list name.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from . import yamlload
from .errors import KnowledgeError
from .text import MAX_INPUT_CHARS, clean, fold

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
LEXICON_PATH = KNOWLEDGE / "schoolnamen.yaml"
PLACES_PATH = KNOWLEDGE / "plaatsen.txt"


# -- the word lists ------------------------------------------------------------------------
@dataclass(frozen=True)
class Lexicon:
    """The word lists of ``knowledge/schoolnamen.yaml`` (see the comments there), in matching form.

    ``words`` and ``phrases`` map a spelling to its canonical form (a value may be two words);
    ``type_suffixes`` end compounds; ``articles``, ``qualifiers``, ``types`` and ``loose`` are
    the generic words (:attr:`generic`); ``levels`` and ``connectors`` make up DUO's lists of
    education types; ``location_markers`` start a location's own name, ``street_suffixes`` end
    a street's; ``name_types`` may end a name before DUO's list of types; ``name_only_types``
    name a school without saying what it teaches; ``implies`` gives the
    qualifiers a board qualifier carries ("csg" -> "christelijk"); ``province_marks`` may follow
    a place; ``level_types`` and ``sector_types`` say which types a DUO school is (``board_marks``:
    not a board's); ``sector_words`` name a school of one sector; ``common_word_zipf`` is
    the everyday-word threshold; ``level_fillers`` may stand inside such a list; ``place_particles`` and ``place_aliases`` are for place names.
    """

    words: Mapping[str, str]
    phrases: Mapping[str, str]
    type_suffixes: tuple[str, ...]
    whole_words: frozenset[str]
    articles: frozenset[str]
    qualifiers: frozenset[str]
    types: frozenset[str]
    loose: frozenset[str]
    levels: frozenset[str]
    connectors: frozenset[str]
    level_fillers: frozenset[str]
    location_markers: frozenset[str]
    street_suffixes: tuple[str, ...]
    name_types: frozenset[str]
    name_only_types: frozenset[str]
    implies: Mapping[str, tuple[str, ...]]
    province_marks: frozenset[str]
    level_types: Mapping[str, str]
    sector_types: Mapping[str, tuple[str, ...]]
    board_marks: frozenset[str]
    sector_words: Mapping[str, frozenset[str]]
    common_word_zipf: float
    place_particles: frozenset[str]
    place_aliases: Mapping[str, str]

    @cached_property
    def generic(self) -> frozenset[str]:
        """Every word that does not tell one school from another."""
        return self.articles | self.qualifiers | self.types | self.loose

    @cached_property
    def minor(self) -> frozenset[str]:
        """Generic words that say nothing of the school's kind: articles and loose words."""
        return self.articles | self.loose

    @cached_property
    def marks(self) -> frozenset[str]:
        """Generic words that say what kind of school it is: qualifiers and types."""
        return self.qualifiers | self.types


_LIST_KEYS = ("type_suffixes", "whole_words", "articles", "qualifiers", "types", "loose", "levels", "connectors",
              "level_fillers", "location_markers", "street_suffixes", "name_types", "name_only_types", "place_particles", "province_marks",
              "board_marks")
_MAP_KEYS = ("words", "phrases", "place_aliases", "level_types")


def read_lexicon(path: Path | str = LEXICON_PATH) -> Lexicon:
    """Read and check a word-list file. Raises :class:`KnowledgeError` naming the file (and
    line) for a YAML fault, a missing or misshapen key, or a word that is not text."""
    try:
        data = yamlload.load(path)
    except yamlload.YamlFault as e:
        raise KnowledgeError([str(e)]) from None
    faults: list[str] = []
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}:1: expected a mapping of word lists"])
    line = getattr(data, "lines", {})
    for key in _LIST_KEYS:
        v = data.get(key)
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            faults.append(f"{path}:{line.get(key, 1)}: '{key}' must be a list of words (text)")
    for key in _MAP_KEYS:
        v = data.get(key)
        if not isinstance(v, dict) or not all(isinstance(k, str) and isinstance(x, str) for k, x in v.items()):
            faults.append(f"{path}:{line.get(key, 1)}: '{key}' must map text to text (quote numbers)")
    implies = data.get("implies")
    if not isinstance(implies, dict) or not all(isinstance(v, list) and all(isinstance(x, str) for x in v)
                                                for v in implies.values()):
        faults.append(f"{path}:{line.get('implies', 1)}: 'implies' must map a word to a list of words")
    sectors = data.get("sector_types")
    if not isinstance(sectors, dict) or not all(isinstance(v, list) for v in sectors.values()):
        faults.append(f"{path}:{line.get('sector_types', 1)}: 'sector_types' must map a sector to a list of types")
    sw = data.get("sector_words")
    if not isinstance(sw, dict) or not all(isinstance(v, list) for v in sw.values()):
        faults.append(f"{path}:{line.get('sector_words', 1)}: 'sector_words' must map a sector to a list of words")
    if not isinstance(data.get("common_word_zipf"), (int, float)) or isinstance(data.get("common_word_zipf"), bool):
        faults.append(f"{path}:{line.get('common_word_zipf', 1)}: 'common_word_zipf' must be a number")
    if faults:
        raise KnowledgeError(faults)
    return Lexicon(
        words=dict(data["words"]), phrases=dict(sorted(data["phrases"].items(), key=lambda kv: -len(kv[0]))),
        type_suffixes=tuple(data["type_suffixes"]), whole_words=frozenset(data["whole_words"]),
        articles=frozenset(data["articles"]), qualifiers=frozenset(data["qualifiers"]),
        types=frozenset(data["types"]), loose=frozenset(data["loose"]), levels=frozenset(data["levels"]),
        connectors=frozenset(data["connectors"]), level_fillers=frozenset(data["level_fillers"]),
        location_markers=frozenset(data["location_markers"]),
        street_suffixes=tuple(data["street_suffixes"]), name_types=frozenset(data["name_types"]),
        name_only_types=frozenset(data["name_only_types"]),
        implies={k: tuple(v) for k, v in data["implies"].items()},
        province_marks=frozenset(data["province_marks"]), level_types=dict(data["level_types"]),
        sector_types={k: tuple(v) for k, v in data["sector_types"].items()},
        board_marks=frozenset(data["board_marks"]),
        sector_words={k: frozenset(v) for k, v in data["sector_words"].items()},
        common_word_zipf=float(data["common_word_zipf"]), place_particles=frozenset(data["place_particles"]),
        place_aliases=dict(data["place_aliases"]))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The project's word lists (``knowledge/schoolnamen.yaml``), read once."""
    return read_lexicon(LEXICON_PATH)


# -- words -----------------------------------------------------------------------------------
_PIECE = re.compile(r"[a-z0-9']+")


def raw_words(text: str) -> list[str]:
    """See :func:`_raw_words` (a copy of the cached list)."""
    return list(_raw_words(text))


@lru_cache(maxsize=65536)
def _raw_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` in matching form, acronyms joined, nothing else changed.

    Like :func:`bot.text.tokens` (apostrophes inside a word dropped: ``"'t"`` -> ``"t"``), but a
    run of two or more single letters is one word, however it was written: ``"O.S.G."``,
    ``"o s g"`` and ``"OSG"`` all give ``["osg"]``, ``"J.C. Pleysier"`` gives ``["jc",
    "pleysier"]``. An elided ``'s`` or ``'t`` never joins a run (``"C.S.G. 't Hooghe"`` ->
    ``["csg", "t", "hooghe"]``); a single letter on its own stays (``"Jac. P. Thijsse"``).
    """
    folded = fold(clean(text))[:MAX_INPUT_CHARS].replace("`", "'")  # "Meridiaan College `t Hooghe Landt"
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run.clear()

    for piece in _PIECE.findall(folded):
        word = piece.replace("'", "")
        if not word:
            continue
        if len(word) == 1 and word.isalpha() and not piece.startswith("'"):
            run.append(word)
            continue
        flush()
        out.append(word)
    flush()
    return tuple(out)


@lru_cache(maxsize=65536)
def split_compound(word: str) -> tuple[str, ...]:
    """``"theresialyceum"`` -> ``("theresia", "lyceum")``: a school type ending a compound is a
    word of its own (the head must have three letters or more); ``"basisschool"`` stays whole."""
    lex = lexicon()
    if word in lex.whole_words:
        return (word,)
    for suffix in lex.type_suffixes:
        head = word[: -len(suffix)]
        if word.endswith(suffix) and len(head) >= 3 and head.isalpha():
            return (head, suffix)
    return (word,)


_PHRASES: dict[int, tuple[tuple[str, str, re.Pattern[str]], ...]] = {}


def _phrases(lex: Lexicon) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """The lexicon's phrases with their compiled patterns (kept per lexicon)."""
    got = _PHRASES.get(id(lex))
    if got is None:
        got = _PHRASES[id(lex)] = tuple((p, short, re.compile(rf"\b{re.escape(p)}\b"))
                                        for p, short in lex.phrases.items())
    return got


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    lex = lexicon()
    split: list[str] = []
    for w in _raw_words(text):
        split.extend(split_compound(w))
    joined = " ".join(split)
    for phrase, short, pattern in _phrases(lex):
        if phrase in joined:
            joined = pattern.sub(short, joined)
    out: list[str] = []
    for w in joined.split():
        out.extend(lex.words.get(w, w).split())
    return tuple(out)


def words(text: str) -> list[str]:
    """The canonical words of a school name, for matching one name with another.

    ``"St. Ignatiusgymnasium"`` and ``"sint ignatius gymnasium"`` both give ``["sint",
    "ignatius", "gymnasium"]``; ``"Regionale Scholengemeenschap Enkhuizen"``, ``"R.S.G.
    Enkhuizen"`` and ``"RSG Enkhuizen"`` give ``["rsg", "enkhuizen"]``. Roman numerals stay
    distinct words (``"Willem I"`` is not ``"Willem II"``); the digits 1 to 5 standing alone
    become them. Every word is in :func:`bot.text.normalize` form; any ``str`` is accepted.
    """
    return list(_words(text))


def identity_key(name: str) -> str:
    """A school's identity by name: its canonical words without articles, one space apart.

    ``"Het Cals College"`` and ``"cals  college"`` give ``"cals college"``; ``"Cals College
    Nieuwegein"`` and ``"Thorbecke VO"`` / ``"Thorbecke SG"`` stay apart. A name of articles
    only keeps them ("De"); ``""`` for a name without words. What makes two list rows, two requests or two directory rows the same school
    when neither has a host or code to go by.
    """
    articles = lexicon().articles
    key = " ".join(w for w in _words(name) if w not in articles)
    return key or " ".join(raw_words(name))  # "A", "De": the words themselves


# -- places ----------------------------------------------------------------------------------
def place_key(name: str) -> str:
    """A place name as one matching word: ``"Bergen op Zoom"`` -> ``"bergenopzoom"``,
    ``"'s-Gravenhage"`` -> ``"sgravenhage"``."""
    return "".join(_words(name))


def bare_place(name: str) -> str:
    """A place without the province mark DUO adds: ``"Bergen (NH)"`` -> ``"Bergen"``,
    ``"Driehuis NH"`` -> ``"Driehuis"``; ``name`` itself when it has none."""
    marks = "|".join(sorted(map(re.escape, lexicon().province_marks), key=len, reverse=True))
    bare = re.sub(rf"(?i)\s*(?:\(\s*(?:{marks})\.?\s*\)|\s(?:{marks})\.?)$", "", name.strip())
    return bare if bare and bare != name.strip() else name.strip()


def load_places(path: Path | str = PLACES_PATH) -> frozenset[str]:
    """Place names from a text file (one a line, ``#`` comments), as written. Empty when the
    file is missing: the lookup then knows only the places its lists name."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(x.strip() for x in lines if x.strip() and not x.startswith("#"))


_DROPPABLE = ("de", "het")
"""Articles a place's name may be given without ("Bilt" for "De Bilt"; never "Bosch" for "Den Bosch")."""


class Places:
    """A set of place names in matching form, each variant mapped to one canonical key.

    ``"Bergen op Zoom"`` is ``"bergenopzoom"`` (:func:`place_key`); ``"De Bilt"`` is
    ``"debilt"`` and, unless that is an everyday word, also ``"bilt"`` (a name or query may
    leave the article out); ``"'s-Gravenhage"`` is ``"denhaag"`` (``place_aliases`` in the
    lexicon). :meth:`join` turns the words of a multi-word place into its canonical key.
    Built once, then read-only.
    """

    def __init__(self, names: Iterable[str] = ()):
        names = list(names)
        lex = lexicon()
        canon: dict[str, str] = {}
        span = 1
        for name in names + list(lex.place_aliases.values()):
            ws = list(_words(name))
            if not ws:
                continue
            key = "".join(ws)
            canon.setdefault(key, key)
            span = max(span, len(ws))
            if len(ws) > 1 and ws[0] in _DROPPABLE and not is_everyday("".join(ws[1:])):
                canon.setdefault("".join(ws[1:]), key)
        for variant, target in lex.place_aliases.items():
            canon[place_key(variant)] = place_key(target)
            span = max(span, len(_words(variant)))
        for k in canon:  # "gravenhage" -> "sgravenhage" -> "denhaag"
            seen = {k}
            while canon[k] in canon and canon[canon[k]] != canon[k] and canon[k] not in seen:
                seen.add(canon[k])
                canon[k] = canon[canon[k]]
        self.canon = canon
        self.span = min(span, 5)
        # the first words of places of several words, and their longest length
        self._starts: dict[str, int] = {}
        for name in names + list(lex.place_aliases):
            ws = _words(name)
            if len(ws) > 1:
                self._starts[ws[0]] = max(self._starts.get(ws[0], 1), min(len(ws), 5))

    def __contains__(self, word: object) -> bool:
        return word in self.canon

    def __len__(self) -> int:
        return len(self.canon)

    def key(self, name: str) -> str:
        """The canonical key of the place ``name`` (``""`` for none); a name this set does not
        know gets its :func:`place_key`."""
        k = place_key(name)
        return self.canon.get(k, k)

    def join(self, ws: list[str]) -> list[str]:
        """``["bergen", "op", "zoom", "lyceum"]`` -> ``["bergenopzoom", "lyceum"]``: the longest
        run of words that is a place becomes its canonical key."""
        out: list[str] = []
        i = 0
        canon = self.canon
        while i < len(ws):
            w = ws[i]
            for n in range(min(self._starts.get(w, 1), len(ws) - i), 1, -1):
                joined = "".join(ws[i:i + n])
                if joined in canon:
                    out.append(canon[joined])
                    i += n
                    break
            else:
                out.append(canon.get(w, w))
                i += 1
        return out


# -- a name analysed -------------------------------------------------------------------------
@dataclass(frozen=True)
class Name:
    """A school name analysed against a set of places.

    ``tokens``: canonical words (:func:`words`), places joined into one word, articles and a
    person's initials ("J.C.") dropped, a place after "van" read as a surname (``"Ulbe van Houten"`` -> ``"ulbe
    vanhouten"``); ``distinct``: the tokens that are not generic (places included), in order;
    ``generic``: the generic tokens; ``places``: the tokens that are places; ``key``: the
    tokens joined by spaces.
    """

    text: str
    tokens: tuple[str, ...]
    distinct: tuple[str, ...]
    generic: frozenset[str]
    places: frozenset[str]
    key: str = ""


_SINGLES = re.compile(r"(?<![^\W\d_])[^\W\d_][.\s]+[^\W\d_](?![^\W\d_])")


def _initials_runs(text: str) -> frozenset[str]:
    """The two-letter runs of single letters in ``text`` that are a person's initials ("J.C.",
    "A.E."), not a known word of the lexicon ("R.K.", "P.C.", "V.O.")."""
    lex = lexicon()
    known = lex.generic | set(lex.words) | set(lex.words.values())
    folded = fold(clean(text))
    runs = re.findall(r"(?<![a-z0-9'])([a-z])[.\s]+([a-z])(?:\.|(?=\s|$))(?![a-z0-9])", folded)
    return frozenset(a + b for a, b in runs if a + b not in known)


def name_tokens(text: str, places: Places) -> list[str]:
    """The tokens of :class:`Name` for ``text`` (see there)."""
    lex = lexicon()
    initials_ = _initials_runs(text) if _SINGLES.search(text) else frozenset()
    ws = [w for w in _words(text) if w not in initials_]  # "J.C. Pleysier" is "Pleysier"
    kept: list[str] = []
    for i, w in enumerate(ws):
        nxt = ws[i + 1] if i + 1 < len(ws) else ""
        if w == "van" and nxt and nxt in places and not _starts_a_place(ws, i, places):
            kept.append("van" + nxt)  # "Ulbe van Houten": a surname, not the place Houten
            ws[i + 1] = ""
        elif w:
            kept.append(w)
    joined = places.join(kept)  # articles still in: "Bergen op Zoom", "Alphen aan den Rijn"
    return [w for w in joined if w and w not in lex.articles]


def _starts_a_place(ws: list[str], i: int, places: "Places") -> bool:
    """Whether the words after ``ws[i]`` ("van") begin a place of two words or more ("College
    van Bergen op Zoom"): then it is a place, not a surname."""
    return any("".join(ws[i + 1:i + 1 + k]) in places for k in range(2, places.span + 1) if i + 1 + k <= len(ws))


def own_initials(toks: list[str], text: str) -> list[str]:
    """``toks`` without a word that is the initials of the rest of the name ("GGCA - Geert
    Groote College Amsterdam", "Montessori College Arnhem (MCA)"): the name says itself twice."""
    if len(toks) < 3 or not any(3 <= len(t) <= 6 for t in toks):
        return toks
    skip = lexicon().articles
    raw = [w for w in _raw_words(text) if w not in skip and not w.isdigit()]
    out = []
    for t in toks:
        if 3 <= len(t) <= 6 and t.isalpha():
            rest = [w for w in raw if w != t]
            if len(rest) >= len(t) and "".join(w[0] for w in rest) == t:
                continue
        out.append(t)
    return out


def analyse(text: str, places: Places) -> Name:
    """``text`` as a :class:`Name` (any ``str``; never raises)."""
    toks = tuple(own_initials(name_tokens(text, places), text))
    lex = lexicon()
    generic = lex.generic
    gen = {t for t in toks if t in generic}
    for t in list(gen):
        gen.update(lex.implies.get(t, ()))  # a CSG is christelijk
    return Name(text, toks, tuple(t for t in toks if t not in generic), frozenset(gen),
                frozenset(t for t in toks if t in places), " ".join(toks))


# -- everyday words --------------------------------------------------------------------------
_COMMON_LOCK = threading.Lock()
_common: frozenset[str] | None = None
_DIGIT_RUN = re.compile(r"[0-9]{2,}")


def common_words() -> frozenset[str]:
    """The everyday words of Dutch and English: every word of wordfreq's ``best`` lists for
    ``nl`` and ``en`` with a Zipf value (log10 of the frequency per billion words: "meer" 6.3,
    "plein" 4.6, "bonhoeffer" 2.3) of at least the lexicon's ``common_word_zipf``.

    Made once per process, under a lock (wordfreq loads its lists lazily and without one:
    threads that meet an unloaded list each load it again). The lists (about 65 MB for the
    two languages) are released once the set is made. Takes about 0.3 s the first time;
    :class:`~bot.schools.SchoolMatcher` calls it on construction, so no lookup waits for it."""
    global _common
    with _COMMON_LOCK:
        if _common is None:
            import wordfreq

            # The lists are frequency buckets of one centibel: bucket i holds the words of
            # Zipf 9 - i/100, so the common words are the first buckets.
            last = round((9 - lexicon().common_word_zipf) * 100)
            words = {w for lang in ("nl", "en") for bucket in wordfreq.get_frequency_list(lang)[:last + 1]
                     for w in bucket}
            getattr(wordfreq.get_frequency_list, "cache_clear", lambda: None)()  # an lru_cache: let go
            _common = frozenset(words)
        return _common


def is_everyday(word: str) -> bool:
    """Whether ``word`` (matching form) is one of :func:`common_words` ("meer", "plein"). A run
    of two or more digits is read as wordfreq stores it, as zeros: a number counts as common
    when numbers of its length are ("18" as "00"), which can only make a verdict a question."""
    return _DIGIT_RUN.sub(lambda m: "0" * len(m.group()), word) in common_words()


# -- DUO's names and web addresses --------------------------------------------------------------
@lru_cache(maxsize=16384)
def short_name(name: str) -> str:
    """A DUO location name without its list of education types.

    ``"Het Stedelijk Kottenpark praktijkonderwijs, vmbo, havo, atheneum en gymnasium"`` ->
    ``"Het Stedelijk Kottenpark"``; ``"Openbare Scholengemeenschap voor Lyceum Havo Mavo Vbo Lwoo
    Esdal College"`` -> ``"Openbare Scholengemeenschap Esdal College"``. A run is dropped when it
    holds two or more type words (``levels`` in the lexicon), or is ``voor`` + a type at the
    end; one type word alone stays ("Stedelijk Gymnasium"). "SGM" becomes "Scholengemeenschap".
    Never returns ``""``.
    """
    lex = lexicon()
    ws = name.split()
    kinds = []
    for w in ws:
        bare = re.sub(r"[^\w/&+-]", "", w).lower()
        parts = [p for p in re.split(r"[/-]", bare) if p]
        kinds.append("level" if parts and all(p in lex.levels for p in parts)
                     else "join" if bare in lex.connectors or not bare else "word")
    keep = [True] * len(ws)
    for i, j in _runs(kinds):
        levels = kinds[i:j].count("level")
        if levels >= 2 or (levels and ws[i].lower() == "voor" and j == len(ws)):
            keep[i:j] = [False] * (j - i)
    out = ["Scholengemeenschap" if w.lower() == "sgm" else w for w, k in zip(ws, keep) if k]
    while out and out[-1].lower().strip(",") in lex.connectors:
        out.pop()
    short = " ".join(out).strip(" ,;-")
    return short if any(c.isalpha() for c in short) else name.strip()


def _runs(kinds: list[str]):
    """The maximal runs ``(start, end)`` (end exclusive) of ``kinds`` that hold no ``"word"``."""
    i = 0
    while i < len(kinds):
        if kinds[i] == "word":
            i += 1
            continue
        j = i
        while j < len(kinds) and kinds[j] != "word":
            j += 1
        yield i, j
        i = j


def _marker_split(text: str) -> tuple[str, str]:
    """``text`` split at its first location marker ("loc.", "locatie", "vestiging"): the part
    before and the part after (``""`` when there is no marker or nothing after it)."""
    markers = "|".join(sorted(map(re.escape, lexicon().location_markers), key=len, reverse=True))
    m = re.search(rf"(?i)(^|[\s,(-])(?:{markers})(?:\.|\b)\s*:?\s*(.+)$", text)
    if not m:
        return text, ""
    tail = m.group(2).strip(" ,;-()")
    if not any(c.isalpha() for c in tail):
        return text, ""
    return text[: m.start()].strip(" ,;-"), tail


def split_duo_name(name: str) -> tuple[str, str]:
    """A DUO location name as ``(board, location)``: the name before its list of education
    types (or before a location marker), and the location's own name after it (``""`` when
    there is none).

    ``"Esloo VO voor bijzonder vwo, havo, mavo, vmbo, pro - Corbulo College"`` -> ``("Esloo
    VO", "Corbulo College")``; ``"Alberdingk Thijm Scholen Vwo, Havo, Mavo, Vbo, LWOO loc. Groot
    Goylant"`` -> ``("Alberdingk Thijm Scholen", "Groot Goylant")``; ``"Cals College RK SGM voor
    Lyceum Havo Mavo Vbo"`` -> ``("Cals College RK SGM", "")``; ``"Montessori Scholengemeenschap
    Amsterdam locatie Metis Montessori Lyceum"`` -> ``("Montessori Scholengemeenschap
    Amsterdam", "Metis Montessori Lyceum")``. A list is a run of two or more education types
    (``levels``), with ``connectors`` and ``level_fillers`` between them.
    """
    lex = lexicon()
    ws = name.split()

    def kind(w: str) -> str:
        bare = re.sub(r"[^\w/&+-]", "", w).lower().strip("-")
        parts = [x for x in re.split(r"[/-]", bare) if x]
        if parts and all(x in lex.levels for x in parts):
            return "level"
        if not bare or bare in lex.connectors or bare in lex.level_fillers:
            return "join"
        return "word"

    kinds = [kind(w) for w in ws]
    best = next(((i, j) for i, j in _runs(kinds) if kinds[i:j].count("level") >= 2 and i > 0), None)
    if best is None:
        board, loc = _marker_split(name)
        return _without_street(board.strip(" ,;-") or name.strip()), _not_a_street(loc)
    start = best[0]
    first = re.sub(r"[^\w]", "", ws[start]).lower()
    if first in lex.name_types and not ws[start].endswith(","):
        start += 1  # "… Eerste Christelijk Lyceum Vwo en Havo": the lyceum is part of the name
    board = " ".join(ws[:start]).strip(" ,;-")
    rest = " ".join(ws[best[1]:]).strip(" ,;-–")
    if rest:
        before, after = _marker_split(rest)
        rest = after if after and not before else rest
    return _without_street(board or name.strip()), _not_a_street(rest)


def _without_street(name: str) -> str:
    """``name`` without a street it ends with ("DaCapo-College Einighauserweg", "Nautilus college
    - Paul Kleestraat"), when a school type comes before it."""
    parts = re.split(r"\s+-\s+", name)
    if len(parts) > 1 and not _not_a_street(parts[-1]):
        return " - ".join(parts[:-1]).strip()
    ws = name.split()
    lex = lexicon()
    if len(ws) >= 3 and ws[-1].lower().endswith(lex.street_suffixes) \
            and any(t in lex.types for t in words(" ".join(ws[:-1]))):
        return " ".join(ws[:-1])
    return name


def _not_a_street(location: str) -> str:
    """``location``, or ``""`` when it is a street ("Havikstraat", "Einighauserweg"): a
    location named after its street has no name of its own."""
    ws = raw_words(location)
    suffixes = lexicon().street_suffixes
    return "" if ws and any(w.endswith(suffixes) for w in ws[-1:]) and len(ws) <= 3 else location


def initials(text: str) -> str:
    """The first letters of a name's words, articles and connecting words left out:
    ``"Nijmeegse Scholengemeenschap Groenewoud"`` -> ``"nsg"``, ``"Geert Groote College
    Amsterdam"`` -> ``"ggca"``. Compounds are not split ("Theresialyceum"
    is one word); ``""`` for fewer than two words."""
    skip = lexicon().articles
    ws = [w for w in raw_words(text) if w not in skip and not w.isdigit()]
    return "".join(w[0] for w in ws) if len(ws) >= 2 else ""


_WEB = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]*@)?([^/:?#]+)")
# Second-level labels that are no school's own: hosting services and shared platforms.
_PUBLIC_SUFFIXES = frozenset({"nl", "com", "org", "net", "eu", "nu", "info", "be", "school", "education"})


def web_label(url: str) -> str:
    """The label that names a school in its web address: ``"www.bc-enschede.nl"`` ->
    ``"bcenschede"``, ``"https://www.Cals.nl/"`` -> ``"cals"``, ``"cals.magister.net"`` ->
    ``"cals"`` (a Magister host's tenant). Hyphens are dropped; ``""`` when there is none."""
    m = _WEB.match(url.strip().lower())
    if not m:
        return ""
    labels = [x for x in m.group(1).split(".") if x]
    if len(labels) >= 3 and labels[-2:] == ["magister", "net"]:
        return labels[0].replace("-", "")
    labels = [x for x in labels if x not in ("www", "http", "https")]
    while labels and labels[-1] in _PUBLIC_SUFFIXES:
        labels.pop()
    return labels[-1].replace("-", "") if labels else ""


def labels_agree(a: str, b: str) -> bool:
    """Whether two web labels (:func:`web_label`) name the same school: equal, or one of five
    letters or more begins or ends the other (``"slingerbos"`` / ``"rsgslingerbos"``)."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 5 and (long_.startswith(short) or long_.endswith(short))
