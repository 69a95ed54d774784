"""Read a consent list: the schools that granted Studyspace access to the Magister Public API.

A list is CSV (comma, semicolon or tab; UTF-8 with or without BOM, UTF-16 with BOM as Excel's
"Unicode Text" saves it, else Windows-1252),
JSON (a list of objects, or an object holding one) or YAML (the same shapes, plus optional
``example``, ``source`` and ``as_of`` keys; read strictly by :mod:`bot.yamlload`, so a
duplicate key refuses the list with its line). Column names may be Dutch or English (see
:data:`COLUMNS`). Rows are never dropped silently: a row without a usable name (none, a
name that is no text such as YAML's ``no`` or ``0123``, or a field that runs over several
lines because a quote was not closed) is skipped and reported as ``"row N: reason"`` in
``faults``; a row kept with a flaw (a host that is no Magister host) is reported in
``warnings``.
"""
from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from . import yamlload
from .errors import ConsentListError
from .text import clean, fold

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "consent-voorbeeld.yaml"

# Accepted column names (folded: lower case, no diacritics, spaces/dashes as "_").
COLUMNS = {
    "name": ("name", "naam", "school", "schoolnaam", "display_name", "displayname", "weergavenaam",
             "vestigingsnaam", "school_name"),
    "host": ("host", "magister_host", "magisterhost", "magister", "url", "magister_url", "subdomain",
             "subdomein", "tenant", "omgeving", "domein", "domain"),
    "city": ("city", "plaats", "plaatsnaam", "woonplaats", "stad", "vestigingsplaats", "place", "town"),
    "brin": ("brin", "brinnummer", "brin_nummer", "instellingscode", "brin_code", "brincode"),
    "vestigingscode": ("vestigingscode", "vestiging_code", "location_code", "brinvest", "brin_vestiging"),
    # DUO's school directory (a consent list may have them too; lookups use them only there)
    "website": ("website", "internetadres", "web", "homepage", "site"),
    "gemeente": ("gemeente", "gemeentenaam", "municipality"),
    "denomination": ("denomination", "denominatie"),
    "sector": ("sector", "onderwijssector"),
}
_ALIAS = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
# A Magister host: "<tenant>.magister.net", the tenant possibly of several labels
# ("dev.zentest.nl.magister.net"), not followed by more of a domain ("….magister.net.evil.nl")
# and not inside another URL's path, query or user part ("evil.com/cals.magister.net").
_HOST = re.compile(r"(?<![\w.\-/?=&%#@])(?:https?://)?(?:www\.)?((?:[a-z0-9][a-z0-9-]*\.)*[a-z0-9][a-z0-9-]*)"
                   r"\.magister\.net(?![\w-]|\.[\w])", re.I)
_SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class School:
    """One school (or vestiging) on a list.

    ``name`` as the list gives it (Magister's display name), ``host`` as
    ``"<tenant>.magister.net"`` (``""`` when unknown), ``city``, ``brin`` (4 characters) and
    ``vestigingscode`` (6: BRIN plus 2-digit vestiging) when known, ``row`` the source row
    (1-based, header excluded). The school directory (DUO's locations) also fills ``website``
    (DUO's ``INTERNETADRES`` as given), ``gemeente`` (the municipality), ``denomination`` and
    ``sector`` (``VO``, ``PO`` or ``SPECIAAL``); they stay ``""`` on a consent list without them.
    """

    name: str
    host: str = ""
    city: str = ""
    brin: str = ""
    vestigingscode: str = ""
    row: int = 0
    website: str = ""
    gemeente: str = ""
    denomination: str = ""
    sector: str = ""

    def to_json(self) -> dict[str, str]:
        """``{"name", "host", "city", "brin", "vestigingscode"}``, empty strings where unknown."""
        return {"name": self.name, "host": self.host, "city": self.city, "brin": self.brin,
                "vestigingscode": self.vestigingscode}


@dataclass(frozen=True)
class ConsentList:
    """A parsed consent list.

    ``schools`` in source order; ``source`` names where it came from (path or URL);
    ``name`` is what replies call it (``CONSENT_LIST_NAME``, a file's name, a URL's host and
    file: never a directory of the server; ``""``: ``source``, a name the list gives itself);
    ``as_of`` is when the list was last known current (file time, fetch time, or the
    list's own ``as_of``), timezone-aware, or ``None``; ``example`` marks the bundled
    sample; ``faults`` lists skipped rows as ``"row N: reason"``, ``warnings`` rows kept with
    a flaw the same way; ``columns`` the keys of :data:`COLUMNS` the list has. ``unavailable``
    marks a stand-in with no schools for a configured source that has no good copy yet
    (``error`` says why): it must give no verdict.
    """

    schools: tuple[School, ...]
    source: str
    as_of: datetime | None = None
    example: bool = False
    faults: tuple[str, ...] = ()
    stale_after_days: float | None = None
    error: str = ""
    warnings: tuple[str, ...] = ()
    columns: frozenset[str] = frozenset()
    unavailable: bool = False
    name: str = ""
    hosts: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hosts", frozenset(s.host for s in self.schools if s.host))

    def age_days(self, now: datetime | None = None) -> float | None:
        """Days since ``as_of`` (``None`` when unknown)."""
        if self.as_of is None:
            return None
        now = now or datetime.now(timezone.utc)
        return max((now - self.as_of).total_seconds() / 86400, 0.0)

    def is_stale(self, now: datetime | None = None) -> bool:
        """Whether the list is older than ``stale_after_days`` (never when either is unknown)."""
        age = self.age_days(now)
        return self.stale_after_days is not None and age is not None and age > self.stale_after_days

    def info(self, now: datetime | None = None) -> dict[str, Any]:
        """What every lookup reply says about the list: source, ``name`` (what replies show),
        size, age, example or not, ``stale`` (older than ``stale_after_days``) and ``error``
        (why the last refresh of its source failed, so this is the last good copy; ``None``
        when it did not); and, only for the stand-in of an unavailable list, ``"unavailable": True``."""
        age = self.age_days(now)
        info = {"source": self.source, "name": self.name or self.source, "schools": len(self.schools),
                "as_of": self.as_of.isoformat(timespec="seconds") if self.as_of else None,
                "age_days": round(age, 1) if age is not None else None, "example": self.example,
                "stale": self.is_stale(now), "error": self.error or None}
        if self.unavailable:
            info["unavailable"] = True
        return info


def unavailable(source: str, error: str) -> ConsentList:
    """The stand-in for a configured list with no good copy: no schools, ``error`` saying why."""
    return ConsentList((), source, error=error, unavailable=True)


@dataclass(frozen=True)
class ListDiff:
    """What changed from one list to the next: ``added`` and ``removed`` schools (in list
    order), ``changed`` (old, new) pairs of a school whose host, city or codes changed,
    ``renamed`` (old, new) pairs of a school that has another name now (on the same Magister
    host, or with the same vestigingscode), and ``kept``, how many stayed (changed and renamed
    ones included). Schools are the same when :func:`school_key` is."""

    added: tuple[School, ...]
    removed: tuple[School, ...]
    kept: int
    changed: tuple[tuple[School, School], ...] = ()
    renamed: tuple[tuple[School, School], ...] = ()

    def dropped_share(self) -> float:
        """Share (0..1) of the old list's schools that are gone; 0 for an empty old list."""
        old = self.kept + len(self.removed)
        return len(self.removed) / old if old else 0.0


def school_key(s: School) -> str:
    """A school's identity across versions of a list: its name's identity
    (:func:`bot.names.identity_key`: "Het Cals College" = "cals college"). A new host or city
    is a change; another name on the same host is a rename (:func:`diff`)."""
    from .names import identity_key

    return identity_key(s.name)


RENAME_SIMILARITY = 50
"""Least rapidfuzz ``token_sort_ratio`` (0..100) of two names on one host, when the host lost
and gained several, for them to be one school renamed (one lost and one gained: always)."""


def diff(old: ConsentList, new: ConsentList) -> ListDiff:
    """Compare two lists by :func:`school_key` (duplicate rows count once); of the schools left
    over, one that is gone and one that is new with the same vestigingscode, or on the same
    Magister host, are one school renamed (a host that lost and gained several pairs them by
    the similarity of their names, best first, at least :data:`RENAME_SIMILARITY`)."""
    from rapidfuzz import fuzz

    def by_key(cl: ConsentList) -> dict[str, School]:
        out: dict[str, School] = {}
        for s in cl.schools:
            out.setdefault(school_key(s), s)
        return out

    before, after = by_key(old), by_key(new)
    gone = [s for k, s in before.items() if k not in after]
    came = [s for k, s in after.items() if k not in before]
    renamed: list[tuple[School, School]] = []
    for a in list(gone):  # the same vestigingscode
        b = next((b for b in came if a.vestigingscode and b.vestigingscode == a.vestigingscode), None)
        if b is not None:
            renamed.append((a, b))
            gone.remove(a)
            came.remove(b)
    hosts = {s.host for s in gone if s.host} & {s.host for s in came if s.host}
    for host in sorted(hosts):
        olds = [s for s in gone if s.host == host]
        news = [s for s in came if s.host == host]
        pairs = sorted(((fuzz.token_sort_ratio(school_key(a), school_key(b)), i, j)
                        for i, a in enumerate(olds) for j, b in enumerate(news)), reverse=True)
        used_a: set[int] = set()
        used_b: set[int] = set()
        for score, i, j in pairs:
            if i in used_a or j in used_b or (score < RENAME_SIMILARITY and not (len(olds) == len(news) == 1)):
                continue
            used_a.add(i)
            used_b.add(j)
            renamed.append((olds[i], news[j]))
            gone.remove(olds[i])
            came.remove(news[j])
    order = {id(s): n for n, s in enumerate(old.schools)}
    renamed.sort(key=lambda p: order.get(id(p[0]), 0))
    changed = tuple((s, after[k]) for k, s in before.items()
                    if k in after and s.to_json() != after[k].to_json())
    return ListDiff(tuple(came), tuple(gone), len(before) - len(gone), changed, tuple(renamed))


def normalize_host(value: str) -> str:
    """``"https://Cals.magister.net/"``, ``"cals.magister.net"`` or ``"cals"`` ->
    ``"cals.magister.net"``; ``""`` when ``value`` is no Magister host."""
    value = _value(value).lower()
    m = _HOST.search(value)
    if m:
        return f"{m.group(1)}.magister.net"
    return f"{value}.magister.net" if _SUBDOMAIN.match(value) else ""


def host_in(text: str) -> str:
    """The first Magister host named in ``text`` (``"x.magister.net"``) or ``""``."""
    m = _HOST.search(fold(clean(text)))
    return f"{m.group(1)}.magister.net" if m else ""


def decode(data: bytes) -> str:
    """Bytes to text: UTF-16 when a byte order mark says so (Excel's "Unicode Text"), else
    UTF-8 (a BOM is dropped), else Windows-1252, whatever a header claims."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")  # the codec reads the BOM and drops it
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@functools.lru_cache(maxsize=1024)
def _column(header: str) -> str | None:
    key = re.sub(r"[^a-z0-9]+", "_", fold(clean(header))).strip("_")
    return _ALIAS.get(key)


# Printable ASCII without "&", "<", ">", "`": what clean() would only strip (it is slow: ftfy).
_PLAIN = re.compile(r"[ -%'-;=?-_a-~]*")


def _value(text: str) -> str:
    if _PLAIN.fullmatch(text) and "  " not in text:
        return text.strip()
    return clean(text)


def _school(record: dict[str, Any], row: int, faults: list[str], warnings: list[str]) -> School | None:
    """The school of one row, or ``None`` (the reason added to ``faults``); a flaw in a row
    that is kept goes to ``warnings``."""
    fields: dict[str, str] = {}
    for k, v in record.items():
        col = _column(str(k)) if k is not None else None
        if not col or col in fields or v is None or isinstance(v, (dict, list)):
            continue
        if not isinstance(v, str):  # JSON or YAML turned it into a boolean, number or date
            what = f"{col} is not text: put it in quotes (it was read as {yamlload.type_name(v)}: {v})"
            if col == "name":
                faults.append(f"row {row}: {what}")
                return None
            warnings.append(f"row {row}: {what}; kept without it")
            fields[col] = ""
            continue
        fields[col] = _value(v)
    name = fields.get("name", "")
    if not name:
        faults.append(f"row {row}: no school name")
        return None
    host = normalize_host(fields["host"]) if fields.get("host") else ""
    if fields.get("host") and not host:
        warnings.append(f"row {row}: '{fields['host'][:60]}' is no Magister host (kept without host)")
    code = re.sub(r"\s+", "", fields.get("vestigingscode", "")).upper()
    brin = re.sub(r"\s+", "", fields.get("brin", "")).upper() or code[:4]
    return School(name, host, fields.get("city", ""), brin, code, row, fields.get("website", ""),
                  fields.get("gemeente", ""), fields.get("denomination", ""), fields.get("sector", "").upper())


def _records_from(obj: Any) -> list[Any] | None:
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict):
        for key in ("schools", "scholen", "items", "data", "results"):
            if isinstance(obj.get(key), list):
                return obj[key]
        lists = [v for v in obj.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0]
    return None


def parse(data: bytes | str, *, source: str, fmt: str | None = None,
          as_of: datetime | None = None) -> ConsentList:
    """Parse a consent list from ``data``.

    ``fmt`` is ``"csv"``, ``"json"`` or ``"yaml"``; ``None`` sniffs it from ``source``'s
    extension and then the content. Raises :class:`ConsentListError` for an empty body, an
    HTML page, unparseable JSON/YAML (a duplicate YAML key included, with its line), a CSV
    without a name column, or a list with no valid row (naming the first reason). Skipped
    rows go to ``faults``, rows kept with a flaw to ``warnings``.
    """
    text = decode(data) if isinstance(data, bytes) else data
    text = text.lstrip("\ufeff")
    head = text.lstrip()[:200].lower()
    if not head:
        raise ConsentListError(f"{source}: the list is empty")
    if head.startswith(("<!doctype html", "<html")) or "<html" in head:
        raise ConsentListError(f"{source}: got an HTML page, not a list")
    ext = Path(source.split("?")[0]).suffix.lower()
    if fmt is None:
        fmt = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".txt": "csv"}.get(ext)
    if fmt is None:
        fmt = "json" if head[0] in "[{" else "csv"
    meta: dict[str, Any] = {}
    faults: list[str] = []
    warnings: list[str] = []
    columns: set[str] = set()
    if fmt in ("json", "yaml"):
        if fmt == "json":
            try:
                obj = json.loads(text)
            except ValueError as e:
                raise ConsentListError(f"{source}: not valid JSON: {str(e).splitlines()[0][:120]}") from None
        else:
            try:
                obj = yamlload.load(source, text)
            except yamlload.YamlFault as e:  # "source:line: what", e.g. a duplicate key
                raise ConsentListError(str(e)) from None
        if isinstance(obj, dict):
            meta = obj
        records = _records_from(obj)
        if records is None:
            raise ConsentListError(f"{source}: expected a list of schools")
        schools = []
        for i, r in enumerate(records, 1):
            if not isinstance(r, dict):
                faults.append(f"row {i}: not an object")
                continue
            columns.update(c for c in map(_column, map(str, r)) if c)
            s = _school(r, i, faults, warnings)
            if s:
                schools.append(s)
    else:
        schools = _parse_csv(text, source, faults, warnings, columns)
    if not schools:
        first = f": {faults[0]}" if faults else ""
        raise ConsentListError(f"{source}: no valid school in the list ({len(faults)} rows skipped{first})")
    if meta.get("as_of"):
        as_of = _as_datetime(meta["as_of"]) or as_of
    return ConsentList(tuple(schools), str(meta.get("source") or source), as_of,
                       bool(meta.get("example", False)), tuple(faults), warnings=tuple(warnings),
                       columns=frozenset(columns))


def _parse_csv(text: str, source: str, faults: list[str], warnings: list[str], columns: set[str]) -> list[School]:
    """The schools of a CSV list; ``columns`` gets the known columns of its header.

    Rows are numbered by the line they start on (row 1 is the line after the header), so a
    row number stays a line number in an editor. A record that runs over several lines has a
    quote that is not closed, most likely (these lists hold no multi-line text): when a field
    the bot reads spans lines, the row is skipped (it may have swallowed the rows after it);
    when only another column does, the row is kept with a warning.
    """
    first = text.splitlines()[0] if text else ""
    delimiter = max(",;\t|", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ConsentListError(f"{source}: no header row") from None
    cols = [_column(h) for h in header]
    if "name" not in cols:
        raise ConsentListError(
            f"{source}: no name column in the header ({', '.join(h[:30] for h in header[:8])}); "
            f"expected one of {', '.join(COLUMNS['name'][:4])}")
    columns.update(c for c in cols if c)
    schools = []
    header_lines = reader.line_num
    while True:
        start = reader.line_num + 1  # the line this record starts on
        row = start - header_lines
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            faults.append(f"row {row}: unreadable CSV ({e})")
            continue
        if not any(v.strip() for v in values):
            continue  # blank line
        if reader.line_num > start:
            spans = [i for i, v in enumerate(values) if "\n" in v or "\r" in v]
            where = f"lines {start}-{reader.line_num}"
            read = [i for i in spans if i < len(cols) and cols[i]]
            if read:
                faults.append(f"row {row}: the {cols[read[0]]} runs over {where}: a quote that is not closed?")
                continue
            if spans:
                label = header[spans[0]][:30] if spans[0] < len(header) else f"field {spans[0] + 1}"
                warnings.append(f"row {row}: column '{label}' runs over {where}: a quote that is not closed?")
        if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
            warnings.append(f"row {row}: {len(values)} fields for {len(header)} columns (read as far as the header goes)")
        s = _school(dict(zip(header, values)), row, faults, warnings)
        if s:
            schools.append(s)
    return schools


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    try:
        return _as_datetime(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def load(path: Path | str | None = None) -> ConsentList:
    """Read a consent list file (default: the bundled example list).

    ``as_of`` is the list's own ``as_of`` if it has one, else the file's modification
    time. Its ``name`` is the file's name (the directory is the server's business), unless
    the list names itself. Raises :class:`ConsentListError` for a missing or unreadable file
    and whatever :func:`parse` raises.
    """
    p = Path(path) if path else SAMPLE_PATH
    try:
        data = p.read_bytes()
        mtime = datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)
    except OSError as e:
        raise ConsentListError(f"consent list {p}: {e.strerror or e}") from None
    consent = parse(data, source=str(p), as_of=mtime)
    return replace(consent, name=p.name) if consent.source == str(p) else consent
