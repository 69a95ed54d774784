"""The school directory: DUO's school locations, so that a lookup resolves a query to a real school.

Where the directory comes from, in this order (:func:`load_default`):

1. ``DIRECTORY_PATH``: a file that ``schools import`` or ``schools update`` wrote, or any DUO
   file (an empty file: no directory at all);
2. ``DATA_DIR/schools.csv``: written by ``python -m bot schools update`` (DUO's current files,
   fetched) or ``python -m bot schools import FILE`` (an offline copy);
3. the snapshot in the package, ``bot/data/duo-vestigingen.csv.gz``: DUO's VO, PO and special
   education locations (vestigingscode, name, place, municipality, website, denomination,
   sector), with its date and the CC0 attribution in ``bot/data/duo-vestigingen.json``; built
   by ``scripts/build_directory.py`` from DUO's files.

Files read: DUO's raw downloads (Windows-1252, semicolons, ``INSTELLINGSCODE``,
``VESTIGINGSCODE``, ``VESTIGINGSNAAM``, ``PLAATSNAAM``, ``GEMEENTENAAM``, ``INTERNETADRES``,
``DENOMINATIE``, …; https://duo.nl/open_onderwijsdata/, CC0 1.0) and cleaned CSVs such as
``../shared/data/schools/*_vestigingen.csv`` (``brin``, ``vestigingscode``, ``name``,
``city``, ``website``, …). Column names go through :data:`bot.consentlist.COLUMNS`.

:class:`Directory` groups locations into schools (:class:`DuoSchool`: the same name, place
and BRIN) and indexes their names (:class:`bot.matching.NameIndex`) once, for the links
(:mod:`bot.linking`) and the lookup (:mod:`bot.schools`).
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import re
import threading
from functools import lru_cache
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from . import consentlist
from .consent_source import FetchError, FetchPolicy, display_url, fetch
from .fileio import atomic_write
from .consentlist import School
from .errors import ConsentListError
from .matching import NameIndex
from .names import (Places, bare_place, identity_key, initials, words, is_everyday, lexicon, load_places, place_key, short_name, split_duo_name,
                    web_label)

log = logging.getLogger(__name__)

DIRECTORY_FILE = "schools.csv"
STATUS_FILE = "schools-status.json"
STORE_FIELDS = ("vestigingscode", "brin", "name", "city", "host", "gemeente", "website", "denomination", "sector")
DATA = Path(__file__).resolve().parent / "data"
SNAPSHOT = DATA / "duo-vestigingen.csv.gz"
SNAPSHOT_META = DATA / "duo-vestigingen.json"
SNAPSHOT_FIELDS = ("vestigingscode", "name", "city", "gemeente", "website", "denomination", "sector")
ATTRIBUTION = "DUO, Open Onderwijsdata (CC0 1.0)"

DUO_URLS = (
    ("VO", "https://duo.nl/open_onderwijsdata/images/02.-alle-vestigingen-vo.csv"),
    ("PO", "https://duo.nl/open_onderwijsdata/images/02.-alle-schoolvestigingen-basisonderwijs.csv"),
    ("SPECIAAL", "https://duo.nl/open_onderwijsdata/images/09.-alle-vestigingen-sbo-so-en-vso.csv"),
)
"""DUO's open-data files of school locations, with the sector of each (``schools update``)."""

SECTOR_MARK = "@"
"""Prefix of the sector in :attr:`DuoSchool.kinds` (``"@VO"``), for :func:`bot.matching.other_sector`."""
_CODE = re.compile(r"^\s*(\d\d[A-Za-z]{2})(\d\d)?\s*$")


def dutch_title(text: str) -> str:
    """``"ALPHEN AAN DEN RIJN"`` -> ``"Alphen aan den Rijn"``, ``"'S-GRAVENHAGE"`` ->
    ``"'s-Gravenhage"``, ``"IJMUIDEN"`` -> ``"IJmuiden"``; text with lower case is kept as is
    (DUO's raw files write places in capitals)."""
    if not text or text != text.upper() or not any(c.isalpha() for c in text):
        return text
    particles = lexicon().place_particles
    out = []
    first = True
    for part in re.split(r"(\s+|-)", text.lower()):
        if not part.strip() or part == "-":
            out.append(part)
            continue
        if part in ("'s", "'t") or (not first and part in particles):
            out.append(part)
        elif part.startswith("(") and len(part) <= 5:
            out.append(part.upper())  # "(NH)", "(GLD)"
        elif part.startswith("ij"):
            out.append("IJ" + part[2:])
        else:
            out.append(part[0].upper() + part[1:])
        first = False
    return "".join(out)


def sector_of(name: str) -> str:
    """The sector a DUO file's name or URL says: ``VO``, ``PO`` or ``SPECIAAL`` (``""`` when it
    does not say): ``"02.-alle-vestigingen-vo.csv"`` -> ``VO``, ``"po_vestigingen.csv"`` -> ``PO``,
    ``"09.-alle-vestigingen-sbo-so-en-vso.csv"`` -> ``SPECIAAL``."""
    base = name.rsplit("/", 1)[-1].lower()
    parts = set(re.split(r"[^a-z]+", base))
    if parts & {"sbo", "so", "vso", "speciaal", "sbao"}:
        return "SPECIAAL"
    if parts & {"po", "basisonderwijs", "bo"} or "basisonderwijs" in base:
        return "PO"
    if "vo" in parts:
        return "VO"
    return ""


def code_in(query: str) -> str:
    """The BRIN (``"20DP"``) or vestigingscode (``"20DP00"``) that ``query`` is, upper case, or ``""``."""
    m = _CODE.match(query)
    return (m.group(1) + (m.group(2) or "")).upper() if m else ""


# -- reading DUO's files -------------------------------------------------------------------------
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


def read_file(path: Path | str, sector: str = "") -> ImportResult:
    """Read a DUO school file (raw or cleaned, see the module docstring); ``sector`` fills the
    sector of rows that do not give one. Raises what :func:`read_bytes` raises, and
    :class:`ConsentListError` for an unreadable file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ConsentListError(f"school directory {p}: {e.strerror or e}") from None
    fmt = None if p.suffix.lower() in (".json", ".yaml", ".yml") else "csv"
    return read_bytes(data, str(p), fmt=fmt, sector=sector)


def read_bytes(data: bytes, source: str, *, fmt: str | None = "csv", sector: str = "") -> ImportResult:
    """Read DUO school locations from ``data`` (named ``source`` in messages).

    Rows without a name, or without a BRIN or vestigingscode, are skipped and reported; a
    repeated ``vestigingscode`` keeps the first row (reported). Raises :class:`ConsentListError`
    for a body that is no list (empty, HTML, no name column), one without a BRIN
    (``INSTELLINGSCODE``) or ``VESTIGINGSCODE`` column (a consent list or a Magister tenant
    list is no school directory), or one with no usable row.
    """
    parsed = consentlist.parse(data, source=source, fmt=fmt)
    if not parsed.columns & set(CODE_COLUMNS):
        raise ConsentListError(
            f"{source}: not a DUO school file: no BRIN or vestigingscode column (DUO's download has INSTELLINGSCODE, "
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
                               brin=s.brin or code[:4], gemeente=dutch_title(s.gemeente),
                               website=s.website.strip(), sector=s.sector or sector))
    if not schools:
        raise ConsentListError(f"{source}: no usable row ({len(faults)} rows skipped: {faults[0]})")
    faults.sort(key=_row_number)  # the reader's faults and these, in file order
    return ImportResult(tuple(schools), tuple(faults), source, parsed.warnings)


def _row_number(fault: str) -> int:
    m = re.match(r"row (\d+)", fault)
    return int(m.group(1)) if m else 0


def compact_website(url: str) -> str:
    """DUO's ``INTERNETADRES`` without scheme, ``www.`` and trailing slash: ``"https://www.Cals.nl/"``
    -> ``"cals.nl"``; a path is kept (``"tongerlo.nl/norbertus"``)."""
    url = url.strip()
    url = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", url)
    url = re.sub(r"^www\.", "", url, flags=re.I)
    return url.rstrip("/").lower() if url else ""


# -- schools: locations grouped ---------------------------------------------------------------------
@dataclass(frozen=True)
class DuoSchool:
    """One school of the directory: the locations with the same name, place and BRIN.

    ``name`` is DUO's name without its list of education types (:func:`bot.names.short_name`),
    ``location`` the location's own name inside a board's name ("… loc. Groot Goylant" ->
    "Groot Goylant", else ``""``); ``labels`` are the web labels of its websites
    (:func:`bot.names.web_label`, and the first part of a path: ``"tongerlo.nl/norbertus"`` ->
    ``tongerlo``, ``norbertus``); ``places`` the canonical keys of its place and municipality
    (also without a province mark: "Bergen (NH)" is in Bergen); ``kinds`` the school types
    and qualifiers DUO gives besides the name (its list of education types, its sector, its
    denomination: "Openbaar" -> ``openbaar``); ``same`` the index of another group that is the
    same school (one institution in another place, or the same place and website and
    distinctive words under another BRIN: a school that changed board), or -1.
    """

    index: int
    name: str
    location: str
    city: str
    gemeente: str
    brin: str
    codes: tuple[str, ...]
    labels: frozenset[str]
    places: frozenset[str]
    sector: str = ""
    denomination: str = ""
    host: str = ""
    kinds: frozenset[str] = frozenset()
    same: int = -1

    @property
    def school_id(self) -> int:
        """The school this is: its own index, or that of the row it duplicates (:meth:`Directory.groups`)."""
        return self.same if self.same >= 0 else self.index

    @property
    def shown(self) -> str:
        """The name replies show: the location's own name when it has one."""
        return self.location or self.name

    def school(self) -> School:
        """As a :class:`School` for replies (``row`` is :attr:`index`)."""
        return School(self.shown, self.host, self.city, self.brin, self.codes[0] if self.codes else "", self.index,
                      gemeente=self.gemeente, denomination=self.denomination, sector=self.sector)


def location_names(name: str) -> tuple[str, str]:
    """``(full, location)`` for a DUO name: the name without its list of education types
    (:func:`bot.names.short_name` of board and location), and the location's own name when the
    board's name holds one (:func:`bot.names.split_duo_name`; ``""`` when there is none):
    ``"Esloo VO voor bijzonder vwo, havo, mavo, vmbo, pro - Corbulo College"`` -> ``("Esloo VO
    Corbulo College", "Corbulo College")``."""
    board, loc = split_duo_name(name)
    full = short_name(f"{board} {loc}" if loc else board)
    return full, short_name(loc) if loc else ""


def _labels(website: str) -> set[str]:
    """The web labels of a website: its own (:func:`bot.names.web_label`), a sub-domain's
    (``"gaudi.psg.nl"`` -> ``psg``, ``gaudi``) and the first part of its path
    (``"tongerlo.nl/norbertus"`` -> ``tongerlo``, ``norbertus``); four letters or more but the own."""
    if not website:
        return set()
    out = {web_label(website)}
    host, _, path = compact_website(website).partition("/")
    for part in host.split(".")[:-2]:
        part = part.replace("-", "")
        if len(part) >= 4:
            out.add(part)
    first = re.sub(r"[^a-z0-9]", "", path.split("/")[0].lower()) if path else ""
    if len(first) >= 4:
        out.add(first)
    return {x for x in out if x}


def _kinds(s: School, lex) -> frozenset[str]:
    """The types and qualifiers DUO gives a location besides its name: the types in its list of
    education types (not for a board's name, "Alberdingk Thijm Scholen"), its sector's, its
    denomination's qualifiers, and its sector (as ``"@VO"``)."""
    board = any(w in lex.board_marks for w in words(short_name(s.name)))
    out = set() if board else {lex.level_types[w] for w in re.split(r"[^a-z]+", s.name.lower()) if w in lex.level_types}
    out.update(lex.sector_types.get(s.sector, ()))
    if s.sector:
        out.add(SECTOR_MARK + s.sector)
    for w in words(s.denomination):
        if w in lex.qualifiers:
            out.add(w)
            out.update(lex.implies.get(w, ()))
    return frozenset(out)


def _same_schools(groups: list[DuoSchool], places: Places) -> list[DuoSchool]:
    """``groups`` with :attr:`DuoSchool.same` set for rows that are one school: one BRIN under
    one name (an institution in several places: "RSG Pantarijn" in Wageningen and Rhenen), or
    one place and website with the same distinctive words ("Curio VO, locatie Graaf Engelbrecht"
    and "Graaf Engelbrecht" at one address under two BRINs)."""
    generic = lexicon().generic
    seen: dict[tuple[str, str, frozenset[str]], int] = {}
    institution: dict[tuple[str, str], int] = {}
    out = []
    for g in groups:
        ws = frozenset(w for w in places.join(words(g.shown)) if w not in generic and w not in places)
        same = institution.get((g.brin, identity_key(g.name)), -1)
        for label in sorted(g.labels):
            k = (g.city, label, ws)
            if same < 0 and k in seen:
                same = seen[k]
        for label in g.labels:
            seen.setdefault((g.city, label, ws), same if same >= 0 else g.index)
        institution.setdefault((g.brin, identity_key(g.name)), same if same >= 0 else g.index)
        out.append(replace(g, same=same) if same >= 0 else g)
    return out


class Directory:
    """The school directory: one :class:`School` per location (``name`` as DUO gives it, ``city``,
    ``gemeente``, ``brin``, ``vestigingscode``, ``website``, ``denomination``, ``sector``,
    sometimes ``host``), where it comes from (``source``, ``as_of``), and an index for lookups.

    Built once, then read-only; the groups and the index are built on first use (thread-safe).
    """

    def __init__(self, schools: Sequence[School], source: str = "", as_of: datetime | None = None,
                 attribution: str = ""):
        self.schools = tuple(schools)
        self.source = source
        self.as_of = as_of
        self.attribution = attribution
        self._lock = threading.Lock()
        self._built: tuple[list[DuoSchool], dict[str, int], NameIndex, Places] | None = None
        self._labels: dict[str, list[int]] = {}
        self._affixes: dict[str, list[int]] = {}
        self._acronyms: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.schools)

    def info(self, now: datetime | None = None) -> dict[str, Any]:
        """What replies say about the directory: ``source``, ``locations``, ``as_of`` (ISO date
        and time or ``None``), ``age_days`` and ``attribution``."""
        age = None
        if self.as_of:
            age = round(max(((now or datetime.now(timezone.utc)) - self.as_of).total_seconds() / 86400, 0.0), 1)
        return {"source": self.source, "locations": len(self.schools),
                "as_of": self.as_of.isoformat(timespec="seconds") if self.as_of else None, "age_days": age,
                "attribution": self.attribution}

    # -- storage --------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str) -> "Directory":
        """Read a directory file: one :meth:`save` wrote (with the ``.json`` beside it for its
        date and source, else the file's time), or any DUO file. An empty file is an empty
        directory. Raises :class:`ConsentListError` when it is unreadable or no directory."""
        p = Path(path)
        try:
            data = p.read_bytes()
            mtime = datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)
        except OSError as e:
            raise ConsentListError(f"school directory {p}: {e.strerror or e}") from None
        if not data.strip():
            return cls((), str(p), mtime)
        if p.suffix == ".gz":
            data = gzip.decompress(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        meta = _read_meta(p.with_suffix(".json") if p.suffix != ".gz" else p.with_name(p.name[:-7] + ".json"))
        header = text.split("\n", 1)[0].strip().split(",") if text else []
        if "name" in header and "vestigingscode" in header:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            schools = [School(r["name"], r.get("host") or "", r.get("city") or "", r.get("brin") or
                              (r.get("vestigingscode") or "")[:4], r.get("vestigingscode") or "", i,
                              r.get("website") or "", r.get("gemeente") or "", r.get("denomination") or "",
                              r.get("sector") or "")
                       for i, r in enumerate(reader, 1) if r.get("name")]
        else:
            try:
                schools = list(read_bytes(data, str(p)).schools)
            except ConsentListError as e:
                raise ConsentListError(f"school directory {p}: not a directory file ({e})") from None
        as_of = _when(meta.get("as_of")) or mtime
        return cls(schools, str(meta.get("source") or p), as_of, str(meta.get("attribution") or ""))

    @classmethod
    def embedded(cls) -> "Directory":
        """The snapshot shipped in the package (see the module docstring), read once per process
        (it is read-only, so every bot shares it and its index). Raises
        :class:`ConsentListError` when it is missing or broken (a broken installation)."""
        return _embedded()

    @classmethod
    def _read_embedded(cls) -> "Directory":
        try:
            text = gzip.decompress(SNAPSHOT.read_bytes()).decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError) as e:
            raise ConsentListError(f"school directory {SNAPSHOT}: {getattr(e, 'strerror', None) or e}") from None
        meta = _read_meta(SNAPSHOT_META)
        reader = csv.DictReader(io.StringIO(text, newline=""))
        schools = [School(r["name"], "", r["city"], r["vestigingscode"][:4], r["vestigingscode"], i, r["website"],
                          r["gemeente"], r["denomination"], r["sector"]) for i, r in enumerate(reader, 1)]
        return cls(schools, str(meta.get("name") or "DUO"), _when(meta.get("as_of")),
                   str(meta.get("attribution") or ATTRIBUTION))

    def save(self, path: Path | str, meta: dict[str, Any] | None = None) -> None:
        """Write the directory as UTF-8 CSV (:data:`STORE_FIELDS`), atomically, and ``meta`` (its
        ``source``, ``as_of``, ``attribution``, …) as JSON beside it. Raises OSError."""
        p = Path(path)
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(STORE_FIELDS)
        for s in self.schools:
            w.writerow([s.vestigingscode, s.brin, s.name, s.city, s.host, s.gemeente, s.website, s.denomination,
                        s.sector])
        atomic_write(p, out.getvalue().encode("utf-8"))
        info = {"source": self.source, "as_of": self.as_of.isoformat(timespec="seconds") if self.as_of else None,
                "attribution": self.attribution or ATTRIBUTION, "locations": len(self.schools), **(meta or {})}
        atomic_write(p.with_suffix(".json"), json.dumps(info, ensure_ascii=False, indent=1).encode("utf-8"))

    def merge(self, schools: Iterable[School], *, replace_all: bool = False) -> "MergeResult":
        """This directory with ``schools`` added: a location with a known vestigingscode
        replaces the old row, one without a code replaces a row with the same name and place
        (:func:`bot.names.identity_key`). ``replace_all`` starts from an empty directory."""
        from .names import identity_key

        def key(s: School) -> str:
            return s.vestigingscode or f"{identity_key(s.name)}|{place_key(s.city)}"

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
        return MergeResult(Directory(merged, self.source, self.as_of, self.attribution), added, updated, unchanged)

    # -- the index --------------------------------------------------------------------------------
    def _build(self) -> tuple[list[DuoSchool], dict[str, int], NameIndex, Places]:
        with self._lock:
            if self._built is None:
                self._built = self._make_index()
            return self._built

    def _make_index(self) -> tuple[list[DuoSchool], dict[str, int], NameIndex, Places]:
        places = Places(load_places() | self.place_names())
        lex = lexicon()
        grouped: dict[tuple[str, str, str, str], list[School]] = {}
        names: dict[tuple[str, str, str, str], tuple[str, str]] = {}
        first_label: dict[tuple[str, str, str], str] = {}
        for s in self.schools:
            short, loc = location_names(s.name)
            if loc and all(w in places for w in places.join(words(loc))):
                loc = ""  # "CSG Bogerman loc. Balk": the place, not a name of its own
            # one name, place and BRIN; and one website, where DUO gives several schools one legal name
            # (a row without a website joins the first of its name)
            base = (f"{short}|{loc}".casefold(), s.city, s.brin)
            label = web_label(s.website)
            if not label:
                label = first_label.get(base, "")
            first_label.setdefault(base, label)
            k = (*base, label)
            grouped.setdefault(k, []).append(s)
            names.setdefault(k, (short, loc))
        groups: list[DuoSchool] = []
        by_code: dict[str, int] = {}
        for k in sorted(grouped, key=lambda k: grouped[k][0].vestigingscode or grouped[k][0].name):
            members = grouped[k]
            first = members[0]
            short, loc = names[k]
            labels: set[str] = set()
            for m in members:
                labels |= _labels(m.website)
            keyed = {places.key(y) for x in (first.city, first.gemeente) if x for y in (x, bare_place(x))}
            g = DuoSchool(len(groups), short, loc, first.city, first.gemeente, first.brin,
                          tuple(m.vestigingscode for m in members if m.vestigingscode), frozenset(labels),
                          frozenset(x for x in keyed if x), first.sector, first.denomination,
                          next((m.host for m in members if m.host), ""), _kinds(first, lex))
            for c in g.codes:
                by_code[c] = g.index
            groups.append(g)
        groups = _same_schools(groups, places)
        entries: list[tuple[str, int]] = []
        known: list[frozenset[str]] = []
        extra: list[frozenset[str]] = []
        labels_at: dict[str, list[int]] = {}
        affixes: dict[str, list[int]] = {}
        acronyms: dict[str, list[int]] = {}
        for g in groups:
            entries.append((g.name, g.index))
            known.append(g.places)
            extra.append(g.kinds)
            if g.location:
                entries.append((g.location, g.index))
                known.append(g.places)
                extra.append(g.kinds)
            for label in g.labels:
                labels_at.setdefault(label, []).append(g.index)
                for n in range(5, len(label)):
                    affixes.setdefault(label[:n], []).append(g.index)
                    affixes.setdefault(label[-n:], []).append(g.index)
            for text in {g.name, g.location} - {""}:
                a = initials(text)
                if len(a) >= 3:
                    acronyms.setdefault(a, []).append(g.index)
        self._labels, self._affixes, self._acronyms = labels_at, affixes, acronyms
        return groups, by_code, NameIndex(entries, places, known=known, extra=extra), places

    def groups(self) -> list[DuoSchool]:
        """The directory's schools (:class:`DuoSchool`), in the order of their first code."""
        return self._build()[0]

    def index(self) -> NameIndex:
        """The index of the schools' names (refs are :attr:`DuoSchool.index`)."""
        return self._build()[2]

    def places(self) -> Places:
        """The places the directory's index knows (``knowledge/plaatsen.txt`` and the directory's)."""
        return self._build()[3]

    def place_names(self) -> frozenset[str]:
        """The directory's places and municipalities, leaving out everyday words ("Best",
        "Echt") that ``knowledge/plaatsen.txt`` leaves out too."""
        names = {y for s in self.schools for x in (s.city, s.gemeente) if x for y in (x, bare_place(x))}
        return frozenset(n for n in names if not is_everyday(place_key(n)))

    def by_label(self, label: str, *, whole: bool = False) -> list[int]:
        """The schools with a website whose label is ``label`` (``whole``), or agrees with it
        (:func:`bot.names.labels_agree`: one of five letters or more begins or ends the other)."""
        if not label:
            return []
        self._build()
        found = set(self._labels.get(label, ()))
        if not whole and len(label) >= 5:
            found.update(self._affixes.get(label, ()))
            for n in range(5, len(label)):
                for part in (label[:n], label[-n:]):
                    if part not in lexicon().generic and not is_everyday(part):  # "hofstadcollege" is no "college"
                        found.update(self._labels.get(part, ()))
        return sorted(found)

    def schools_at(self, label: str) -> int:
        """How many different schools (BRIN and name) have a website with this label: one for a
        school's own site (whatever its locations), several for a board's."""
        self._build()
        groups = self._build()[0]
        return len({(groups[g].brin, groups[g].name.casefold()) for g in self._labels.get(label, ())})

    def by_host(self, host: str) -> list[int]:
        """The schools the directory itself gives this Magister host (a file with a ``host`` column)."""
        return [g.index for g in self.groups() if g.host and g.host == host]

    def by_initials(self, acronym: str) -> list[int]:
        """The schools whose name (or location's name) has these initials (:func:`bot.names.initials`)."""
        self._build()
        return list(self._acronyms.get(acronym, ()))

    def by_code(self, code: str) -> list[int]:
        """The schools (indexes into :meth:`groups`) of a vestigingscode, or of a BRIN's locations."""
        groups, codes, _, _ = self._build()
        code = code.upper()
        if len(code) == 6:
            return [codes[code]] if code in codes else []
        return sorted({i for c, i in codes.items() if c[:4] == code})


@lru_cache(maxsize=1)
def _embedded() -> Directory:
    return Directory._read_embedded()


@dataclass(frozen=True)
class MergeResult:
    """The outcome of :meth:`Directory.merge`: the new ``directory`` and how many locations
    were ``added``, ``updated`` (same vestigingscode, other data) and ``unchanged``."""

    directory: Directory
    added: int
    updated: int
    unchanged: int


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return obj if isinstance(obj, dict) else {}


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


# -- where the bot finds it ----------------------------------------------------------------------------
def default_path(settings) -> Path:
    """Where the settings keep the directory: ``DIRECTORY_PATH``, else ``DATA_DIR/schools.csv``."""
    return Path(settings.directory_path) if settings.directory_path else Path(settings.data_dir) / DIRECTORY_FILE


def load_default(settings) -> Directory:
    """The directory the settings name (see the module docstring): ``DIRECTORY_PATH``, else
    ``DATA_DIR/schools.csv`` when it is there, else the embedded snapshot. Raises
    :class:`ConsentListError` when the file is unreadable."""
    path = default_path(settings)
    if settings.directory_path or path.exists():
        return Directory.load(path)
    return Directory.embedded()


# -- schools update: DUO's current files ----------------------------------------------------------------
@dataclass(frozen=True)
class UpdateResult:
    """What ``schools update`` did: ``status`` ``"updated"``, ``"unchanged"`` (every file 304 or
    the same bytes), ``"refused"`` (fetched, but no usable list, or too many locations dropped)
    or ``"failed"`` (a file not fetched); ``directory`` in use afterwards (the last good one after
    a failure), ``added`` / ``removed`` location counts, ``faults`` (rows skipped, per file),
    ``error`` a one-line reason."""

    status: str
    directory: Directory
    added: int = 0
    removed: int = 0
    faults: tuple[str, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("updated", "unchanged")

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "error": self.error or None, "added": self.added, "removed": self.removed,
                "faults": list(self.faults), "directory": self.directory.info()}


def update(settings, *, force: bool = False, urls: Sequence[tuple[str, str]] | None = None,
           policy: FetchPolicy = FetchPolicy(), transport=None) -> UpdateResult:
    """Fetch DUO's files (``urls``: ``(sector, url)`` pairs, default ``DIRECTORY_URLS`` or
    :data:`DUO_URLS`) and make them the directory in ``DATA_DIR`` (or ``DIRECTORY_PATH``).

    The rules of the consent list: each fetch is conditional (``If-None-Match`` /
    ``If-Modified-Since`` from the last update) with the timeouts, retries and size limit of
    :func:`bot.consent_source.fetch`; every file must parse as a DUO file with rows; the new
    directory may drop at most ``CONSENT_MAX_DROP`` of the locations of the copy the last update
    made unless ``force`` (a first update replaces the snapshot or an import as it is); it is written atomically, so a failure at any step keeps the last good copy in
    use. Never raises for a network or data fault (see :class:`UpdateResult`); raises
    :class:`ConsentListError` when the current directory is unreadable.
    """
    urls = list(urls or [(sector_of(u), u) for u in getattr(settings, "directory_urls", ())] or DUO_URLS)
    path = default_path(settings)
    status_path = path.with_name(STATUS_FILE)
    state = _read_meta(status_path)
    current = load_default(settings)
    validators = state.get("files") if isinstance(state.get("files"), dict) else {}
    fetched: list[tuple[str, str, Any]] = []
    try:
        for sector, url in urls:
            old = validators.get(url, {}) if path.exists() else {}
            got = fetch(url, etag=old.get("etag", ""), last_modified=old.get("last_modified", ""), policy=policy,
                        transport=transport)
            fetched.append((sector, url, got))
    except FetchError as e:
        _record(status_path, state, "failed", str(e))
        return UpdateResult("failed", current, error=str(e))
    digests = {url: hashlib.sha256(got.body).hexdigest() for _, url, got in fetched if got.body is not None}
    if all(got.body is None or validators.get(url, {}).get("sha256") == digests.get(url)
           for _, url, got in fetched) and path.exists():
        _record(status_path, state, "unchanged", "")
        return UpdateResult("unchanged", current)
    try:  # another file changed: the ones that answered 304 are needed in full to rebuild the directory
        fetched = [(sector, url, got if got.body is not None else fetch(url, policy=policy, transport=transport))
                   for sector, url, got in fetched]
    except FetchError as e:
        _record(status_path, state, "failed", str(e))
        return UpdateResult("failed", current, error=str(e))
    digests = {url: hashlib.sha256(got.body).hexdigest() for _, url, got in fetched}
    schools: list[School] = []
    faults: list[str] = []
    try:
        for sector, url, got in fetched:
            read = read_bytes(got.body, display_url(url), sector=sector)
            schools.extend(read.schools)
            faults += [f"{display_url(url)}: {f}" for f in read.faults]
    except ConsentListError as e:
        _record(status_path, state, "refused", str(e))
        return UpdateResult("refused", current, error=str(e))
    now = datetime.now(timezone.utc)
    new = Directory(schools, ", ".join(display_url(u) for _, u in urls), now, ATTRIBUTION).merge((), replace_all=False)
    new_dir = new.directory
    old_codes = {s.vestigingscode for s in current.schools if s.vestigingscode}
    new_codes = {s.vestigingscode for s in new_dir.schools if s.vestigingscode}
    removed = len(old_codes - new_codes)
    share = removed / len(old_codes) if old_codes else 0.0
    max_drop = getattr(settings, "consent_max_drop", 0.2)
    same_source = path.exists() and bool(validators)  # a copy an earlier update made (not the snapshot, not an import)
    if same_source and not force and share > max_drop:
        error = (f"the new directory drops {removed} of {len(old_codes)} locations ({share:.0%}), more than the "
                 f"{max_drop:.0%} allowed; the current directory stays in use (to accept it: python -m bot schools "
                 f"update --force)")
        _record(status_path, state, "refused", error)
        return UpdateResult("refused", current, removed=removed, error=error)
    try:
        new_dir.save(path, {"fetched_at": now.isoformat(timespec="seconds")})
    except OSError as e:
        error = f"cannot write {path}: {e.strerror or e}"
        _record(status_path, state, "failed", error)
        return UpdateResult("failed", current, error=error)
    files = {url: {"etag": got.etag, "last_modified": got.last_modified, "sha256": digests[url]}
             for _, url, got in fetched}
    _record(status_path, {**state, "files": files}, "updated", "")
    return UpdateResult("updated", Directory.load(path), len(new_codes - old_codes), removed, tuple(faults))


def _record(path: Path, state: dict[str, Any], result: str, error: str) -> None:
    state = {**state, "checked_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "result": result}
    if error:
        state.update(error=error, error_at=state["checked_at"])
    try:
        atomic_write(path, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))
    except OSError as e:
        log.error("cannot write %s: %s", path, e)
