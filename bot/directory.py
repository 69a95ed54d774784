"""The school directory: DUO's list of school locations, to tell a real school from a typo.

``python -m bot schools import FILE`` reads DUO's files: the raw download (Windows-1252,
semicolons, columns ``INSTELLINGSCODE``, ``VESTIGINGSCODE``, ``VESTIGINGSNAAM``,
``PLAATSNAAM``, …; https://duo.nl/open_onderwijsdata/, CC0) and cleaned CSVs such as
``../shared/data/schools/*_vestigingen.csv`` (``brin``, ``vestigingscode``, ``name``,
``city``). Column names go through the consent list's aliases (:data:`bot.consentlist.COLUMNS`),
so any file the consent list reader takes works too. The imported locations are merged by
``vestigingscode`` into ``DATA_DIR/schools.csv`` (written atomically), which the bot loads at
start-up when present.

With a directory, :class:`DirectoryMatcher` (a :class:`~bot.schools.SchoolMatcher`) answers a
query that finds nothing on the consent list but one school in the directory with
``not_granted`` and that school, unless the school may be on the list under another name
(then it stays ``not_found``). It grants only through a clear link between a directory school
and a list entry: the same vestigingscode, the same Magister host, or the same name and city.
Such links (and a name that occurs once in the directory) also give granted replies a city.
"""
from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

from . import consentlist
from .consent_source import atomic_write
from .consentlist import ConsentList, School, host_in
from .errors import ConsentListError
from .schools import GENERIC, MAX_CHOICES, QUALIFIERS, Lookup, SchoolMatcher, load_places, place_key
from .text import name_tokens

DIRECTORY_FILE = "schools.csv"
STORE_FIELDS = ("vestigingscode", "brin", "name", "city", "host")

# Words of DUO's education-type lists ("voor Vwo Havo Mavo Vbo Lwoo", "praktijkonderwijs,
# vmbo, havo, atheneum en gymnasium"), dropped from names shown and matched.
LEVEL_WORDS = frozenset("""vwo havo mavo vbo vmbo lwoo pro praktijkonderwijs lyceum lyc atheneum ath gymnasium gym
tto eoa mbo tl gl kb bb kgt bbl isk vso so sbo sbao avo lbo mavo-havo havo-vwo""".split())
_CONNECTORS = frozenset({"voor", "en", "&", "+"})
_WORD_FIXES = {"sgm": "Scholengemeenschap", "roomskatholiek": "RK", "roomskatholieke": "RK"}
# Lower case inside Dutch place names ("Alphen aan den Rijn", "Bergen op Zoom").
_PARTICLES = frozenset("aan de den der op van en het bij in onder over ter te ten a d".split())
# Names people use for places DUO gives another way.
CITY_ALIASES = {"'s-Gravenhage": "Den Haag", "'s-Hertogenbosch": "Den Bosch"}
_CODE = re.compile(r"^\s*(\d\d[A-Za-z]{2})(\d\d)?\s*$")


def dutch_title(text: str) -> str:
    """``"ALPHEN AAN DEN RIJN"`` -> ``"Alphen aan den Rijn"``, ``"'S-GRAVENHAGE"`` ->
    ``"'s-Gravenhage"``, ``"IJMUIDEN"`` -> ``"IJmuiden"``; text with lower case is kept as is
    (DUO's raw files write places in capitals)."""
    if not text or text != text.upper() or not any(c.isalpha() for c in text):
        return text
    out = []
    first = True
    for part in re.split(r"(\s+|-)", text.lower()):
        if not part.strip() or part == "-":
            out.append(part)
            continue
        if part in ("'s", "'t") or (not first and part in _PARTICLES):
            out.append(part)
        elif part.startswith("(") and len(part) <= 5:
            out.append(part.upper())  # "(NH)", "(GLD)"
        elif part.startswith("ij"):
            out.append("IJ" + part[2:])
        else:
            out.append(part[0].upper() + part[1:])
        first = False
    return "".join(out)


def short_name(name: str) -> str:
    """A DUO location name without its list of education types.

    ``"Het Stedelijk Kottenpark praktijkonderwijs, vmbo, havo, atheneum en gymnasium"`` ->
    ``"Het Stedelijk Kottenpark"``; ``"Openbare Scholengemeenschap voor Lyceum Havo Mavo Vbo Lwoo
    Esdal College"`` -> ``"Openbare Scholengemeenschap Esdal College"``. A run is dropped when it
    holds two or more type words, or is ``voor`` + a type at the end; one type word alone stays
    ("Stedelijk Gymnasium"). "SGM" becomes "Scholengemeenschap". Never returns ``""``.
    """
    words = name.split()
    kinds = []
    for w in words:
        bare = re.sub(r"[^\w/-]", "", w).lower()
        parts = [p for p in re.split(r"[/-]", bare) if p]
        kinds.append("level" if parts and all(p in LEVEL_WORDS for p in parts)
                     else "join" if bare in _CONNECTORS or not bare else "word")
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        if kinds[i] == "word":
            i += 1
            continue
        j = i
        while j < len(words) and kinds[j] != "word":
            j += 1
        run = range(i, j)
        levels = sum(1 for k in run if kinds[k] == "level")
        if levels >= 2 or (levels and words[i].lower() == "voor" and j == len(words)):
            for k in run:
                keep[k] = False
        i = j
    out = [_WORD_FIXES.get(w.lower(), w) for w, k in zip(words, keep) if k]
    while out and out[-1].lower().strip(",") in _CONNECTORS:
        out.pop()
    short = " ".join(out).strip(" ,;-")
    return short if any(c.isalpha() for c in short) else name.strip()


def _key(name: str) -> str:
    return " ".join(name_tokens(name))


def _distinct(name: str) -> set[str]:
    return {t for t in name_tokens(name) if t not in GENERIC}


@dataclass(frozen=True)
class ImportResult:
    """What :func:`read_file` read: ``schools`` (one per location, names and places as given,
    places in normal case), ``faults`` (rows skipped, ``"row N: reason"``), ``source``, and
    ``warnings`` (rows kept with a flaw, the same way)."""

    schools: tuple[School, ...]
    faults: tuple[str, ...]
    source: str
    warnings: tuple[str, ...] = ()


CODE_COLUMNS = ("vestigingscode", "brin")
"""Columns (:data:`bot.consentlist.COLUMNS` keys) of which a DUO file has at least one."""


def read_file(path: Path | str) -> ImportResult:
    """Read a DUO school file (raw or cleaned, see the module docstring).

    Rows without a name, or without a BRIN or vestigingscode, are skipped and reported; a
    repeated ``vestigingscode`` keeps the first row (reported). Raises :class:`ConsentListError`
    for an unreadable file, one without a name column, one without a BRIN
    (``INSTELLINGSCODE``) or ``VESTIGINGSCODE`` column (a consent list or a Magister tenant
    list is no school directory), or one with no usable row.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ConsentListError(f"school directory {p}: {e.strerror or e}") from None
    # DUO's files are CSV whatever their extension; JSON/YAML lists are taken as well.
    parsed = consentlist.parse(data, source=str(p), fmt=None if p.suffix.lower() in (".json", ".yaml", ".yml") else "csv")
    if not parsed.columns & set(CODE_COLUMNS):
        raise ConsentListError(
            f"{p}: not a DUO school file: no BRIN or vestigingscode column (DUO's download has INSTELLINGSCODE, "
            f"VESTIGINGSCODE, VESTIGINGSNAAM, PLAATSNAAM; a cleaned file brin, vestigingscode, name, city)")
    faults = list(parsed.faults)
    seen: set[str] = set()
    schools = []
    for s in parsed.schools:
        code = s.vestigingscode
        if len(code) == 2 and code.isdigit() and len(s.brin) == 4:
            code = s.brin + code  # a file with the 2-digit vestigingsnummer
        if not code and not s.brin:
            faults.append(f"row {s.row}: no BRIN or vestigingscode")
            continue
        if code and code in seen:
            faults.append(f"row {s.row}: vestigingscode {code} again (kept the first)")
            continue
        if code:
            seen.add(code)
        schools.append(replace(s, name=dutch_title(s.name), city=dutch_title(s.city), vestigingscode=code,
                               brin=s.brin or code[:4]))
    if not schools:
        raise ConsentListError(f"{p}: no usable row ({len(faults)} rows skipped: {faults[0]})")
    faults.sort(key=_row_number)  # the reader's faults and these, in file order
    return ImportResult(tuple(schools), tuple(faults), str(p), parsed.warnings)


def _row_number(fault: str) -> int:
    m = re.match(r"row (\d+)", fault)
    return int(m.group(1)) if m else 0


@dataclass(frozen=True)
class MergeResult:
    """The outcome of :meth:`Directory.merge`: the new ``directory`` and how many locations
    were ``added``, ``updated`` (same vestigingscode, other data) and ``unchanged``."""

    directory: "Directory"
    added: int
    updated: int
    unchanged: int


class Directory:
    """The school directory: one :class:`School` per location (``name`` as DUO gives it,
    ``city``, ``brin``, ``vestigingscode``, sometimes ``host``), and an index for lookups.

    Locations with the same short name, place and BRIN are one school for lookups. Built
    once, then read-only; the index is built on first use (thread-safe).
    """

    def __init__(self, schools: Sequence[School], source: str = ""):
        self.schools = tuple(schools)
        self.source = source
        self._lock = threading.Lock()
        self._index: tuple[SchoolMatcher, list[School], list[list[School]]] | None = None

    def __len__(self) -> int:
        return len(self.schools)

    # -- storage --------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str) -> "Directory":
        """Read a directory written by :meth:`save`. Raises :class:`ConsentListError`."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConsentListError(f"school directory {p}: {getattr(e, 'strerror', None) or e}") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or "name" not in reader.fieldnames:
            raise ConsentListError(f"school directory {p}: not a directory file (no name column)")
        schools = [School(r["name"], r.get("host") or "", r.get("city") or "", r.get("brin") or "",
                          r.get("vestigingscode") or "", i)
                   for i, r in enumerate(reader, 1) if r.get("name")]
        return cls(schools, str(p))

    def save(self, path: Path | str) -> None:
        """Write the directory as UTF-8 CSV (:data:`STORE_FIELDS`), atomically. Raises OSError."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(STORE_FIELDS)
        for s in self.schools:
            w.writerow([s.vestigingscode, s.brin, s.name, s.city, s.host])
        atomic_write(Path(path), out.getvalue().encode("utf-8"))

    def merge(self, schools: Iterable[School], *, replace_all: bool = False) -> MergeResult:
        """This directory with ``schools`` added: a location with a known vestigingscode
        replaces the old row, one without a code replaces a row with the same name and place.
        ``replace_all`` starts from an empty directory."""
        def key(s: School) -> str:
            return s.vestigingscode or f"{_key(s.name)}|{_key(s.city)}"

        rows = {} if replace_all else {key(s): s for s in self.schools}
        added = updated = unchanged = 0
        for s in schools:
            k = key(s)
            old = rows.get(k)
            s = replace(s, row=0)
            if old is None:
                added += 1
            elif replace(old, row=0) == s:
                unchanged += 1
            else:
                updated += 1
            rows[k] = s
        merged = [replace(s, row=i) for i, s in enumerate(rows.values(), 1)]
        return MergeResult(Directory(merged, self.source), added, updated, unchanged)

    # -- lookup ---------------------------------------------------------------------------
    def places(self) -> frozenset[str]:
        """The directory's place names (and their aliases)."""
        cities = {s.city for s in self.schools if s.city}
        return frozenset(cities | {CITY_ALIASES[c] for c in cities if c in CITY_ALIASES})

    def _built(self) -> tuple[SchoolMatcher, list[School], list[list[School]]]:
        with self._lock:
            if self._index is None:
                groups: dict[tuple[str, str, str], list[School]] = {}
                for s in self.schools:
                    groups.setdefault((short_name(s.name).casefold(), s.city, s.brin), []).append(s)
                members = sorted(groups.values(), key=lambda g: g[0].vestigingscode or g[0].name)
                shown = [replace(g[0], name=short_name(g[0].name)) for g in members]
                # Matched on "short name + place" so that the place tells schools apart.
                matchable = [School(_with_city(s), s.host, s.city, s.brin, s.vestigingscode, i)
                             for i, s in enumerate(shown)]
                matcher = SchoolMatcher(ConsentList(tuple(matchable), self.source or "school directory"),
                                        places=load_places() | self.places())
                self._index = (matcher, shown, members)
            return self._index

    def groups(self) -> list[School]:
        """One school per group of locations (short name, first location's codes)."""
        return self._built()[1]

    def members(self, group: int) -> list[School]:
        """The locations of school ``group`` (an index into :meth:`groups`)."""
        return self._built()[2][group]

    def lookup(self, query: str) -> Lookup:
        """The directory's own lookup of ``query`` (names carry their place; ``row`` of a
        match or candidate is its index into :meth:`groups`)."""
        return self._built()[0].lookup(query)

    def find_group(self, query: str) -> int | None:
        """The one school ``query`` names in the directory, as an index into :meth:`groups`, or
        ``None`` (none, or several). A BRIN (``20DP``) or vestigingscode (``20DP00``) finds its
        school; several locations of one BRIN count as one school."""
        matcher, shown, _ = self._built()
        m = _CODE.match(query)
        if m:
            code = (m.group(1) + (m.group(2) or "")).upper()
            hits = [i for i, s in enumerate(shown)
                    if s.vestigingscode == code or (len(code) == 4 and s.brin == code)]
            return hits[0] if hits and len({shown[i].brin for i in hits}) == 1 else None
        found = matcher.lookup(query)
        if found.status == "granted" and found.match:
            return found.match.row
        # One institution in several places, named by a word of its own ("RSG Pantarijn"; never
        # "lyceum" or "lyceum Delft": generic words and places are at most a choice).
        if (found.status == "ambiguous" and 0 < len(found.candidates) < MAX_CHOICES
                and len({c.brin for c in found.candidates}) == 1 and found.candidates[0].brin
                and any(w not in matcher.places for w in _distinct(query))):
            return found.candidates[0].row
        return None


def _with_city(s: School) -> str:
    """``"Stedelijk Gymnasium"`` in Leiden -> ``"Stedelijk Gymnasium Leiden"`` (the place once)."""
    name = s.name.casefold()
    extra = [c for c in (s.city, CITY_ALIASES.get(s.city, "")) if c and c.casefold() not in name]
    return " ".join([s.name, *extra])


def default_path(settings) -> Path:
    """Where the settings keep the directory: ``DIRECTORY_PATH``, else ``DATA_DIR/schools.csv``."""
    return Path(settings.directory_path) if settings.directory_path else Path(settings.data_dir) / DIRECTORY_FILE


def load_default(settings) -> Directory | None:
    """The directory at :func:`default_path`, or ``None`` when there is none. Raises
    :class:`ConsentListError` when it is unreadable."""
    path = default_path(settings)
    return Directory.load(path) if path.exists() else None


@dataclass(frozen=True)
class _Links:
    strong: dict[int, School]  # directory group -> list entry it certainly is
    loose: set[int]            # directory groups that may be on the list under their name
    city: dict[School, School]  # list entry -> directory group it is (for its place and BRIN)


class DirectoryMatcher(SchoolMatcher):
    """A :class:`~bot.schools.SchoolMatcher` over a consent list that falls back on a
    :class:`Directory`: ``lookup`` answers ``not_granted`` (``match`` = the directory's school)
    where the list gives ``not_found`` and the directory names one school that is not on the
    list under another name; ``granted`` where that school is clearly linked to a list entry.
    Granted matches get the linked school's place and codes when the list has none.

    ``places`` defaults to :func:`~bot.schools.load_places` plus the directory's places.
    The directory's index and the links are built here (about 2 s for all of DUO's 8,600
    locations; the index once per directory, the links once per list), so that no lookup
    waits for them; read-only afterwards (thread-safe).
    """

    def __init__(self, consent: ConsentList, directory: Directory, places: Iterable[str] | None = None):
        super().__init__(consent, places if places is not None else load_places() | directory.places())
        self.directory = directory
        self.directory.groups()
        self._link_map = self._link()

    def lookup(self, query: str) -> Lookup:
        """Like :meth:`SchoolMatcher.lookup`, with the directory as above (never raises)."""
        found = super().lookup(query)
        if found.status == "granted" and found.match:
            others = self._doubt(query, found.match)
            if others is not None:
                return replace(found, status="ambiguous", match=None,
                               candidates=(self._with_place(found.match), *others)[:MAX_CHOICES])
            return replace(found, match=self._with_place(found.match))
        if found.status != "not_found" or found.reason != "no_match" or found.candidates:
            return found  # near misses on the list: "niet op de lijst, geen tikfout" would be a guess
        group = self.directory.find_group(query)
        if group is None:
            return found
        school = self.directory.groups()[group]
        links = self._link_map
        if group in links.strong:
            entry = links.strong[group]
            return replace(found, status="granted", match=self._with_place(entry), candidates=(), score=1.0, reason="")
        if school.host and school.host in self.consent.hosts:
            entry = self.by_host[school.host][0].school
            return replace(found, status="granted", match=self._with_place(entry), candidates=(), score=1.0, reason="")
        if group in links.loose or self._may_be_listed(school):
            return found
        return replace(found, status="not_granted", match=school, candidates=(), score=1.0, reason="")

    def _doubt(self, query: str, entry: School) -> tuple[School, ...] | None:
        """Directory schools that ``query`` may mean instead of the granted list ``entry``,
        or ``None`` when there is no doubt.

        The list's name stands for one real school. When the query's place is not the place
        the directory links ``entry`` to, or the query names one directory school that the
        list's name does not stand for, a grant would be a guess and the answer
        becomes a choice.
        A Magister host, or ``entry``'s own full name, is never in doubt.
        """
        if host_in(query) or _key(query) == _key(entry.name):
            return None
        linked = self._with_place(entry)
        places = {w for w in set(self._tokens(query)) - set(self._tokens(entry.name)) if w in self.places}
        if places and linked.city and place_key(linked.city) not in places:
            return ()  # "Don Bosco Maastricht" is not the Don Bosco College in Volendam
        d = self.directory.lookup(query)
        hits = [d.match] if d.status == "granted" and d.match else list(d.candidates) if d.status == "ambiguous" else []
        if not hits:
            # A place the list does not give must at least be where the directory has the school.
            return () if places and not linked.city else None
        groups = self.directory.groups()
        if d.status == "ambiguous":  # only schools that hold every word of the query
            words = {w for w in self._tokens(query) if w not in GENERIC}
            hits = [h for h in hits if words <= set(self._tokens(h.name))]
        others = tuple(groups[h.row] for h in hits if not self._is_entry(groups[h.row], entry))
        return others or None

    def _is_entry(self, school: School, entry: School) -> bool:
        """Whether the directory's ``school`` is the list's ``entry`` (under its legal name):
        the same Magister host, or its name and place looked up on the list give ``entry``.
        The legal name's qualifiers ("Openbare Scholengemeenschap") are no evidence either way."""
        if entry.host and school.host == entry.host:
            return True
        linked = self._with_place(entry)
        if linked.city and school.city and place_key(linked.city) != place_key(school.city):
            return False  # the directory puts the listed school elsewhere
        legal = " ".join(t for t in name_tokens(school.name) if t not in QUALIFIERS)
        same = SchoolMatcher.lookup(self, f"{legal} {school.city}")
        if same.match:
            return same.match == entry or bool(entry.host and same.match.host == entry.host)
        return same.status == "ambiguous" and same.candidates[:1] == (entry,)

    def _may_be_listed(self, school: School) -> bool:
        """Whether the list may hold ``school`` under its own name (so "not on the list" could
        be wrong): the name looked up with its place is granted, or offered among names that
        hold all its distinctive words ("SG Dalton" is not "Dalton Spinozalyceum")."""
        again = SchoolMatcher.lookup(self, f"{school.name} {school.city}")
        if again.status == "granted":
            return True
        words = _distinct(school.name)
        return again.status == "ambiguous" and any(words <= _distinct(c.name) for c in again.candidates)

    def _with_place(self, s: School) -> School:
        if s.city:
            return s
        g = self._link_map.city.get(s)
        return replace(s, city=g.city, brin=s.brin or g.brin, vestigingscode=s.vestigingscode or g.vestigingscode) if g else s

    def _link(self) -> _Links:
        """Link list entries to directory schools (see the module docstring)."""
        shown = self.directory.groups()
        by_code: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        by_name_place: dict[str, list[int]] = {}
        for i, s in enumerate(shown):
            for m in self.directory.members(i):
                by_code[m.vestigingscode] = i
            k = _key(s.name)
            by_name.setdefault(k, []).append(i)
            place = _key(s.city)
            if place and not k.endswith(place):
                by_name_place.setdefault(f"{k} {place}", []).append(i)
            elif place:
                by_name_place.setdefault(k, []).append(i)
        strong: dict[int, School] = {}
        loose: set[int] = set()
        city: dict[School, School] = {}
        for c in self.consent.schools:
            k = _key(c.name)
            hits: list[int] = []
            if c.vestigingscode in by_code:
                hits = [by_code[c.vestigingscode]]
            elif c.city:
                hits = [i for i in by_name.get(k, []) if _key(shown[i].city) == _key(c.city)]
            else:
                hits = by_name_place.get(k, [])  # "Stedelijk Gymnasium Leiden" = "Stedelijk Gymnasium" in Leiden
            if len({shown[i].brin for i in hits}) == 1:
                strong.setdefault(hits[0], c)
                city.setdefault(c, shown[hits[0]])
                continue
            same = by_name.get(k, [])
            loose.update(same)
            if len(same) == 1:
                city.setdefault(c, shown[same[0]])
        return _Links(strong, loose, city)
